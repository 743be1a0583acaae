// The non-plastic cores: Elman RNN (the Backpropamine baseline), LSTM, GRU, and a feedforward
// layer (mlp) for tasks without memory.
#pragma once

#include "dopa/nn/recurrent_core.h"

namespace dopa::nn {

struct LstmWeights;  // lstm_episode.h

// The Elman step over any leading dimensions: h_t = tanh(u_t + W h_{t-1}) with u_t = W_in x_t + b,
// h (B, N) with W (N, N), or a population's (S, B, N) with W (S, N, N).
torch::Tensor elman_hidden(const torch::Tensor& u, const torch::Tensor& h_prev, const torch::Tensor& w);

// h_t = tanh(W_in x_t + b + W h_{t-1}): the Backpropamine "rnn" (no recurrent bias; W ~ scale*U[0,1)).
class ElmanCore : public RecurrentCore {
 public:
  ElmanCore(int64_t inputs, int64_t hidden, double init_scale);
  int64_t hidden_size() const override { return hidden_; }
  CoreState initial_state(int64_t batch) const override;
  torch::Tensor step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine = {}) override;

 private:
  int64_t hidden_;
  torch::nn::Linear input_{nullptr};
  torch::Tensor w_;
};

// h_t = tanh(W x_t + b): no memory (its state is h, unused).
class MlpCore : public RecurrentCore {
 public:
  MlpCore(int64_t inputs, int64_t hidden);
  int64_t hidden_size() const override { return hidden_; }
  CoreState initial_state(int64_t batch) const override;
  torch::Tensor step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine = {}) override;

 private:
  int64_t hidden_;
  torch::nn::Linear layer_{nullptr};
};

class LstmCore : public RecurrentCore {
 public:
  // gain scales LibTorch's initial weights (not the biases). A larger start gives the gates products
  // of inputs (e.g. previous action x previous reward) big enough to learn from: on the medium bandit
  // gain 6 left random play within 200K steps where gain 1 sat there for 3M, but over whole runs it
  // trained worse (experiments/bandits/RESULTS.md), so the default stays 1.
  // fused: on the CPU, rollout steps and unroll() take the fast path of lstm_episode.h (the same
  // equations and parameters as LSTMCell, which runs otherwise).
  LstmCore(int64_t inputs, int64_t hidden, double gain = 1.0, bool fused = true);
  int64_t hidden_size() const override { return hidden_; }
  CoreState initial_state(int64_t batch) const override;
  torch::Tensor step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine = {}) override;
  torch::Tensor unroll(const torch::Tensor& x, const torch::Tensor& dopamine, torch::Tensor* modulators = nullptr,
                       const RolloutTape* tape = nullptr) override;

 private:
  bool use_fused() const { return fused_ && cell_->weight_ih.device().is_cpu(); }
  LstmWeights weights() const;  // the cell's parameters, for the fused path

  int64_t hidden_;
  bool fused_;
  torch::nn::LSTMCell cell_{nullptr};
};

class GruCore : public RecurrentCore {
 public:
  GruCore(int64_t inputs, int64_t hidden, double gain = 1.0);
  int64_t hidden_size() const override { return hidden_; }
  CoreState initial_state(int64_t batch) const override;
  torch::Tensor step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine = {}) override;

 private:
  int64_t hidden_;
  torch::nn::GRUCell cell_{nullptr};
};

}  // namespace dopa::nn

// Recurrent cores: one interface for plain and plastic recurrent networks.
//
//   input x_t, state -> output h_t, new state
//
// The state holds everything carried from step to step: h (and c for an LSTM), the Hebbian trace H
// and the eligibility trace E of plastic networks. An episode starts from initial_state() (all
// zeros). Cores are built by make_core() from CoreOptions, which agents expose as config keys
// (core_config_keys()).
//
// Trainers use two calls:
//   step()    one step, during the rollout (usually under torch::NoGradGuard, to choose actions);
//   unroll()  the whole episode again from the initial state, with gradients, for the update.
// Plastic cores implement unroll() with a fused kernel and a hand-written backward pass, so that
// the B x N x N traces are not stored for every step (see plastic_kernel.h); the others step T times.
//
// Cores with a dopamine modulator (modulator = "dopamine" or "both") use the TD error
// delta_{t-1} = r_{t-1} + gamma V(s_t) - V(s_{t-1}) of the agent's own critic as the third factor of
// their Hebbian rule. It depends on h_t, so step() asks for it through a callback once h_t is known;
// unroll() takes the values recorded during the rollout (the TD error is a signal: no gradient flows
// through it).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dopa/core/config.h"
#include "dopa/core/settings.h"
#include "dopa/nn/core_kinds.h"

namespace dopa::nn {

// What a rollout recorded, so that unroll() can skip the forward pass it would otherwise repeat
// (plastic cores and the fused LSTM record; the others ignore it).
struct RolloutTape {
  std::vector<torch::Tensor> h, z, m;  // per step: h_t (B, N), the modulator's z_t and M_t (B)
  std::vector<torch::Tensor> hebb, elig;  // the traces before every checkpoint_every-th step (B, N, N)
  std::vector<torch::Tensor> gates, c, tanh_c;  // lstm, per step: activated (i, f, g, o) (B, 4N), c_t, tanh(c_t)
};

struct CoreState {
  std::vector<torch::Tensor> tensors;  // h first; then c (lstm) or H (and E) (plastic)
  torch::Tensor modulator;             // the last step's M_t, (B, 1) or (B, N); undefined without one
  std::shared_ptr<RolloutTape> tape;   // when set, step() records into it (without gradients)
  const torch::Tensor& h() const { return tensors.front(); }
};

// Given h_t (B, N), returns delta_{t-1} (B,).
using DopamineFn = std::function<torch::Tensor(const torch::Tensor& h)>;

struct CoreOptions {
  CoreKind type = CoreKind::Lstm;
  int64_t inputs = 0;
  int64_t hidden = 48;
  TraceRule trace_rule = TraceRule::Clip;  // decay and oja: plastic only
  double trace_clip = 1.0;                 // bound of the Hebbian trace (clip and soft rules)
  ModulatorSource modulator = ModulatorSource::Learned;  // modplast and modul
  bool fanout = false;                // per-neuron modulation (simplemaze form): eta_i = f_i M + g_i
  double init_scale = 0.01;           // W and alpha ~ init_scale * U[0, 1)
  double init_gain = 1.0;             // lstm, gru: weights ~ init_gain * U(-1/sqrt(hidden), 1/sqrt(hidden))
  double eta_init = 0.01;             // initial eta (plastic) and eta_E (modul)
  bool fused = true;                  // plastic and lstm cores: the fused CPU path (false, or not on the CPU: autograd)
};

// The settings agents expose for a core ("core" for the kind, the others as named), with an agent's
// defaults for the kind and size. `inputs` is not one: it comes from the env.
SettingsTable<CoreOptions> core_settings(CoreKind default_kind, int64_t default_hidden);
ConfigSchema core_config_keys(CoreKind default_kind, int64_t default_hidden);
// Reads those keys; `inputs` comes from the env.
CoreOptions core_options(const Config& config, int64_t inputs);

class RecurrentCore : public torch::nn::Module {
 public:
  virtual int64_t hidden_size() const = 0;
  virtual CoreState initial_state(int64_t batch) const = 0;
  // One step: x (B, inputs) -> h_t (B, hidden); `state` advances. Without gradients, plastic cores
  // update the trace tensors of `state` in place: step a clone_state() to look ahead.
  virtual torch::Tensor step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine = {}) = 0;
  // The whole episode from the initial state, with gradients: x (T, B, inputs), dopamine (T, B) as
  // recorded during the rollout (undefined when unused) -> (T, B, hidden). `modulators`, if given,
  // receives M_t for every step (T, B, 1 or N). `tape`, the record of a rollout of exactly these
  // inputs with the current parameters, saves recomputing the forward pass.
  virtual torch::Tensor unroll(const torch::Tensor& x, const torch::Tensor& dopamine,
                               torch::Tensor* modulators = nullptr, const RolloutTape* tape = nullptr);
  virtual bool uses_dopamine() const { return false; }
  // Whether step() sets CoreState::modulator to this step's M_t (modplast and modul).
  virtual bool has_modulator() const { return false; }
};

std::shared_ptr<RecurrentCore> make_core(const CoreOptions& options);

// State operations for trainers that carry the state across updates and episodes.
CoreState detach_state(const CoreState& state);                                  // cut the graph
CoreState clone_state(const CoreState& state);  // a copy to step without touching the original
CoreState mask_state(const CoreState& state, const torch::Tensor& keep);         // keep (B,): 0 zeroes a row
CoreState select_rows(const CoreState& state, const torch::Tensor& index);      // rows `index` of the batch

// Number of trainable parameters.
int64_t parameter_count(const torch::nn::Module& module);

}  // namespace dopa::nn

namespace dopa {
template <>
inline const EnumNames<nn::CoreKind>& enum_names<nn::CoreKind>() {
  static const EnumNames<nn::CoreKind> names = {
      {nn::CoreKind::Rnn, "rnn"},         {nn::CoreKind::Lstm, "lstm"},         {nn::CoreKind::Gru, "gru"},
      {nn::CoreKind::Mlp, "mlp"},         {nn::CoreKind::Plastic, "plastic"}, {nn::CoreKind::ModPlast, "modplast"},
      {nn::CoreKind::Modul, "modul"}};
  return names;
}
template <>
inline const EnumNames<nn::TraceRule>& enum_names<nn::TraceRule>() {
  static const EnumNames<nn::TraceRule> names = {{nn::TraceRule::Clip, "clip"},
                                                 {nn::TraceRule::Soft, "soft"},
                                                 {nn::TraceRule::Decay, "decay"},
                                                 {nn::TraceRule::Oja, "oja"}};
  return names;
}
template <>
inline const EnumNames<nn::ModulatorSource>& enum_names<nn::ModulatorSource>() {
  static const EnumNames<nn::ModulatorSource> names = {{nn::ModulatorSource::Learned, "learned"},
                                                       {nn::ModulatorSource::Dopamine, "dopamine"},
                                                       {nn::ModulatorSource::Both, "both"}};
  return names;
}
}  // namespace dopa

// The recurrent cores: parameter counts as in the paper, the fused plastic kernel and the fused LSTM
// episode against the autograd implementations (outputs and gradients), and finite-difference
// gradient checks.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <optional>

#include "dopa/core/error.h"
#include "dopa/nn/lstm_episode.h"
#include "dopa/nn/plastic_kernel.h"
#include "dopa/nn/plastic_rnn.h"
#include "dopa/nn/recurrent_core.h"

namespace {

using dopa::nn::CoreOptions;
using dopa::nn::PlasticRnn;

CoreOptions options(const std::string& type, int64_t inputs, int64_t hidden) {
  CoreOptions o;
  o.type = dopa::parse_enum<dopa::nn::CoreKind>(type, "core");
  o.inputs = inputs;
  o.hidden = hidden;
  return o;
}

// Parameters of a maze network: the core plus the policy (N -> 4) and value (N -> 1) heads.
int64_t maze_parameters(const CoreOptions& o) {
  torch::manual_seed(0);
  return dopa::nn::parameter_count(*dopa::nn::make_core(o)) + (o.hidden * 4 + 4) + (o.hidden + 1);
}

TEST(Cores, ParameterCountsMatchTheBackpropaminePaper) {
  // specs/backpropamine.md §2, as the official code prints them (17 inputs).
  EXPECT_EQ(maze_parameters(options("rnn", 17, 139)), 22523);
  EXPECT_EQ(maze_parameters(options("rnn", 17, 100)), 12305);
  EXPECT_EQ(maze_parameters(options("plastic", 17, 101)), 22731);
  EXPECT_EQ(maze_parameters(options("modplast", 17, 100)), 22406);
  EXPECT_EQ(maze_parameters(options("modul", 17, 100)), 22407);
  CoreOptions simplemaze = options("modplast", 17, 100);
  simplemaze.fanout = true;
  EXPECT_EQ(maze_parameters(simplemaze), 22606);
}

TEST(Cores, BadCombinationsAreRejected) {
  CoreOptions o = options("modplast", 4, 8);
  o.trace_rule = dopa::nn::TraceRule::Oja;
  EXPECT_THROW(dopa::nn::make_core(o), dopa::Error);
  o = options("plastic", 4, 8);
  o.fanout = true;
  EXPECT_THROW(dopa::nn::make_core(o), dopa::Error);
}

TEST(Cores, InitGainScalesTheGatedCoresWeightsNotTheirBiases) {
  for (const std::string type : {"lstm", "gru"}) {
    CoreOptions o = options(type, 4, 8);
    torch::manual_seed(7);
    const auto plain = dopa::nn::make_core(o)->named_parameters();
    o.init_gain = 6.0;
    torch::manual_seed(7);
    const auto scaled = dopa::nn::make_core(o)->named_parameters();
    for (const auto& item : plain) {
      const bool weight = item.key().find("weight") != std::string::npos;
      EXPECT_TRUE(torch::allclose(scaled[item.key()], (weight ? 6.0 : 1.0) * item.value())) << type << " " << item.key();
    }
    o.init_gain = 0.0;
    EXPECT_THROW(dopa::nn::make_core(o), dopa::Error);
  }
}

// The configurations the fused kernel must reproduce.
std::vector<CoreOptions> plastic_variants(int64_t inputs, int64_t hidden) {
  std::vector<CoreOptions> variants;
  for (const std::string rule : {"clip", "soft", "decay", "oja"}) {
    CoreOptions o = options("plastic", inputs, hidden);
    o.trace_rule = dopa::parse_enum<dopa::nn::TraceRule>(rule, "trace_rule");
    variants.push_back(o);
  }
  for (const std::string type : {"modplast", "modul"}) {
    for (const std::string rule : {"clip", "soft"}) {
      for (const std::string modulator : {"learned", "dopamine", "both"}) {
        for (bool fanout : {false, true}) {
          CoreOptions o = options(type, inputs, hidden);
          o.trace_rule = dopa::parse_enum<dopa::nn::TraceRule>(rule, "trace_rule");
          o.modulator = dopa::parse_enum<dopa::nn::ModulatorSource>(modulator, "modulator");
          o.fanout = fanout;
          variants.push_back(o);
        }
      }
    }
  }
  for (auto& o : variants) {
    // Large enough that traces reach the clip bound within the episode.
    o.init_scale = 0.3;
    o.eta_init = 0.4;
    o.trace_clip = 0.5;
  }
  return variants;
}

std::string name(const CoreOptions& o) {
  return dopa::enum_name(o.type) + "/" + dopa::enum_name(o.trace_rule) + "/" + dopa::enum_name(o.modulator) +
         (o.fanout ? "/fanout" : "");
}

std::shared_ptr<PlasticRnn> make_plastic(const CoreOptions& o, uint64_t seed) {
  torch::manual_seed(seed);
  return std::make_shared<PlasticRnn>(o);
}

// A scalar loss of the outputs (and the modulators, which the trainers may record but not train on).
torch::Tensor loss_of(const torch::Tensor& hs, const torch::Tensor& weights) { return (hs * weights).sum(); }

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

// The parameter and input gradients of two copies of a core, relative to the second's largest.
void expect_same_gradients(torch::nn::Module& fused, torch::nn::Module& reference, const torch::Tensor& x1,
                           const torch::Tensor& x2, double tolerance) {
  const auto p1 = fused.named_parameters(), p2 = reference.named_parameters();
  for (const auto& item : p1) {
    const torch::Tensor g1 = item.value().grad(), g2 = p2[item.key()].grad();
    ASSERT_TRUE(g1.defined() && g2.defined()) << item.key();
    const double scale = std::max(max_abs(g2), 1e-3);
    EXPECT_LE(max_abs(g1 - g2) / scale, tolerance) << item.key() << ": " << max_abs(g1 - g2) << " of " << scale;
  }
  const double scale = std::max(max_abs(x2.grad()), 1e-3);
  EXPECT_LE(max_abs(x1.grad() - x2.grad()) / scale, tolerance) << "input gradient";
}

// The fused episode against the autograd implementation. In double precision the two differ only by
// rounding (required: gradients within 1e-5 relative; they agree to about 1e-12). In float32 the
// kernel's vectorised sums round differently, which grows over 45 steps of these deliberately large
// weights: a looser check that the float path is the same computation.
void compare_fused_with_autograd(torch::Dtype dtype, double output_tolerance, double gradient_tolerance) {
  const int64_t T = 45, B = 3, I = 5, N = 12;  // T crosses two checkpoints
  for (const auto& o : plastic_variants(I, N)) {
    SCOPED_TRACE(name(o));
    torch::manual_seed(11);
    const torch::Tensor x = torch::randn({T, B, I}, dtype);
    const torch::Tensor dopamine = torch::randn({T, B}, dtype);
    const torch::Tensor weights = torch::randn({T, B, N}, dtype);

    auto fused = make_plastic(o, 5);
    auto reference = make_plastic(o, 5);
    fused->to(dtype);
    reference->to(dtype);
    const torch::Tensor d = fused->uses_dopamine() ? dopamine : torch::Tensor();
    const torch::Tensor x1 = x.clone().requires_grad_(true), x2 = x.clone().requires_grad_(true);
    torch::Tensor m1, m2;
    const torch::Tensor hs_fused = dopa::nn::plastic_unroll_fused(*fused, x1, d, &m1);
    const torch::Tensor hs_reference = reference->unroll_autograd(x2, d, &m2);
    EXPECT_LE(max_abs(hs_fused - hs_reference), output_tolerance) << "outputs";
    if (fused->has_modulator()) {
      EXPECT_LE(max_abs(m1 - m2), output_tolerance * 10) << "modulators";
    }
    loss_of(hs_fused, weights).backward();
    loss_of(hs_reference, weights).backward();
    expect_same_gradients(*fused, *reference, x1, x2, gradient_tolerance);
  }
}

TEST(PlasticKernel, FusedUnrollMatchesAutogradInDoublePrecision) {
  compare_fused_with_autograd(torch::kDouble, 1e-12, 1e-9);
}

TEST(PlasticKernel, FusedUnrollMatchesAutogradInFloat32) { compare_fused_with_autograd(torch::kFloat, 1e-4, 1e-3); }

TEST(PlasticKernel, TracesReachTheClipBoundInTheTestConfiguration) {
  CoreOptions o = plastic_variants(5, 12)[0];
  auto core = make_plastic(o, 5);
  torch::manual_seed(11);
  torch::NoGradGuard no_grad;
  auto state = core->initial_state(3);
  for (int t = 0; t < 45; ++t) core->step(torch::randn({3, 5}), state);
  EXPECT_GT((state.tensors[1].abs() >= 0.5 - 1e-6).sum().item<int64_t>(), 0);
}

TEST(PlasticKernel, RolloutStepsMatchTheUnroll) {
  // step() under NoGradGuard (the fused kernel, as in rollouts) gives the same h as unroll(),
  // so a trainer's update differentiates exactly the trajectory it acted on.
  const int64_t T = 30, B = 4, I = 6, N = 10;
  for (const auto& o : plastic_variants(I, N)) {
    SCOPED_TRACE(name(o));
    auto core = make_plastic(o, 3);
    torch::manual_seed(4);
    const torch::Tensor x = torch::randn({T, B, I});
    const torch::Tensor dopamine = torch::randn({T, B});
    std::vector<torch::Tensor> stepped;
    auto tape = std::make_shared<dopa::nn::RolloutTape>();
    {
      torch::NoGradGuard no_grad;
      auto state = core->initial_state(B);
      state.tape = tape;
      for (int64_t t = 0; t < T; ++t)
        stepped.push_back(core->step(x[t], state, [&](const torch::Tensor&) { return dopamine[t]; }));
    }
    const torch::Tensor d = core->uses_dopamine() ? dopamine : torch::Tensor();
    const torch::Tensor unrolled = core->unroll(x, d);
    EXPECT_TRUE(torch::stack(stepped).equal(unrolled.detach())) << max_abs(torch::stack(stepped) - unrolled);
    // The tape replaces the forward pass: same outputs, same gradients.
    const torch::Tensor weights = torch::randn({T, B, N});
    core->zero_grad();
    (unrolled * weights).sum().backward();
    std::vector<torch::Tensor> without_tape;
    for (const auto& p : core->parameters()) without_tape.push_back(p.grad().clone());
    core->zero_grad();
    const torch::Tensor from_tape = core->unroll(x, d, nullptr, tape.get());
    EXPECT_TRUE(from_tape.equal(unrolled));
    (from_tape * weights).sum().backward();
    const auto params = core->parameters();
    for (size_t k = 0; k < params.size(); ++k) EXPECT_TRUE(params[k].grad().equal(without_tape[k])) << k;
  }
}

// A weak reference to an autograd node: LibTorch 1.13 holds nodes in std::shared_ptr, 2.x in
// c10::intrusive_ptr.
template <class Strong>
struct WeakOf;
template <class T>
struct WeakOf<std::shared_ptr<T>> {
  using type = std::weak_ptr<T>;
};
template <class T, class Null>
struct WeakOf<c10::intrusive_ptr<T, Null>> {
  using type = c10::weak_intrusive_ptr<T, Null>;
};
using WeakNode = WeakOf<std::decay_t<decltype(torch::Tensor().grad_fn())>>::type;

TEST(PlasticKernel, TheEpisodeNodeIsFreedWithItsOutput) {
  // The autograd node of a fused unroll must not keep itself alive (through a saved output): that
  // leaked every episode's buffers.
  auto core = make_plastic(options("modul", 3, 5), 1);
  std::optional<WeakNode> node;
  {
    const torch::Tensor hs = core->unroll(torch::randn({25, 2, 3}), torch::Tensor());
    node.emplace(hs.grad_fn());
    ASSERT_FALSE(node->expired());
    hs.sum().backward();
  }
  EXPECT_TRUE(node->expired());
}

// The fused LSTM against LSTMCell through autograd (fused = false), from the same initial weights.
void compare_fused_lstm_with_autograd(torch::Dtype dtype, double output_tolerance, double gradient_tolerance) {
  const int64_t T = 40, B = 3, I = 5, N = 7;
  CoreOptions o = options("lstm", I, N);
  o.init_gain = 3.0;  // saturates some gates, so that every branch of the backward pass matters
  torch::manual_seed(5);
  auto fused = dopa::nn::make_core(o);
  o.fused = false;
  torch::manual_seed(5);
  auto reference = dopa::nn::make_core(o);
  fused->to(dtype);
  reference->to(dtype);
  torch::manual_seed(11);
  const torch::Tensor x = torch::randn({T, B, I}, dtype);
  const torch::Tensor weights = torch::randn({T, B, N}, dtype);
  const torch::Tensor x1 = x.clone().requires_grad_(true), x2 = x.clone().requires_grad_(true);
  const torch::Tensor hs_fused = fused->unroll(x1, torch::Tensor());
  const torch::Tensor hs_reference = reference->unroll(x2, torch::Tensor());
  ASSERT_NE(hs_fused.grad_fn()->name(), hs_reference.grad_fn()->name()) << "both ran the same implementation";
  EXPECT_LE(max_abs(hs_fused - hs_reference), output_tolerance) << "outputs";
  loss_of(hs_fused, weights).backward();
  loss_of(hs_reference, weights).backward();
  expect_same_gradients(*fused, *reference, x1, x2, gradient_tolerance);
}

TEST(LstmEpisode, FusedUnrollMatchesLstmCellInDoublePrecision) {
  compare_fused_lstm_with_autograd(torch::kDouble, 1e-12, 1e-9);
}

TEST(LstmEpisode, FusedUnrollMatchesLstmCellInFloat32) { compare_fused_lstm_with_autograd(torch::kFloat, 1e-5, 1e-4); }

TEST(LstmEpisode, RolloutStepsMatchLstmCellAndTheTapeReplacesTheForwardPass) {
  const int64_t T = 30, B = 4, I = 6, N = 9;
  torch::manual_seed(3);
  auto core = dopa::nn::make_core(options("lstm", I, N));
  CoreOptions plain = options("lstm", I, N);
  plain.fused = false;
  torch::manual_seed(3);
  auto reference = dopa::nn::make_core(plain);
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({T, B, I});
  std::vector<torch::Tensor> stepped, stepped_reference;
  auto tape = std::make_shared<dopa::nn::RolloutTape>();
  {
    torch::NoGradGuard no_grad;
    auto state = core->initial_state(B), state_reference = reference->initial_state(B);
    state.tape = tape;
    for (int64_t t = 0; t < T; ++t) {
      stepped.push_back(core->step(x[t], state));
      stepped_reference.push_back(reference->step(x[t], state_reference));
    }
  }
  ASSERT_EQ(static_cast<int64_t>(tape->gates.size()), T) << "the fused rollout step records the gates";
  EXPECT_LE(max_abs(torch::stack(stepped) - torch::stack(stepped_reference)), 1e-5);
  const torch::Tensor unrolled = core->unroll(x, torch::Tensor());
  EXPECT_LE(max_abs(torch::stack(stepped) - unrolled.detach()), 1e-6);
  // From the tape: the rollout's own outputs, and the gradients of the unrolled episode.
  const torch::Tensor weights = torch::randn({T, B, N});
  core->zero_grad();
  (unrolled * weights).sum().backward();
  std::vector<torch::Tensor> without_tape;
  for (const auto& p : core->parameters()) without_tape.push_back(p.grad().clone());
  core->zero_grad();
  const torch::Tensor from_tape = core->unroll(x, torch::Tensor(), nullptr, tape.get());
  EXPECT_TRUE(from_tape.equal(torch::stack(stepped)));
  (from_tape * weights).sum().backward();
  const auto params = core->parameters();
  for (size_t k = 0; k < params.size(); ++k)
    EXPECT_LE(max_abs(params[k].grad() - without_tape[k]), 1e-5 * std::max(1.0, max_abs(without_tape[k]))) << k;
}

TEST(LstmEpisode, TheEpisodeNodeIsFreedWithItsOutput) {
  torch::manual_seed(1);
  auto core = dopa::nn::make_core(options("lstm", 3, 5));
  std::optional<WeakNode> node;
  {
    const torch::Tensor hs = core->unroll(torch::randn({25, 2, 3}), torch::Tensor());
    node.emplace(hs.grad_fn());
    ASSERT_FALSE(node->expired());
    hs.sum().backward();
  }
  EXPECT_TRUE(node->expired());
}

// Central finite differences in double precision on a few elements of every parameter.
void check_finite_differences(dopa::nn::RecurrentCore& core, const torch::Tensor& x, const torch::Tensor& dopamine,
                              const std::string& what) {
  const torch::Tensor weights = torch::randn({x.size(0), x.size(1), core.hidden_size()}, torch::kDouble);
  auto loss = [&] { return loss_of(core.unroll(x, dopamine), weights); };
  core.zero_grad();
  loss().backward();
  torch::NoGradGuard no_grad;
  for (auto& item : core.named_parameters()) {
    torch::Tensor p = item.value();
    const torch::Tensor grad = p.grad().clone();
    torch::Tensor flat = p.view({-1});
    for (int64_t k = 0; k < std::min<int64_t>(flat.numel(), 4); ++k) {
      const int64_t index = (k * 7919) % flat.numel();
      const double original = flat[index].item<double>(), eps = 1e-6;
      flat[index] = original + eps;
      const double up = loss().item<double>();
      flat[index] = original - eps;
      const double down = loss().item<double>();
      flat[index] = original;
      const double numeric = (up - down) / (2 * eps), analytic = grad.view({-1})[index].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-5 * std::max(1.0, std::fabs(numeric)))
          << what << " " << item.key() << "[" << index << "]";
    }
  }
}

TEST(Cores, FiniteDifferenceGradients) {
  const int64_t T = 25, B = 2, I = 4, N = 6;
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({T, B, I}, torch::kDouble);
  const torch::Tensor dopamine = torch::randn({T, B}, torch::kDouble);
  for (const std::string type : {"rnn", "lstm", "gru"}) {
    for (bool fused : {true, false}) {
      if (!fused && type != "lstm") continue;  // only lstm has a fused path among these
      CoreOptions o = options(type, I, N);
      o.fused = fused;
      torch::manual_seed(1);
      auto core = dopa::nn::make_core(o);
      core->to(torch::kDouble);
      check_finite_differences(*core, x, torch::Tensor(), type + (fused ? "" : " autograd"));
    }
  }
  for (auto o : plastic_variants(I, N)) {
    for (bool fused : {true, false}) {
      o.fused = fused;
      auto core = make_plastic(o, 1);
      core->to(torch::kDouble);
      check_finite_differences(*core, x, core->uses_dopamine() ? dopamine : torch::Tensor(),
                               name(o) + (fused ? " fused" : " autograd"));
    }
  }
}

}  // namespace

#include "agents/meta_a2c/members.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include "dopa/core/error.h"
#include "dopa/core/seeding.h"
#include "dopa/nn/categorical.h"
#include "dopa/nn/plastic_rnn.h"
#include "dopa/nn/standard_cores.h"

namespace dopa::agents {

// ---- OneMember: the member dimension is added and removed around the single model's layers, so a
// single run computes exactly what it computes without one.

namespace {
// The member dimension of h (S, B, N) or (T, S, B, N).
int64_t member_dim(const torch::Tensor& h) { return h.dim() - 3; }
}  // namespace

torch::Tensor OneMember::step(const torch::Tensor& x, nn::CoreState& state, const MemberCriticFn& critic) {
  const nn::DopamineFn dopamine = [&](const torch::Tensor& h) { return critic(h.unsqueeze(0)).squeeze(0); };
  return model_->core->step(x.squeeze(0), state, dopamine).unsqueeze(0);
}

torch::Tensor OneMember::unroll(const torch::Tensor& x, const torch::Tensor& deltas, const nn::RolloutTape* tape) {
  const torch::Tensor d = deltas.defined() ? deltas.squeeze(1) : deltas;
  return model_->core->unroll(x.squeeze(1), d, nullptr, tape).unsqueeze(1);
}

torch::Tensor OneMember::policy(const torch::Tensor& h) {
  const int64_t s = member_dim(h);
  return model_->policy->forward(h.squeeze(s)).unsqueeze(s);
}

torch::Tensor OneMember::value(const torch::Tensor& h) {
  const int64_t s = member_dim(h);
  return model_->value->forward(h.squeeze(s)).squeeze(-1).unsqueeze(s);
}

torch::Tensor OneMember::modulator(const nn::CoreState& state) const {
  return state.modulator.reshape({1, state.modulator.size(0), -1}).mean(2);
}

void OneMember::clip_grad_norm(double max_norm) { torch::nn::utils::clip_grad_norm_(model_->parameters(), max_norm); }

// ---- StackedMembers

StackedMembers::StackedMembers(const Config& agent_config, const EnvSpec& env, const std::vector<uint64_t>& seeds,
                               torch::Device device)
    : core_(nn::core_options(agent_config, env.observation_space.size())) {
  if (core_.type != nn::CoreKind::Rnn && !nn::is_plastic(core_.type))
    throw Error("meta_a2c population training supports the cores rnn, plastic, modplast and modul so far, not \"" +
                enum_name(core_.type) + "\"");
  if (seeds.empty()) throw Error("a population needs at least one member");
  // Each member is built exactly as meta_a2c builds its model for that seed.
  for (uint64_t seed : seeds) {
    torch::manual_seed(seed);
    members_.push_back(MetaActorCritic(nn::make_core(core_), env.action_space.n()));
  }
  for (const auto& item : members_[0]->named_parameters()) {
    names_.push_back(item.key());
    std::vector<torch::Tensor> slices;
    for (const auto& member : members_) slices.push_back(member->named_parameters()[item.key()].detach());
    stacked_.push_back(torch::stack(slices).to(device).requires_grad_(true));
  }
}

bool StackedMembers::uses_dopamine() const { return has_modulator() && core_.modulator != nn::ModulatorSource::Learned; }

const torch::Tensor& StackedMembers::parameter(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return stacked_[i];
  throw Error("meta_a2c population: no parameter '" + name + "'");
}

torch::Tensor StackedMembers::linear(const std::string& name, const torch::Tensor& x) const {
  return torch::baddbmm(parameter(name + ".bias").unsqueeze(1), x, parameter(name + ".weight").transpose(1, 2));
}

torch::Tensor StackedMembers::heads(const std::string& name, const torch::Tensor& h) const {
  if (h.dim() == 3) return linear(name, h);
  // (T, S, B, N) -> (S, T B, N) -> (T, S, B, out)
  const int64_t T = h.size(0), S = h.size(1), B = h.size(2);
  return linear(name, h.transpose(0, 1).reshape({S, T * B, -1})).view({S, T, B, -1}).transpose(0, 1);
}

nn::CoreState StackedMembers::initial_state(int64_t batch) const {
  const torch::TensorOptions options = stacked_[0].options().requires_grad(false);
  const int64_t S = size(), N = core_.hidden;
  nn::CoreState state{{torch::zeros({S, batch, N}, options)}, {}, {}};
  if (core_.type != nn::CoreKind::Rnn) state.tensors.push_back(torch::zeros({S, batch, N, N}, options));
  if (core_.type == nn::CoreKind::Modul) state.tensors.push_back(torch::zeros({S, batch, N, N}, options));
  return state;
}

namespace {
// A member's scalar parameter (S, 1) as (S, 1, 1, 1), to scale (S, B, N, N) traces.
torch::Tensor per_member(const torch::Tensor& scalar) { return scalar.view({-1, 1, 1, 1}); }
}  // namespace

// The cores' equations (standard_cores.h, plastic_rnn.h) with W, alpha (S, 1, N, N) and the layers
// batched over members.
torch::Tensor StackedMembers::step(const torch::Tensor& x, nn::CoreState& state, const MemberCriticFn& critic) {
  const torch::Tensor u = linear("core.input", x);  // W_in x_t + b, (S, B, N)
  const torch::Tensor h_prev = state.tensors[0];
  if (core_.type == nn::CoreKind::Rnn) {
    state.tensors[0] = nn::elman_hidden(u, h_prev, parameter("core.w"));
    return state.tensors[0];
  }
  const torch::Tensor h = nn::plastic_hidden(u, h_prev, parameter("core.w").unsqueeze(1),
                                             parameter("core.alpha").unsqueeze(1), state.tensors[1]);
  torch::Tensor eta, rate;
  if (core_.type != nn::CoreKind::ModPlast) eta = per_member(parameter("core.eta"));
  if (has_modulator()) {
    torch::Tensor learned, delta;
    if (core_.modulator != nn::ModulatorSource::Dopamine) learned = linear("core.modulator", h);
    if (uses_dopamine()) delta = critic(h).detach();  // a signal: no gradient through it
    const torch::Tensor kappa = uses_dopamine() ? parameter("core.kappa").view({-1, 1, 1}) : torch::Tensor();
    state.modulator = nn::modulator_signal(learned, kappa, delta);  // (S, B, 1)
    if (core_.fanout) state.modulator = linear("core.fanout", state.modulator);  // (S, B, N)
    rate = state.modulator.unsqueeze(3);  // scales the rows (postsynaptic neurons)
  }
  torch::Tensor no_elig;
  nn::update_traces(core_, h_prev, h, eta, rate, state.tensors[1], core_.type == nn::CoreKind::Modul ? state.tensors[2] : no_elig);
  state.tensors[0] = h;
  return h;
}

torch::Tensor StackedMembers::unroll(const torch::Tensor& x, const torch::Tensor& deltas, const nn::RolloutTape*) {
  nn::CoreState state = initial_state(x.size(2));
  std::vector<torch::Tensor> hs;
  for (int64_t t = 0; t < x.size(0); ++t)
    hs.push_back(step(x[t], state, [&](const torch::Tensor&) { return deltas[t]; }));
  return torch::stack(hs, 1).transpose(0, 1);  // stored (S, T, B, N): the heads' layout
}

torch::Tensor StackedMembers::modulator(const nn::CoreState& state) const {
  return state.modulator.reshape({state.modulator.size(0), state.modulator.size(1), -1}).mean(2);
}

void StackedMembers::clip_grad_norm(double max_norm) {
  torch::NoGradGuard no_grad;
  const int64_t S = size();
  torch::Tensor squares = torch::zeros({S}, stacked_[0].options().requires_grad(false));
  for (const auto& p : stacked_) squares += p.grad().reshape({S, -1}).pow(2).sum(1);
  const torch::Tensor coef = (max_norm / (squares.sqrt() + 1e-6)).clamp_max(1.0);
  for (const auto& p : stacked_) {
    std::vector<int64_t> shape(p.dim(), 1);
    shape[0] = S;
    p.grad().mul_(coef.view(shape));
  }
}

MetaActorCritic StackedMembers::member(int64_t s) const {
  if (s < 0 || s >= size()) throw Error("meta_a2c population: no member " + std::to_string(s));
  torch::NoGradGuard no_grad;
  auto params = members_[s]->named_parameters();
  for (size_t i = 0; i < names_.size(); ++i) params[names_[i]].copy_(stacked_[i][s].to(torch::kCPU));
  return members_[s];
}

int64_t StackedMembers::num_parameters() const {
  int64_t count = 0;
  for (const auto& p : members_[0]->parameters()) count += p.numel();
  return count;
}

// ---- VectorEnvMembers

VectorEnvMembers::VectorEnvMembers(std::vector<VectorEnv*> envs, std::vector<at::Generator> generators,
                                   torch::Device device)
    : envs_(std::move(envs)), generators_(std::move(generators)), device_(device) {
  if (envs_.empty() || envs_.size() != generators_.size())
    throw Error("meta_a2c: one VectorEnv and one generator per member");
  for (VectorEnv* e : envs_)
    if (e->num_envs() != envs_[0]->num_envs())
      throw Error("meta_a2c: every member's VectorEnv needs " + std::to_string(envs_[0]->num_envs()) + " envs");
}

torch::Tensor VectorEnvMembers::observations() {
  std::vector<torch::Tensor> rows;
  for (VectorEnv* e : envs_) rows.push_back(e->observations().reshape({e->num_envs(), -1}));
  // A copy: the envs overwrite their observation buffers when they step, and the update replays this.
  return torch::stack(rows).to(device_, torch::kFloat32);
}

torch::Tensor VectorEnvMembers::sample(const torch::Tensor& probs) {
  const int64_t S = probs.size(0), B = probs.size(1);
  std::vector<torch::Tensor> uniforms;
  for (auto& generator : generators_) uniforms.push_back(at::rand({B}, generator, torch::kDouble));
  return nn::sample_categorical(probs.reshape({S * B, -1}), torch::cat(uniforms)).view({S, B});
}

torch::Tensor VectorEnvMembers::step(const torch::Tensor& actions) {
  std::vector<torch::Tensor> rewards;
  ended_ = 0;
  for (size_t s = 0; s < envs_.size(); ++s) {
    envs_[s]->step(actions[static_cast<int64_t>(s)]);
    rewards.push_back(envs_[s]->rewards());
    ended_ += ended_episodes(*envs_[s]);
  }
  return torch::stack(rewards).to(device_, torch::kFloat32);
}

torch::Tensor VectorEnvMembers::episode_returns() {
  std::vector<torch::Tensor> rows;
  for (VectorEnv* e : envs_) rows.push_back(e->episode_returns());
  return torch::stack(rows).to(torch::kFloat32);
}

// ---- TensorEnvRows

TensorEnvRows::TensorEnvRows(TensorEnv& envs, int64_t members, uint64_t seed)
    : envs_(envs), S_(members), B_(envs.num_envs() / members),
      generator_(at::globalContext().defaultGenerator(envs.device()).clone()) {
  if (envs.num_envs() % members != 0)
    throw Error("meta_a2c population: the TensorEnv's " + std::to_string(envs.num_envs()) +
                " rows do not split into " + std::to_string(members) + " members");
  std::lock_guard<std::mutex> lock(generator_.mutex());
  generator_.set_current_seed(agent_stream_seed(seed, AgentStream::Sampling));
}

torch::Tensor TensorEnvRows::sample(const torch::Tensor& probs) {
  // Inverse CDF: the first action whose cumulative probability passes u.
  const torch::Tensor cdf = probs.cumsum(2);
  const torch::Tensor u = at::rand({S_, B_, 1}, generator_, probs.options()) * cdf.narrow(2, probs.size(2) - 1, 1);
  return (cdf <= u).sum(2).clamp_max(probs.size(2) - 1);
}

torch::Tensor TensorEnvRows::step(const torch::Tensor& actions) {
  envs_.step(actions.reshape({S_ * B_}));
  return envs_.rewards().view({S_, B_}).to(torch::kFloat32);
}

int64_t TensorEnvRows::ended() { return envs_.final_mask().sum().item<int64_t>(); }

torch::Tensor TensorEnvRows::episode_returns() {
  return envs_.episode_returns().view({S_, B_}).to(torch::kCPU, torch::kFloat32);
}

}  // namespace dopa::agents

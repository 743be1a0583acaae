#include "dopa/nn/actor_critic.h"

#include <cmath>

#include "dopa/core/error.h"
#include "dopa/nn/categorical.h"

namespace dopa::nn {

namespace {

// A linear layer with orthogonal weights of the given gain and zero bias (CleanRL's layer_init).
torch::nn::Linear orthogonal_linear(int64_t in, int64_t out, double gain) {
  torch::nn::Linear layer(in, out);
  torch::NoGradGuard no_grad;
  torch::nn::init::orthogonal_(layer->weight, gain);
  torch::nn::init::zeros_(layer->bias);
  return layer;
}

torch::nn::Sequential tower(int64_t inputs, int64_t hidden, int64_t layers, int64_t outputs, double output_gain) {
  torch::nn::Sequential net;
  int64_t width = inputs;
  for (int64_t i = 0; i < layers; ++i) {
    net->push_back(orthogonal_linear(width, hidden, std::sqrt(2.0)));
    net->push_back(torch::nn::Tanh());
    width = hidden;
  }
  net->push_back(orthogonal_linear(width, outputs, output_gain));
  return net;
}

const double kHalfLog2Pi = 0.5 * std::log(2 * M_PI);

}  // namespace

ConfigSchema actor_critic_config_keys() {
  ConfigSchema keys = core_config_keys(CoreKind::Mlp, 64);
  keys[0].doc = "network: mlp (CleanRL's actor and critic towers) or a recurrent core shared by both heads";
  keys.push_back({"layers", 2, "hidden layers of each mlp tower", {}, {}, at_least(0)});
  return keys;
}

ActorCriticImpl::ActorCriticImpl(const Config& config, const Space& observation_space, const Space& action_space)
    : continuous_(!action_space.is_discrete()), action_dims_(continuous_ ? action_space.size() : action_space.n()) {
  const CoreOptions core = core_options(config, observation_space.size());
  const int64_t layers = config.get_int("layers");
  if (core.type == CoreKind::Mlp) {
    actor_ = register_module("actor", tower(core.inputs, core.hidden, layers, action_dims_, 0.01));
    critic_ = register_module("critic", tower(core.inputs, core.hidden, layers, 1, 1.0));
  } else {
    core_ = register_module("core", make_core(core));
    policy_head_ = register_module("policy_head", orthogonal_linear(core.hidden, action_dims_, 0.01));
    value_head_ = register_module("value_head", orthogonal_linear(core.hidden, 1, 1.0));
  }
  if (continuous_) log_std_ = register_parameter("log_std", torch::zeros({1, action_dims_}));
}

CoreState ActorCriticImpl::initial_state(int64_t batch) const {
  return core_ ? core_->initial_state(batch) : CoreState{};
}

PolicyOutput ActorCriticImpl::forward(const torch::Tensor& obs, CoreState& state, const DopamineFn& dopamine) {
  if (!core_) return {actor_->forward(obs), critic_->forward(obs).squeeze(1)};
  const torch::Tensor h = core_->step(obs, state, dopamine);
  return {policy_head_->forward(h), value_of_hidden(h)};
}

torch::Tensor ActorCriticImpl::value_of_hidden(const torch::Tensor& h) { return value_head_->forward(h).squeeze(1); }

torch::Tensor ActorCriticImpl::sample(const PolicyOutput& out) {
  torch::NoGradGuard no_grad;
  if (continuous_) return out.logits + log_std_.exp() * torch::randn_like(out.logits);
  return sample_categorical(torch::softmax(out.logits, 1)).to(out.logits.device());  // drawn on the CPU
}

torch::Tensor ActorCriticImpl::mode(const PolicyOutput& out) {
  torch::NoGradGuard no_grad;
  return continuous_ ? out.logits.clone() : out.logits.argmax(1);
}

torch::Tensor ActorCriticImpl::log_prob(const PolicyOutput& out, const torch::Tensor& actions) {
  if (continuous_) {
    const torch::Tensor z = (actions - out.logits) * (-log_std_).exp();
    return (-0.5 * z.square() - log_std_ - kHalfLog2Pi).sum(1);
  }
  return torch::log_softmax(out.logits, 1).gather(1, actions.unsqueeze(1)).squeeze(1);
}

torch::Tensor ActorCriticImpl::entropy(const PolicyOutput& out) {
  if (continuous_) return (0.5 + kHalfLog2Pi + log_std_).sum(1).expand({out.logits.size(0)});
  const torch::Tensor log_p = torch::log_softmax(out.logits, 1);
  return -(log_p.exp() * log_p).sum(1);
}

}  // namespace dopa::nn

// Recurrent advantage actor-critic (A2C) for Discrete action spaces.
//
// The meta-RL workhorse of Wang et al. (2016, 2018): a recurrent core (any of src/dopa/nn, LSTM by
// default; plastic and neuromodulated ones included) reads the observation, a softmax policy head
// and a value head read the core's output. N envs run in
// lockstep; every `rollout_steps` steps the agent backpropagates through the whole unroll (the
// recurrent state is carried across unrolls and reset when an episode ends) and takes one optimiser
// step on
//     loss = policy loss + vf_coef * value loss - ent_coef * entropy,
// with n-step returns or GAE (gae_lambda < 1) on the TD error delta_t = r_t + gamma V(s_t+1) - V(s_t).
// Truncated episodes bootstrap from the value of their final observation; terminated ones from 0.
#pragma once

#include <memory>

#include "dopa/train/agent.h"

namespace dopa::agents {

// The registration of "a2c" (config keys and defaults); see a2c.cpp.
AgentRegistration a2c_registration();

}  // namespace dopa::agents

// heuristic: Gymnasium's hand-written controllers for the Box2D envs, as an agent.
//
//   LunarLander-v3, LunarLanderContinuous-v3   lunar_lander.py's heuristic(): PD control of the
//                                              lander's angle towards the pad and of its hover height
//   BipedalWalker-v3, BipedalWalkerHardcore-v3 bipedal_walker.py's BipedalWalkerHeuristics: a
//                                              three-state gait (stay on one leg, put the other
//                                              down, push off) with PD joint targets
//
// The agent learns nothing: train() plays episodes until total_steps and logs their returns, so that
// `dopa run` with agent.algo = "heuristic" reports the controller's score (the reference of issue 6:
// LunarLander about 237 discrete and 284 continuous over 1000 episodes). The controllers are also
// here as functions, for tests and benchmarks. Formulas as Gymnasium's source (the controllers read
// the float32 observation; arithmetic here is double).
#pragma once

#include <array>
#include <cstdint>

#include "dopa/train/agent.h"

namespace dopa::agents {

// lunar_lander.py heuristic(), discrete form: 0 nothing, 1 left engine, 2 main engine, 3 right.
int64_t lunar_lander_heuristic_discrete(const float* obs);
// Continuous form: (main, lateral) throttles in [-1, 1].
std::array<float, 2> lunar_lander_heuristic_continuous(const float* obs);

// bipedal_walker.py BipedalWalkerHeuristics: a state machine, one per walker.
class BipedalWalkerHeuristic {
 public:
  // Back to the first state (standing on leg 2, moving leg 1), for a new episode.
  void reset() { *this = BipedalWalkerHeuristic(); }
  // The action (4 values in [-1, 1]) for a 24-number observation.
  std::array<float, 4> act(const float* obs);

 private:
  enum Phase { kStayOnOneLeg = 1, kPutOtherDown = 2, kPushOff = 3 };
  Phase phase_ = kStayOnOneLeg;
  int moving_leg_ = 0;
  int supporting_leg_ = 1;
  double supporting_knee_angle_ = 0.1;
};

// The registration of "heuristic"; see heuristic.cpp.
AgentRegistration heuristic_registration();

}  // namespace dopa::agents

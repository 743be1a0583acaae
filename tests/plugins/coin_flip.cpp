// A test plugin (core/plugin.h): guess a coin, 10 flips per episode. Built several times with
// COIN_FLIP_VARIANT: 0 a good plugin; 1 another plugin ABI; 2 an ID that exists (CartPole-v1);
// 3 not a plugin (no DOPA_PLUGIN()); 4 two envs, one of which breaks the env checker.
#include "dopa/core/plugin.h"
#include "dopa/core/registry.h"

namespace {

class CoinFlip : public dopa::Env {
 public:
  explicit CoinFlip(bool broken)
      : dopa::Env(dopa::Space::box(0.0, 1.0, {1}), dopa::Space::discrete(2)), broken_(broken) {}

 private:
  void reset_impl(dopa::ObsOut obs, dopa::InfoOut) override { observe(obs); }
  dopa::StepResult step_impl(const dopa::Action& action, dopa::ObsOut obs, dopa::InfoOut) override {
    dopa::StepResult result;
    result.reward = action.index() == static_cast<int64_t>(rng().integer(2)) ? 1.0 : 0.0;
    observe(obs);
    return result;
  }
  // The broken variant's observation lies outside its space.
  void observe(dopa::ObsOut obs) const { obs.as<float>()[0] = broken_ ? 2.0f : 0.5f; }
  bool broken_;
};

dopa::EnvRegistration coin_flip(const std::string& id, bool broken) {
  dopa::EnvRegistration r;
  r.id = id;
  r.description = "guess a coin (a test plugin)";
  r.max_episode_steps = 10;
  r.factory = [broken](const dopa::Config&) -> std::unique_ptr<dopa::Env> { return std::make_unique<CoinFlip>(broken); };
  return r;
}

}  // namespace

#if COIN_FLIP_VARIANT == 0
DOPA_PLUGIN();
DOPA_REGISTER_ENV(coin_flip("TestCoinFlip-v0", false));
#elif COIN_FLIP_VARIANT == 1
extern "C" __attribute__((visibility("default"))) int dopa_plugin_abi_version() { return 999; }
DOPA_REGISTER_ENV(coin_flip("TestCoinFlipOldAbi-v0", false));
#elif COIN_FLIP_VARIANT == 2
DOPA_PLUGIN();
DOPA_REGISTER_ENV(coin_flip("CartPole-v1", false));
#elif COIN_FLIP_VARIANT == 3
DOPA_REGISTER_ENV(coin_flip("TestCoinFlipNoAbi-v0", false));
#elif COIN_FLIP_VARIANT == 4
DOPA_PLUGIN();
DOPA_REGISTER_ENV(coin_flip("TestCoinFlipFine-v0", false));
DOPA_REGISTER_ENV(coin_flip("TestCoinFlipBroken-v0", true));
#endif

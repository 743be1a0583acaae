#include "envs/box2d/lunar_lander.h"

#include <box2d/box2d.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

// Gymnasium's constants (world units are pixels / SCALE).
constexpr double kFps = 50;
constexpr double kScale = 30.0;
constexpr double kMainEnginePower = 13.0;
constexpr double kSideEnginePower = 0.6;
constexpr double kInitialRandom = 1000.0;
constexpr std::array<std::array<double, 2>, 6> kLanderPoly = {{{-14, 17}, {-17, 0}, {-17, -10}, {17, -10}, {17, 0}, {14, 17}}};
constexpr double kLegAway = 20;
constexpr double kLegDown = 18;
constexpr double kLegW = 2, kLegH = 8;
constexpr double kLegSpringTorque = 40;
constexpr double kSideEngineHeight = 14.0;
constexpr double kSideEngineAway = 12.0;
constexpr double kMainEngineYLocation = 4;
constexpr double kViewportW = 600;
constexpr double kViewportH = 400;
constexpr double kW = kViewportW / kScale;
constexpr double kH = kViewportH / kScale;
constexpr int kChunks = 11;

// Collision filtering, as Gymnasium: the lander and its legs collide only with the ground.
constexpr uint16_t kGroundCategory = 0x0001;
constexpr uint16_t kLanderCategory = 0x0010;
constexpr uint16_t kLegCategory = 0x0020;

b2Vec2 vec(double x, double y) { return b2Vec2(static_cast<float>(x), static_cast<float>(y)); }

Space lunar_lander_observation_space() {
  // v3's bounds: x, y +-2.5, velocities +-10, angle +-2 pi, angular velocity +-10, leg contacts 0/1.
  return Space::box({-2.5, -2.5, -10.0, -10.0, -2 * M_PI, -10.0, -0.0, -0.0},
                    {2.5, 2.5, 10.0, 10.0, 2 * M_PI, 10.0, 1.0, 1.0});
}

// Gymnasium warns (once, through Python's warnings) when the wind kwargs leave their recommended
// range; so does dopa, once per process and kwarg.
void warn_outside(const std::string& id, const char* key, double value, double low, double high,
                  std::atomic<bool>& warned) {
  if (value >= low && value <= high) return;
  if (warned.exchange(true)) return;
  spdlog::warn("{} kwarg '{}' is recommended to be between {} and {} (got {})", id, key, low, high, value);
}

// tanh(sin(2 k t) + sin(pi k t)) with k = 0.01, as Gymnasium: never periodic.
double wind_shape(int64_t t) {
  const double x = static_cast<double>(t);
  return std::tanh(std::sin(0.02 * x) + std::sin(M_PI * 0.01 * x));
}

}  // namespace

// Gymnasium's ContactDetector: the hull touching anything (only the ground can) ends the game; a
// leg's contact flag follows its latest begin/end event (one flag per leg, not a count, as Gymnasium).
class LunarLander::ContactListener : public b2ContactListener {
 public:
  explicit ContactListener(LunarLander& env) : env_(env) {}

  void BeginContact(b2Contact* contact) override {
    const b2Body* a = contact->GetFixtureA()->GetBody();
    const b2Body* b = contact->GetFixtureB()->GetBody();
    if (a == env_.lander_ || b == env_.lander_) env_.game_over_ = true;
    for (int i = 0; i < 2; ++i)
      if (a == env_.legs_[i] || b == env_.legs_[i]) env_.leg_contact_[i] = true;
  }
  void EndContact(b2Contact* contact) override {
    const b2Body* a = contact->GetFixtureA()->GetBody();
    const b2Body* b = contact->GetFixtureB()->GetBody();
    for (int i = 0; i < 2; ++i)
      if (a == env_.legs_[i] || b == env_.legs_[i]) env_.leg_contact_[i] = false;
  }

 private:
  LunarLander& env_;
};

LunarLander::LunarLander(const Config& config, const std::string& id)
    : Env(lunar_lander_observation_space(),
          config.get_bool("continuous") ? Space::box(-1.0, 1.0, {2}) : Space::discrete(4)),
      continuous_(config.get_bool("continuous")),
      gravity_(config.get_float("gravity")),
      enable_wind_(config.get_bool("enable_wind")),
      wind_power_(config.get_float("wind_power")),
      turbulence_power_(config.get_float("turbulence_power")),
      contact_listener_(std::make_unique<ContactListener>(*this)) {
  if (!(gravity_ > -12.0 && gravity_ < 0.0))
    throw Error(id + " kwarg 'gravity' must be between -12 and 0 (exclusive), got " + Value(gravity_).to_string());
  if (!std::isfinite(wind_power_) || !std::isfinite(turbulence_power_))
    throw Error(id + " kwargs 'wind_power' and 'turbulence_power' must be finite numbers");
  static std::atomic<bool> warned_wind{false}, warned_turbulence{false};
  warn_outside(id, "wind_power", wind_power_, 0.0, 20.0, warned_wind);
  warn_outside(id, "turbulence_power", turbulence_power_, 0.0, 2.0, warned_turbulence);
}

LunarLander::~LunarLander() = default;

// A new world every episode, as Gymnasium v3 (reusing one left state behind, Gymnasium issue 728).
void LunarLander::build_world() {
  lander_ = nullptr;
  legs_ = {};
  world_ = std::make_unique<b2World>(vec(0, gravity_));
  world_->SetContactListener(contact_listener_.get());
  game_over_ = false;
  leg_contact_ = {false, false};
  has_previous_shaping_ = false;

  // Terrain: 11 chunks with random heights, the middle five forced to the helipad's height, then
  // smoothed by a 3-point sum times 0.33 (Python's height[-1] is the last of the 12 heights).
  std::array<double, kChunks + 1> height;
  for (double& h : height) h = rng().uniform(0, kH / 2);
  std::array<double, kChunks> chunk_x;
  for (int i = 0; i < kChunks; ++i) chunk_x[i] = kW / (kChunks - 1) * i;
  helipad_y_ = kH / 4;
  for (int i = kChunks / 2 - 2; i <= kChunks / 2 + 2; ++i) height[i] = helipad_y_;
  std::array<double, kChunks> smooth_y;
  for (int i = 0; i < kChunks; ++i) smooth_y[i] = 0.33 * (height[i == 0 ? kChunks : i - 1] + height[i] + height[i + 1]);

  b2BodyDef moon_def;
  b2Body* moon = world_->CreateBody(&moon_def);
  b2EdgeShape edge;
  edge.SetTwoSided(vec(0, 0), vec(kW, 0));
  b2FixtureDef floor;  // Box2D's defaults (friction 0.2, category kGroundCategory), as pybox2d's shapes=
  floor.shape = &edge;
  moon->CreateFixture(&floor);
  for (int i = 0; i < kChunks - 1; ++i) {
    edge.SetTwoSided(vec(chunk_x[i], smooth_y[i]), vec(chunk_x[i + 1], smooth_y[i + 1]));
    b2FixtureDef surface;
    surface.shape = &edge;
    surface.density = 0;
    surface.friction = 0.1f;
    moon->CreateFixture(&surface);
  }

  // The lander, pushed by a random force.
  const double initial_x = kW / 2, initial_y = kH;
  b2BodyDef lander_def;
  lander_def.type = b2_dynamicBody;
  lander_def.position = vec(initial_x, initial_y);
  lander_ = world_->CreateBody(&lander_def);
  std::array<b2Vec2, kLanderPoly.size()> vertices;
  for (size_t k = 0; k < kLanderPoly.size(); ++k) vertices[k] = vec(kLanderPoly[k][0] / kScale, kLanderPoly[k][1] / kScale);
  b2PolygonShape hull;
  hull.Set(vertices.data(), static_cast<int32>(vertices.size()));
  b2FixtureDef hull_fixture;
  hull_fixture.shape = &hull;
  hull_fixture.density = 5.0f;
  hull_fixture.friction = 0.1f;
  hull_fixture.filter.categoryBits = kLanderCategory;
  hull_fixture.filter.maskBits = kGroundCategory;
  hull_fixture.restitution = 0.0f;
  lander_->CreateFixture(&hull_fixture);
  const double force_x = rng().uniform(-kInitialRandom, kInitialRandom);
  const double force_y = rng().uniform(-kInitialRandom, kInitialRandom);
  lander_->ApplyForceToCenter(vec(force_x, force_y), true);

  if (enable_wind_) {  // numpy's integers(-9999, 9999): -9999..9998
    wind_index_ = rng().integer(19998) - 9999;
    torque_index_ = rng().integer(19998) - 9999;
  }

  // The legs, left (i = -1) then right (i = +1), each on a motorised revolute joint with limits.
  for (int index = 0; index < 2; ++index) {
    const double i = index == 0 ? -1.0 : 1.0;
    b2BodyDef leg_def;
    leg_def.type = b2_dynamicBody;
    leg_def.position = vec(initial_x - i * kLegAway / kScale, initial_y);
    leg_def.angle = static_cast<float>(i * 0.05);
    b2Body* leg = world_->CreateBody(&leg_def);
    b2PolygonShape box;
    box.SetAsBox(static_cast<float>(kLegW / kScale), static_cast<float>(kLegH / kScale));
    b2FixtureDef leg_fixture;
    leg_fixture.shape = &box;
    leg_fixture.density = 1.0f;
    leg_fixture.restitution = 0.0f;
    leg_fixture.filter.categoryBits = kLegCategory;
    leg_fixture.filter.maskBits = kGroundCategory;
    leg->CreateFixture(&leg_fixture);
    legs_[index] = leg;

    b2RevoluteJointDef joint;
    joint.bodyA = lander_;
    joint.bodyB = leg;
    joint.localAnchorA = vec(0, 0);
    joint.localAnchorB = vec(i * kLegAway / kScale, kLegDown / kScale);
    // pybox2d sets the reference angle to the bodies' angle difference when it is not given.
    joint.referenceAngle = leg->GetAngle() - lander_->GetAngle();
    joint.enableMotor = true;
    joint.enableLimit = true;
    joint.maxMotorTorque = static_cast<float>(kLegSpringTorque);
    joint.motorSpeed = static_cast<float>(0.3 * i);  // low enough not to jump back into the sky
    joint.lowerAngle = static_cast<float>(index == 0 ? 0.9 - 0.5 : -0.9);
    joint.upperAngle = static_cast<float>(index == 0 ? 0.9 : -0.9 + 0.5);
    world_->CreateJoint(&joint);
  }
}

LunarLander::EngineCommand LunarLander::engine_command(const Action& action) const {
  EngineCommand command;
  if (continuous_) {
    // The action space is [-1, 1] already (the base class checks it); Gymnasium clips anyway.
    const double main = std::clamp(static_cast<double>(action.values()[0]), -1.0, 1.0);
    const double lateral = std::clamp(static_cast<double>(action.values()[1]), -1.0, 1.0);
    if (main > 0.0) command.main_power = (std::clamp(main, 0.0, 1.0) + 1.0) * 0.5;
    if (std::abs(lateral) > 0.5) {
      command.side_direction = lateral > 0 ? 1.0 : -1.0;
      command.side_power = std::clamp(std::abs(lateral), 0.5, 1.0);
    }
  } else {
    const int64_t a = action.index();
    if (a == 2) command.main_power = 1.0;
    if (a == 1 || a == 3) {
      command.side_direction = static_cast<double>(a - 2);
      command.side_power = 1.0;
    }
  }
  return command;
}

void LunarLander::reset_impl(ObsOut obs, InfoOut) {
  build_world();
  // Gymnasium's reset returns the observation of one no-op step (its random draws included).
  simulate(EngineCommand{}, obs);
}

StepResult LunarLander::step_impl(const Action& action, ObsOut obs, InfoOut) {
  return simulate(engine_command(action), obs);
}

StepResult LunarLander::simulate(const EngineCommand& command, ObsOut obs) {
  // Wind and turbulence blow only while no leg touches the ground.
  if (enable_wind_ && !(leg_contact_[0] || leg_contact_[1])) {
    const double wind = wind_shape(wind_index_++) * wind_power_;
    lander_->ApplyForceToCenter(vec(wind, 0.0), true);
    const double torque = wind_shape(torque_index_++) * turbulence_power_;
    lander_->ApplyTorque(static_cast<float>(torque), true);
  }

  const double angle = lander_->GetAngle();
  const double tip[2] = {std::sin(angle), std::cos(angle)};
  const double side[2] = {-tip[1], tip[0]};
  double dispersion[2];
  for (double& d : dispersion) d = rng().uniform(-1.0, 1.0) / kScale;

  if (command.main_power > 0.0) {
    // The impulse acts a little below the centre (MAIN_ENGINE_Y_LOCATION), jittered by the dispersion.
    const double ox = tip[0] * (kMainEngineYLocation / kScale + 2 * dispersion[0]) + side[0] * dispersion[1];
    const double oy = -tip[1] * (kMainEngineYLocation / kScale + 2 * dispersion[0]) - side[1] * dispersion[1];
    const b2Vec2 position = lander_->GetPosition();
    const b2Vec2 impulse_position = vec(position.x + ox, position.y + oy);
    lander_->ApplyLinearImpulse(vec(-ox * kMainEnginePower * command.main_power, -oy * kMainEnginePower * command.main_power),
                                impulse_position, true);
  }
  if (command.side_power > 0.0) {
    const double lever = 3 * dispersion[1] + command.side_direction * kSideEngineAway / kScale;
    const double ox = tip[0] * dispersion[0] + side[0] * lever;
    const double oy = -tip[1] * dispersion[0] - side[1] * lever;
    // As Gymnasium: 17 (not SIDE_ENGINE_HEIGHT) along tip's x, so the side engines' torque depends
    // on the lander's orientation (a known quirk of the original, kept).
    const b2Vec2 position = lander_->GetPosition();
    const b2Vec2 impulse_position =
        vec(position.x + ox - tip[0] * 17 / kScale, position.y + oy + tip[1] * kSideEngineHeight / kScale);
    lander_->ApplyLinearImpulse(vec(-ox * kSideEnginePower * command.side_power, -oy * kSideEnginePower * command.side_power),
                                impulse_position, true);
  }

  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);

  const b2Vec2 position = lander_->GetPosition();
  const b2Vec2 velocity = lander_->GetLinearVelocity();
  const std::array<double, 8> state = {
      (position.x - kViewportW / kScale / 2) / (kViewportW / kScale / 2),
      (position.y - (helipad_y_ + kLegDown / kScale)) / (kViewportH / kScale / 2),
      velocity.x * (kViewportW / kScale / 2) / kFps,
      velocity.y * (kViewportH / kScale / 2) / kFps,
      lander_->GetAngle(),
      20.0 * lander_->GetAngularVelocity() / kFps,
      leg_contact_[0] ? 1.0 : 0.0,
      leg_contact_[1] ? 1.0 : 0.0,
  };
  float* out = obs.as<float>();
  for (int k = 0; k < 8; ++k) out[k] = static_cast<float>(state[k]);

  // Potential-based shaping on the double-precision state (not the float32 observation), as Gymnasium.
  const double shaping = -100 * std::sqrt(state[0] * state[0] + state[1] * state[1]) -
                         100 * std::sqrt(state[2] * state[2] + state[3] * state[3]) - 100 * std::abs(state[4]) +
                         10 * state[6] + 10 * state[7];
  StepResult result;
  if (has_previous_shaping_) result.reward = shaping - previous_shaping_;
  previous_shaping_ = shaping;
  has_previous_shaping_ = true;
  result.reward -= command.main_power * 0.30;  // fuel: about -30 for a heuristic landing
  result.reward -= command.side_power * 0.03;

  if (game_over_ || std::abs(state[0]) >= 1.0) {
    result.terminated = true;
    result.reward = -100;
  }
  if (!lander_->IsAwake()) {  // Box2D put the lander to sleep: it landed and came to rest
    result.terminated = true;
    result.reward = +100;
  }
  return result;
}

namespace {

EnvRegistration lunar_lander_registration(bool continuous) {
  EnvRegistration r;
  r.id = continuous ? "LunarLanderContinuous-v3" : "LunarLander-v3";
  r.description = continuous ? "land a rocket on a pad with throttled engines (Box2D), as Gymnasium"
                             : "land a rocket on a pad, engines on or off (Box2D), as Gymnasium";
  r.config = {
      {"continuous", false, "Box(-1, 1, (2,)) engine throttles instead of Discrete(4)"},
      {"gravity", -10.0, "vertical gravity, in (-12, 0)"},
      {"enable_wind", false, "blow wind and turbulence on the lander while no leg touches the ground"},
      {"wind_power", 15.0, "largest wind force (recommended 0..20)"},
      {"turbulence_power", 1.5, "largest turbulence torque (recommended 0..2)"},
  };
  if (continuous) r.preset = {{"continuous", true}};
  r.max_episode_steps = 1000;
  r.reward_threshold = 200.0;
  const std::string id = r.id;
  r.factory = [id](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<LunarLander>(c, id); };
  return r;
}

}  // namespace

DOPA_REGISTER_ENV(lunar_lander_registration(false));
DOPA_REGISTER_ENV(lunar_lander_registration(true));

}  // namespace dopa::envs

#include "envs/box2d/bipedal_walker.h"

#include <box2d/box2d.h>

#include <algorithm>
#include <cmath>

#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

// Gymnasium's constants (world units are pixels / SCALE).
constexpr double kFps = 50;
constexpr double kScale = 30.0;
constexpr double kMotorsTorque = 80;
constexpr double kSpeedHip = 4;
constexpr double kSpeedKnee = 6;
constexpr double kLidarRange = 160 / kScale;
constexpr int kLidarRays = 10;
constexpr double kInitialRandom = 5;
constexpr std::array<std::array<double, 2>, 5> kHullPoly = {{{-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8}}};
constexpr double kLegDown = -8 / kScale;
constexpr double kLegW = 8 / kScale, kLegH = 34 / kScale;
constexpr double kViewportW = 600;
constexpr double kViewportH = 400;
constexpr double kTerrainStep = 14 / kScale;
constexpr int kTerrainLength = 200;  // in steps
constexpr double kTerrainHeight = kViewportH / kScale / 4;
constexpr int kTerrainGrass = 10;    // low long are grass spots, in steps
constexpr int kTerrainStartpad = 20;  // in steps
constexpr double kFriction = 2.5;

// Collision filtering, as Gymnasium: the walker collides only with the ground (category 1), and the
// lidar sees only category-1 fixtures.
constexpr uint16_t kGroundCategory = 0x0001;
constexpr uint16_t kWalkerCategory = 0x0020;

b2Vec2 vec(double x, double y) { return b2Vec2(static_cast<float>(x), static_cast<float>(y)); }

Space bipedal_walker_observation_space() {
  // Gymnasium's bounds: 5 is five times the rated speed (impulses from ground contact); the lidar
  // fractions get [-1, 1].
  std::vector<double> low = {-M_PI, -5, -5, -5, -M_PI, -5, -M_PI, -5, -0.0, -M_PI, -5, -M_PI, -5, -0.0};
  std::vector<double> high = {M_PI, 5, 5, 5, M_PI, 5, M_PI, 5, 5, M_PI, 5, M_PI, 5, 5};
  low.resize(14 + kLidarRays, -1.0);
  high.resize(14 + kLidarRays, 1.0);
  return Space::box(low, high);
}

// Python's np.sign.
double sign(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

// The closest ground hit along a ray: returning the hit's fraction clips the ray, so the last
// fraction reported is the smallest (v3 returns the closest trace, not the furthest).
class LidarCallback : public b2RayCastCallback {
 public:
  float ReportFixture(b2Fixture* fixture, const b2Vec2&, const b2Vec2&, float fraction) override {
    if ((fixture->GetFilterData().categoryBits & kGroundCategory) == 0) return -1;  // ignore, go on
    this->fraction = fraction;
    return fraction;
  }
  float fraction = 1.0f;
};

}  // namespace

// Gymnasium's ContactDetector: the hull touching the ground ends the game; each lower leg's contact
// flag follows its latest begin/end event.
class BipedalWalker::ContactListener : public b2ContactListener {
 public:
  explicit ContactListener(BipedalWalker& env) : env_(env) {}

  void BeginContact(b2Contact* contact) override {
    const b2Body* a = contact->GetFixtureA()->GetBody();
    const b2Body* b = contact->GetFixtureB()->GetBody();
    if (a == env_.hull_ || b == env_.hull_) env_.game_over_ = true;
    set_lower_leg_contacts(a, b, true);
  }
  void EndContact(b2Contact* contact) override {
    set_lower_leg_contacts(contact->GetFixtureA()->GetBody(), contact->GetFixtureB()->GetBody(), false);
  }

 private:
  void set_lower_leg_contacts(const b2Body* a, const b2Body* b, bool touching) {
    for (int leg = 0; leg < 2; ++leg) {
      const b2Body* lower = env_.legs_[2 * leg + 1];
      if (a == lower || b == lower) env_.lower_leg_contact_[leg] = touching;
    }
  }

  BipedalWalker& env_;
};

BipedalWalker::BipedalWalker(const Config& config)
    : Env(bipedal_walker_observation_space(), Space::box(-1.0, 1.0, {4})),
      hardcore_(config.get_bool("hardcore")),
      contact_listener_(std::make_unique<ContactListener>(*this)) {}

BipedalWalker::~BipedalWalker() = default;

double BipedalWalker::hull_x() const { return hull_ ? hull_->GetPosition().x : 0.0; }

// The terrain, step by step: grass that drifts around TERRAIN_HEIGHT, and in hardcore mode, after
// each stretch of grass, one obstacle (stump, stairs or pit) created as static polygons. Then one
// edge body per terrain step. The state machine is Gymnasium's, including its quirks (the step that
// switches state keeps y; stairs interpolate y from the step counter).
void BipedalWalker::generate_terrain() {
  enum State { kGrass, kStump, kStairs, kPit, kNumStates };
  int state = kGrass;
  double velocity = 0.0;
  double y = kTerrainHeight;
  int64_t counter = kTerrainStartpad;
  bool oneshot = false;
  terrain_x_.clear();
  terrain_y_.clear();

  b2FixtureDef polygon_fixture;  // density 0, category kGroundCategory: Box2D's defaults
  polygon_fixture.friction = static_cast<float>(kFriction);
  b2PolygonShape polygon;
  polygon_fixture.shape = &polygon;
  auto add_polygon = [&](const std::array<std::array<double, 2>, 4>& corners) {
    std::array<b2Vec2, 4> vertices;
    for (int k = 0; k < 4; ++k) vertices[k] = vec(corners[k][0], corners[k][1]);
    polygon.Set(vertices.data(), 4);
    b2BodyDef def;
    world_->CreateBody(&def)->CreateFixture(&polygon_fixture);
  };

  int64_t stair_steps = 0, stair_width = 0, stair_height = 0;
  double original_y = 0;
  for (int i = 0; i < kTerrainLength; ++i) {
    const double x = i * kTerrainStep;
    terrain_x_.push_back(x);

    if (state == kGrass && !oneshot) {
      velocity = 0.8 * velocity + 0.01 * sign(kTerrainHeight - y);
      if (i > kTerrainStartpad) velocity += rng().uniform(-1, 1) / kScale;
      y += velocity;
    } else if (state == kPit && oneshot) {
      counter = 3 + rng().integer(2);  // integers(3, 5)
      std::array<std::array<double, 2>, 4> poly = {
          {{x, y}, {x + kTerrainStep, y}, {x + kTerrainStep, y - 4 * kTerrainStep}, {x, y - 4 * kTerrainStep}}};
      add_polygon(poly);
      for (auto& p : poly) p[0] += kTerrainStep * static_cast<double>(counter);
      add_polygon(poly);
      counter += 2;
      original_y = y;
    } else if (state == kPit && !oneshot) {
      y = original_y;
      if (counter > 1) y -= 4 * kTerrainStep;
    } else if (state == kStump && oneshot) {
      counter = 1 + rng().integer(2);  // integers(1, 3)
      const double size = static_cast<double>(counter) * kTerrainStep;
      add_polygon({{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}}});
    } else if (state == kStairs && oneshot) {
      stair_height = rng().uniform() > 0.5 ? 1 : -1;
      stair_width = 4;  // integers(4, 5)
      stair_steps = 3 + rng().integer(2);  // integers(3, 5)
      original_y = y;
      for (int64_t s = 0; s < stair_steps; ++s) {
        const double x0 = x + static_cast<double>(s * stair_width) * kTerrainStep;
        const double x1 = x + static_cast<double>((1 + s) * stair_width) * kTerrainStep;
        const double top = y + static_cast<double>(s * stair_height) * kTerrainStep;
        const double bottom = y + static_cast<double>(-1 + s * stair_height) * kTerrainStep;
        add_polygon({{{x0, top}, {x1, top}, {x1, bottom}, {x0, bottom}}});
      }
      counter = stair_steps * stair_width;
    } else if (state == kStairs && !oneshot) {
      const double s = static_cast<double>(stair_steps * stair_width - counter - stair_height);
      const double n = s / static_cast<double>(stair_width);
      y = original_y + (n * static_cast<double>(stair_height)) * kTerrainStep;
    }

    oneshot = false;
    terrain_y_.push_back(y);
    --counter;
    if (counter == 0) {
      counter = kTerrainGrass / 2 + rng().integer(kTerrainGrass - kTerrainGrass / 2);  // integers(5, 10)
      if (state == kGrass && hardcore_) {
        state = static_cast<int>(1 + rng().integer(kNumStates - 1));  // integers(1, 4)
      } else {
        state = kGrass;
      }
      oneshot = true;
    }
  }

  b2FixtureDef edge_fixture;
  edge_fixture.friction = static_cast<float>(kFriction);
  edge_fixture.filter.categoryBits = kGroundCategory;
  b2EdgeShape edge;
  edge_fixture.shape = &edge;
  for (int i = 0; i < kTerrainLength - 1; ++i) {
    edge.SetTwoSided(vec(terrain_x_[i], terrain_y_[i]), vec(terrain_x_[i + 1], terrain_y_[i + 1]));
    b2BodyDef def;
    world_->CreateBody(&def)->CreateFixture(&edge_fixture);
  }
}

// The hull, pushed by a small random force, and two legs (upper then lower, each on a motorised
// revolute joint with limits), left (i = -1) then right (i = +1), created in Gymnasium's order.
void BipedalWalker::build_walker() {
  const double init_x = kTerrainStep * kTerrainStartpad / 2;
  const double init_y = kTerrainHeight + 2 * kLegH;

  b2BodyDef hull_def;
  hull_def.type = b2_dynamicBody;
  hull_def.position = vec(init_x, init_y);
  hull_ = world_->CreateBody(&hull_def);
  std::array<b2Vec2, kHullPoly.size()> vertices;
  for (size_t k = 0; k < kHullPoly.size(); ++k) vertices[k] = vec(kHullPoly[k][0] / kScale, kHullPoly[k][1] / kScale);
  b2PolygonShape hull_shape;
  hull_shape.Set(vertices.data(), static_cast<int32>(vertices.size()));
  b2FixtureDef hull_fixture;
  hull_fixture.shape = &hull_shape;
  hull_fixture.density = 5.0f;
  hull_fixture.friction = 0.1f;
  hull_fixture.filter.categoryBits = kWalkerCategory;
  hull_fixture.filter.maskBits = kGroundCategory;
  hull_fixture.restitution = 0.0f;
  hull_->CreateFixture(&hull_fixture);
  hull_->ApplyForceToCenter(vec(rng().uniform(-kInitialRandom, kInitialRandom), 0), true);

  b2PolygonShape upper_shape, lower_shape;
  upper_shape.SetAsBox(static_cast<float>(kLegW / 2), static_cast<float>(kLegH / 2));
  lower_shape.SetAsBox(static_cast<float>(0.8 * kLegW / 2), static_cast<float>(kLegH / 2));
  auto leg_fixture = [](const b2PolygonShape& shape) {
    b2FixtureDef fixture;  // Box2D's default friction (0.2), as Gymnasium's LEG_FD and LOWER_FD
    fixture.shape = &shape;
    fixture.density = 1.0f;
    fixture.restitution = 0.0f;
    fixture.filter.categoryBits = kWalkerCategory;
    fixture.filter.maskBits = kGroundCategory;
    return fixture;
  };
  auto add_joint = [&](b2Body* a, b2Body* b, double anchor_a_y, double anchor_b_y, double motor_speed, double lower,
                       double upper) {
    b2RevoluteJointDef joint;
    joint.bodyA = a;
    joint.bodyB = b;
    joint.localAnchorA = vec(0, anchor_a_y);
    joint.localAnchorB = vec(0, anchor_b_y);
    // pybox2d sets the reference angle to the bodies' angle difference when it is not given.
    joint.referenceAngle = b->GetAngle() - a->GetAngle();
    joint.enableMotor = true;
    joint.enableLimit = true;
    joint.maxMotorTorque = static_cast<float>(kMotorsTorque);
    joint.motorSpeed = static_cast<float>(motor_speed);
    joint.lowerAngle = static_cast<float>(lower);
    joint.upperAngle = static_cast<float>(upper);
    return static_cast<b2RevoluteJoint*>(world_->CreateJoint(&joint));
  };

  for (int side = 0; side < 2; ++side) {
    const double i = side == 0 ? -1.0 : 1.0;
    b2BodyDef upper_def;
    upper_def.type = b2_dynamicBody;
    upper_def.position = vec(init_x, init_y - kLegH / 2 - kLegDown);
    upper_def.angle = static_cast<float>(i * 0.05);
    b2Body* upper = world_->CreateBody(&upper_def);
    const b2FixtureDef upper_fixture = leg_fixture(upper_shape);
    upper->CreateFixture(&upper_fixture);
    legs_[2 * side] = upper;
    joints_[2 * side] = add_joint(hull_, upper, kLegDown, kLegH / 2, i, -0.8, 1.1);

    b2BodyDef lower_def;
    lower_def.type = b2_dynamicBody;
    lower_def.position = vec(init_x, init_y - kLegH * 3 / 2 - kLegDown);
    lower_def.angle = static_cast<float>(i * 0.05);
    b2Body* lower = world_->CreateBody(&lower_def);
    const b2FixtureDef lower_fixture = leg_fixture(lower_shape);
    lower->CreateFixture(&lower_fixture);
    legs_[2 * side + 1] = lower;
    joints_[2 * side + 1] = add_joint(upper, lower, -kLegH / 2, kLegH / 2, 1, -1.6, -0.1);
  }
}

void BipedalWalker::reset_impl(ObsOut obs, InfoOut) {
  // A new world every episode (Box2D keeps no state across episodes).
  hull_ = nullptr;
  legs_ = {};
  joints_ = {};
  world_ = std::make_unique<b2World>(b2Vec2(0.0f, -10.0f));
  world_->SetContactListener(contact_listener_.get());
  game_over_ = false;
  lower_leg_contact_ = {false, false};
  has_previous_shaping_ = false;
  generate_terrain();
  build_walker();
  // Gymnasium's reset returns the observation of one step with zero action.
  const float zero_action[4] = {0, 0, 0, 0};
  simulate(zero_action, obs);
}

StepResult BipedalWalker::step_impl(const Action& action, ObsOut obs, InfoOut) {
  return simulate(action.values(), obs);
}

StepResult BipedalWalker::simulate(const float* action, ObsOut obs) {
  // Torque control: full speed in the action's direction, torque proportional to |a|.
  for (int j = 0; j < 4; ++j) {
    const double speed = j % 2 == 0 ? kSpeedHip : kSpeedKnee;
    joints_[j]->SetMotorSpeed(static_cast<float>(speed * sign(action[j])));
    joints_[j]->SetMaxMotorTorque(static_cast<float>(kMotorsTorque * std::clamp(std::abs(static_cast<double>(action[j])), 0.0, 1.0)));
  }

  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);

  const b2Vec2 position = hull_->GetPosition();
  const b2Vec2 velocity = hull_->GetLinearVelocity();

  // Ten rays from the hull's centre, fanning from straight down (0) to 1.35 rad forward.
  std::array<double, kLidarRays> lidar;
  for (int i = 0; i < kLidarRays; ++i) {
    LidarCallback ray;
    const b2Vec2 end = vec(position.x + std::sin(1.5 * i / 10.0) * kLidarRange, position.y - std::cos(1.5 * i / 10.0) * kLidarRange);
    world_->RayCast(&ray, position, end);
    lidar[i] = ray.fraction;
  }

  const std::array<double, 14> body = {
      hull_->GetAngle(),
      2.0 * hull_->GetAngularVelocity() / kFps,
      0.3 * velocity.x * (kViewportW / kScale) / kFps,  // normalised to about -1..1
      0.3 * velocity.y * (kViewportH / kScale) / kFps,
      joints_[0]->GetJointAngle(),
      joints_[0]->GetJointSpeed() / kSpeedHip,
      joints_[1]->GetJointAngle() + 1.0,
      joints_[1]->GetJointSpeed() / kSpeedKnee,
      lower_leg_contact_[0] ? 1.0 : 0.0,
      joints_[2]->GetJointAngle(),
      joints_[2]->GetJointSpeed() / kSpeedHip,
      joints_[3]->GetJointAngle() + 1.0,
      joints_[3]->GetJointSpeed() / kSpeedKnee,
      lower_leg_contact_[1] ? 1.0 : 0.0,
  };
  float* out = obs.as<float>();
  for (int k = 0; k < 14; ++k) out[k] = static_cast<float>(body[k]);
  for (int k = 0; k < kLidarRays; ++k) out[14 + k] = static_cast<float>(lidar[k]);

  // Moving forward earns 130 over the terrain's length; keep the head straight. Any other behaviour
  // is unpunished except falling.
  const double shaping = 130 * position.x / kScale - 5.0 * std::abs(body[0]);
  StepResult result;
  if (has_previous_shaping_) result.reward = shaping - previous_shaping_;
  previous_shaping_ = shaping;
  has_previous_shaping_ = true;
  for (int j = 0; j < 4; ++j)
    result.reward -= 0.00035 * kMotorsTorque * std::clamp(std::abs(static_cast<double>(action[j])), 0.0, 1.0);

  if (game_over_ || position.x < 0) {
    result.reward = -100;
    result.terminated = true;
  }
  if (position.x > (kTerrainLength - kTerrainGrass) * kTerrainStep) result.terminated = true;
  return result;
}

namespace {

EnvRegistration bipedal_walker_registration(bool hardcore) {
  EnvRegistration r;
  r.id = hardcore ? "BipedalWalkerHardcore-v3" : "BipedalWalker-v3";
  r.description = hardcore ? "a 2D biped walks over stumps, pits and stairs (Box2D), as Gymnasium"
                           : "a 2D biped walks over slightly uneven terrain (Box2D), as Gymnasium";
  r.config = {{"hardcore", false, "add obstacles: stumps, pits and stairs"}};
  if (hardcore) r.preset = {{"hardcore", true}};
  r.max_episode_steps = hardcore ? 2000 : 1600;
  r.reward_threshold = 300.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<BipedalWalker>(c); };
  return r;
}

}  // namespace

DOPA_REGISTER_ENV(bipedal_walker_registration(false));
DOPA_REGISTER_ENV(bipedal_walker_registration(true));

}  // namespace dopa::envs

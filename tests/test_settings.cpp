// Typed settings (core/settings.h): one table gives the schema, the defaults, the ranges and the
// typed values.
#include <gtest/gtest.h>

#include <cmath>

#include "dopa/core/config.h"
#include "dopa/core/error.h"
#include "dopa/core/settings.h"

namespace example {
enum class Shape { Round, Square };
struct Decay {
  double rate = 0.0;
};
struct Hyper {
  double lr = 0.0;
  int64_t steps = 0;
  bool flag = false;
  std::string name;
  Shape shape = Shape::Round;
  Decay decay;
};
}  // namespace example

namespace dopa {
template <>
const EnumNames<example::Shape>& enum_names<example::Shape>() {
  static const EnumNames<example::Shape> names = {{example::Shape::Round, "round"}, {example::Shape::Square, "square"}};
  return names;
}
}  // namespace dopa

namespace {

using example::Decay;
using example::Hyper;
using example::Shape;

const dopa::SettingsTable<Hyper>& table() {
  static const dopa::SettingsTable<Decay> decay = {
      dopa::setting(&Decay::rate, "decay_rate", 0.5, "a rate", dopa::between(0, 1)),
  };
  static const dopa::SettingsTable<Hyper> table = {
      dopa::setting(&Hyper::lr, "lr", 1e-3, "learning rate", dopa::positive(), {"learning_rate"}),
      dopa::setting(&Hyper::steps, "steps", 8, "steps", dopa::at_least(1)),
      dopa::setting(&Hyper::flag, "flag", true, "a flag"),
      dopa::setting(&Hyper::name, "name", std::string("x"), "a name"),
      dopa::setting(&Hyper::shape, "shape", Shape::Square, "a shape"),
      dopa::nested(&Hyper::decay, decay),
  };
  return table;
}

Hyper read(const dopa::Kwargs& given) {
  return table().read(dopa::resolve_config(table().schema(), given, "test key"), "test");
}

std::string error_of(const dopa::Kwargs& given) {
  try {
    read(given);
  } catch (const dopa::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Settings, TheTableGivesTheSchemaInOrderWithTypesChoicesAndRanges) {
  const dopa::ConfigSchema schema = table().schema();
  ASSERT_EQ(dopa::key_names(schema), (std::vector<std::string>{"lr", "steps", "flag", "name", "shape", "decay_rate"}));
  EXPECT_EQ(schema[0].default_value.type(), dopa::ValueType::Float);
  EXPECT_EQ(schema[1].default_value.type(), dopa::ValueType::Int);
  EXPECT_EQ(schema[4].default_value, dopa::Value("square"));
  EXPECT_EQ(schema[4].choices, (std::vector<std::string>{"round", "square"}));
  EXPECT_EQ(schema[0].doc, "learning rate, must be > 0");
  EXPECT_EQ(schema[5].doc, "a rate, must be in [0, 1]");
  EXPECT_EQ(schema[0].old_names, std::vector<std::string>{"learning_rate"});
}

TEST(Settings, ReadsDefaultsAndGivenValuesIntoTheirFields) {
  const Hyper defaults = read({});
  EXPECT_EQ(defaults.lr, 1e-3);
  EXPECT_EQ(defaults.steps, 8);
  EXPECT_TRUE(defaults.flag);
  EXPECT_EQ(defaults.name, "x");
  EXPECT_EQ(defaults.shape, Shape::Square);
  EXPECT_EQ(defaults.decay.rate, 0.5);
  const Hyper given = read({{"lr", 2}, {"shape", "round"}, {"decay_rate", 1.0}, {"flag", false}});
  EXPECT_EQ(given.lr, 2.0);
  EXPECT_EQ(given.shape, Shape::Round);
  EXPECT_EQ(given.decay.rate, 1.0);
  EXPECT_FALSE(given.flag);
}

// resolve_config checks the table's ranges, so a value out of range is refused where the settings
// are resolved (before a run writes anything), not when an agent reads them.
TEST(Settings, AValueOutOfRangeNamesTheOwnerTheKeyTheRangeAndTheValue) {
  EXPECT_NE(error_of({{"lr", -1}}).find("test key 'lr' must be > 0, got -1"), std::string::npos);
  EXPECT_EQ(error_of({{"steps", 0}}), "test key 'steps' must be >= 1, got 0");
  EXPECT_NE(error_of({{"decay_rate", 1.5}}).find("'decay_rate' must be in [0, 1]"), std::string::npos);
  EXPECT_NE(error_of({{"lr", std::nan("")}}).find("'lr' must be a number, got nan"), std::string::npos);
  EXPECT_NE(error_of({{"lr", INFINITY}}).find("'lr' must be > 0, got inf"), std::string::npos);
  EXPECT_EQ(error_of({{"lr", 1e-9}}), "");
  try {
    dopa::resolve_config(table().schema(), {{"steps", -3}}, "test key");
    FAIL() << "resolve_config accepted steps = -3";
  } catch (const dopa::Error& e) {
    EXPECT_STREQ(e.what(), "test key 'steps' must be >= 1, got -3");
  }
}

TEST(Settings, EnumsParseByNameWithCloseMatches) {
  EXPECT_EQ(dopa::parse_enum<Shape>("round", "shape"), Shape::Round);
  EXPECT_EQ(dopa::enum_name(Shape::Square), "square");
  try {
    dopa::parse_enum<Shape>("sqare", "shape");
    FAIL() << "no such shape";
  } catch (const dopa::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("round, square"), std::string::npos) << message;
    EXPECT_NE(message.find("Did you mean 'square'?"), std::string::npos) << message;
  }
  // Through a Config, resolve_config refuses the name first, with the key.
  EXPECT_NE(error_of({{"shape", "oval"}}).find("'shape' must be one of"), std::string::npos);
}

}  // namespace

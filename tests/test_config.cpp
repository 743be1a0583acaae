#include <gtest/gtest.h>

#include "dopa/core/config.h"
#include "dopa/core/error.h"
#include "dopa/core/strings.h"

namespace {

using dopa::ConfigSchema;
using dopa::Value;
using dopa::ValueType;

const ConfigSchema kSchema = {
    {"size", 11, "grid side"},
    {"rate", 0.5, "a rate"},
    {"flag", false, "a flag"},
    {"mode", "fast", "a mode", {"fast", "slow"}},
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dopa::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsAndGivenValues) {
  const auto c = dopa::resolve_config(kSchema, {{"size", 13}, {"rate", 1}}, "kwarg");
  EXPECT_EQ(c.get_int("size"), 13);
  EXPECT_EQ(c.get_float("rate"), 1.0);  // an int is fine for a float key
  EXPECT_EQ(c.at("rate").type(), ValueType::Float);
  EXPECT_FALSE(c.get_bool("flag"));
  EXPECT_EQ(c.get_string("mode"), "fast");
}

TEST(Config, UnknownKeySuggestsAndListsValidKeys) {
  const std::string message = error_of([] { dopa::resolve_config(kSchema, {{"sise", 3}}, "Maze-v0 kwarg"); });
  EXPECT_NE(message.find("unknown Maze-v0 kwarg 'sise'"), std::string::npos) << message;
  EXPECT_NE(message.find("Did you mean 'size'?"), std::string::npos) << message;
  EXPECT_NE(message.find("Valid: size, rate, flag, mode"), std::string::npos) << message;
}

TEST(Config, WrongTypeNamesTheKey) {
  EXPECT_NE(error_of([] { dopa::resolve_config(kSchema, {{"size", 1.5}}, "kwarg"); }).find("'size' must be int"),
            std::string::npos);
  EXPECT_NE(error_of([] { dopa::resolve_config(kSchema, {{"flag", 1}}, "kwarg"); }).find("'flag' must be bool"),
            std::string::npos);
  EXPECT_NE(error_of([] { dopa::resolve_config(kSchema, {{"mode", "fats"}}, "kwarg"); }).find("Did you mean 'fast'"),
            std::string::npos);
}

TEST(Config, ParseValueFromText) {
  EXPECT_EQ(dopa::parse_value("13", ValueType::Int, "k").as_int(), 13);
  EXPECT_EQ(dopa::parse_value("1_000_000", ValueType::Int, "k").as_int(), 1000000);
  EXPECT_EQ(dopa::parse_value("1e6", ValueType::Int, "k").as_int(), 1000000);
  EXPECT_EQ(dopa::parse_value("3e-4", ValueType::Float, "k").as_float(), 3e-4);
  EXPECT_TRUE(dopa::parse_value("true", ValueType::Bool, "k").as_bool());
  EXPECT_EQ(dopa::parse_value("\"lstm\"", ValueType::String, "k").as_string(), "lstm");
  EXPECT_THROW(dopa::parse_value("1.5", ValueType::Int, "k"), dopa::Error);
  EXPECT_THROW(dopa::parse_value("abc", ValueType::Float, "k"), dopa::Error);
  EXPECT_THROW(dopa::parse_value("yes", ValueType::Bool, "k"), dopa::Error);
  EXPECT_THROW(dopa::split_assignment("novalue", "--set"), dopa::Error);
  EXPECT_THROW(dopa::split_assignment("=3", "--set"), dopa::Error);
}

TEST(Config, ValueTextRoundTrips) {
  for (double v : {0.1, 3e-4, 1.0, 1e-10, 123456.789}) {
    const std::string text = Value(v).to_string();
    EXPECT_EQ(dopa::parse_value(text, ValueType::Float, "k").as_float(), v) << text;
  }
  EXPECT_EQ(Value(1.0).to_string(), "1.0");
  EXPECT_EQ(Value("a").to_string(), "\"a\"");
}

TEST(Config, AnOldKeyNameNamesTheNewOne) {
  const dopa::ConfigSchema schema = {{"vf_coef", 0.5, "weight of the value loss", {}, {"value_coef"}}};
  try {
    dopa::resolve_config(schema, {{"value_coef", 0.1}}, "a2c key");
    FAIL() << "an old key name was accepted";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'value_coef' is now called 'vf_coef'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dopa::resolve_config(schema, {{"vf_coef", 0.1}}, "a2c key").get_float("vf_coef"), 0.1);
}

TEST(Strings, CloseMatches) {
  const std::vector<std::string> ids = {"Maze-v0", "CartPole-v1", "Bandit-v0", "BanditEasy-v0"};
  EXPECT_EQ(dopa::close_matches("maze-v0", ids).front(), "Maze-v0");
  EXPECT_EQ(dopa::close_matches("Cartpole-v0", ids).front(), "CartPole-v1");
  EXPECT_TRUE(dopa::close_matches("Humanoid-v5", ids).empty());
}

}  // namespace

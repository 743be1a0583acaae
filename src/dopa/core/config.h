// Typed configuration values and their declared schemas.
//
// Every configurable thing in dopa (an env's kwargs, an agent's hyperparameters, an experiment's
// settings) declares its keys as a list of ConfigKey: a name, a default value whose type is the key's
// type, a one-line description and, for numbers, a range. User-supplied values (Kwargs) are checked
// against that list by resolve_config(), which fills in defaults and rejects unknown keys, wrong types
// and values out of range with an error that names the key (and lists the valid ones), so a command is
// refused before it writes anything.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace dopa {

enum class ValueType { Bool, Int, Float, String };

const char* value_type_name(ValueType type);  // "bool", "int", "float", "string"

// One config value: bool, 64-bit int, double or string.
class Value {
 public:
  Value() : value_(int64_t{0}) {}
  Value(bool v) : value_(v) {}                      // NOLINT(google-explicit-constructor)
  Value(int v) : value_(int64_t{v}) {}              // NOLINT
  Value(long v) : value_(int64_t{v}) {}             // NOLINT
  Value(long long v) : value_(int64_t{v}) {}        // NOLINT
  Value(double v) : value_(v) {}                    // NOLINT
  Value(const char* v) : value_(std::string(v)) {}  // NOLINT
  Value(std::string v) : value_(std::move(v)) {}    // NOLINT

  ValueType type() const { return static_cast<ValueType>(value_.index()); }
  bool as_bool() const;
  int64_t as_int() const;
  double as_float() const;  // ints convert
  const std::string& as_string() const;

  // How the value is written in TOML and on the command line: true, 13, 0.001, "medium".
  std::string to_string() const;

  bool operator==(const Value& other) const { return value_ == other.value_; }
  bool operator!=(const Value& other) const { return !(*this == other); }

 private:
  std::variant<bool, int64_t, double, std::string> value_;
};

// Values given by a user, by key.
using Kwargs = std::map<std::string, Value>;

// The values a numeric key allows.
struct Range {
  std::string text;                         // "> 0", "in [0, 1]": shown in the key's description
  std::function<bool(double)> allows = {};  // empty: any value
};
Range positive();                         // > 0 (and finite, as in every range)
Range at_least(double low);               // >= low
Range between(double low, double high);  // inclusive

struct ConfigKey {
  std::string name;
  Value default_value;  // its type is the key's type
  std::string doc;
  std::vector<std::string> choices = {};  // for strings: the allowed values (empty: any)
  // Names the key had before: given one, resolve_config's error names the key to use instead.
  std::vector<std::string> old_names = {};
  Range range = {};  // for numbers (NaN and infinities are in none)
};

using ConfigSchema = std::vector<ConfigKey>;

// A resolved configuration: every declared key with its value, in declaration order.
class Config {
 public:
  Config() = default;
  Config(ConfigSchema schema, Kwargs values) : schema_(std::move(schema)), values_(std::move(values)) {}

  bool get_bool(const std::string& key) const { return at(key).as_bool(); }
  int64_t get_int(const std::string& key) const { return at(key).as_int(); }
  double get_float(const std::string& key) const { return at(key).as_float(); }
  const std::string& get_string(const std::string& key) const { return at(key).as_string(); }
  const Value& at(const std::string& key) const;
  bool has(const std::string& key) const { return values_.count(key) > 0; }

  const ConfigSchema& schema() const { return schema_; }
  const Kwargs& values() const { return values_; }

 private:
  ConfigSchema schema_;
  Kwargs values_;
};

// Checks `given` against `schema` and fills in defaults. `what` names the owner in error messages,
// e.g. "Maze-v0 kwarg" gives "unknown Maze-v0 kwarg 'sise'. Did you mean 'size'? Valid: ...".
// An int is accepted for a float key; every other type mismatch is an error, as is a number out of its
// key's range ("[agent] key for ppo 'lr' must be > 0, got -1").
Config resolve_config(const ConfigSchema& schema, const Kwargs& given, const std::string& what);

// Parses the text of a command-line value ("13", "0.5", "true", "medium") as `type`.
// Throws dopa::Error naming `key` when the text is not a valid value of that type.
Value parse_value(const std::string& text, ValueType type, const std::string& key);

// Splits "key=value" (throws dopa::Error naming the text when there is no '=' or no key).
std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& option);

// The key `name` of `schema`; otherwise dopa::Error naming it (`what`: "a2c key"): its new name when
// it is one the key had before (ConfigKey::old_names), else close matches and the valid keys.
const ConfigKey& require_key(const ConfigSchema& schema, const std::string& name, const std::string& what);

// Finds a key in a schema; nullptr if absent.
const ConfigKey* find_key(const ConfigSchema& schema, const std::string& name);

// The names of a schema's keys, in order.
std::vector<std::string> key_names(const ConfigSchema& schema);

// One schema of several parts, in order (an agent's own keys, its core's, its loop's, ...).
ConfigSchema schema_of(std::initializer_list<ConfigSchema> parts);

}  // namespace dopa

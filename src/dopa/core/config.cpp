#include "dopa/core/config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "dopa/core/error.h"
#include "dopa/core/strings.h"

namespace dopa {

const char* value_type_name(ValueType type) {
  switch (type) {
    case ValueType::Bool: return "bool";
    case ValueType::Int: return "int";
    case ValueType::Float: return "float";
    case ValueType::String: return "string";
  }
  return "?";
}

bool Value::as_bool() const {
  if (type() != ValueType::Bool) throw std::logic_error("config value " + to_string() + " is not a bool");
  return std::get<bool>(value_);
}

int64_t Value::as_int() const {
  if (type() != ValueType::Int) throw std::logic_error("config value " + to_string() + " is not an int");
  return std::get<int64_t>(value_);
}

double Value::as_float() const {
  if (type() == ValueType::Int) return static_cast<double>(std::get<int64_t>(value_));
  if (type() != ValueType::Float) throw std::logic_error("config value " + to_string() + " is not a float");
  return std::get<double>(value_);
}

const std::string& Value::as_string() const {
  if (type() != ValueType::String) throw std::logic_error("config value " + to_string() + " is not a string");
  return std::get<std::string>(value_);
}

std::string Value::to_string() const {
  switch (type()) {
    case ValueType::Bool: return std::get<bool>(value_) ? "true" : "false";
    case ValueType::Int: return std::to_string(std::get<int64_t>(value_));
    case ValueType::Float: {
      // Shortest text that reads back as the same double, always with a '.' or exponent.
      const double v = std::get<double>(value_);
      if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
      if (std::isnan(v)) return "nan";
      for (int precision = 1; precision <= 17; ++precision) {
        std::ostringstream out;
        out.precision(precision);
        out << v;
        if (std::strtod(out.str().c_str(), nullptr) == v) {
          std::string text = out.str();
          if (text.find_first_of(".eE") == std::string::npos) text += ".0";
          return text;
        }
      }
      return std::to_string(v);
    }
    case ValueType::String: return "\"" + std::get<std::string>(value_) + "\"";
  }
  return "?";
}

const Value& Config::at(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("config has no key '" + key + "'");
  return it->second;
}

const ConfigKey* find_key(const ConfigSchema& schema, const std::string& name) {
  for (const auto& key : schema)
    if (key.name == name) return &key;
  return nullptr;
}

std::vector<std::string> key_names(const ConfigSchema& schema) {
  std::vector<std::string> names;
  for (const auto& key : schema) names.push_back(key.name);
  return names;
}

ConfigSchema schema_of(std::initializer_list<ConfigSchema> parts) {
  ConfigSchema schema;
  for (const ConfigSchema& part : parts) schema.insert(schema.end(), part.begin(), part.end());
  return schema;
}

const ConfigKey& require_key(const ConfigSchema& schema, const std::string& name, const std::string& what) {
  if (const ConfigKey* key = find_key(schema, name)) return *key;
  for (const auto& renamed : schema)
    if (std::find(renamed.old_names.begin(), renamed.old_names.end(), name) != renamed.old_names.end())
      throw Error(what + " '" + name + "' is now called '" + renamed.name + "': " + renamed.doc +
                  " (rename it where it is set)");
  const auto names = key_names(schema);
  throw Error("unknown " + what + " '" + name + "'." + did_you_mean(name, names) +
              (names.empty() ? " It takes none." : " Valid: " + join(names) + "."));
}

namespace {
std::string number_text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}
}  // namespace

Range positive() {
  return {"> 0", [](double x) { return x > 0 && std::isfinite(x); }};
}
Range at_least(double low) {
  return {">= " + number_text(low), [low](double x) { return x >= low && std::isfinite(x); }};
}
Range between(double low, double high) {
  return {"in [" + number_text(low) + ", " + number_text(high) + "]",
          [low, high](double x) { return x >= low && x <= high; }};
}

Config resolve_config(const ConfigSchema& schema, const Kwargs& given, const std::string& what) {
  Kwargs values;
  for (const auto& key : schema) values[key.name] = key.default_value;
  for (const auto& [name, value] : given) {
    const ConfigKey* key = &require_key(schema, name, what);
    const ValueType want = key->default_value.type();
    Value resolved = value;
    if (want == ValueType::Float && value.type() == ValueType::Int) {
      resolved = Value(value.as_float());
    } else if (value.type() != want) {
      throw Error(what + " '" + name + "' must be " + value_type_name(want) + ", got " +
                  value_type_name(value.type()) + " " + value.to_string());
    }
    if (!key->choices.empty() &&
        std::find(key->choices.begin(), key->choices.end(), resolved.as_string()) == key->choices.end()) {
      throw Error(what + " '" + name + "' must be one of " + join(key->choices) + "; got " +
                  resolved.to_string() + "." + did_you_mean(resolved.as_string(), key->choices));
    }
    if (want == ValueType::Float && std::isnan(resolved.as_float()))  // no setting means "not a number"
      throw Error(what + " '" + name + "' must be a number, got nan");
    if (key->range.allows && (want == ValueType::Int || want == ValueType::Float) &&
        !key->range.allows(resolved.as_float()))
      throw Error(what + " '" + name + "' must be " + key->range.text + ", got " + resolved.to_string());
    values[name] = resolved;
  }
  return Config(schema, values);
}

Value parse_value(const std::string& text, ValueType type, const std::string& key) {
  auto fail = [&](const std::string& expected) -> Error {
    return Error("'" + key + "' expects " + expected + ", got '" + text + "'");
  };
  switch (type) {
    case ValueType::Bool:
      if (text == "true" || text == "1") return Value(true);
      if (text == "false" || text == "0") return Value(false);
      throw fail("true or false");
    case ValueType::Int: {
      // Accept TOML-style digit separators: 1_000_000.
      std::string digits;
      for (char c : text)
        if (c != '_') digits += c;
      errno = 0;
      char* end = nullptr;
      const long long v = std::strtoll(digits.c_str(), &end, 10);
      if (digits.empty() || *end != '\0' || errno == ERANGE) {
        // "1e6" is a common way to write a step count: accept it when it is a whole number.
        char* fend = nullptr;
        const double d = std::strtod(digits.c_str(), &fend);
        if (!digits.empty() && *fend == '\0' && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18)
          return Value(static_cast<long long>(d));
        throw fail("an integer");
      }
      return Value(v);
    }
    case ValueType::Float: {
      std::string digits;
      for (char c : text)
        if (c != '_') digits += c;
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(digits.c_str(), &end);
      if (digits.empty() || *end != '\0') throw fail("a number");
      if (errno == ERANGE && std::isinf(v)) throw fail("a number a double can hold (write inf for infinity)");
      return Value(v);
    }
    case ValueType::String: {
      // Quotes are optional on the command line: --set agent.core=lstm or --set 'agent.core="lstm"'.
      if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front())
        return Value(text.substr(1, text.size() - 2));
      return Value(text);
    }
  }
  throw std::logic_error("bad value type");
}

std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& option) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("malformed " + option + " '" + text + "': expected key=value");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace dopa

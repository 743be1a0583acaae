// Typed settings: a struct whose fields are an agent's (or a component's) hyperparameters, each
// declared once, in a table, with its key, default, description and range. The table yields the
// schema (ConfigSchema: what resolve_config checks, the ranges included, `dopa list agents` prints and
// docs/reference.md shows) and reads a resolved Config into the struct:
//
//   struct Hyper { double lr; int64_t burn_in; Optimizer optimizer; };
//   const SettingsTable<Hyper>& hyper_table() {
//     static const SettingsTable<Hyper> table = {
//         setting(&Hyper::lr, "lr", 1e-4, "learning rate", positive()),
//         setting(&Hyper::burn_in, "burn_in", 100, "iterations before learning", at_least(0)),
//         setting(&Hyper::optimizer, "optimizer", Optimizer::Adam, "optimiser"),
//     };
//     return table;
//   }
//   registration.config = hyper_table().schema();      Hyper h = hyper_table().read(config, "meta_a2c");
//
// A field's type is bool, int64_t, double, std::string or an enum with enum_names<E>() (its values'
// names: the key's choices). Settings of a component (a schedule, the loop's cadence) are a struct of
// their own with a table of their own, included with `nested(&Hyper::component, component_table())`.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "dopa/core/config.h"
#include "dopa/core/error.h"
#include "dopa/core/strings.h"

namespace dopa {

// ---- Enums: each value's name, declared once per enum by specialising enum_names<E>().

template <class E>
using EnumNames = std::vector<std::pair<E, std::string>>;

template <class E>
const EnumNames<E>& enum_names();  // specialise for each enum used as a setting

template <class E>
std::vector<std::string> enum_choices() {
  std::vector<std::string> out;
  for (const auto& [value, name] : enum_names<E>()) out.push_back(name);
  return out;
}

template <class E>
const std::string& enum_name(E value) {
  for (const auto& [v, name] : enum_names<E>())
    if (v == value) return name;
  throw Error("an enum value without a name");
}

// The value named `text`; otherwise dopa::Error "<what> must be one of a, b; got 'x'. Did you mean ...".
template <class E>
E parse_enum(const std::string& text, const std::string& what) {
  for (const auto& [value, name] : enum_names<E>())
    if (name == text) return value;
  throw Error(what + " must be one of " + join(enum_choices<E>()) + "; got '" + text + "'." +
              did_you_mean(text, enum_choices<E>()));
}

namespace detail {
template <class T>
struct same {  // keeps a parameter out of template argument deduction (std::type_identity in C++20)
  using type = T;
};
}  // namespace detail

// ---- The table

template <class S>
struct Setting {
  ConfigKey key;
  // Reads the key's value from a Config resolved against the key (resolve_config checked its type and
  // range) into the struct. `owner` names the struct's owner in errors ("meta_a2c").
  std::function<void(S&, const Config&, const std::string& owner)> read;
};

// One setting: the field, its key's name, default and description, its range (numbers only) and the
// names the key had before (resolve_config's error names the new one). A list of one, so that
// settings and nested tables make one list.
template <class S, class T>
std::vector<Setting<S>> setting(T S::*field, std::string name, typename detail::same<T>::type default_value,
                                std::string doc, Range range = {}, std::vector<std::string> old_names = {}) {
  ConfigKey key;
  key.name = name;
  key.old_names = std::move(old_names);
  key.doc = range.text.empty() ? std::move(doc) : doc + ", must be " + range.text;
  key.range = std::move(range);
  if constexpr (std::is_enum_v<T>) {
    key.default_value = enum_name(default_value);
    key.choices = enum_choices<T>();
  } else {
    key.default_value = default_value;
  }
  auto read = [field, name](S& settings, const Config& config, const std::string& owner) {
    T value;
    if constexpr (std::is_enum_v<T>) {
      value = parse_enum<T>(config.get_string(name), owner + " '" + name + "'");
    } else if constexpr (std::is_same_v<T, bool>) {
      value = config.get_bool(name);
    } else if constexpr (std::is_integral_v<T>) {
      value = config.get_int(name);
    } else if constexpr (std::is_floating_point_v<T>) {
      value = config.get_float(name);
    } else {
      value = config.get_string(name);
    }
    settings.*field = std::move(value);
  };
  return {Setting<S>{std::move(key), std::move(read)}};
}

// A component's settings (its own table) as the field `field` of S.
template <class S>
class SettingsTable;

template <class S, class Sub>
std::vector<Setting<S>> nested(Sub S::*field, const SettingsTable<Sub>& table) {
  std::vector<Setting<S>> out;
  for (const Setting<Sub>& s : table.settings())
    out.push_back({s.key, [field, read = s.read](S& settings, const Config& config, const std::string& owner) {
                     read(settings.*field, config, owner);
                   }});
  return out;
}

template <class S>
class SettingsTable {
 public:
  // Settings and nested tables, in the order their keys are listed.
  SettingsTable(std::initializer_list<std::vector<Setting<S>>> groups) {
    for (const auto& group : groups) settings_.insert(settings_.end(), group.begin(), group.end());
  }

  const std::vector<Setting<S>>& settings() const { return settings_; }

  ConfigSchema schema() const {
    ConfigSchema out;
    for (const Setting<S>& s : settings_) out.push_back(s.key);
    return out;
  }

  // The settings of a Config resolved against (a schema containing) schema().
  S read(const Config& config, const std::string& owner) const {
    S settings{};
    for (const Setting<S>& s : settings_) s.read(settings, config, owner);
    return settings;
  }

 private:
  std::vector<Setting<S>> settings_;
};

}  // namespace dopa

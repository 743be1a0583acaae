#include "dopa/core/strings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "dopa/core/error.h"

namespace dopa {

int edit_distance(const std::string& a, const std::string& b) {
  std::vector<int> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::vector<std::string> close_matches(const std::string& name, const std::vector<std::string>& candidates,
                                       int max_results) {
  // A candidate is close when at most a third of its characters need editing, or when one name
  // contains the other (e.g. "maze" for "Maze-v0").
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::vector<std::pair<int, std::string>> scored;
  for (const auto& candidate : candidates) {
    const int distance = edit_distance(name, candidate);
    const bool contains = !name.empty() && (lower(candidate).find(lower(name)) != std::string::npos ||
                                            lower(name).find(lower(candidate)) != std::string::npos);
    const int limit = std::max<int>(2, static_cast<int>(std::max(name.size(), candidate.size()) / 3));
    if (distance <= limit || contains) scored.emplace_back(contains ? 0 : distance, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> result;
  for (const auto& item : scored) {
    if (static_cast<int>(result.size()) == max_results) break;
    result.push_back(item.second);
  }
  return result;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const auto matches = close_matches(name, candidates);
  if (matches.empty()) return "";
  std::string out = " Did you mean ";
  for (size_t i = 0; i < matches.size(); ++i) {
    if (i > 0) out += (i + 1 == matches.size()) ? " or " : ", ";
    out += "'" + matches[i] + "'";
  }
  return out + "?";
}

std::string shortest_text(double v) {
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, v);
  return std::string(text, result.ptr);
}

std::vector<double> number_list(const std::string& text, char separator, const std::string& what) {
  std::vector<double> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, separator)) {
    try {
      size_t used = 0;
      values.push_back(std::stod(item, &used));
      if (item.find_first_not_of(" \t", used) != std::string::npos) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      const std::string separators = separator == ',' ? "commas" : separator == ':' ? "colons" : std::string(1, separator);
      throw Error(what + " must be numbers separated by " + separators + ", got '" + text + "'");
    }
  }
  return values;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == separator) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

}  // namespace dopa

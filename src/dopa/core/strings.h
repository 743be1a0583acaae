// Small string helpers shared by the registry, config resolution and the CLI.
#pragma once

#include <string>
#include <vector>

namespace dopa {

// Levenshtein distance, case-insensitive (used to suggest close matches for a misspelt name).
int edit_distance(const std::string& a, const std::string& b);

// The candidates closest to `name` (at most `max_results`), best first; empty if none is close.
std::vector<std::string> close_matches(const std::string& name, const std::vector<std::string>& candidates,
                                       int max_results = 3);

// "a, b, c".
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

// "a,b,,c" -> {"a", "b", "", "c"}; "" -> {""}.
std::vector<std::string> split(const std::string& text, char separator);

// The shortest text that reads back to the same double (CSV output).
std::string shortest_text(double v);

// "0.1, 0.5,0.9" split at `separator` into numbers; "" -> {}. dopa::Error "<what> must be numbers
// separated by commas (or colons, ...), got '<text>'" when an item is not one number.
std::vector<double> number_list(const std::string& text, char separator, const std::string& what);

// " Did you mean 'x' or 'y'?" or "" when there is no close match.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace dopa

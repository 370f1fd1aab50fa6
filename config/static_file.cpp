#include "config/static_file.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "config/prefix_problem.hpp"
#include "config/text_file.hpp"

namespace config {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
}  // namespace

StaticFileResult parse_static_file(std::string_view text, const std::string& file) {
  std::vector<ConfigError> errors;
  auto error = [&](int line, int column, std::string message) {
    errors.push_back({file, line, column, kStaticFileKey, std::move(message)});
  };
  // Each readable prefix with its line: duplicates are found by sorting (a list may hold 100k
  // host routes; a search per line would be quadratic).
  std::vector<std::pair<net::Prefix, std::uint32_t>> read;
  read.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::uint32_t line = 0;
  for (std::size_t start = 0; start < text.size();) {
    ++line;
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(start, end - start);
    start = end + 1;
    content = content.substr(0, content.find('#'));
    std::size_t first = 0;
    while (first < content.size() && is_space(content[first])) ++first;
    while (!content.empty() && content.size() > first && is_space(content.back())) content.remove_suffix(1);
    content.remove_prefix(first);
    if (content.empty()) continue;
    if (auto p = net::Prefix::parse(content))
      read.emplace_back(*p, line);
    else
      error(static_cast<int>(line), static_cast<int>(first) + 1, prefix_problem(content));
  }
  // A list in ascending order (as generated lists usually are) has no repeats: no sort needed.
  const bool ascending = std::adjacent_find(read.begin(), read.end(), [](const auto& a, const auto& b) {
                           return !(a.first < b.first);
                         }) == read.end();
  std::vector<std::pair<net::Prefix, std::uint32_t>> sorted;
  if (!ascending) {
    sorted = read;  // by prefix, then line
    std::sort(sorted.begin(), sorted.end());
  }
  for (std::size_t k = 1; k < sorted.size(); ++k)
    if (sorted[k].first == sorted[k - 1].first) {
      // The first occurrence leads its run of equal prefixes.
      std::size_t lead = k - 1;
      while (lead > 0 && sorted[lead - 1].first == sorted[k].first) --lead;
      error(static_cast<int>(sorted[k].second), 1,
            sorted[k].first.to_string() + " is listed twice (first on line " + std::to_string(sorted[lead].second) + ")");
    }
  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(),
                     [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
    return net::Unexpected(std::move(errors));
  }
  std::vector<std::pair<net::Prefix, std::uint32_t>>().swap(sorted);
  std::vector<net::Prefix> prefixes;
  prefixes.reserve(read.size());
  for (const auto& entry : read) prefixes.push_back(entry.first);
  return prefixes;
}

StaticFileResult read_static_file(const std::string& path) {
  std::string text;
  if (int err = read_text_file(path, text); err != 0)
    return net::Unexpected(std::vector<ConfigError>{{path, 0, 0, kStaticFileKey, std::string("cannot read: ") + std::strerror(err)}});
  return parse_static_file(text, path);
}

std::string static_file_path(const std::string& path, const std::string& config_file) {
  if (path.empty() || path.front() == '/') return path;
  auto slash = config_file.rfind('/');
  if (slash == std::string::npos) return path;
  return config_file.substr(0, slash + 1) + path;
}

}  // namespace config

// A Kubernetes label selector in kubectl's text form (`a=b,c!=d,e in (x,y),f notin (z),g,!h`),
// parsed once and matched against an object's labels. Semantics follow the API's: `!=` and
// `notin` also match an object that lacks the key.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "net/expected.hpp"

namespace config {

struct LabelRequirement {
  enum class Op { equals, not_equals, in, not_in, exists, not_exists };
  std::string key;
  Op op = Op::exists;
  std::vector<std::string> values;  // one for equals/not_equals, one or more for in/not_in
  bool matches(const std::map<std::string, std::string>& labels) const;
  bool operator==(const LabelRequirement&) const = default;
};

struct LabelSelector {
  std::string text;  // as written, for printing and messages
  std::vector<LabelRequirement> requirements;  // all must hold; none: matches everything
  bool empty() const { return requirements.empty(); }
  bool matches(const std::map<std::string, std::string>& labels) const;
  bool operator==(const LabelSelector&) const = default;
};

// The selector, or what is wrong with it (for people: names the position and the token).
net::Expected<LabelSelector, std::string> parse_label_selector(std::string_view text);

// Whether every key=value in `wanted` is among `labels` (a node_selector map).
bool labels_include(const std::map<std::string, std::string>& labels, const std::map<std::string, std::string>& wanted);

}  // namespace config

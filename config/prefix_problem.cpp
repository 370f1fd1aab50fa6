#include "config/prefix_problem.hpp"

#include <charconv>

#include "config/yaml_reader.hpp"
#include "net/prefix.hpp"

namespace config {

std::string prefix_problem(std::string_view text) {
  // Say what the user most likely meant when only the host bits are wrong.
  auto slash = text.find('/');
  auto addr = net::Address::parse(text.substr(0, slash));
  if (addr && slash != std::string_view::npos) {
    unsigned length = 0;
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec == std::errc{} && end == digits.data() + digits.size() && !digits.empty() && length <= addr->bits())
      return std::string(text) + " has host bits set; did you mean " + net::Prefix(*addr, length).to_string() + "?";
  }
  return "expected a prefix like 10.96.0.0/12, got " + YamlReader::quoted(text);
}

}  // namespace config

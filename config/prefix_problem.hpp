// Why a text is not a prefix, in words for the person who wrote it. Shared by every place a
// prefix is read from the user (YAML lists, advertise.static_file).
#pragma once
#include <string>
#include <string_view>

namespace config {

// "10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?" when only the host bits are wrong,
// else "expected a prefix like 10.96.0.0/12, got \"TEXT\"". Call it only for text that
// net::Prefix::parse refused.
std::string prefix_problem(std::string_view text);

}  // namespace config

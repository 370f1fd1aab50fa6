// advertise.static_file: a plain list of prefixes, one a line, for lists too big to keep in the
// YAML: yaml-cpp's scanner spends about 30,000 instructions on each list item, this reader
// about 1,000.
//
//   # comments start with '#', anywhere on a line
//   10.96.0.1/32
//   2001:db8::/64      # a bare address is a host prefix
//
// Blank lines are skipped. A line that is not a prefix, or a prefix listed twice, is an error
// naming the file, the line and the text.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace config {

inline constexpr const char* kStaticFileKey = "advertise.static_file";

using StaticFileResult = net::Expected<std::vector<net::Prefix>, std::vector<ConfigError>>;

// The prefixes in `text`, in file order; every problem, in file order, naming `file`.
StaticFileResult parse_static_file(std::string_view text, const std::string& file);

// Reads and parses the file at `path`; an unreadable file is one error without a line.
StaticFileResult read_static_file(const std::string& path);

// Where `path` (as written in the config) points: a relative path is taken from the directory
// of the config file that names it, so the pair can move together.
std::string static_file_path(const std::string& path, const std::string& config_file);

}  // namespace config

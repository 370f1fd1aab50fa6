// The YAML spelling of each config enum, shared by the loader and the printer.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace config {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

template <typename E>
std::span<const EnumName<E>> enum_names();

template <>
std::span<const EnumName<ClusterIpMode>> enum_names();
template <>
std::span<const EnumName<LogLevel>> enum_names();
template <>
std::span<const EnumName<LogFormat>> enum_names();
template <>
std::span<const EnumName<OspfNetwork>> enum_names();
template <>
std::span<const EnumName<OspfAuthType>> enum_names();
template <>
std::span<const EnumName<net::Family>> enum_names();

template <typename E>
std::optional<E> parse_enum(std::string_view text) {
  for (const auto& n : enum_names<E>())
    if (n.name == text) return n.value;
  return std::nullopt;
}

// "none, annotated or all": for error messages.
template <typename E>
std::string enum_choices() {
  auto names = enum_names<E>();
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i].name;
  }
  return out;
}

}  // namespace config

#include "config/enum_names.hpp"

#include <array>

#include "net/address.hpp"

namespace config {

namespace {
constexpr std::array<EnumName<ClusterIpMode>, 3> kClusterIpModes{
    {{ClusterIpMode::none, "none"}, {ClusterIpMode::annotated, "annotated"}, {ClusterIpMode::all, "all"}}};
constexpr std::array<EnumName<LogLevel>, 5> kLogLevels{{{LogLevel::trace, "trace"},
                                                        {LogLevel::debug, "debug"},
                                                        {LogLevel::info, "info"},
                                                        {LogLevel::warn, "warn"},
                                                        {LogLevel::error, "error"}}};
constexpr std::array<EnumName<LogFormat>, 2> kLogFormats{{{LogFormat::text, "text"}, {LogFormat::json, "json"}}};
constexpr std::array<EnumName<OspfNetwork>, 2> kOspfNetworks{
    {{OspfNetwork::broadcast, "broadcast"}, {OspfNetwork::point_to_point, "point-to-point"}}};
constexpr std::array<EnumName<OspfAuthType>, 4> kOspfAuthTypes{{{OspfAuthType::none, "none"},
                                                                {OspfAuthType::simple, "simple"},
                                                                {OspfAuthType::md5, "md5"},
                                                                {OspfAuthType::hmac_sha256, "hmac-sha-256"}}};
constexpr std::array<EnumName<net::Family>, 2> kFamilies{{{net::Family::ipv4, "ipv4"}, {net::Family::ipv6, "ipv6"}}};

template <typename E>
const char* name_of(E value) {
  for (const auto& n : enum_names<E>())
    if (n.value == value) return n.name.data();  // the literals are NUL-terminated
  return "?";
}
}  // namespace

template <>
std::span<const EnumName<ClusterIpMode>> enum_names() { return kClusterIpModes; }
template <>
std::span<const EnumName<LogLevel>> enum_names() { return kLogLevels; }
template <>
std::span<const EnumName<LogFormat>> enum_names() { return kLogFormats; }
template <>
std::span<const EnumName<OspfNetwork>> enum_names() { return kOspfNetworks; }
template <>
std::span<const EnumName<OspfAuthType>> enum_names() { return kOspfAuthTypes; }
template <>
std::span<const EnumName<net::Family>> enum_names() { return kFamilies; }

const char* to_string(ClusterIpMode v) { return name_of(v); }
const char* to_string(LogLevel v) { return name_of(v); }
const char* to_string(LogFormat v) { return name_of(v); }
const char* to_string(OspfNetwork v) { return name_of(v); }
const char* to_string(OspfAuthType v) { return name_of(v); }

}  // namespace config

// The daemon's configuration as plain values, and the entry points that load and print it.
// The YAML shape is a contract with users, the manifests and the tests (docs/configuration.md):
// keys and defaults change only with them.
#pragma once
#include <chrono>
#include <map>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/address_ranges.hpp"
#include "config/community.hpp"
#include "config/duration.hpp"
#include "config/label_selector.hpp"
#include "config/prefix_list.hpp"
#include "net/address.hpp"
#include "net/expected.hpp"
#include "net/prefix.hpp"
#include "net/route.hpp"

namespace config {

enum class ClusterIpMode { none, annotated, all };
enum class LogLevel { trace, debug, info, warn, error };
enum class LogFormat { text, json };
enum class OspfNetwork { broadcast, point_to_point };
enum class OspfAuthType { none, simple, md5, hmac_sha256 };

// The names used in YAML ("point-to-point", "hmac-sha-256", ...).
const char* to_string(ClusterIpMode);
const char* to_string(LogLevel);
const char* to_string(LogFormat);
const char* to_string(OspfNetwork);
const char* to_string(OspfAuthType);

struct NodeConfig {
  std::string name;                       // "" = $NODE_NAME, then the hostname (resolve_node_name)
  std::optional<net::Address> router_id;  // nullopt = auto
  bool operator==(const NodeConfig&) const = default;
};

struct AdvertiseConfig {
  std::optional<std::vector<net::Prefix>> service_cidrs;  // nullopt = auto (discover)
  ClusterIpMode cluster_ips = ClusterIpMode::annotated;
  // Tenants set these addresses: only inside the operator's ranges (`external_ips: true` is
  // refused by the loader, since any namespace user could then attract any address's traffic).
  AddressRanges external_ips;
  AddressRanges load_balancer_ips;
  std::vector<CommunityPattern> annotation_communities;  // what Service owners may set; default none
  LabelSelector service_selector;            // only matching Services get /32s; empty: all
  PrefixList static_prefixes;  // key "static"
  std::string static_file;     // key "static_file", as written ("" = none)
  PrefixList static_file_prefixes;  // that file's prefixes, read with the config
  bool require_kube_proxy = true;
  bool require_node_ready = true;
  bool require_programmed = false;
  Duration withdraw_delay{0};
  bool operator==(const AdvertiseConfig&) const = default;
};

struct GracefulRestartConfig {
  bool enabled = true;
  Duration restart_time{120000};
  bool operator==(const GracefulRestartConfig&) const = default;
};

struct GracefulShutdownConfig {
  bool enabled = true;
  Duration drain_time{5000};
  bool operator==(const GracefulShutdownConfig&) const = default;
};

// Bidirectional Forwarding Detection for one BGP peer or OSPF interface (RFC 5880). Multihop
// (RFC 5883) for a BGP peer whose multihop is above 1.
struct BfdConfig {
  bool enabled = false;
  Duration min_rx{300};
  Duration min_tx{300};
  std::uint8_t multiplier = 3;
  bool operator==(const BfdConfig&) const = default;
};

struct PeerConfig {
  net::Address address;  // unspecified while `gateway` is set and not yet resolved
  // `address: gateway`: the node's default gateway of the peer's first family, followed as it
  // changes (the daemon resolves it; the address stays unspecified in the loaded config).
  bool gateway = false;
  std::map<std::string, std::string> node_selector;  // labels this Node must have; empty: every Node
  std::uint32_t asn = 0;
  std::uint16_t port = 179;
  std::string password;       // TCP MD5
  std::string password_file;  // read by the daemon, not here
  Duration hold_time{90000};
  Duration keepalive_time{30000};
  Duration connect_retry{5000};
  std::uint8_t multihop = 1;
  bool ttl_security = false;
  bool passive = false;
  std::optional<net::Address> next_hop;  // nullopt = auto (the session's local address)
  std::vector<net::Family> families{net::Family::ipv4, net::Family::ipv6};
  std::vector<net::Community> communities;
  std::vector<net::LargeCommunity> large_communities;
  std::uint32_t local_pref = 100;
  std::uint32_t med = 0;
  // Prefixes per address family the peer may announce to us (we never install them; counting
  // needs a set of them, so this bounds its memory). 0: no limit. RFC 4486 Cease beyond it.
  std::uint32_t max_prefixes = 100000;
  GracefulRestartConfig graceful_restart;
  GracefulShutdownConfig graceful_shutdown;
  BfdConfig bfd;
  bool operator==(const PeerConfig&) const = default;
};

// The family whose default gateway `address: gateway` follows: the peer's first family.
inline net::Family gateway_family(const PeerConfig& p) { return p.families.empty() ? net::Family::ipv4 : p.families.front(); }
// For messages: "192.0.2.1", or "gateway (IPv4)" for an unresolved gateway peer.
std::string peer_name(const PeerConfig&);

struct BgpConfig {
  bool enabled = true;
  std::uint32_t asn = 64513;
  std::uint16_t listen_port = 179;  // 0 = do not listen
  std::vector<PeerConfig> peers;
  bool operator==(const BgpConfig&) const = default;
};

struct OspfAuthConfig {
  OspfAuthType type = OspfAuthType::none;
  std::uint8_t key_id = 1;
  std::string key;
  std::string key_file;
  bool operator==(const OspfAuthConfig&) const = default;
};

struct OspfInterfaceConfig {
  std::string name;
  OspfNetwork network = OspfNetwork::broadcast;
  Duration hello_interval{10000};
  Duration dead_interval{40000};
  Duration retransmit_interval{5000};
  std::uint8_t priority = 0;
  std::uint16_t cost = 10;
  OspfAuthConfig auth;
  BfdConfig bfd;
  bool operator==(const OspfInterfaceConfig&) const = default;
};

struct OspfExternalConfig {
  std::uint32_t metric = 20;
  std::uint8_t metric_type = 2;
  std::uint32_t tag = 0;
  bool operator==(const OspfExternalConfig&) const = default;
};

struct OspfConfig {
  bool enabled = false;
  std::optional<net::Address> router_id;  // nullopt = auto
  net::Address area;                      // 0.0.0.0
  std::vector<OspfInterfaceConfig> interfaces;
  OspfExternalConfig external;
  std::uint32_t max_external_lsas = 1000;
  bool operator==(const OspfConfig&) const = default;
};

struct KubernetesConfig {
  bool enabled = true;
  std::string kubeconfig;  // "" = in-cluster service account
  std::string kube_proxy_healthz = "http://127.0.0.1:10256/healthz";
  std::string kube_proxy_metrics = "http://127.0.0.1:10249";
  Duration resync{0};  // 0 = watch only
  bool events = false;  // Kubernetes Events on Services when this node starts/stops advertising them
  bool operator==(const KubernetesConfig&) const = default;
};

struct HttpConfig {
  std::string listen = "127.0.0.1:9474";  // "" disables
  bool operator==(const HttpConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::info;
  LogFormat format = LogFormat::text;
  bool operator==(const LogConfig&) const = default;
};

struct Config {
  NodeConfig node;
  AdvertiseConfig advertise;
  BgpConfig bgp;
  OspfConfig ospf;
  KubernetesConfig kubernetes;
  HttpConfig http;
  LogConfig log;
  bool operator==(const Config&) const = default;
};

// One problem in a config file, for people: where it is and which key.
struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when there is no position (unreadable file)
  int column = 0;  // 1-based
  std::string key;  // dotted path with indices: "bgp.peers[1].hold_time"
  std::string message;
  std::string to_string() const;  // "file:line:column: key: message"
  bool operator==(const ConfigError&) const = default;
};

using LoadResult = net::Expected<Config, std::vector<ConfigError>>;

// Every problem is reported, in file order; the config is returned only when there are none.
LoadResult load_config_file(const std::string& path);
LoadResult load_config_string(std::string_view yaml, const std::string& file_name);

// The effective config as YAML: every key with its value, in the contract's order; re-loadable.
// Inline secrets (TCP MD5 passwords, OSPF keys) are never printed: "<redacted, N bytes>" stands
// in their place, so the output is safe to paste into a bug report.
std::string to_yaml(const Config&);
inline constexpr const char* kRedactedPrefix = "<redacted, ";

// node.name if set, else $NODE_NAME (env_node_name, may be null), else the hostname.
std::string resolve_node_name(const NodeConfig&, const char* env_node_name, const std::string& hostname);

}  // namespace config

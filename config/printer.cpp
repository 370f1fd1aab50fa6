// The effective config as YAML, in the contract's order, with every key; load_config_string reads it back.
#include <cctype>
#include <sstream>

#include "config/config.hpp"

namespace config {

namespace {

bool is_yaml_word(std::string_view s) {
  // Plain scalars that YAML would read as something other than a string.
  std::string lower(s);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto w : {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"})
    if (lower == w) return true;
  return false;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\x";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

bool plain_safe(std::string_view s) {
  if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0])) || is_yaml_word(s)) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/' && c != '-' && c != '_') return false;
  return true;
}

// Values we generate (IPv4 addresses and prefixes, names of things) stay plain when safe;
// "", IPv6 (':' is special in flow lists), communities and URLs get quotes.
std::string scalar(std::string_view s) { return plain_safe(s) ? std::string(s) : quote(s); }

// Free text (names, passwords, paths) is also quoted when it starts with a digit, so that no
// YAML tool reads "0123" or "1e3" as a number.
std::string text(std::string_view s) {
  return plain_safe(s) && !std::isdigit(static_cast<unsigned char>(s[0])) ? std::string(s) : quote(s);
}

const char* boolean(bool b) { return b ? "true" : "false"; }

// A secret never leaves the process through the printer: only its length.
std::string secret(const std::string& s) {
  return s.empty() ? text(s) : quote(kRedactedPrefix + std::to_string(s.size()) + " bytes>");
}

template <typename T, typename Fn>
std::string flow_list(const std::vector<T>& items, Fn to_text) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + scalar(to_text(items[i]));
  return out + "]";
}

std::string address_or_auto(const std::optional<net::Address>& a) { return a ? scalar(a->to_string()) : "auto"; }

std::string prefix_text(const net::Prefix& p) { return p.to_string(); }

std::string bfd_text(const BfdConfig& b) {
  return std::string("{ enabled: ") + boolean(b.enabled) + ", min_rx: " + format_duration(b.min_rx) +
         ", min_tx: " + format_duration(b.min_tx) + ", multiplier: " + std::to_string(b.multiplier) + " }";
}

std::string ranges(const AddressRanges& r) {
  if (r.any) return "true";
  return r.ranges.empty() ? "false" : flow_list(r.ranges, prefix_text);
}

std::string label_map(const std::map<std::string, std::string>& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) out += std::string(out.size() > 1 ? ", " : " ") + text(k) + ": " + text(v);
  return out + (labels.empty() ? "}" : " }");
}

void print_peer(std::ostream& o, const PeerConfig& p) {
  const char* in = "      ";
  o << "    - address: " << (p.gateway ? std::string("gateway") : scalar(p.address.to_string())) << "\n";
  o << in << "asn: " << p.asn << "\n";
  o << in << "node_selector: " << label_map(p.node_selector) << "\n";
  o << in << "port: " << p.port << "\n";
  o << in << "password: " << secret(p.password) << "\n";
  o << in << "password_file: " << text(p.password_file) << "\n";
  o << in << "hold_time: " << format_duration(p.hold_time) << "\n";
  o << in << "keepalive_time: " << format_duration(p.keepalive_time) << "\n";
  o << in << "connect_retry: " << format_duration(p.connect_retry) << "\n";
  o << in << "multihop: " << unsigned{p.multihop} << "\n";
  o << in << "ttl_security: " << boolean(p.ttl_security) << "\n";
  o << in << "passive: " << boolean(p.passive) << "\n";
  o << in << "next_hop: " << address_or_auto(p.next_hop) << "\n";
  o << in << "families: " << flow_list(p.families, [](net::Family f) { return std::string(net::to_string(f)); }) << "\n";
  o << in << "communities: " << flow_list(p.communities, format_community) << "\n";
  o << in << "large_communities: " << flow_list(p.large_communities, format_large_community) << "\n";
  o << in << "local_pref: " << p.local_pref << "\n";
  o << in << "med: " << p.med << "\n";
  o << in << "max_prefixes: " << p.max_prefixes << "\n";
  o << in << "graceful_restart: { enabled: " << boolean(p.graceful_restart.enabled)
    << ", restart_time: " << format_duration(p.graceful_restart.restart_time) << " }\n";
  o << in << "graceful_shutdown: { enabled: " << boolean(p.graceful_shutdown.enabled)
    << ", drain_time: " << format_duration(p.graceful_shutdown.drain_time) << " }\n";
  o << in << "bfd: " << bfd_text(p.bfd) << "\n";
}

void print_interface(std::ostream& o, const OspfInterfaceConfig& i) {
  const char* in = "      ";
  o << "    - name: " << text(i.name) << "\n";
  o << in << "network: " << to_string(i.network) << "\n";
  o << in << "hello_interval: " << format_duration(i.hello_interval) << "\n";
  o << in << "dead_interval: " << format_duration(i.dead_interval) << "\n";
  o << in << "retransmit_interval: " << format_duration(i.retransmit_interval) << "\n";
  o << in << "priority: " << unsigned{i.priority} << "\n";
  o << in << "cost: " << i.cost << "\n";
  o << in << "auth: { type: " << to_string(i.auth.type) << ", key_id: " << unsigned{i.auth.key_id}
    << ", key: " << secret(i.auth.key) << ", key_file: " << text(i.auth.key_file) << " }\n";
  o << in << "bfd: " << bfd_text(i.bfd) << "\n";
}

}  // namespace

std::string peer_name(const PeerConfig& p) {
  if (!p.gateway) return p.address.to_string();
  return std::string("gateway (") + (gateway_family(p) == net::Family::ipv4 ? "IPv4" : "IPv6") + ")";
}

std::string to_yaml(const Config& c) {
  std::ostringstream o;
  o << "node:\n";
  o << "  name: " << text(c.node.name) << "\n";
  o << "  router_id: " << address_or_auto(c.node.router_id) << "\n";

  const auto& a = c.advertise;
  o << "advertise:\n";
  o << "  service_cidrs: " << (a.service_cidrs ? flow_list(*a.service_cidrs, prefix_text) : "auto") << "\n";
  o << "  cluster_ips: " << to_string(a.cluster_ips) << "\n";
  o << "  external_ips: " << ranges(a.external_ips) << "\n";
  o << "  load_balancer_ips: " << ranges(a.load_balancer_ips) << "\n";
  o << "  annotation_communities: "
    << flow_list(a.annotation_communities, [](const CommunityPattern& p) { return p.text; }) << "\n";
  o << "  service_selector: " << text(a.service_selector.text) << "\n";
  o << "  static: " << flow_list(a.static_prefixes.items(), prefix_text) << "\n";
  // The path only, as written: its prefixes stay in their file.
  o << "  static_file: " << scalar(a.static_file) << "\n";
  o << "  require_kube_proxy: " << boolean(a.require_kube_proxy) << "\n";
  o << "  require_node_ready: " << boolean(a.require_node_ready) << "\n";
  o << "  require_programmed: " << boolean(a.require_programmed) << "\n";
  o << "  withdraw_delay: " << format_duration(a.withdraw_delay) << "\n";

  o << "bgp:\n";
  o << "  enabled: " << boolean(c.bgp.enabled) << "\n";
  o << "  asn: " << c.bgp.asn << "\n";
  o << "  listen_port: " << c.bgp.listen_port << "\n";
  o << "  peers:" << (c.bgp.peers.empty() ? " []" : "") << "\n";
  for (const auto& p : c.bgp.peers) print_peer(o, p);

  o << "ospf:\n";
  o << "  enabled: " << boolean(c.ospf.enabled) << "\n";
  o << "  router_id: " << address_or_auto(c.ospf.router_id) << "\n";
  o << "  area: " << c.ospf.area.to_string() << "\n";
  o << "  interfaces:" << (c.ospf.interfaces.empty() ? " []" : "") << "\n";
  for (const auto& i : c.ospf.interfaces) print_interface(o, i);
  o << "  external: { metric: " << c.ospf.external.metric << ", metric_type: " << unsigned{c.ospf.external.metric_type}
    << ", tag: " << c.ospf.external.tag << " }\n";
  o << "  max_external_lsas: " << c.ospf.max_external_lsas << "\n";

  o << "kubernetes:\n";
  o << "  enabled: " << boolean(c.kubernetes.enabled) << "\n";
  o << "  kubeconfig: " << text(c.kubernetes.kubeconfig) << "\n";
  o << "  kube_proxy_healthz: " << scalar(c.kubernetes.kube_proxy_healthz) << "\n";
  o << "  kube_proxy_metrics: " << scalar(c.kubernetes.kube_proxy_metrics) << "\n";
  o << "  resync: " << format_duration(c.kubernetes.resync) << "\n";
  o << "  events: " << boolean(c.kubernetes.events) << "\n";

  o << "http:\n";
  o << "  listen: " << scalar(c.http.listen) << "\n";

  o << "log:\n";
  o << "  level: " << to_string(c.log.level) << "\n";
  o << "  format: " << to_string(c.log.format) << "\n";
  return o.str();
}

}  // namespace config

// From YAML text to a checked Config: every key of the contract, its type, its range, and the
// rules that tie keys together. Every problem is collected; none stops the reading.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>

#include "config/config.hpp"
#include "config/listen_address.hpp"
#include "config/static_file.hpp"
#include "config/text_file.hpp"
#include "config/yaml_reader.hpp"

namespace config {

namespace {

constexpr std::uint64_t kMaxU32 = 0xFFFFFFFF;
constexpr Duration kSecond{1000};
constexpr std::size_t kMaxTcpMd5Key = 80;  // TCP_MD5SIG_MAXKEYLEN

class Loader {
 public:
  explicit Loader(YamlReader& r) : r_(r) {}

  Config load(const YamlNode& root) {
    Config c;
    if (!root.IsDefined() || root.IsNull()) return c;  // empty file: all defaults
    if (!root.IsMap()) {
      r_.error(YAML::Mark{}, "(root)", "expected a mapping of sections (node, advertise, bgp, ...) at the top level");
      return c;
    }
    MapFields m(r_, Field{root, "", root.Mark()}, {"node", "advertise", "bgp", "ospf", "kubernetes", "http", "log"});
    if (auto f = m.get("node")) node(*f, c.node);
    if (auto f = m.get("advertise")) advertise(*f, c.advertise);
    if (auto f = m.get("bgp")) bgp(*f, c.bgp);
    if (auto f = m.get("ospf")) ospf(*f, c.ospf);
    if (auto f = m.get("kubernetes")) kubernetes(*f, c.kubernetes);
    if (auto f = m.get("http")) http(*f, c.http);
    if (auto f = m.get("log")) log(*f, c.log);
    return c;
  }

 private:
  YamlReader& r_;

  // --- values with a meaning of their own --------------------------------------------------

  // "auto" or a usable IPv4 address: a router ID is a 32-bit number written as one.
  void router_id(const Field& f, std::optional<net::Address>& out) {
    auto text = r_.scalar(f, "auto or an IPv4 address");
    if (!text) return;
    if (*text == "auto") {
      out.reset();
      return;
    }
    auto a = net::Address::parse(*text);
    if (!a || !a->is_v4()) return r_.error(f, "expected auto or an IPv4 address, got " + YamlReader::quoted(*text));
    if (a->is_unspecified()) return r_.error(f, "0.0.0.0 is not a valid router ID; use auto or a real address");
    out = *a;
  }

  void optional_address(const Field& f, std::optional<net::Address>& out) {
    auto text = r_.scalar(f, "auto or an IP address");
    if (!text) return;
    if (*text == "auto") {
      out.reset();
      return;
    }
    auto a = net::Address::parse(*text);
    if (!a) return r_.error(f, "expected auto or an IP address, got " + YamlReader::quoted(*text));
    if (a->is_unspecified()) return r_.error(f, a->to_string() + " is not a usable address");
    out = *a;
  }

  // A list of prefixes; the same prefix twice is a mistake worth pointing at.
  void prefixes(const Field& f, std::vector<net::Prefix>& out) {
    auto items = r_.sequence(f, "a list of prefixes");
    if (!items) return;
    // Lists may hold 100k host routes: duplicates are found by sorting, not by a search per
    // item nor a std::set (a 64-byte node per prefix).
    std::vector<std::pair<net::Prefix, std::uint32_t>> read;  // the readable items, in file order
    read.reserve(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
      net::Prefix p;
      if (r_.read_prefix((*items)[i], p)) read.emplace_back(p, static_cast<std::uint32_t>(i));
    }
    std::vector<bool> repeated(items->size(), false);  // a later occurrence of an earlier prefix
    {
      auto sorted = read;  // by prefix, then position: the first occurrence leads its run
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t k = 1; k < sorted.size(); ++k)
        if (sorted[k].first == sorted[k - 1].first) repeated[sorted[k].second] = true;
    }
    std::vector<net::Prefix> result;
    result.reserve(read.size());
    for (const auto& [p, i] : read) {
      if (repeated[i])
        r_.error((*items)[i], p.to_string() + " is listed twice");
      else
        result.push_back(p);
    }
    out = std::move(result);
  }

  // Whole seconds within [min, max], as the protocol carries them in seconds.
  bool seconds_in(const Field& f, Duration min, Duration max, Duration& out) {
    Duration d{};
    if (!r_.read_duration(f, d)) return false;
    if (d.count() % 1000 != 0) {
      r_.error(f, "must be whole seconds, got " + format_duration(d));
      return false;
    }
    if (d < min || d > max) {
      r_.error(f, "must be between " + format_duration(min) + " and " + format_duration(max) + ", got " + format_duration(d));
      return false;
    }
    out = d;
    return true;
  }

  bool duration_in(const Field& f, Duration min, Duration max, Duration& out) {
    Duration d{};
    if (!r_.read_duration(f, d)) return false;
    if (d < min || d > max) {
      r_.error(f, "must be between " + format_duration(min) + " and " + format_duration(max) + ", got " + format_duration(d));
      return false;
    }
    out = d;
    return true;
  }

  bool duration_at_least(const Field& f, Duration min, Duration& out) {
    Duration d{};
    if (!r_.read_duration(f, d)) return false;
    if (d < min) {
      r_.error(f, "must be at least " + format_duration(min) + ", got " + format_duration(d));
      return false;
    }
    out = d;
    return true;
  }

  void url(const Field& f, std::string& out) {
    std::string s;
    if (!r_.read_string(f, s)) return;
    if (!s.starts_with("http://") && !s.starts_with("https://"))
      return r_.error(f, "expected an http:// or https:// URL, got " + YamlReader::quoted(s));
    out = s;
  }

  // --- sections ------------------------------------------------------------------------------

  void node(const Field& f, NodeConfig& out) {
    MapFields m(r_, f, {"name", "router_id"});
    if (auto v = m.get("name")) r_.read_string(*v, out.name);
    if (auto v = m.get("router_id")) router_id(*v, out.router_id);
  }

  void advertise(const Field& f, AdvertiseConfig& out) {
    MapFields m(r_, f,
                {"service_cidrs", "cluster_ips", "external_ips", "load_balancer_ips", "annotation_communities",
                 "service_selector", "static", "static_file", "require_kube_proxy", "require_node_ready",
                 "require_programmed", "withdraw_delay"});
    if (auto v = m.get("service_cidrs")) {
      if (v->node.IsScalar()) {
        if (v->node.Scalar() == "auto")
          out.service_cidrs.reset();
        else
          r_.error(*v, "expected auto or a list of prefixes, got " + YamlReader::quoted(v->node.Scalar()));
      } else {
        std::vector<net::Prefix> list;
        prefixes(*v, list);
        out.service_cidrs = std::move(list);
      }
    }
    if (auto v = m.get("cluster_ips")) r_.read_enum(*v, out.cluster_ips);
    if (auto v = m.get("external_ips"))
      address_ranges(*v, false,
                     "true would let any namespace user attract any address's traffic (CVE-2020-8554); "
                     "list the ranges Services may use, e.g. [198.51.100.0/24], or false",
                     out.external_ips);
    if (auto v = m.get("load_balancer_ips")) address_ranges(*v, true, "", out.load_balancer_ips);
    if (auto v = m.get("annotation_communities")) community_patterns(*v, out.annotation_communities);
    if (auto v = m.get("service_selector")) label_selector(*v, out.service_selector);
    if (auto v = m.get("static")) {
      std::vector<net::Prefix> list;
      prefixes(*v, list);
      out.static_prefixes = std::move(list);
    }
    if (auto v = m.get("static_file")) static_file(*v, out);
    if (auto v = m.get("require_kube_proxy")) r_.read_bool(*v, out.require_kube_proxy);
    if (auto v = m.get("require_node_ready")) r_.read_bool(*v, out.require_node_ready);
    if (auto v = m.get("require_programmed")) r_.read_bool(*v, out.require_programmed);
    if (auto v = m.get("withdraw_delay")) r_.read_duration(*v, out.withdraw_delay);
  }

  // The file's path as written; its prefixes read now, so a reload re-reads them and a bad line
  // refuses the config like any other error.
  void static_file(const Field& f, AdvertiseConfig& out) {
    if (!r_.read_string(f, out.static_file) || out.static_file.empty()) return;
    const std::string path = static_file_path(out.static_file, r_.file());
    auto read = read_static_file(path);
    if (read) {
      out.static_file_prefixes = std::move(*read);
      return;
    }
    for (auto& e : read.error()) {
      if (e.line == 0)  // unreadable: point at the key that names it
        r_.error(f, path + ": " + e.message);
      else
        r_.error(std::move(e));
    }
  }

  // false, a list of ranges, or (where `true_allowed`) true; `why_not_true` says why true is refused.
  void address_ranges(const Field& f, bool true_allowed, const std::string& why_not_true, AddressRanges& out) {
    if (f.node.IsScalar()) {
      bool b = false;
      if (!YAML::convert<bool>::decode(YAML::Node(std::string(f.node.Scalar())), b))
        return r_.error(f, std::string("expected ") + (true_allowed ? "true, false" : "false") +
                               " or a list of ranges like [198.51.100.0/24], got " + YamlReader::quoted(f.node.Scalar()));
      if (b && !true_allowed) return r_.error(f, "true is not allowed: " + why_not_true);
      out = b ? AddressRanges::all() : AddressRanges::none();
      return;
    }
    std::vector<net::Prefix> list;
    prefixes(f, list);
    out = AddressRanges::within(std::move(list));
  }

  // kubectl's selector syntax: "a=b,c!=d,e in (x,y),f notin (z),g,!h".
  void label_selector(const Field& f, LabelSelector& out) {
    std::string text;
    if (!r_.read_string(f, text)) return;
    auto parsed = parse_label_selector(text);
    if (!parsed) return r_.error(f, "bad label selector " + YamlReader::quoted(text) + ": " + parsed.error());
    out = std::move(*parsed);
  }

  // Label name -> value, e.g. { rack: r1, "topology.kubernetes.io/zone": z1 }.
  void labels(const Field& f, std::map<std::string, std::string>& out) {
    if (f.node.IsNull()) return;
    if (!f.node.IsMap()) return r_.error(f, "expected a mapping of labels like { rack: r1 }");
    for (std::size_t i = 0; i < f.node.size(); ++i) {
      const YamlNode key = f.node.key(i), value = f.node.value(i);
      if (!key.IsScalar() || key.Scalar().empty()) {
        r_.error(key.Mark(), f.path, "a label name must be a non-empty string");
        continue;
      }
      const std::string name(key.Scalar());
      const Field v{value, f.path + "." + name, value.Mark()};
      std::string text;
      if (!r_.read_string(v, text)) continue;
      if (!out.emplace(name, text).second) r_.error(v, "label " + name + " is listed twice");
    }
  }

  void community_patterns(const Field& f, std::vector<CommunityPattern>& out) {
    parsed_list(f, "community pattern", "community patterns", "like \"65000:*\", \"65000:100\", no-export or \"64513:1:*\"",
                parse_community_pattern, out);
  }

  // A list of `kinds` whose items `parse` reads from text; each unreadable item is an error saying
  // what `kind` (`shape`) was expected.
  template <typename T, typename Parse>
  void parsed_list(const Field& f, const std::string& kind, const std::string& kinds, const std::string& shape,
                   Parse parse, std::vector<T>& out) {
    auto items = r_.sequence(f, "a list of " + kinds);
    if (!items) return;
    std::vector<T> result;
    for (const auto& item : *items) {
      auto text = r_.scalar(item, "a " + kind);
      if (!text) continue;
      auto value = parse(*text);
      if (!value) {
        r_.error(item, "expected a " + kind + " " + shape + ", got " + YamlReader::quoted(*text));
        continue;
      }
      result.push_back(std::move(*value));
    }
    out = std::move(result);
  }

  void bgp(const Field& f, BgpConfig& out) {
    MapFields m(r_, f, {"enabled", "asn", "listen_port", "peers"});
    if (auto v = m.get("enabled")) r_.read_bool(*v, out.enabled);
    if (auto v = m.get("asn")) r_.read_uint(*v, 1, kMaxU32, out.asn);
    if (auto v = m.get("listen_port")) r_.read_uint(*v, 0, 65535, out.listen_port);
    auto list = m.get("peers");
    if (!list) return;
    auto items = r_.sequence(*list, "a list of peers");
    if (!items) return;
    // The same address (or gateway of the same family) for the same Nodes twice is a mistake;
    // one address for two disjoint sets of Nodes is not.
    struct Seen {
      net::Address address;
      bool gateway;
      std::map<std::string, std::string> node_selector;
      std::string path;
    };
    std::vector<Seen> seen;
    for (const auto& item : *items) {
      if (item.node.IsNull()) {  // a bare "-": not a peer with every key missing
        r_.error(item, "expected a peer (a mapping), got nothing");
        continue;
      }
      PeerConfig p;
      auto address = peer(item, p);
      if (address) {
        auto first = std::find_if(seen.begin(), seen.end(), [&](const Seen& s) {
          return s.address == p.address && s.gateway == p.gateway && s.node_selector == p.node_selector;
        });
        if (first != seen.end())
          r_.error(*address, "duplicate peer " + peer_name(p) + " (also " + first->path + ")");
        else
          seen.push_back({p.address, p.gateway, p.node_selector, item.path});
      }
      out.peers.push_back(std::move(p));
    }
  }

  // Returns the address field when the address was read, for the duplicate check.
  std::optional<Field> peer(const Field& f, PeerConfig& out) {
    MapFields m(r_, f,
                {"address", "node_selector", "asn", "port", "password", "password_file", "hold_time", "keepalive_time",
                 "connect_retry", "multihop", "ttl_security", "passive", "next_hop", "families", "communities",
                 "large_communities", "local_pref", "med", "max_prefixes", "graceful_restart", "graceful_shutdown",
                 "bfd"});
    bool is_map = f.node.IsMap();
    std::optional<Field> address_field;
    if (auto v = m.get("address"); v && v->node.IsScalar() && v->node.Scalar() == "gateway") {
      out.gateway = true;
      address_field = v;
    } else if (v) {
      if (r_.read_address(*v, out.address)) {
        if (out.address.is_unspecified())
          r_.error(*v, out.address.to_string() + " is not a usable peer address");
        else
          address_field = v;
      }
    } else if (is_map) {
      r_.error(f.mark, f.path + ".address", "missing required key");
    }
    if (auto v = m.get("asn"))
      r_.read_uint(*v, 1, kMaxU32, out.asn);
    else if (is_map)
      r_.error(f.mark, f.path + ".asn", "missing required key");
    if (auto v = m.get("port")) r_.read_uint(*v, 1, 65535, out.port);
    if (auto v = m.get("node_selector")) labels(*v, out.node_selector);

    auto password = m.get("password");
    auto password_file = m.get("password_file");
    if (password && r_.read_string(*password, out.password) && out.password.size() > kMaxTcpMd5Key)
      r_.error(*password, "a TCP MD5 password is at most 80 bytes, got " + std::to_string(out.password.size()));
    if (password_file) r_.read_string(*password_file, out.password_file);
    if (!out.password.empty() && !out.password_file.empty())
      r_.error(*password_file, "set password or password_file, not both");

    // RFC 4271 4.2: hold time 0 or at least 3 s, in whole seconds on the wire.
    auto hold = m.get("hold_time");
    auto keepalive = m.get("keepalive_time");
    bool hold_ok = true, keepalive_ok = true;
    if (hold) {
      Duration d{};
      hold_ok = r_.read_duration(*hold, d);
      if (hold_ok && d.count() % 1000 != 0) {
        r_.error(*hold, "must be whole seconds, got " + format_duration(d));
        hold_ok = false;
      } else if (hold_ok && d != Duration{0} && (d < 3 * kSecond || d > 65535 * kSecond)) {
        r_.error(*hold, "must be 0s or between 3s and 65535s, got " + format_duration(d));
        hold_ok = false;
      }
      if (hold_ok) out.hold_time = d;
    }
    if (keepalive) keepalive_ok = r_.read_duration(*keepalive, out.keepalive_time);
    if (hold_ok && keepalive_ok && out.hold_time != Duration{0} && (hold || keepalive)) {
      // Point at what the user wrote; the other value is a default.
      const Field& where = keepalive ? *keepalive : *hold;
      if (out.keepalive_time < kSecond)
        r_.error(where, "must be at least 1s when hold_time is not 0s, got " + format_duration(out.keepalive_time));
      else if (out.keepalive_time >= out.hold_time)
        r_.error(where, "keepalive_time (" + format_duration(out.keepalive_time) + ") must be less than hold_time (" +
                            format_duration(out.hold_time) + ")");
    }
    if (auto v = m.get("connect_retry")) duration_at_least(*v, kSecond, out.connect_retry);
    if (auto v = m.get("multihop")) r_.read_uint(*v, 1, 255, out.multihop);
    if (auto v = m.get("ttl_security")) r_.read_bool(*v, out.ttl_security);
    if (auto v = m.get("passive")) r_.read_bool(*v, out.passive);
    if (auto v = m.get("next_hop")) optional_address(*v, out.next_hop);
    if (auto v = m.get("families")) families(*v, out.families);
    if (auto v = m.get("communities")) communities(*v, out.communities);
    if (auto v = m.get("large_communities")) large_communities(*v, out.large_communities);
    if (auto v = m.get("local_pref")) r_.read_uint(*v, 0, kMaxU32, out.local_pref);
    if (auto v = m.get("med")) r_.read_uint(*v, 0, kMaxU32, out.med);
    if (auto v = m.get("max_prefixes")) r_.read_uint(*v, 0, kMaxU32, out.max_prefixes);
    if (auto v = m.get("graceful_restart")) {
      MapFields gr(r_, *v, {"enabled", "restart_time"});
      if (auto e = gr.get("enabled")) r_.read_bool(*e, out.graceful_restart.enabled);
      // RFC 4724: a 12-bit field of seconds.
      if (auto t = gr.get("restart_time")) seconds_in(*t, Duration{0}, 4095 * kSecond, out.graceful_restart.restart_time);
    }
    if (auto v = m.get("graceful_shutdown")) {
      MapFields gs(r_, *v, {"enabled", "drain_time"});
      if (auto e = gs.get("enabled")) r_.read_bool(*e, out.graceful_shutdown.enabled);
      if (auto t = gs.get("drain_time")) r_.read_duration(*t, out.graceful_shutdown.drain_time);
    }
    if (auto v = m.get("bfd")) bfd(*v, out.bfd);
    // A gateway peer's address is the unspecified one of its family until the daemon resolves it.
    if (out.gateway) out.address = gateway_family(out) == net::Family::ipv4 ? *net::Address::parse("0.0.0.0") : *net::Address::parse("::");
    return address_field;
  }

  void families(const Field& f, std::vector<net::Family>& out) {
    auto items = r_.sequence(f, "a list of families (ipv4, ipv6)");
    if (!items) return;
    if (items->empty()) return r_.error(f, "list at least one family (ipv4, ipv6)");
    std::vector<net::Family> result;
    for (const auto& item : *items) {
      net::Family family{};
      if (!r_.read_enum(item, family)) continue;
      if (std::find(result.begin(), result.end(), family) != result.end()) {
        r_.error(item, std::string(net::to_string(family)) + " is listed twice");
        continue;
      }
      result.push_back(family);
    }
    out = std::move(result);
  }

  void communities(const Field& f, std::vector<net::Community>& out) {
    parsed_list(f, "community", "communities", "like \"65000:1\" or no-export (each half 0..65535)", parse_community, out);
  }

  void large_communities(const Field& f, std::vector<net::LargeCommunity>& out) {
    parsed_list(f, "large community", "large communities", "like \"65000:1:2\" (each part 0..4294967295)", parse_large_community, out);
  }

  void ospf(const Field& f, OspfConfig& out) {
    MapFields m(r_, f, {"enabled", "router_id", "area", "interfaces", "external", "max_external_lsas"});
    auto enabled = m.get("enabled");
    if (enabled) r_.read_bool(*enabled, out.enabled);
    if (auto v = m.get("router_id")) router_id(*v, out.router_id);
    if (auto v = m.get("area")) area(*v, out.area);
    auto list = m.get("interfaces");
    bool interfaces_ok = true;
    if (list) {
      if (auto items = r_.sequence(*list, "a list of interfaces")) {
        std::vector<std::pair<std::string, std::string>> seen;  // name -> the entry that has it
        for (const auto& item : *items) {
          if (item.node.IsNull()) {
            r_.error(item, "expected an interface (a mapping), got nothing");
            continue;
          }
          OspfInterfaceConfig i;
          auto name = interface(item, i);
          if (name && !i.name.empty()) {
            auto first = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == i.name; });
            if (first != seen.end())
              r_.error(*name, "interface " + i.name + " is listed twice (also " + first->second + ")");
            else
              seen.emplace_back(i.name, item.path);
          }
          out.interfaces.push_back(std::move(i));
        }
      } else {
        interfaces_ok = false;
      }
    }
    if (out.enabled && interfaces_ok && out.interfaces.empty()) {
      const Field& where = list ? *list : enabled ? *enabled : f;
      r_.error(where.mark, f.path + ".interfaces", "ospf is enabled but no interface is listed");
    }
    if (auto v = m.get("external")) {
      MapFields e(r_, *v, {"metric", "metric_type", "tag"});
      if (auto x = e.get("metric")) r_.read_uint(*x, 0, 0xFFFFFF, out.external.metric);  // 24 bits in the LSA
      if (auto x = e.get("metric_type")) r_.read_uint(*x, 1, 2, out.external.metric_type);
      if (auto x = e.get("tag")) r_.read_uint(*x, 0, kMaxU32, out.external.tag);
    }
    if (auto v = m.get("max_external_lsas")) r_.read_uint(*v, 1, kMaxU32, out.max_external_lsas);
  }

  // An area ID in dotted form; a plain number ("0") is accepted too, as routers accept it.
  void area(const Field& f, net::Address& out) {
    auto text = r_.scalar(f, "an area ID");
    if (!text) return;
    if (auto a = net::Address::parse(*text); a && a->is_v4()) {
      out = *a;
      return;
    }
    if (!text->empty() && text->size() <= 10 && std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; })) {
      auto v = std::stoull(*text);
      if (v <= kMaxU32) {
        out = net::Address::v4(static_cast<std::uint32_t>(v));
        return;
      }
    }
    r_.error(f, "expected an area ID like 0.0.0.0 or 0, got " + YamlReader::quoted(*text));
  }

  // Returns the name field, for the duplicate check.
  std::optional<Field> interface(const Field& f, OspfInterfaceConfig& out) {
    MapFields m(r_, f,
                {"name", "network", "hello_interval", "dead_interval", "retransmit_interval", "priority", "cost",
                 "auth", "bfd"});
    auto name = m.get("name");
    if (name) {
      if (r_.read_string(*name, out.name) && out.name.empty()) r_.error(*name, "an interface name must not be empty");
    } else if (f.node.IsMap()) {
      r_.error(f.mark, f.path + ".name", "missing required key");
    }
    if (auto v = m.get("network")) r_.read_enum(*v, out.network);
    // Hello and dead intervals travel in the hello packet as seconds (16 and 32 bits).
    auto hello = m.get("hello_interval");
    auto dead = m.get("dead_interval");
    bool hello_ok = !hello || seconds_in(*hello, kSecond, 65535 * kSecond, out.hello_interval);
    bool dead_ok = !dead || seconds_in(*dead, kSecond, kMaxU32 * kSecond, out.dead_interval);
    if (hello_ok && dead_ok && (hello || dead) && out.dead_interval <= out.hello_interval)
      r_.error(dead ? *dead : *hello, "dead_interval (" + format_duration(out.dead_interval) +
                                          ") must be greater than hello_interval (" +
                                          format_duration(out.hello_interval) + ")");
    if (auto v = m.get("retransmit_interval")) duration_in(*v, kSecond, 65535 * kSecond, out.retransmit_interval);
    if (auto v = m.get("priority")) r_.read_uint(*v, 0, 255, out.priority);
    if (auto v = m.get("cost")) r_.read_uint(*v, 1, 65535, out.cost);
    if (auto v = m.get("auth")) auth(*v, out.auth);
    if (auto v = m.get("bfd")) bfd(*v, out.bfd);
    return name;
  }

  // Intervals in milliseconds on our side (the wire carries microseconds); 10 ms to 60 s, as
  // routers accept.
  void bfd(const Field& f, BfdConfig& out) {
    MapFields m(r_, f, {"enabled", "min_rx", "min_tx", "multiplier"});
    if (auto v = m.get("enabled")) r_.read_bool(*v, out.enabled);
    if (auto v = m.get("min_rx")) duration_in(*v, Duration{10}, 60 * kSecond, out.min_rx);
    if (auto v = m.get("min_tx")) duration_in(*v, Duration{10}, 60 * kSecond, out.min_tx);
    if (auto v = m.get("multiplier")) r_.read_uint(*v, 1, 255, out.multiplier);
  }

  void auth(const Field& f, OspfAuthConfig& out) {
    MapFields m(r_, f, {"type", "key_id", "key", "key_file"});
    bool type_ok = true;
    if (auto v = m.get("type")) type_ok = r_.read_enum(*v, out.type);
    if (auto v = m.get("key_id")) r_.read_uint(*v, 0, 255, out.key_id);
    auto key = m.get("key");
    auto key_file = m.get("key_file");
    if (key) r_.read_string(*key, out.key);
    if (key_file) r_.read_string(*key_file, out.key_file);
    if (!out.key.empty() && !out.key_file.empty()) return r_.error(*key_file, "set key or key_file, not both");
    if (!type_ok) return;
    // RFC 2328 D.3: a simple password fills 8 bytes, an MD5 key 16.
    std::size_t max = out.type == OspfAuthType::simple ? 8 : out.type == OspfAuthType::md5 ? 16 : 0;
    if (key && max != 0 && out.key.size() > max)
      r_.error(*key, std::string(to_string(out.type)) + " authentication takes a key of at most " +
                         std::to_string(max) + " bytes, got " + std::to_string(out.key.size()));
    bool needs_key = out.type == OspfAuthType::md5 || out.type == OspfAuthType::hmac_sha256;
    if (needs_key && out.key.empty() && out.key_file.empty())
      r_.error(f.mark, f.path + ".key", std::string(to_string(out.type)) + " authentication needs key or key_file");
  }

  void kubernetes(const Field& f, KubernetesConfig& out) {
    MapFields m(r_, f, {"enabled", "kubeconfig", "kube_proxy_healthz", "kube_proxy_metrics", "resync", "events"});
    if (auto v = m.get("enabled")) r_.read_bool(*v, out.enabled);
    if (auto v = m.get("kubeconfig")) r_.read_string(*v, out.kubeconfig);
    if (auto v = m.get("kube_proxy_healthz")) url(*v, out.kube_proxy_healthz);
    if (auto v = m.get("kube_proxy_metrics")) url(*v, out.kube_proxy_metrics);
    if (auto v = m.get("resync")) r_.read_duration(*v, out.resync);
    if (auto v = m.get("events")) r_.read_bool(*v, out.events);
  }

  void http(const Field& f, HttpConfig& out) {
    MapFields m(r_, f, {"listen"});
    auto v = m.get("listen");
    if (!v) return;
    std::string s;
    if (!r_.read_string(*v, s)) return;
    const auto listen = parse_listen_address(s);
    if (!s.empty() && (!listen || listen->port == 0))
      return r_.error(*v, "expected \"\" or ADDRESS:PORT like 127.0.0.1:9474 or [::1]:9474, got " + YamlReader::quoted(s));
    out.listen = s;
  }

  void log(const Field& f, LogConfig& out) {
    MapFields m(r_, f, {"level", "format"});
    if (auto v = m.get("level")) r_.read_enum(*v, out.level);
    if (auto v = m.get("format")) r_.read_enum(*v, out.format);
  }
};

}  // namespace

LoadResult load_config_string(std::string_view yaml, const std::string& file_name) {
  YamlReader reader(file_name);
  std::optional<YamlDocument> doc;
  try {
    doc.emplace(yaml);
  } catch (const YAML::Exception& e) {
    reader.error(e.mark, "(yaml)", e.msg);
    return net::Unexpected(reader.take_errors());
  }
  Config c = Loader(reader).load(doc->root());
  if (reader.has_errors()) return net::Unexpected(reader.take_errors());
  return c;
}

LoadResult load_config_file(const std::string& path) {
  auto cannot_read = [&](int err) {
    return net::Unexpected(std::vector<ConfigError>{{path, 0, 0, "(file)", std::string("cannot read: ") + std::strerror(err)}});
  };
  std::string text;
  if (int err = read_text_file(path, text); err != 0) return cannot_read(err);
  return load_config_string(text, path);
}

}  // namespace config

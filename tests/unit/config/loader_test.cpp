#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"

namespace config {
namespace {

std::vector<std::string> errors_of(std::string_view yaml) {
  auto r = load_config_string(yaml, "c.yaml");
  if (r) return {};
  std::vector<std::string> out;
  for (const auto& e : r.error()) out.push_back(e.to_string());
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

Config load_ok(std::string_view yaml) {
  auto r = load_config_string(yaml, "c.yaml");
  if (!r) {
    std::vector<std::string> lines;
    for (const auto& e : r.error()) lines.push_back(e.to_string());
    ADD_FAILURE() << "unexpected errors:\n" << joined(lines);
    return {};
  }
  return *r;
}

net::Address addr(const char* s) { return *net::Address::parse(s); }
net::Prefix prefix(const char* s) { return *net::Prefix::parse(s); }

// --- defaults ----------------------------------------------------------------------------------

TEST(LoadDefaults, EmptyDocumentsGiveDefaults) {
  for (const char* yaml : {"", "{}", "# only a comment\n", "---\n", "node:\nbgp:\nospf:\n"}) {
    SCOPED_TRACE(yaml);
    EXPECT_EQ(load_ok(yaml), Config{});
  }
}

TEST(LoadDefaults, DefaultsAreTheContractsValues) {
  Config c = load_ok("");
  EXPECT_EQ(c.node.name, "");
  EXPECT_EQ(c.node.router_id, std::nullopt);
  EXPECT_EQ(c.advertise.service_cidrs, std::nullopt);
  EXPECT_EQ(c.advertise.cluster_ips, ClusterIpMode::annotated);
  EXPECT_TRUE(c.advertise.static_prefixes.empty());
  EXPECT_TRUE(c.advertise.require_kube_proxy);
  EXPECT_FALSE(c.advertise.require_programmed);
  EXPECT_TRUE(c.bgp.enabled);
  EXPECT_EQ(c.bgp.asn, 64513u);
  EXPECT_EQ(c.bgp.listen_port, 179);
  EXPECT_FALSE(c.ospf.enabled);
  EXPECT_EQ(c.ospf.area, addr("0.0.0.0"));
  EXPECT_EQ(c.ospf.max_external_lsas, 1000u);
  EXPECT_EQ(c.kubernetes.kube_proxy_healthz, "http://127.0.0.1:10256/healthz");
  EXPECT_EQ(c.kubernetes.kube_proxy_metrics, "http://127.0.0.1:10249");
  EXPECT_EQ(c.http.listen, "127.0.0.1:9474");
  EXPECT_EQ(c.log.level, LogLevel::info);
  EXPECT_EQ(c.log.format, LogFormat::text);
}

TEST(LoadDefaults, PeerAndInterfaceDefaults) {
  Config c = load_ok(
      "bgp:\n  peers:\n    - { address: 192.168.1.1, asn: 64512 }\n"
      "ospf:\n  interfaces:\n    - name: eth0\n");
  ASSERT_EQ(c.bgp.peers.size(), 1u);
  PeerConfig expected;
  expected.address = addr("192.168.1.1");
  expected.asn = 64512;
  EXPECT_EQ(c.bgp.peers[0], expected);
  EXPECT_EQ(c.bgp.peers[0].hold_time, std::chrono::seconds(90));
  EXPECT_EQ(c.bgp.peers[0].families, (std::vector<net::Family>{net::Family::ipv4, net::Family::ipv6}));
  EXPECT_EQ(c.bgp.peers[0].max_prefixes, 100000u);
  ASSERT_EQ(c.ospf.interfaces.size(), 1u);
  OspfInterfaceConfig iface;
  iface.name = "eth0";
  EXPECT_EQ(c.ospf.interfaces[0], iface);
}

// --- valid values ----------------------------------------------------------------------------

TEST(LoadValues, ReadsEveryKey) {
  Config c = load_ok(R"(
node: { name: worker-1, router_id: 10.0.0.5 }
advertise:
  service_cidrs: [10.96.0.0/12, "fd00:10:96::/112"]
  cluster_ips: all
  external_ips: [198.51.100.0/24, "2001:db8:5::/64"]
  load_balancer_ips: true
  annotation_communities: ["65000:*", no-export, "64513:1:*"]
  static: [192.0.2.0/24, 198.51.100.7]
  require_kube_proxy: false
  require_node_ready: false
  require_programmed: true
  withdraw_delay: 1m30s
bgp:
  enabled: false
  asn: 4294967295
  listen_port: 0
  peers:
    - address: "2001:db8::1"
      asn: 1
      port: 1179
      password_file: /etc/md5
      hold_time: 0s
      keepalive_time: 0s
      connect_retry: 1s
      multihop: 255
      ttl_security: true
      passive: true
      next_hop: "2001:db8::2"
      families: [ipv6]
      communities: ["65000:1", graceful-shutdown]
      large_communities: ["4200000000:1:2"]
      local_pref: 0
      med: 4294967295
      max_prefixes: 0
      graceful_restart: { enabled: false, restart_time: 4095s }
      graceful_shutdown: { enabled: false, drain_time: 0s }
ospf:
  enabled: true
  router_id: 10.0.0.6
  area: 0.0.0.1
  interfaces:
    - name: eth0
      network: point-to-point
      hello_interval: 1s
      dead_interval: 4s
      retransmit_interval: 2s
      priority: 255
      cost: 65535
      auth: { type: simple, key_id: 0, key: "12345678" }
  external: { metric: 16777215, metric_type: 1, tag: 4294967295 }
  max_external_lsas: 1
kubernetes:
  enabled: false
  kubeconfig: /root/.kube/config
  kube_proxy_healthz: https://127.0.0.1:10256/healthz
  kube_proxy_metrics: http://[::1]:10249
  resync: 10m
http: { listen: "" }
log: { level: trace, format: json }
)");
  EXPECT_EQ(c.node.name, "worker-1");
  EXPECT_EQ(c.node.router_id, addr("10.0.0.5"));
  EXPECT_EQ(c.advertise.service_cidrs, (std::vector<net::Prefix>{prefix("10.96.0.0/12"), prefix("fd00:10:96::/112")}));
  EXPECT_EQ(c.advertise.cluster_ips, ClusterIpMode::all);
  EXPECT_EQ(c.advertise.external_ips, AddressRanges::within({prefix("198.51.100.0/24"), prefix("2001:db8:5::/64")}));
  EXPECT_EQ(c.advertise.load_balancer_ips, AddressRanges::all());
  ASSERT_EQ(c.advertise.annotation_communities.size(), 3u);
  EXPECT_TRUE(c.advertise.annotation_communities[0].matches((65000u << 16) | 42));
  EXPECT_TRUE(c.advertise.annotation_communities[1].matches(0xFFFFFF01u));
  EXPECT_TRUE(c.advertise.annotation_communities[2].matches(net::LargeCommunity{64513, 1, 99}));
  EXPECT_EQ(c.advertise.static_prefixes, (std::vector<net::Prefix>{prefix("192.0.2.0/24"), prefix("198.51.100.7/32")}));
  EXPECT_TRUE(c.advertise.require_programmed);
  EXPECT_EQ(c.advertise.withdraw_delay, std::chrono::seconds(90));
  EXPECT_FALSE(c.bgp.enabled);
  EXPECT_EQ(c.bgp.asn, 4294967295u);
  EXPECT_EQ(c.bgp.listen_port, 0);
  const PeerConfig& p = c.bgp.peers.at(0);
  EXPECT_EQ(p.address, addr("2001:db8::1"));
  EXPECT_EQ(p.port, 1179);
  EXPECT_EQ(p.password_file, "/etc/md5");
  EXPECT_EQ(p.hold_time, Duration{0});
  EXPECT_EQ(p.multihop, 255);
  EXPECT_TRUE(p.ttl_security);
  EXPECT_TRUE(p.passive);
  EXPECT_EQ(p.next_hop, addr("2001:db8::2"));
  EXPECT_EQ(p.families, std::vector<net::Family>{net::Family::ipv6});
  EXPECT_EQ(p.communities, (std::vector<net::Community>{(65000u << 16) | 1u, 0xFFFF0000u}));
  EXPECT_EQ(p.large_communities, (std::vector<net::LargeCommunity>{{4200000000u, 1, 2}}));
  EXPECT_EQ(p.local_pref, 0u);
  EXPECT_EQ(p.med, 4294967295u);
  EXPECT_EQ(p.max_prefixes, 0u);  // no limit
  EXPECT_EQ(p.graceful_restart, (GracefulRestartConfig{false, std::chrono::seconds(4095)}));
  EXPECT_EQ(p.graceful_shutdown, (GracefulShutdownConfig{false, Duration{0}}));
  EXPECT_TRUE(c.ospf.enabled);
  EXPECT_EQ(c.ospf.router_id, addr("10.0.0.6"));
  EXPECT_EQ(c.ospf.area, addr("0.0.0.1"));
  const OspfInterfaceConfig& i = c.ospf.interfaces.at(0);
  EXPECT_EQ(i.network, OspfNetwork::point_to_point);
  EXPECT_EQ(i.hello_interval, std::chrono::seconds(1));
  EXPECT_EQ(i.dead_interval, std::chrono::seconds(4));
  EXPECT_EQ(i.retransmit_interval, std::chrono::seconds(2));
  EXPECT_EQ(i.priority, 255);
  EXPECT_EQ(i.cost, 65535);
  EXPECT_EQ(i.auth, (OspfAuthConfig{OspfAuthType::simple, 0, "12345678", ""}));
  EXPECT_EQ(c.ospf.external, (OspfExternalConfig{16777215, 1, 4294967295u}));
  EXPECT_EQ(c.ospf.max_external_lsas, 1u);
  EXPECT_FALSE(c.kubernetes.enabled);
  EXPECT_EQ(c.kubernetes.kubeconfig, "/root/.kube/config");
  EXPECT_EQ(c.kubernetes.kube_proxy_metrics, "http://[::1]:10249");
  EXPECT_EQ(c.kubernetes.resync, std::chrono::minutes(10));
  EXPECT_EQ(c.http.listen, "");
  EXPECT_EQ(c.log.level, LogLevel::trace);
  EXPECT_EQ(c.log.format, LogFormat::json);
}

TEST(LoadValues, BooleansInTheFormsYamlCppAccepts) {
  for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "on", "y"}) {
    SCOPED_TRACE(yes);
    EXPECT_TRUE(load_ok(std::string("advertise: { load_balancer_ips: ") + yes + " }").advertise.load_balancer_ips.any);
  }
  for (const char* no : {"false", "False", "no", "off", "n"}) {
    SCOPED_TRACE(no);
    EXPECT_FALSE(load_ok(std::string("bgp: { enabled: ") + no + " }").bgp.enabled);
  }
}

// Abuse resistance: tenants set externalIPs; `true` would let any of them attract any address.
TEST(LoadValues, ExternalIpsTrueIsRefusedAndSaysWhy) {
  auto errors = errors_of("advertise:\n  external_ips: true\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].starts_with("c.yaml:2:17: advertise.external_ips: true is not allowed: ")) << errors[0];
  EXPECT_NE(errors[0].find("any namespace user"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("list the ranges"), std::string::npos) << errors[0];
  EXPECT_FALSE(load_ok("advertise: { external_ips: false }").advertise.external_ips.allows_some());
  EXPECT_FALSE(load_ok("advertise: { load_balancer_ips: false }").advertise.load_balancer_ips.allows_some());
  EXPECT_EQ(load_ok("advertise: { load_balancer_ips: [192.0.2.0/28] }").advertise.load_balancer_ips,
            AddressRanges::within({prefix("192.0.2.0/28")}));
  EXPECT_EQ(errors_of("advertise: { external_ips: [192.0.2.0/33] }").size(), 1u);
  EXPECT_EQ(errors_of("advertise: { load_balancer_ips: maybe }"),
            std::vector<std::string>{"c.yaml:1:33: advertise.load_balancer_ips: expected true, false or a list of "
                                     "ranges like [198.51.100.0/24], got \"maybe\""});
  EXPECT_EQ(errors_of("advertise: { external_ips: 198.51.100.0/24 }"),
            std::vector<std::string>{"c.yaml:1:28: advertise.external_ips: expected false or a list of ranges like "
                                     "[198.51.100.0/24], got \"198.51.100.0/24\""});
}

TEST(LoadValues, AnnotationCommunitiesArePatterns) {
  EXPECT_TRUE(load_ok("advertise: {}").advertise.annotation_communities.empty());  // default: none
  EXPECT_EQ(errors_of("advertise:\n  annotation_communities: [\"65000:*\", \"65536:1\", \"1:2:3:4\", x]\n"),
            (std::vector<std::string>{
                "c.yaml:2:39: advertise.annotation_communities[1]: expected a community pattern like \"65000:*\", "
                "\"65000:100\", no-export or \"64513:1:*\", got \"65536:1\"",
                "c.yaml:2:50: advertise.annotation_communities[2]: expected a community pattern like \"65000:*\", "
                "\"65000:100\", no-export or \"64513:1:*\", got \"1:2:3:4\"",
                "c.yaml:2:61: advertise.annotation_communities[3]: expected a community pattern like \"65000:*\", "
                "\"65000:100\", no-export or \"64513:1:*\", got \"x\""}));
}

TEST(LoadValues, ServiceCidrsAutoOrList) {
  EXPECT_EQ(load_ok("advertise: { service_cidrs: auto }").advertise.service_cidrs, std::nullopt);
  // An empty list is "advertise no Service CIDR", not "discover".
  EXPECT_EQ(load_ok("advertise: { service_cidrs: [] }").advertise.service_cidrs, std::vector<net::Prefix>{});
  EXPECT_EQ(load_ok("advertise:\n  service_cidrs:\n    - 10.96.0.0/12\n").advertise.service_cidrs,
            std::vector<net::Prefix>{prefix("10.96.0.0/12")});
}

TEST(LoadValues, AutoAddresses) {
  Config c = load_ok("node: { router_id: auto }\nospf: { router_id: auto }\n"
                     "bgp: { peers: [ { address: 10.0.0.1, asn: 1, next_hop: auto } ] }");
  EXPECT_EQ(c.node.router_id, std::nullopt);
  EXPECT_EQ(c.ospf.router_id, std::nullopt);
  EXPECT_EQ(c.bgp.peers.at(0).next_hop, std::nullopt);
}

TEST(LoadValues, AreaAsPlainNumber) {
  EXPECT_EQ(load_ok("ospf: { area: 0 }").ospf.area, addr("0.0.0.0"));
  EXPECT_EQ(load_ok("ospf: { area: 258 }").ospf.area, addr("0.0.1.2"));
}

TEST(LoadValues, HttpListenForms) {
  for (const char* ok : {"\"\"", "127.0.0.1:9474", "0.0.0.0:1", "\"[::1]:9474\"", "\"[::]:65535\""}) {
    SCOPED_TRACE(ok);
    load_ok(std::string("http: { listen: ") + ok + " }");
  }
}

TEST(LoadValues, KeepaliveMayBeAnythingWhenHoldTimeIsZero) {
  load_ok("bgp: { peers: [ { address: 10.0.0.1, asn: 1, hold_time: 0s } ] }");
  load_ok("bgp: { peers: [ { address: 10.0.0.1, asn: 1, hold_time: 3s, keepalive_time: 1s } ] }");
}

TEST(LoadValues, Md5AndHmacAcceptKeyFile) {
  load_ok("ospf:\n  interfaces:\n    - name: eth0\n      auth: { type: md5, key: \"0123456789abcdef\" }\n"
          "    - name: eth1\n      auth: { type: hmac-sha-256, key_file: /etc/k }\n");
}

// --- errors ----------------------------------------------------------------------------------

struct ErrorCase {
  const char* yaml;
  const char* error;
};

void expect_single_errors(std::initializer_list<ErrorCase> cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    EXPECT_EQ(errors_of(c.yaml), std::vector<std::string>{c.error});
  }
}

TEST(LoadErrors, YamlSyntaxAtYamlCppsPosition) {
  expect_single_errors({
      {"bgp: [1\n", "c.yaml:2:1: (yaml): end of sequence flow not found"},
      {"a: b: c\n", "c.yaml:1:5: (yaml): illegal map value"},
      {"a: \"x\nb: c", "c.yaml:2:5: (yaml): illegal EOF in scalar"},
  });
}

TEST(LoadErrors, TopLevelMustBeAMapping) {
  expect_single_errors({
      {"- a\n- b\n", "c.yaml:1:1: (root): expected a mapping of sections (node, advertise, bgp, ...) at the top level"},
      {"just text\n", "c.yaml:1:1: (root): expected a mapping of sections (node, advertise, bgp, ...) at the top level"},
  });
}

TEST(LoadErrors, UnknownKeysAtEveryLevel) {
  expect_single_errors({
      {"bgpp: {}\n", "c.yaml:1:1: bgpp: unknown key; did you mean bgp?"},
      {"colour: red\n", "c.yaml:1:1: colour: unknown key"},
      {"node:\n  nmae: x\n", "c.yaml:2:3: node.nmae: unknown key; did you mean name?"},
      {"bgp:\n  peers:\n    - address: 10.0.0.1\n      asn: 1\n      hold_tme: 30s\n",
       "c.yaml:5:7: bgp.peers[0].hold_tme: unknown key; did you mean hold_time?"},
      {"bgp:\n  peers:\n    - address: 10.0.0.1\n      asn: 1\n      graceful_restart: { enable: true }\n",
       "c.yaml:5:27: bgp.peers[0].graceful_restart.enable: unknown key; did you mean enabled?"},
      {"ospf:\n  interfaces:\n    - name: eth0\n      auth: { kind: md5 }\n",
       "c.yaml:4:15: ospf.interfaces[0].auth.kind: unknown key"},
      {"advertise:\n  static_prefixes: []\n", "c.yaml:2:3: advertise.static_prefixes: unknown key"},
  });
}

TEST(LoadErrors, DuplicateKeys) {
  expect_single_errors({
      {"bgp:\n  asn: 1\n  asn: 2\n", "c.yaml:3:3: bgp.asn: duplicate key (first set on line 2)"},
      {"log: {}\nlog: {}\n", "c.yaml:2:1: log: duplicate key (first set on line 1)"},
  });
}

TEST(LoadErrors, WrongTypes) {
  expect_single_errors({
      {"bgp:\n  enabled: maybe\n", "c.yaml:2:12: bgp.enabled: expected true or false, got \"maybe\""},
      {"bgp:\n  enabled:\n", "c.yaml:2:3: bgp.enabled: expected true or false, got nothing"},
      {"bgp:\n  asn: { a: 1 }\n", "c.yaml:2:8: bgp.asn: expected a number, got a mapping"},
      {"bgp:\n  asn: 12x\n", "c.yaml:2:8: bgp.asn: expected a number, got \"12x\""},
      {"bgp: 5\n", "c.yaml:1:6: bgp: expected a mapping, got a scalar"},
      {"bgp:\n  peers: {}\n", "c.yaml:2:10: bgp.peers: expected a list of peers, got a mapping"},
      {"bgp:\n  peers: [5]\n", "c.yaml:2:11: bgp.peers[0]: expected a mapping, got a scalar"},
      {"node:\n  name: [a]\n", "c.yaml:2:9: node.name: expected a string, got a list"},
      {"advertise:\n  static: 10.0.0.0/8\n", "c.yaml:2:11: advertise.static: expected a list of prefixes, got a scalar"},
      {"advertise:\n  withdraw_delay: 5\n",
       "c.yaml:2:19: advertise.withdraw_delay: expected a duration like 90s, 500ms or 1m30s, got \"5\" (add a unit)"},
      {"kubernetes:\n  resync: -1s\n",
       "c.yaml:2:11: kubernetes.resync: expected a duration like 90s, 500ms or 1m30s, got \"-1s\""},
      {"node:\n  ? [a]\n  : 1\n", "c.yaml:2:5: node: a key must be a plain name, got a list"},
  });
}

TEST(LoadErrors, Prefixes) {
  expect_single_errors({
      {"advertise:\n  service_cidrs: [10.96.0.1/12]\n",
       "c.yaml:2:19: advertise.service_cidrs[0]: 10.96.0.1/12 has host bits set; did you mean 10.96.0.0/12?"},
      {"advertise:\n  static:\n    - \"fd00::1/64\"\n",
       "c.yaml:3:7: advertise.static[0]: fd00::1/64 has host bits set; did you mean fd00::/64?"},
      {"advertise:\n  static: [10.0.0.0/33]\n",
       "c.yaml:2:12: advertise.static[0]: expected a prefix like 10.96.0.0/12, got \"10.0.0.0/33\""},
      {"advertise:\n  static: [10.0.0.0/8, 10.0.0.0/8]\n",
       "c.yaml:2:24: advertise.static[1]: 10.0.0.0/8 is listed twice"},
      {"advertise:\n  service_cidrs: discover\n",
       "c.yaml:2:18: advertise.service_cidrs: expected auto or a list of prefixes, got \"discover\""},
  });
}

TEST(LoadErrors, RepeatedPrefixesInALongListAtEachLaterPosition) {
  // Duplicates are found by sorting: every occurrence after the first is reported where it is,
  // in file order, and an unreadable item is reported once.
  std::string yaml = "advertise:\n  static:\n";
  for (int i = 0; i < 1000; ++i) yaml += "    - 10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "/32\n";
  yaml += "    - 10.1.0.7/32\n    - bad\n    - 10.1.0.7/32\n    - 10.1.3.231/32\n";
  EXPECT_EQ(errors_of(yaml), (std::vector<std::string>{
                                 "c.yaml:1003:7: advertise.static[1000]: 10.1.0.7/32 is listed twice",
                                 "c.yaml:1004:7: advertise.static[1001]: expected a prefix like 10.96.0.0/12, got \"bad\"",
                                 "c.yaml:1005:7: advertise.static[1002]: 10.1.0.7/32 is listed twice",
                                 "c.yaml:1006:7: advertise.static[1003]: 10.1.3.231/32 is listed twice",
                             }));
  yaml.resize(yaml.find("    - 10.1.0.7/32\n    - bad"));
  auto c = load_ok(yaml);
  ASSERT_EQ(c.advertise.static_prefixes.size(), 1000u);
  EXPECT_EQ(c.advertise.static_prefixes.front(), *net::Prefix::parse("10.1.0.0/32"));
  EXPECT_EQ(c.advertise.static_prefixes.back(), *net::Prefix::parse("10.1.3.231/32"));
}

TEST(LoadErrors, Addresses) {
  expect_single_errors({
      {"node:\n  router_id: 0.0.0.0\n",
       "c.yaml:2:14: node.router_id: 0.0.0.0 is not a valid router ID; use auto or a real address"},
      {"ospf:\n  router_id: \"fd00::1\"\n",
       "c.yaml:2:14: ospf.router_id: expected auto or an IPv4 address, got \"fd00::1\""},
      {"bgp:\n  peers:\n    - { address: 10.0.0.256, asn: 1 }\n",
       "c.yaml:3:18: bgp.peers[0].address: expected an IP address, got \"10.0.0.256\""},
      {"bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1, next_hop: 0.0.0.0 }\n",
       "c.yaml:3:46: bgp.peers[0].next_hop: 0.0.0.0 is not a usable address"},
      {"bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1, next_hop: gateway }\n",
       "c.yaml:3:46: bgp.peers[0].next_hop: expected auto or an IP address, got \"gateway\""},
      {"ospf:\n  area: 1.2.3\n", "c.yaml:2:9: ospf.area: expected an area ID like 0.0.0.0 or 0, got \"1.2.3\""},
  });
}

TEST(LoadErrors, NumberRanges) {
  const char* peer = "bgp:\n  peers:\n    - address: 10.0.0.1\n      asn: 1\n";
  auto in_peer = [&](const char* line) { return std::string(peer) + "      " + line + "\n"; };
  expect_single_errors({
      {"bgp:\n  asn: 0\n", "c.yaml:2:8: bgp.asn: must be between 1 and 4294967295, got 0"},
      {"bgp:\n  asn: 4294967296\n", "c.yaml:2:8: bgp.asn: must be between 1 and 4294967295, got 4294967296"},
      {"bgp:\n  asn: -1\n", "c.yaml:2:8: bgp.asn: must be between 1 and 4294967295, got -1"},
      {"bgp:\n  listen_port: 65536\n", "c.yaml:2:16: bgp.listen_port: must be between 0 and 65535, got 65536"},
      {"ospf:\n  max_external_lsas: 0\n",
       "c.yaml:2:22: ospf.max_external_lsas: must be between 1 and 4294967295, got 0"},
      {"ospf:\n  external: { metric: 16777216 }\n",
       "c.yaml:2:23: ospf.external.metric: must be between 0 and 16777215, got 16777216"},
      {"ospf:\n  external: { metric_type: 3 }\n", "c.yaml:2:28: ospf.external.metric_type: must be 1 or 2, got 3"},
  });
  for (auto [line, error] : std::initializer_list<std::pair<const char*, const char*>>{
           {"port: 0", "c.yaml:5:13: bgp.peers[0].port: must be between 1 and 65535, got 0"},
           {"multihop: 0", "c.yaml:5:17: bgp.peers[0].multihop: must be between 1 and 255, got 0"},
           {"multihop: 256", "c.yaml:5:17: bgp.peers[0].multihop: must be between 1 and 255, got 256"},
           {"local_pref: 4294967296", "c.yaml:5:19: bgp.peers[0].local_pref: must be between 0 and 4294967295, got 4294967296"},
           {"max_prefixes: 4294967296",
            "c.yaml:5:21: bgp.peers[0].max_prefixes: must be between 0 and 4294967295, got 4294967296"},
           {"max_prefixes: -5", "c.yaml:5:21: bgp.peers[0].max_prefixes: must be between 0 and 4294967295, got -5"},
           {"max_prefixes: lots", "c.yaml:5:21: bgp.peers[0].max_prefixes: expected a number, got \"lots\""},
           {"asn: 0", "c.yaml:5:7: bgp.peers[0].asn: duplicate key (first set on line 4)"},
       }) {
    SCOPED_TRACE(line);
    EXPECT_EQ(errors_of(in_peer(line)), std::vector<std::string>{error});
  }
  const char* iface = "ospf:\n  interfaces:\n    - name: eth0\n";
  for (auto [line, error] : std::initializer_list<std::pair<const char*, const char*>>{
           {"priority: 256", "c.yaml:4:17: ospf.interfaces[0].priority: must be between 0 and 255, got 256"},
           {"cost: 0", "c.yaml:4:13: ospf.interfaces[0].cost: must be between 1 and 65535, got 0"},
           {"cost: 65536", "c.yaml:4:13: ospf.interfaces[0].cost: must be between 1 and 65535, got 65536"},
           {"auth: { key_id: 256 }", "c.yaml:4:23: ospf.interfaces[0].auth.key_id: must be between 0 and 255, got 256"},
       }) {
    SCOPED_TRACE(line);
    EXPECT_EQ(errors_of(std::string(iface) + "      " + line + "\n"), std::vector<std::string>{error});
  }
}

TEST(LoadErrors, BgpTimers) {
  auto peer = [](const char* rest) {
    return std::string("bgp:\n  peers:\n    - address: 10.0.0.1\n      asn: 1\n") + rest;
  };
  struct Case {
    std::string yaml;
    const char* error;
  };
  for (const auto& c : std::initializer_list<Case>{
           {peer("      hold_time: 2s\n"),
            "c.yaml:5:18: bgp.peers[0].hold_time: must be 0s or between 3s and 65535s, got 2s"},
           {peer("      hold_time: 65536s\n"),
            "c.yaml:5:18: bgp.peers[0].hold_time: must be 0s or between 3s and 65535s, got 65536s"},
           {peer("      hold_time: 3500ms\n"), "c.yaml:5:18: bgp.peers[0].hold_time: must be whole seconds, got 3500ms"},
           // The default keepalive (30s) does not fit under this hold time: point at hold_time.
           {peer("      hold_time: 20s\n"),
            "c.yaml:5:18: bgp.peers[0].hold_time: keepalive_time (30s) must be less than hold_time (20s)"},
           {peer("      keepalive_time: 90s\n"),
            "c.yaml:5:23: bgp.peers[0].keepalive_time: keepalive_time (90s) must be less than hold_time (90s)"},
           {peer("      keepalive_time: 0s\n"),
            "c.yaml:5:23: bgp.peers[0].keepalive_time: must be at least 1s when hold_time is not 0s, got 0s"},
           {peer("      keepalive_time: 500ms\n"),
            "c.yaml:5:23: bgp.peers[0].keepalive_time: must be at least 1s when hold_time is not 0s, got 500ms"},
           {peer("      connect_retry: 0s\n"), "c.yaml:5:22: bgp.peers[0].connect_retry: must be at least 1s, got 0s"},
           {peer("      graceful_restart: { restart_time: 4096s }\n"),
            "c.yaml:5:41: bgp.peers[0].graceful_restart.restart_time: must be between 0s and 4095s, got 4096s"},
           {peer("      graceful_shutdown: { drain_time: soon }\n"),
            "c.yaml:5:40: bgp.peers[0].graceful_shutdown.drain_time: expected a duration like 90s, 500ms or 1m30s, got \"soon\""},
       }) {
    SCOPED_TRACE(c.yaml);
    EXPECT_EQ(errors_of(c.yaml), std::vector<std::string>{c.error});
  }
}

TEST(LoadErrors, OspfTimers) {
  auto iface = [](const char* rest) { return std::string("ospf:\n  interfaces:\n    - name: eth0\n") + rest; };
  struct Case {
    std::string yaml;
    const char* error;
  };
  for (const auto& c : std::initializer_list<Case>{
           {iface("      hello_interval: 0s\n"),
            "c.yaml:4:23: ospf.interfaces[0].hello_interval: must be between 1s and 65535s, got 0s"},
           {iface("      hello_interval: 1500ms\n"),
            "c.yaml:4:23: ospf.interfaces[0].hello_interval: must be whole seconds, got 1500ms"},
           {iface("      hello_interval: 65536s\n"),
            "c.yaml:4:23: ospf.interfaces[0].hello_interval: must be between 1s and 65535s, got 65536s"},
           {iface("      dead_interval: 10s\n"),
            "c.yaml:4:22: ospf.interfaces[0].dead_interval: dead_interval (10s) must be greater than hello_interval (10s)"},
           // The default dead interval (40s) is not above this hello: point at hello_interval.
           {iface("      hello_interval: 40s\n"),
            "c.yaml:4:23: ospf.interfaces[0].hello_interval: dead_interval (40s) must be greater than hello_interval (40s)"},
           {iface("      retransmit_interval: 0s\n"),
            "c.yaml:4:28: ospf.interfaces[0].retransmit_interval: must be between 1s and 65535s, got 0s"},
       }) {
    SCOPED_TRACE(c.yaml);
    EXPECT_EQ(errors_of(c.yaml), std::vector<std::string>{c.error});
  }
}

TEST(LoadValues, BfdForPeersAndInterfaces) {
  auto c = load_ok(
      "bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1, bfd: { enabled: true, min_rx: 50ms, min_tx: 1s, multiplier: 5 } }\n"
      "    - { address: 10.0.0.2, asn: 1 }\n"
      "ospf:\n  interfaces:\n    - { name: eth0, bfd: { enabled: true } }\n");
  EXPECT_EQ(c.bgp.peers[0].bfd, (BfdConfig{true, Duration{50}, Duration{1000}, 5}));
  EXPECT_EQ(c.bgp.peers[1].bfd, BfdConfig{});  // off by default, 300 ms x 3 once enabled
  EXPECT_EQ(c.ospf.interfaces[0].bfd, (BfdConfig{true, Duration{300}, Duration{300}, 3}));
}

TEST(LoadErrors, Bfd) {
  auto peer = [](const char* bfd) {
    return std::string("bgp:\n  peers:\n    - address: 10.0.0.1\n      asn: 1\n      bfd: ") + bfd + "\n";
  };
  struct Case {
    std::string yaml;
    const char* error;
  };
  for (const auto& c : std::initializer_list<Case>{
           {peer("{ min_rx: 5ms }"), "c.yaml:5:22: bgp.peers[0].bfd.min_rx: must be between 10ms and 60s, got 5ms"},
           {peer("{ min_tx: 61s }"), "c.yaml:5:22: bgp.peers[0].bfd.min_tx: must be between 10ms and 60s, got 61s"},
           {peer("{ multiplier: 0 }"), "c.yaml:5:26: bgp.peers[0].bfd.multiplier: must be between 1 and 255, got 0"},
           {peer("{ echo: true }"), "c.yaml:5:14: bgp.peers[0].bfd.echo: unknown key"},
       }) {
    SCOPED_TRACE(c.yaml);
    EXPECT_EQ(errors_of(c.yaml), std::vector<std::string>{c.error});
  }
}

TEST(LoadErrors, Enums) {
  expect_single_errors({
      {"advertise:\n  cluster_ips: some\n",
       "c.yaml:2:16: advertise.cluster_ips: expected none, annotated or all, got \"some\""},
      {"log:\n  level: verbose\n", "c.yaml:2:10: log.level: expected trace, debug, info, warn or error, got \"verbose\""},
      {"log:\n  format: [json]\n", "c.yaml:2:11: log.format: expected text or json, got a list"},
      {"ospf:\n  interfaces:\n    - { name: eth0, network: nbma }\n",
       "c.yaml:3:30: ospf.interfaces[0].network: expected broadcast or point-to-point, got \"nbma\""},
      {"ospf:\n  interfaces:\n    - { name: eth0, auth: { type: sha1 } }\n",
       "c.yaml:3:35: ospf.interfaces[0].auth.type: expected none, simple, md5 or hmac-sha-256, got \"sha1\""},
  });
}

TEST(LoadErrors, Families) {
  auto peer = [](const char* families) {
    return std::string("bgp:\n  peers:\n    - address: 10.0.0.1\n      asn: 1\n      families: ") + families + "\n";
  };
  EXPECT_EQ(errors_of(peer("[]")),
            std::vector<std::string>{"c.yaml:5:17: bgp.peers[0].families: list at least one family (ipv4, ipv6)"});
  EXPECT_EQ(errors_of(peer("[ipv4, ipv4]")),
            std::vector<std::string>{"c.yaml:5:24: bgp.peers[0].families[1]: ipv4 is listed twice"});
  EXPECT_EQ(errors_of(peer("[ipv4, l2vpn]")),
            std::vector<std::string>{"c.yaml:5:24: bgp.peers[0].families[1]: expected ipv4 or ipv6, got \"l2vpn\""});
  EXPECT_EQ(errors_of(peer("ipv4")),
            std::vector<std::string>{"c.yaml:5:17: bgp.peers[0].families: expected a list of families (ipv4, ipv6), got a scalar"});
}

TEST(LoadErrors, Communities) {
  auto peer = [](const char* rest) {
    return std::string("bgp:\n  peers:\n    - address: 10.0.0.1\n      asn: 1\n      ") + rest + "\n";
  };
  EXPECT_EQ(errors_of(peer("communities: [\"65536:1\", no-exprt]")),
            (std::vector<std::string>{
                "c.yaml:5:21: bgp.peers[0].communities[0]: expected a community like \"65000:1\" or no-export (each half 0..65535), got \"65536:1\"",
                "c.yaml:5:32: bgp.peers[0].communities[1]: expected a community like \"65000:1\" or no-export (each half 0..65535), got \"no-exprt\""}));
  EXPECT_EQ(errors_of(peer("large_communities: [\"1:2\"]")),
            std::vector<std::string>{
                "c.yaml:5:27: bgp.peers[0].large_communities[0]: expected a large community like \"65000:1:2\" (each part 0..4294967295), got \"1:2\""});
}

TEST(LoadErrors, Peers) {
  expect_single_errors({
      {"bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1 }\n    - { address: 10.0.0.1, asn: 2 }\n",
       "c.yaml:4:18: bgp.peers[1].address: duplicate peer 10.0.0.1 (also bgp.peers[0])"},
      {"bgp:\n  peers:\n    - { address: 0.0.0.0, asn: 1 }\n",
       "c.yaml:3:18: bgp.peers[0].address: 0.0.0.0 is not a usable peer address"},
      {"bgp:\n  peers:\n    - asn: 1\n", "c.yaml:3:7: bgp.peers[0].address: missing required key"},
      {"bgp:\n  peers: [~]\n", "c.yaml:2:11: bgp.peers[0]: expected a peer (a mapping), got nothing"},
      {"ospf:\n  interfaces: [~]\n", "c.yaml:2:16: ospf.interfaces[0]: expected an interface (a mapping), got nothing"},
      {"bgp:\n  peers:\n    - address: 10.0.0.1\n", "c.yaml:3:7: bgp.peers[0].asn: missing required key"},
      {"bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1, password: a, password_file: /b }\n",
       "c.yaml:3:64: bgp.peers[0].password_file: set password or password_file, not both"},
  });
  std::string long_password(81, 'x');
  EXPECT_EQ(errors_of("bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1, password: " + long_password + " }\n"),
            std::vector<std::string>{"c.yaml:3:46: bgp.peers[0].password: a TCP MD5 password is at most 80 bytes, got 81"});
}

TEST(LoadErrors, OspfInterfacesAndAuth) {
  expect_single_errors({
      {"ospf:\n  enabled: true\n", "c.yaml:2:12: ospf.interfaces: ospf is enabled but no interface is listed"},
      {"ospf:\n  enabled: true\n  interfaces: []\n",
       "c.yaml:3:15: ospf.interfaces: ospf is enabled but no interface is listed"},
      {"ospf:\n  interfaces:\n    - { name: eth0 }\n    - { name: eth0 }\n",
       "c.yaml:4:15: ospf.interfaces[1].name: interface eth0 is listed twice (also ospf.interfaces[0])"},
      {"ospf:\n  interfaces:\n    - { cost: 1 }\n", "c.yaml:3:7: ospf.interfaces[0].name: missing required key"},
      {"ospf:\n  interfaces:\n    - { name: \"\" }\n",
       "c.yaml:3:15: ospf.interfaces[0].name: an interface name must not be empty"},
      {"ospf:\n  interfaces:\n    - name: eth0\n      auth: { type: md5 }\n",
       "c.yaml:4:13: ospf.interfaces[0].auth.key: md5 authentication needs key or key_file"},
      {"ospf:\n  interfaces:\n    - name: eth0\n      auth: { type: hmac-sha-256, key: \"\" }\n",
       "c.yaml:4:13: ospf.interfaces[0].auth.key: hmac-sha-256 authentication needs key or key_file"},
      {"ospf:\n  interfaces:\n    - name: eth0\n      auth: { type: simple, key: \"123456789\" }\n",
       "c.yaml:4:34: ospf.interfaces[0].auth.key: simple authentication takes a key of at most 8 bytes, got 9"},
      {"ospf:\n  interfaces:\n    - name: eth0\n      auth: { type: md5, key: \"0123456789abcdefg\" }\n",
       "c.yaml:4:31: ospf.interfaces[0].auth.key: md5 authentication takes a key of at most 16 bytes, got 17"},
      {"ospf:\n  interfaces:\n    - name: eth0\n      auth: { type: md5, key: a, key_file: /b }\n",
       "c.yaml:4:44: ospf.interfaces[0].auth.key_file: set key or key_file, not both"},
  });
}

TEST(LoadErrors, HttpListenAndUrls) {
  for (const char* bad : {"\"::1:80\"", "localhost:80", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "\"[::1]\"",
                          "\"[10.0.0.1]:80\"", "127.0.0.1:http", "\"127.0.0.1: 80\""}) {
    SCOPED_TRACE(bad);
    auto errors = errors_of(std::string("http:\n  listen: ") + bad + "\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_TRUE(errors[0].starts_with("c.yaml:2:11: http.listen: expected \"\" or ADDRESS:PORT like 127.0.0.1:9474 or [::1]:9474, got "))
        << errors[0];
  }
  expect_single_errors({
      {"kubernetes:\n  kube_proxy_healthz: ftp://x\n",
       "c.yaml:2:23: kubernetes.kube_proxy_healthz: expected an http:// or https:// URL, got \"ftp://x\""},
  });
}

TEST(LoadErrors, ManyErrorsAtOnceInFileOrder) {
  auto errors = errors_of(R"(log:
  level: loud
bgp:
  asn: 0
  peers:
    - address: 10.0.0.1
      asn: 1
      hold_time: 1s
    - address: 10.0.0.1
      asn: 2
advertise:
  static: [10.0.0.1/8]
  bogus: 1
)");
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "c.yaml:2:10: log.level: expected trace, debug, info, warn or error, got \"loud\"",
                        "c.yaml:4:8: bgp.asn: must be between 1 and 4294967295, got 0",
                        "c.yaml:8:18: bgp.peers[0].hold_time: must be 0s or between 3s and 65535s, got 1s",
                        "c.yaml:9:16: bgp.peers[1].address: duplicate peer 10.0.0.1 (also bgp.peers[0])",
                        "c.yaml:12:12: advertise.static[0]: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?",
                        "c.yaml:13:3: advertise.bogus: unknown key",
                    }))
      << joined(errors);
}

TEST(LoadErrors, StructuredFields) {
  auto r = load_config_string("bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1, port: 0 }\n", "/etc/c.yaml");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0], (ConfigError{"/etc/c.yaml", 3, 42, "bgp.peers[0].port", "must be between 1 and 65535, got 0"}));
}

// --- files -----------------------------------------------------------------------------------

class LoadFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const char* name, const std::string& text) {
    auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(LoadFile, ReadsAFile) {
  auto path = write("ok.yaml", "bgp:\n  asn: 65001\n");
  auto r = load_config_file(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bgp.asn, 65001u);
}

TEST_F(LoadFile, ErrorsNameTheFile) {
  auto path = write("bad.yaml", "bgp:\n  asn: 0\n");
  auto r = load_config_file(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().at(0).to_string(), path + ":2:8: bgp.asn: must be between 1 and 4294967295, got 0");
}

TEST_F(LoadFile, MissingFile) {
  auto path = (dir_ / "absent.yaml").string();
  auto r = load_config_file(path);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(), path + ":0:0: (file): cannot read: No such file or directory");
}

TEST_F(LoadFile, DirectoryIsNotAFile) {
  auto r = load_config_file(dir_.string());
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(), dir_.string() + ":0:0: (file): cannot read: Is a directory");
}

TEST_F(LoadFile, StaticFileBesideTheConfig) {
  write("routes.txt", "# two\n10.96.0.1/32\n10.96.0.2/32\n");
  auto r = load_config_file(write("c.yaml", "advertise:\n  static_file: routes.txt\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->advertise.static_file, "routes.txt");
  EXPECT_EQ(r->advertise.static_file_prefixes,
            (std::vector<net::Prefix>{*net::Prefix::parse("10.96.0.1/32"), *net::Prefix::parse("10.96.0.2/32")}));
}

TEST_F(LoadFile, StaticFileErrorsAfterTheConfigs) {
  auto list = write("routes.txt", "10.96.0.1/32\nnot-a-prefix\n");
  auto path = write("c.yaml", "advertise:\n  static_file: routes.txt\nbgp:\n  asn: 0\n");
  auto r = load_config_file(path);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 2u);
  EXPECT_EQ(r.error()[0].to_string(), path + ":4:8: bgp.asn: must be between 1 and 4294967295, got 0");
  EXPECT_EQ(r.error()[1].to_string(),
            list + ":2:1: advertise.static_file: expected a prefix like 10.96.0.0/12, got \"not-a-prefix\"");
}

TEST_F(LoadFile, MissingStaticFilePointsAtTheKey) {
  auto path = write("c.yaml", "advertise:\n  static_file: absent.txt\n");
  auto r = load_config_file(path);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(), path + ":2:16: advertise.static_file: " + (dir_ / "absent.txt").string() +
                                          ": cannot read: No such file or directory");
}

TEST_F(LoadFile, EmptyFileGivesDefaults) {
  auto r = load_config_file(write("empty.yaml", ""));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, Config{});
}

// --- zero-config keys: address: gateway, node_selector, service_selector, kubernetes.events ----

TEST(LoadZeroConfig, GatewayPeerAndNodeSelector) {
  auto c = load_ok(
      "bgp:\n  peers:\n"
      "    - { address: gateway, asn: 64512 }\n"
      "    - { address: gateway, asn: 64512, families: [ipv6] }\n"
      "    - { address: 10.0.0.1, asn: 64512, node_selector: { rack: r1, \"topology.kubernetes.io/zone\": z1 } }\n"
      "    - { address: 10.0.0.1, asn: 64512, node_selector: { rack: r2 } }\n");
  ASSERT_EQ(c.bgp.peers.size(), 4u);
  EXPECT_TRUE(c.bgp.peers[0].gateway);
  EXPECT_EQ(c.bgp.peers[0].address, addr("0.0.0.0"));
  EXPECT_EQ(gateway_family(c.bgp.peers[0]), net::Family::ipv4);
  EXPECT_EQ(peer_name(c.bgp.peers[0]), "gateway (IPv4)");
  EXPECT_EQ(peer_name(c.bgp.peers[1]), "gateway (IPv6)");
  EXPECT_EQ(c.bgp.peers[1].address, addr("::"));
  EXPECT_FALSE(c.bgp.peers[2].gateway);
  EXPECT_EQ(c.bgp.peers[2].node_selector,
            (std::map<std::string, std::string>{{"rack", "r1"}, {"topology.kubernetes.io/zone", "z1"}}));
  EXPECT_EQ(c.bgp.peers[3].node_selector, (std::map<std::string, std::string>{{"rack", "r2"}}));
}

TEST(LoadZeroConfig, Errors) {
  expect_single_errors({
      {"bgp:\n  peers:\n    - { address: gateway, asn: 1 }\n    - { address: gateway, asn: 2 }\n",
       "c.yaml:4:18: bgp.peers[1].address: duplicate peer gateway (IPv4) (also bgp.peers[0])"},
      {"bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1, node_selector: [rack] }\n",
       "c.yaml:3:51: bgp.peers[0].node_selector: expected a mapping of labels like { rack: r1 }"},
      {"bgp:\n  peers:\n    - { address: 10.0.0.1, asn: 1, node_selector: { rack: [r1] } }\n",
       "c.yaml:3:59: bgp.peers[0].node_selector.rack: expected a string, got a list"},
      {"advertise:\n  service_selector: \"tier in (web\"\n",
       "c.yaml:2:21: advertise.service_selector: bad label selector \"tier in (web\": expected ')' to close the set "
       "of values at character 13"},
      {"kubernetes:\n  events: maybe\n", "c.yaml:2:11: kubernetes.events: expected true or false, got \"maybe\""},
  });
}

TEST(LoadZeroConfig, ServiceSelectorAndEvents) {
  auto c = load_ok("advertise:\n  service_selector: \"expose=true,tier in (web,api)\"\nkubernetes:\n  events: true\n");
  EXPECT_EQ(c.advertise.service_selector.text, "expose=true,tier in (web,api)");
  EXPECT_EQ(c.advertise.service_selector.requirements.size(), 2u);
  EXPECT_TRUE(c.kubernetes.events);
  // The printed config loads back to the same values.
  auto again = load_ok(to_yaml(c));
  EXPECT_EQ(again, c);
}

TEST(LoadZeroConfig, PrintedGatewayPeerLoadsBack) {
  auto c = load_ok("bgp:\n  peers:\n    - { address: gateway, asn: 64512, node_selector: { rack: \"1\" } }\n");
  const auto text = to_yaml(c);
  EXPECT_NE(text.find("    - address: gateway\n      asn: 64512\n      node_selector: { rack: \"1\" }\n"), std::string::npos) << text;
  EXPECT_EQ(load_ok(text), c);
}

}  // namespace
}  // namespace config

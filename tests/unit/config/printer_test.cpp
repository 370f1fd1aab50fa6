#include <gtest/gtest.h>

#include "config/config.hpp"

namespace config {
namespace {

Config reload(const Config& c) {
  auto text = to_yaml(c);
  auto r = load_config_string(text, "printed.yaml");
  if (!r) {
    std::string lines;
    for (const auto& e : r.error()) lines += e.to_string() + "\n";
    ADD_FAILURE() << "printed config does not load:\n" << lines << "\n" << text;
    return {};
  }
  return *r;
}

TEST(ToYaml, DefaultsInTheContractsOrder) {
  EXPECT_EQ(to_yaml(Config{}), R"(node:
  name: ""
  router_id: auto
advertise:
  service_cidrs: auto
  cluster_ips: annotated
  external_ips: false
  load_balancer_ips: false
  annotation_communities: []
  service_selector: ""
  static: []
  static_file: ""
  require_kube_proxy: true
  require_node_ready: true
  require_programmed: false
  withdraw_delay: 0s
bgp:
  enabled: true
  asn: 64513
  listen_port: 179
  peers: []
ospf:
  enabled: false
  router_id: auto
  area: 0.0.0.0
  interfaces: []
  external: { metric: 20, metric_type: 2, tag: 0 }
  max_external_lsas: 1000
kubernetes:
  enabled: true
  kubeconfig: ""
  kube_proxy_healthz: "http://127.0.0.1:10256/healthz"
  kube_proxy_metrics: "http://127.0.0.1:10249"
  resync: 0s
  events: false
http:
  listen: "127.0.0.1:9474"
log:
  level: info
  format: text
)");
}

TEST(ToYaml, DefaultsRoundTrip) { EXPECT_EQ(reload(Config{}), Config{}); }

const char* kFull = R"(
node: { name: worker-1, router_id: 10.0.0.5 }
advertise:
  service_cidrs: [10.96.0.0/12, "fd00:10:96::/112"]
  cluster_ips: none
  external_ips: [198.51.100.0/24]
  load_balancer_ips: true
  annotation_communities: ["65000:*", no-export, "64513:1:*"]
  static: [192.0.2.0/24, "2001:db8::/48", 198.51.100.7/32]
  require_kube_proxy: false
  require_node_ready: false
  require_programmed: true
  withdraw_delay: 1500ms
bgp:
  enabled: false
  asn: 4200000000
  listen_port: 0
  peers:
    - address: 192.168.1.1
      asn: 64512
      port: 1179
      password: "s3cr\"et: #1 \\ x"
      hold_time: 30s
      keepalive_time: 10s
      connect_retry: 1m
      multihop: 2
      ttl_security: true
      passive: true
      next_hop: 192.168.1.10
      families: [ipv4]
      communities: ["65000:1", no-export, no-advertise, no-export-subconfed, graceful-shutdown, blackhole, "0:0"]
      large_communities: ["65000:1:2", "4294967295:0:4294967295"]
      local_pref: 200
      med: 5
      max_prefixes: 7
      graceful_restart: { enabled: false, restart_time: 0s }
      graceful_shutdown: { enabled: false, drain_time: 250ms }
      bfd: { enabled: true, min_rx: 50ms, min_tx: 1s, multiplier: 1 }
    - address: "fe80::1"
      asn: 64514
      password_file: /etc/secret
      hold_time: 0s
      keepalive_time: 0s
      next_hop: "2001:db8::99"
      families: [ipv6, ipv4]
ospf:
  enabled: true
  router_id: 10.0.0.6
  area: 0.0.0.1
  interfaces:
    - name: eth0
      network: point-to-point
      hello_interval: 5s
      dead_interval: 20s
      retransmit_interval: 3500ms
      priority: 1
      cost: 100
      auth: { type: md5, key_id: 7, key: "0123456789abcdef" }
      bfd: { enabled: true, min_rx: 10ms, min_tx: 60s, multiplier: 255 }
    - name: "0"
      auth: { type: hmac-sha-256, key_id: 0, key_file: /etc/ospf.key }
    - name: "yes"
      auth: { type: simple, key: "" }
  external: { metric: 16777215, metric_type: 1, tag: 42 }
  max_external_lsas: 5
kubernetes:
  enabled: false
  kubeconfig: "/root/my kube/config"
  kube_proxy_healthz: https://10.0.0.1:10256/healthz
  kube_proxy_metrics: http://[::1]:10249
  resync: 10m
http:
  listen: "[::1]:9000"
log:
  level: error
  format: json
)";

// Inline secrets print as their length only; a config with them in files round-trips whole.
Config with_secrets_in_files(Config c) {
  for (auto& p : c.bgp.peers)
    if (!p.password.empty()) p.password.clear(), p.password_file = "/etc/md5.key";
  for (auto& i : c.ospf.interfaces)
    if (!i.auth.key.empty()) i.auth.key.clear(), i.auth.key_file = "/etc/ospf.key";
  return c;
}

TEST(ToYaml, FullConfigRoundTrips) {
  auto loaded = load_config_string(kFull, "full.yaml");
  ASSERT_TRUE(loaded);
  auto first = std::optional<Config>(with_secrets_in_files(*loaded));
  ASSERT_NE(*first, Config{});
  EXPECT_EQ(reload(*first), *first);
  // Printing is stable: the printed form prints to itself.
  EXPECT_EQ(to_yaml(reload(*first)), to_yaml(*first));
}

TEST(ToYaml, EmptyServiceCidrListStaysDistinctFromAuto) {
  Config c;
  c.advertise.service_cidrs = std::vector<net::Prefix>{};
  EXPECT_NE(to_yaml(c).find("  service_cidrs: []\n"), std::string::npos);
  EXPECT_EQ(reload(c), c);
}

TEST(ToYaml, FreeTextIsQuotedWhenYamlWouldMisreadIt) {
  Config c;
  for (std::string name : {"worker-1", "123", "0x1f", "1e3", "true", "no", "null", "~", "-dash", "a: b", "#hash",
                           "tab\there", "line\nbreak", "quote\"back\\slash", "ünïcode", "[x]", "{y}", "*star", "&amp"}) {
    SCOPED_TRACE(name);
    c.node.name = name;
    c.bgp.peers = {PeerConfig{}};
    c.bgp.peers[0].address = *net::Address::parse("10.0.0.1");
    c.bgp.peers[0].asn = 1;
    c.bgp.peers[0].password_file = name;
    EXPECT_EQ(reload(c), c);
  }
  c.node.name = "123";
  EXPECT_NE(to_yaml(c).find("  name: \"123\"\n"), std::string::npos);
  c.node.name = "worker-1";
  EXPECT_NE(to_yaml(c).find("  name: worker-1\n"), std::string::npos);
}

TEST(ToYaml, PeerBlockShape) {
  Config c;
  PeerConfig p;
  p.address = *net::Address::parse("192.168.1.1");
  p.asn = 64512;
  p.communities = {(65000u << 16) | 1u, 0xFFFFFF01u};
  c.bgp.peers.push_back(p);
  auto text = to_yaml(c);
  EXPECT_NE(text.find(R"(  peers:
    - address: 192.168.1.1
      asn: 64512
      node_selector: {}
      port: 179
      password: ""
      password_file: ""
      hold_time: 90s
      keepalive_time: 30s
      connect_retry: 5s
      multihop: 1
      ttl_security: false
      passive: false
      next_hop: auto
      families: [ipv4, ipv6]
      communities: ["65000:1", no-export]
      large_communities: []
      local_pref: 100
      med: 0
      max_prefixes: 100000
      graceful_restart: { enabled: true, restart_time: 120s }
      graceful_shutdown: { enabled: true, drain_time: 5s }
      bfd: { enabled: false, min_rx: 300ms, min_tx: 300ms, multiplier: 3 }
ospf:
)"),
            std::string::npos)
      << text;
}

TEST(ConfigErrorText, FileLineColumnKeyMessage) {
  EXPECT_EQ((ConfigError{"c.yaml", 3, 14, "bgp.peers[1].hold_time", "bad"}).to_string(),
            "c.yaml:3:14: bgp.peers[1].hold_time: bad");
}

TEST(EnumNames, YamlSpelling) {
  EXPECT_STREQ(to_string(OspfNetwork::point_to_point), "point-to-point");
  EXPECT_STREQ(to_string(OspfAuthType::hmac_sha256), "hmac-sha-256");
  EXPECT_STREQ(to_string(ClusterIpMode::annotated), "annotated");
  EXPECT_STREQ(to_string(LogLevel::warn), "warn");
  EXPECT_STREQ(to_string(LogFormat::json), "json");
}

// check-config prints the effective config: never an inline TCP MD5 password or OSPF key.
TEST(ToYaml, InlineSecretsAreRedacted) {
  auto c = load_config_string(kFull, "full.yaml");
  ASSERT_TRUE(c);
  ASSERT_FALSE(c->bgp.peers[0].password.empty());
  auto text = to_yaml(*c);
  EXPECT_EQ(text.find("s3cr"), std::string::npos) << text;
  EXPECT_EQ(text.find("0123456789abcdef"), std::string::npos) << text;
  EXPECT_NE(text.find("password: \"<redacted, " + std::to_string(c->bgp.peers[0].password.size()) + " bytes>\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("key: \"<redacted, 16 bytes>\""), std::string::npos) << text;
  EXPECT_NE(text.find("key_file: \"/etc/ospf.key\""), std::string::npos) << text;  // a path is no secret
}

}  // namespace
}  // namespace config


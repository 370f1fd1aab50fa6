// The pure parsers of kube-proxy's programmed state, on output captured from nft 1.0.6 and
// iptables-save 1.8.9 (nf_tables) with kube-proxy-shaped rules.
#include "daemon/kube_proxy_programmed.hpp"

#include <gtest/gtest.h>

namespace cisd {
namespace {

net::Address A(const char* s) { return *net::Address::parse(s); }

TEST(ProxyMode, ParsesKubeProxyAnswers) {
  EXPECT_EQ(parse_proxy_mode("iptables"), ProxyMode::iptables);
  EXPECT_EQ(parse_proxy_mode("ipvs"), ProxyMode::ipvs);
  EXPECT_EQ(parse_proxy_mode("nftables\n"), ProxyMode::nftables);
  EXPECT_EQ(parse_proxy_mode("  ipvs \r\n"), ProxyMode::ipvs);
  EXPECT_EQ(parse_proxy_mode("kernelspace"), ProxyMode::unknown);
  EXPECT_EQ(parse_proxy_mode(""), ProxyMode::unknown);
  EXPECT_EQ(parse_proxy_mode("IPVS"), ProxyMode::unknown);
  EXPECT_EQ(parse_proxy_mode("<html>404</html>"), ProxyMode::unknown);
  EXPECT_STREQ(to_string(ProxyMode::nftables), "nftables");
}

// `nft -j list map ip kube-proxy service-ips`: one element with a comment (knftables writes them),
// the others plain.
constexpr const char* kNftIpv4 = R"({"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"map": {"family": "ip", "name": "service-ips", "table": "kube-proxy", "type": ["ipv4_addr", "inet_proto", "inet_service"], "handle": 4, "comment": "ClusterIP, ExternalIP and LoadBalancer IP traffic", "map": "verdict", "elem": [[{"elem": {"val": {"concat": ["10.96.0.10", "tcp", 53]}, "comment": "kube-system/kube-dns:dns-tcp"}}, {"goto": {"target": "service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp"}}], [{"concat": ["10.96.0.10", "udp", 53]}, {"goto": {"target": "service-FY5PMXPG-kube-system/kube-dns/udp/dns"}}], [{"concat": ["10.96.0.1", "tcp", 443]}, {"goto": {"target": "service-2QRHZV4L-default/kubernetes/tcp/https"}}], [{"concat": ["192.168.50.7", "tcp", 80]}, {"goto": {"target": "external-ABC-web/front/tcp/http"}}]]}}]})";

constexpr const char* kNftIpv6 = R"({"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"map": {"family": "ip6", "name": "service-ips", "table": "kube-proxy", "type": ["ipv6_addr", "inet_proto", "inet_service"], "handle": 2, "map": "verdict", "elem": [[{"concat": ["fd00:10:96::a", "udp", 53]}, {"goto": {"target": "service-X"}}], [{"concat": ["fd00:10:96::1", "tcp", 443]}, {"goto": {"target": "service-Y"}}]]}}]})";

TEST(NftServiceIps, ReadsIpv4MapElements) {
  auto ips = parse_nft_service_ips(kNftIpv4);
  ASSERT_TRUE(ips);
  EXPECT_EQ(*ips, (AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("192.168.50.7")}));
}

TEST(NftServiceIps, ReadsIpv6MapElements) {
  auto ips = parse_nft_service_ips(kNftIpv6);
  ASSERT_TRUE(ips);
  EXPECT_EQ(*ips, (AddressSet{A("fd00:10:96::a"), A("fd00:10:96::1")}));
}

TEST(NftServiceIps, EmptyMapHasNoElemKey) {
  auto ips = parse_nft_service_ips(
      R"({"nftables": [{"metainfo": {"json_schema_version": 1}}, {"map": {"family": "ip", "name": "service-ips", "table": "kube-proxy", "type": ["ipv4_addr", "inet_proto", "inet_service"], "handle": 4, "map": "verdict"}}]})");
  ASSERT_TRUE(ips);
  EXPECT_TRUE(ips->empty());
}

TEST(NftServiceIps, IgnoresOtherMapsAndOddElements) {
  // service-nodeports has no address in its key; an element that is not an address is skipped.
  auto ips = parse_nft_service_ips(
      R"({"nftables": [{"map": {"family": "ip", "name": "service-nodeports", "table": "kube-proxy", "map": "verdict", "elem": [[{"concat": ["tcp", 30080]}, {"goto": {"target": "external-X"}}]]}},
                       {"map": {"family": "ip", "name": "service-ips", "table": "other", "map": "verdict", "elem": [[{"concat": ["10.0.0.99", "tcp", 1]}, {"accept": null}]]}},
                       {"map": {"family": "ip", "name": "service-ips", "table": "kube-proxy", "map": "verdict", "elem": [[{"concat": ["not-an-ip", "tcp", 80]}, {"accept": null}], [{"concat": []}, {"accept": null}], 7, [{"concat": ["10.96.5.5", "tcp", 80]}, {"goto": {"target": "s"}}]]}}]})");
  ASSERT_TRUE(ips);
  EXPECT_EQ(*ips, (AddressSet{A("10.96.5.5")}));
}

TEST(NftServiceIps, MalformedJsonIsUnknown) {
  EXPECT_FALSE(parse_nft_service_ips(""));
  EXPECT_FALSE(parse_nft_service_ips("table ip kube-proxy {"));
  EXPECT_FALSE(parse_nft_service_ips(R"({"nftables": {}})"));
  EXPECT_FALSE(parse_nft_service_ips(R"({"something": []})"));
  EXPECT_FALSE(parse_nft_service_ips(
      R"({"nftables": [{"map": {"name": "service-ips", "table": "kube-proxy", "elem": "oops"}}]})"));
  EXPECT_FALSE(parse_nft_service_ips(R"({"nftables": [{"map": {"name": 5, "table": "kube-proxy"}}]})"));
}

TEST(NftTables, FindsKubeProxyFamilies) {
  auto f = parse_nft_table_families(
      R"({"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}, {"table": {"family": "ip", "name": "kube-proxy", "handle": 1}}, {"table": {"family": "inet", "name": "filter", "handle": 2}}, {"table": {"family": "ip6", "name": "kube-proxy", "handle": 3}}]})",
      "kube-proxy");
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, (std::vector<std::string>{"ip", "ip6"}));
  auto none = parse_nft_table_families(R"({"nftables": [{"metainfo": {"json_schema_version": 1}}]})", "kube-proxy");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(parse_nft_table_families("Error: Could not process rule", "kube-proxy"));
}

// `iptables-save -t nat` on a node with kube-proxy in iptables mode (abridged).
constexpr const char* kIptablesSave = R"(# Generated by iptables-save v1.8.9 (nf_tables) on Tue Nov 24 21:07:01 2026
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y
-A KUBE-SERVICES -d 10.96.44.3/32 -p tcp -m comment --comment "shop/cart:http cluster IP" -m tcp --dport 80 -j KUBE-SVL-4AKLGFDPRSH6V3IA
-A KUBE-SERVICES -d 192.168.50.7/32 -p tcp -m comment --comment "web/front:http external IP" -m tcp --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -d 10.96.0.0/12 -m comment --comment "a wide rule is not a ClusterIP" -j KUBE-SVC-WIDEWIDEWIDEWIDE
-A KUBE-SERVICES ! -d 10.96.7.7/32 -p tcp -m comment --comment "negated" -j KUBE-SVC-NEGATEDNEGATEDN
-A KUBE-SERVICES -d 10.96.8.8/32 -p tcp -m comment --comment "not a service chain" -j KUBE-MARK-MASQ
-A KUBE-SERVICES -d 10.96.9.9/32 -p tcp -m comment --comment "unbalanced quote -j KUBE-SVC-BROKENBROKENBROK
-A KUBE-SERVICES -d not.an.ip/32 -p tcp -j KUBE-SVC-BADADDRESSBADADD
-A KUBE-SERVICES -d 10.96.0.11/32 -p tcp -m comment --comment "ns/svc:p \"quoted\" -j KUBE-MARK-DROP" -m tcp --dport 81 -j KUBE-SVC-QUOTEDQUOTEDQUOT
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-TCOU7JCQXEZGVUNU ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-MARK-MASQ
-A KUBE-SVC-OTHERCHAIN -d 10.96.6.6/32 -j KUBE-SVC-OTHEROTHEROTHER
garbage line that is not a rule
-A
COMMIT
# Completed on Tue Nov 24 21:07:01 2026
)";

TEST(IptablesKubeServices, ReadsHostDestinationsJumpingToServiceChains) {
  EXPECT_EQ(parse_iptables_kube_services(kIptablesSave),
            (AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("10.96.44.3"), A("192.168.50.7"), A("10.96.0.11")}));
}

TEST(IptablesKubeServices, ReadsIpv6) {
  constexpr const char* text = R"(# Generated by ip6tables-save v1.8.9 (nf_tables)
*nat
:KUBE-SERVICES - [0:0]
-A KUBE-SERVICES -d fd00:10:96::a/128 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -d fd00:10:96::/112 -p tcp -j KUBE-SVC-WIDEWIDEWIDEWIDE
-A KUBE-SERVICES -d fd00:10:96::1/128 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y
COMMIT
)";
  EXPECT_EQ(parse_iptables_kube_services(text), (AddressSet{A("fd00:10:96::a"), A("fd00:10:96::1")}));
}

TEST(IptablesKubeServices, OnlyTheNatTable) {
  constexpr const char* text = R"(*filter
:KUBE-SERVICES - [0:0]
-A KUBE-SERVICES -d 10.96.3.3/32 -p tcp -m comment --comment "ns/noendpoints:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-SERVICES -d 10.96.4.4/32 -p tcp -j KUBE-SVC-FILTERTABLEFILTE
COMMIT
*nat
-A KUBE-SERVICES -d 10.96.5.5/32 -p tcp -j KUBE-SVC-NATTABLENATTABLE
COMMIT
)";
  EXPECT_EQ(parse_iptables_kube_services(text), (AddressSet{A("10.96.5.5")}));
}

TEST(IptablesKubeServices, EmptyAndGarbage) {
  EXPECT_TRUE(parse_iptables_kube_services("").empty());
  EXPECT_TRUE(parse_iptables_kube_services("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n").empty());
  EXPECT_TRUE(parse_iptables_kube_services("\x01\x02 -d -j\n-A KUBE-SERVICES -d\n-A KUBE-SERVICES -j\n").empty());
}

TEST(IpvsProgrammed, DropsLinkLocal) {
  std::vector<netlink::InterfaceAddress> addrs = {
      {A("10.96.0.10"), 32}, {A("10.96.0.1"), 32}, {A("fe80::1"), 64}, {A("fd00:10:96::a"), 128}};
  EXPECT_EQ(ipvs_programmed(addrs), (AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("fd00:10:96::a")}));
  EXPECT_TRUE(ipvs_programmed({}).empty());
}

TEST(RunCommand, CapturesStdoutAndReportsFailures) {
  auto ok = run_command({"sh", "-c", "echo hello; echo err >&2"}, std::chrono::milliseconds(5000));
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(*ok, "hello\n");
  auto bad = run_command({"sh", "-c", "exit 3"}, std::chrono::milliseconds(5000));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("status 3"), std::string::npos) << bad.error();
  auto missing = run_command({"/nonexistent/iptables-save"}, std::chrono::milliseconds(5000));
  EXPECT_FALSE(missing);
  auto slow = run_command({"sleep", "10"}, std::chrono::milliseconds(100));
  ASSERT_FALSE(slow);
  EXPECT_NE(slow.error().find("timed out"), std::string::npos) << slow.error();
  auto big = run_command({"sh", "-c", "head -c 100000 /dev/zero"}, std::chrono::milliseconds(5000), 1000);
  EXPECT_FALSE(big);
}

// kube-proxy's iptables-wrapper rule: the backend whose dump has more rules; nft on a tie.
TEST(IptablesBackend, TheOneWithKubeProxysRulesIsChosen) {
  const std::string empty = "*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\nCOMMIT\n";
  const std::string rules = "*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -d 10.96.0.1/32 -j KUBE-SVC-X\n"
                            "-A KUBE-SERVICES -d 10.96.0.10/32 -j KUBE-SVC-Y\nCOMMIT\n";
  EXPECT_EQ(choose_iptables_backend({empty, rules}), 1u);
  EXPECT_EQ(choose_iptables_backend({rules, empty}), 0u);
  EXPECT_EQ(choose_iptables_backend({empty, empty}), 0u);
  EXPECT_EQ(choose_iptables_backend({std::nullopt, empty}), 1u);  // nft unreadable: legacy
  EXPECT_EQ(choose_iptables_backend({std::nullopt, std::nullopt}), std::nullopt);
}

}  // namespace
}  // namespace cisd

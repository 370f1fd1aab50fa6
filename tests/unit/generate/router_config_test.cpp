#include "generate/router_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace cisd;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

net::Address A(const char* s) { return *net::Address::parse(s); }
net::Prefix P(const char* s) { return *net::Prefix::parse(s); }

RouterConfigRequest ebgp_request() {
  RouterConfigRequest r;
  r.config.advertise.service_cidrs = std::vector<net::Prefix>{P("10.96.0.0/12"), P("fd00:10:96::/112")};
  r.config.advertise.static_prefixes = {P("192.0.2.0/24")};
  r.config.bgp.asn = 64513;
  config::PeerConfig peer;
  peer.address = A("192.168.1.1");
  peer.asn = 64512;
  r.config.bgp.peers = {peer};
  r.nodes = {A("192.168.1.10"), A("192.168.1.11"), A("fd00::10")};
  return r;
}

std::string generate(const RouterConfigRequest& r, RouterFlavour f) {
  auto text = generate_router_config(r, f);
  EXPECT_TRUE(text.has_value()) << (text ? "" : text.error());
  return text ? *text : "";
}

std::string error_of(const RouterConfigRequest& r, RouterFlavour f) {
  auto text = generate_router_config(r, f);
  EXPECT_FALSE(text.has_value());
  return text ? "" : text.error();
}

}  // namespace

TEST(RouterFlavour, ParsesEveryName) {
  for (auto f : {RouterFlavour::bird, RouterFlavour::frr, RouterFlavour::vyos, RouterFlavour::routeros,
                 RouterFlavour::openwrt})
    EXPECT_EQ(parse_router_flavour(to_string(f)), f);
  EXPECT_EQ(parse_router_flavour("junos"), std::nullopt);
}

TEST(RouterConfigBird, EbgpNeighboursFilterEcmpAndGracefulShutdown) {
  auto text = generate(ebgp_request(), RouterFlavour::bird);
  EXPECT_THAT(text, HasSubstr("router id 192.168.1.1;"));
  EXPECT_THAT(text, HasSubstr("local 192.168.1.1 as 64512;"));
  EXPECT_THAT(text, HasSubstr("protocol bgp node_192_168_1_10 from cis_node { neighbor 192.168.1.10 as 64513; }"));
  EXPECT_THAT(text, HasSubstr("protocol bgp node_192_168_1_11 from cis_node { neighbor 192.168.1.11 as 64513; }"));
  EXPECT_THAT(text, Not(HasSubstr("neighbor fd00::10")));  // not the session's family
  EXPECT_THAT(text, HasSubstr("Left out (not the family of 192.168.1.1): fd00::10"));
  EXPECT_THAT(text, HasSubstr("merge paths yes"));
  EXPECT_THAT(text, HasSubstr("if !(net ~ [ 10.96.0.0/12{12,32}, 192.0.2.0/24{24,24} ]) then reject;"));
  EXPECT_THAT(text, HasSubstr("if !(net ~ [ fd00:10:96::/112{112,128} ]) then reject;"));
  EXPECT_THAT(text, HasSubstr("if (65535, 0) ~ bgp_community then bgp_local_pref = 0;"));
  EXPECT_THAT(text, HasSubstr("graceful restart on;"));  // helps a restarting node (RFC 4724)
  EXPECT_THAT(text, HasSubstr("ipv4 { import filter cis_import4; export none; gateway direct; };"));
  EXPECT_THAT(text, HasSubstr("ipv6 { import filter cis_import6; export none; gateway direct; };"));
  EXPECT_THAT(text, HasSubstr("hold time 90;"));
  EXPECT_THAT(text, HasSubstr("keepalive time 30;"));
  EXPECT_THAT(text, Not(HasSubstr("password")));
  EXPECT_THAT(text, Not(HasSubstr("protocol ospf")));
}

TEST(RouterConfigBird, PasswordMultihopTimersAndPorts) {
  auto r = ebgp_request();
  auto& peer = r.config.bgp.peers[0];
  peer.password = "s3\"cret";
  peer.multihop = 3;
  peer.hold_time = config::Duration(9000);
  peer.keepalive_time = config::Duration(3000);
  r.config.bgp.listen_port = 1790;
  auto text = generate(r, RouterFlavour::bird);
  EXPECT_THAT(text, HasSubstr("password \"s3\\\"cret\";"));
  EXPECT_THAT(text, HasSubstr("multihop 3;"));
  EXPECT_THAT(text, HasSubstr("gateway recursive"));
  EXPECT_THAT(text, HasSubstr("hold time 9;"));
  EXPECT_THAT(text, HasSubstr("neighbor 192.168.1.10 port 1790 as 64513;"));
  r.config.bgp.listen_port = 0;
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("passive on;"));
}

TEST(RouterConfigBird, ExternalRangesAcceptOnlyHostRoutes) {
  auto r = ebgp_request();
  r.config.advertise.load_balancer_ips = config::AddressRanges::all();
  r.external_ranges = {P("198.51.100.0/24")};
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("198.51.100.0/24{32,32}"));
  r.config.advertise.load_balancer_ips = config::AddressRanges::none();  // not advertised: not accepted either
  EXPECT_THAT(generate(r, RouterFlavour::bird), Not(HasSubstr("198.51.100.0")));
  r.config.advertise.load_balancer_ips = config::AddressRanges::all();
  r.external_ranges.clear();
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("pass --external-range CIDR"));
  // The config's own ranges need no --external-range.
  r.config.advertise.external_ips = config::AddressRanges::within({P("203.0.113.0/28")});
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("203.0.113.0/28{32,32}"));
}

TEST(RouterConfigBird, OspfAreaInterfaceAuthAndEcmp) {
  auto r = ebgp_request();
  r.config.bgp.enabled = false;
  r.config.ospf.enabled = true;
  r.config.ospf.area = A("0.0.0.1");
  config::OspfInterfaceConfig itf;
  itf.name = "eth0";
  itf.network = config::OspfNetwork::point_to_point;
  itf.hello_interval = config::Duration(1000);
  itf.dead_interval = config::Duration(4000);
  itf.auth.type = config::OspfAuthType::md5;
  itf.auth.key_id = 7;
  itf.auth.key = "k";
  r.config.ospf.interfaces = {itf};
  r.ospf_interface = "lan";
  auto text = generate(r, RouterFlavour::bird);
  EXPECT_THAT(text, HasSubstr("protocol ospf v2 cis_ospf"));
  EXPECT_THAT(text, HasSubstr("ecmp yes;"));
  EXPECT_THAT(text, HasSubstr("area 0.0.0.1 {"));
  EXPECT_THAT(text, HasSubstr("interface \"lan\" {"));
  EXPECT_THAT(text, HasSubstr("type ptp;"));
  EXPECT_THAT(text, HasSubstr("hello 1; dead 4; retransmit 5;"));
  EXPECT_THAT(text, HasSubstr("password \"k\" { id 7; algorithm keyed md5; };"));
  EXPECT_THAT(text, Not(HasSubstr("protocol bgp")));
}

TEST(RouterConfigBird, OpenWrtIsBirdWithItsInstructions) {
  auto text = generate(ebgp_request(), RouterFlavour::openwrt);
  EXPECT_THAT(text, HasSubstr("opkg install bird2"));
  EXPECT_THAT(text, HasSubstr("/etc/bird.conf"));
  EXPECT_THAT(text, HasSubstr("merge paths yes"));
}

TEST(RouterConfigFrr, EbgpPeerGroupRouteMapsAndMaximumPaths) {
  auto r = ebgp_request();
  r.config.bgp.peers[0].password = "s3cret";
  auto text = generate(r, RouterFlavour::frr);
  EXPECT_THAT(text, HasSubstr("ip prefix-list CIS-IN4 seq 5 permit 10.96.0.0/12 le 32\n"));
  EXPECT_THAT(text, HasSubstr("ip prefix-list CIS-IN4 seq 10 permit 192.0.2.0/24\n"));
  EXPECT_THAT(text, HasSubstr("ipv6 prefix-list CIS-IN6 seq 5 permit fd00:10:96::/112 le 128\n"));
  EXPECT_THAT(text, HasSubstr("bgp community-list standard CIS-GSHUT permit 65535:0"));
  EXPECT_THAT(text, HasSubstr(" match community CIS-GSHUT\n set local-preference 0\n"));
  EXPECT_THAT(text, HasSubstr("router bgp 64512\n bgp router-id 192.168.1.1\n"));
  EXPECT_THAT(text, HasSubstr(" neighbor CIS-NODES remote-as 64513\n"));
  EXPECT_THAT(text, HasSubstr(" neighbor CIS-NODES password s3cret\n"));
  EXPECT_THAT(text, HasSubstr(" neighbor CIS-NODES timers 30 90\n"));
  EXPECT_THAT(text, HasSubstr(" neighbor 192.168.1.10 peer-group CIS-NODES\n"));
  EXPECT_THAT(text, HasSubstr("  neighbor CIS-NODES route-map CIS-IN4 in\n"));
  EXPECT_THAT(text, HasSubstr("  neighbor CIS-NODES route-map CIS-IN6 in\n"));
  EXPECT_THAT(text, HasSubstr("  maximum-paths 8\n  maximum-paths ibgp 8\n"));
  // bgpd's default helper mode keeps a restarting node's routes (RFC 4724): never switched off.
  EXPECT_THAT(text, HasSubstr("helps graceful restart by default"));
  EXPECT_THAT(text, Not(HasSubstr("graceful-restart-disable")));
}

TEST(RouterConfigFrr, IbgpWhenTheAsnsMatch) {
  auto r = ebgp_request();
  r.config.bgp.asn = 64512;
  auto text = generate(r, RouterFlavour::frr);
  EXPECT_THAT(text, HasSubstr(" neighbor CIS-NODES remote-as 64512\n"));
  EXPECT_THAT(text, HasSubstr("(iBGP)"));
  r.config.bgp.peers[0].multihop = 2;  // iBGP is multihop by nature: no ebgp-multihop
  EXPECT_THAT(generate(r, RouterFlavour::frr), Not(HasSubstr("ebgp-multihop")));
}

TEST(RouterConfigFrr, OspfAndItsLimits) {
  auto r = ebgp_request();
  r.config.ospf.enabled = true;
  config::OspfInterfaceConfig itf;
  itf.name = "eth0";
  itf.auth.type = config::OspfAuthType::md5;
  itf.auth.key = "secret";
  r.config.ospf.interfaces = {itf};
  auto text = generate(r, RouterFlavour::frr);
  EXPECT_THAT(text, HasSubstr("interface eth0\n ip ospf area 0.0.0.0\n"));
  EXPECT_THAT(text, HasSubstr(" ip ospf hello-interval 10\n ip ospf dead-interval 40\n"));
  EXPECT_THAT(text, HasSubstr(" ip ospf message-digest-key 1 md5 secret\n"));
  EXPECT_THAT(text, HasSubstr("router ospf\n ospf router-id 192.168.1.1\n maximum-paths 8\n"));
  r.config.ospf.interfaces[0].auth.type = config::OspfAuthType::hmac_sha256;
  EXPECT_THAT(error_of(r, RouterFlavour::frr), HasSubstr("HMAC-SHA-256"));
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("algorithm hmac sha256"));
}

TEST(RouterConfigVyos, SetCommands) {
  auto r = ebgp_request();
  r.config.bgp.peers[0].password = "s3cret";
  auto text = generate(r, RouterFlavour::vyos);
  EXPECT_THAT(text, HasSubstr("set protocols bgp system-as '64512'\n"));
  EXPECT_THAT(text, HasSubstr("set policy prefix-list CIS-IN4 rule 10 prefix '10.96.0.0/12'\n"));
  EXPECT_THAT(text, HasSubstr("set policy prefix-list CIS-IN4 rule 10 le '32'\n"));
  EXPECT_THAT(text, HasSubstr("set policy prefix-list6 CIS-IN6 rule 10 le '128'\n"));
  EXPECT_THAT(text, HasSubstr("set policy route-map CIS-IN4 rule 5 set local-preference '0'\n"));
  EXPECT_THAT(text, HasSubstr("set protocols bgp peer-group CIS-NODES remote-as '64513'\n"));
  EXPECT_THAT(text, HasSubstr("set protocols bgp peer-group CIS-NODES password 's3cret'\n"));
  EXPECT_THAT(text, HasSubstr("set protocols bgp neighbor 192.168.1.11 peer-group 'CIS-NODES'\n"));
  EXPECT_THAT(text, HasSubstr("set protocols bgp address-family ipv4-unicast maximum-paths ebgp '8'\n"));
  EXPECT_THAT(text, HasSubstr("set protocols bgp address-family ipv4-unicast maximum-paths ibgp '8'\n"));
}

TEST(RouterConfigRouterOs, ConnectionsAndFilterChain) {
  auto r = ebgp_request();
  r.config.bgp.peers[0].password = "s3cret";
  auto text = generate(r, RouterFlavour::routeros);
  EXPECT_THAT(text, HasSubstr("rule=\"if (dst in 10.96.0.0/12) { if (bgp-communities includes 65535:0) "
                              "{ set bgp-local-pref 0; } accept; }\""));
  EXPECT_THAT(text, HasSubstr("if (dst == 192.0.2.0/24)"));
  EXPECT_THAT(text, HasSubstr("add name=cis-node-192-168-1-10 as=64512 router-id=192.168.1.1 "
                              "local.address=192.168.1.1 local.role=ebgp remote.address=192.168.1.10 remote.as=64513"));
  EXPECT_THAT(text, HasSubstr("tcp-md5-key=\"s3cret\""));
  EXPECT_THAT(text, HasSubstr("input.filter=cis-in output.filter-chain=cis-none"));
  EXPECT_THAT(text, HasSubstr("address-families=ip,ipv6"));
}

TEST(RouterConfig, ErrorsSayWhatToPass) {
  auto r = ebgp_request();
  r.config.advertise.service_cidrs = std::nullopt;
  r.config.advertise.static_prefixes = {};
  EXPECT_THAT(error_of(r, RouterFlavour::bird), HasSubstr("--service-cidr"));
  r.service_cidrs = {P("10.96.0.0/12")};  // the option fills in for auto
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("10.96.0.0/12{12,32}"));
  r.nodes = {A("fd00::1")};
  EXPECT_THAT(error_of(r, RouterFlavour::bird), HasSubstr("--nodes"));
  r.nodes = {A("192.168.1.10")};
  r.peer = A("192.168.1.2");
  EXPECT_THAT(error_of(r, RouterFlavour::bird), HasSubstr("not one of bgp.peers"));
  r.config.bgp.enabled = false;
  r.peer.reset();
  EXPECT_THAT(error_of(r, RouterFlavour::bird), HasSubstr("nothing to configure"));
}

TEST(RouterConfig, PeerSelectsTheRouterAmongSeveral) {
  auto r = ebgp_request();
  config::PeerConfig second;
  second.address = A("192.168.1.2");
  second.asn = 65000;
  r.config.bgp.peers.push_back(second);
  r.peer = A("192.168.1.2");
  auto text = generate(r, RouterFlavour::frr);
  EXPECT_THAT(text, HasSubstr("router bgp 65000\n bgp router-id 192.168.1.2\n"));
}

namespace {

config::BfdConfig bfd_on(long long min_rx_ms = 300, long long min_tx_ms = 300, unsigned multiplier = 3) {
  config::BfdConfig b;
  b.enabled = true;
  b.min_rx = config::Duration(min_rx_ms);
  b.min_tx = config::Duration(min_tx_ms);
  b.multiplier = static_cast<std::uint8_t>(multiplier);
  return b;
}

// BGP and OSPF both configured; BFD off unless a test turns it on.
RouterConfigRequest bgp_and_ospf_request() {
  auto r = ebgp_request();
  r.config.ospf.enabled = true;
  config::OspfInterfaceConfig itf;
  itf.name = "eth0";
  r.config.ospf.interfaces = {itf};
  return r;
}

}  // namespace

TEST(RouterConfigBfd, NothingWhenDisabled) {
  const auto r = bgp_and_ospf_request();
  for (auto f : {RouterFlavour::bird, RouterFlavour::openwrt, RouterFlavour::frr, RouterFlavour::vyos,
                 RouterFlavour::routeros}) {
    auto text = generate(r, f);
    EXPECT_THAT(text, Not(HasSubstr("bfd"))) << to_string(f);
    EXPECT_THAT(text, Not(HasSubstr("BFD"))) << to_string(f);
  }
}

TEST(RouterConfigBfd, BirdSingleHopPlainBfdWithTheNodesTimers) {
  auto r = ebgp_request();
  r.config.bgp.peers[0].bfd = bfd_on(100, 200, 5);
  for (auto f : {RouterFlavour::bird, RouterFlavour::openwrt}) {
    auto text = generate(r, f);
    EXPECT_THAT(text, HasSubstr("protocol bfd cis_bfd {\n"
                                "  interface \"*\" { min rx interval 100 ms; min tx interval 200 ms; multiplier 5; };\n"
                                "}\n"));
    EXPECT_THAT(text, Not(HasSubstr("  multihop {")));
    EXPECT_THAT(text, HasSubstr("  bfd on;\n"));
    EXPECT_THAT(text, Not(HasSubstr("bfd graceful;")));  // named in the comment only, as what we leave off
    EXPECT_THAT(text, HasSubstr("single-hop (RFC 5881, UDP 3784)"));
    EXPECT_THAT(text, HasSubstr("the slower of the sender's min tx"));
    EXPECT_THAT(text, HasSubstr("hands the BFD session to its next instance"));
    EXPECT_THAT(text, HasSubstr("# BGP with BFD: min rx 100 ms, min tx 200 ms, multiplier 5, single-hop"));
  }
}

TEST(RouterConfigBfd, BirdMultihopAndOspf) {
  auto r = bgp_and_ospf_request();
  r.config.bgp.peers[0].multihop = 2;
  r.config.bgp.peers[0].bfd = bfd_on();
  r.config.ospf.interfaces[0].bfd = bfd_on(50, 50, 4);
  r.ospf_interface = "lan";
  auto text = generate(r, RouterFlavour::bird);
  EXPECT_THAT(text, HasSubstr("protocol bfd cis_bfd {\n"
                              "  interface \"lan\" { min rx interval 50 ms; min tx interval 50 ms; multiplier 4; };\n"
                              "  multihop { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; };\n"
                              "}\n"));
  EXPECT_THAT(text, Not(HasSubstr("interface \"*\"")));
  EXPECT_THAT(text, HasSubstr("multihop (RFC 5883, UDP 4784)"));
  EXPECT_THAT(text, HasSubstr("  bfd on;\n"));
  EXPECT_THAT(text, HasSubstr("      bfd yes;\n"));  // in the OSPF interface
  // Single-hop BGP over the OSPF interface would run at its timers: said when they differ.
  r.config.bgp.peers[0].multihop = 1;
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("BGP sessions over \"lan\" run at the OSPF ones"));
  r.config.ospf.interfaces[0].bfd = bfd_on();
  EXPECT_THAT(generate(r, RouterFlavour::bird), Not(HasSubstr("run at the OSPF ones")));
}

TEST(RouterConfigBfd, FrrProfilesForThePeerGroupAndTheOspfInterface) {
  auto r = bgp_and_ospf_request();
  r.config.bgp.peers[0].bfd = bfd_on(100, 200, 5);
  r.config.ospf.interfaces[0].bfd = bfd_on();
  auto text = generate(r, RouterFlavour::frr);
  EXPECT_THAT(text, HasSubstr("bfd\n"
                              " profile cis-nodes\n  detect-multiplier 5\n  receive-interval 100\n"
                              "  transmit-interval 200\n exit\n !\n"
                              " profile cis-ospf\n  detect-multiplier 3\n  receive-interval 300\n"
                              "  transmit-interval 300\n exit\n !\n"
                              "exit\n"));
  EXPECT_THAT(text, HasSubstr(" neighbor CIS-NODES bfd profile cis-nodes\n"));
  EXPECT_THAT(text, HasSubstr(" ip ospf bfd\n ip ospf bfd profile cis-ospf\n"));
  EXPECT_THAT(text, HasSubstr("bfdd=yes in /etc/frr/daemons"));
  EXPECT_THAT(text, Not(HasSubstr(" bfd check-control-plane-failure\n")));  // plain BFD, on purpose
  EXPECT_THAT(text, HasSubstr("hands the BFD session to its next instance"));
  // The profiles come before the neighbours and interfaces that name them.
  EXPECT_LT(text.find(" profile cis-nodes"), text.find("bfd profile cis-nodes"));
  EXPECT_LT(text.find(" profile cis-ospf"), text.find("ip ospf bfd profile cis-ospf"));
}

TEST(RouterConfigBfd, FrrAndVyosRaiseAMultiplierOfOneToTwo) {
  auto r = ebgp_request();
  r.config.bgp.peers[0].bfd = bfd_on(300, 300, 1);
  auto frr = generate(r, RouterFlavour::frr);
  EXPECT_THAT(frr, HasSubstr("  detect-multiplier 2\n"));
  EXPECT_THAT(frr, HasSubstr("FRR takes 2 at least"));
  auto vyos = generate(r, RouterFlavour::vyos);
  EXPECT_THAT(vyos, HasSubstr("set protocols bfd profile cis-nodes interval multiplier '2'\n"));
  EXPECT_THAT(vyos, HasSubstr("FRR takes 2 at least"));
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("multiplier 1; }"));  // BIRD takes 1
  r.config.bgp.peers[0].bfd.multiplier = 3;
  EXPECT_THAT(generate(r, RouterFlavour::frr), Not(HasSubstr("FRR takes 2 at least")));
}

TEST(RouterConfigBfd, VyosProfilesAndPeerGroup) {
  auto r = bgp_and_ospf_request();
  r.config.bgp.peers[0].bfd = bfd_on(100, 200, 5);
  r.config.ospf.interfaces[0].bfd = bfd_on();
  r.ospf_interface = "eth1";
  auto text = generate(r, RouterFlavour::vyos);
  EXPECT_THAT(text, HasSubstr("set protocols bfd profile cis-nodes interval receive '100'\n"
                              "set protocols bfd profile cis-nodes interval transmit '200'\n"
                              "set protocols bfd profile cis-nodes interval multiplier '5'\n"
                              "set protocols bfd profile cis-ospf interval receive '300'\n"));
  EXPECT_THAT(text, HasSubstr("set protocols bgp peer-group CIS-NODES bfd profile 'cis-nodes'\n"));
  EXPECT_THAT(text, HasSubstr("set protocols ospf interface eth1 bfd profile 'cis-ospf'\n"));
  EXPECT_THAT(text, Not(HasSubstr("bfd check-control-plane-failure\n")));
  EXPECT_LT(text.find("set protocols bfd profile"), text.find("set protocols bgp"));
}

TEST(RouterConfigBfd, RouterOsUseBfdAndConfigurationEntries) {
  auto r = bgp_and_ospf_request();
  r.config.bgp.peers[0].bfd = bfd_on(100, 200, 5);
  r.config.ospf.interfaces[0].bfd = bfd_on();
  r.ospf_interface = "ether2";
  auto text = generate(r, RouterFlavour::routeros);
  EXPECT_THAT(text, HasSubstr("/routing bfd configuration\nadd addresses=192.168.1.10,192.168.1.11 min-rx=100ms "
                              "min-tx=200ms multiplier=5 comment=\"clusterip-speaker: BGP nodes\"\n"));
  EXPECT_THAT(text, HasSubstr("remote.address=192.168.1.10 "));
  std::size_t connections = 0;
  for (auto at = text.find(" use-bfd=yes input.filter=cis-in"); at != std::string::npos;
       at = text.find(" use-bfd=yes input.filter=cis-in", at + 1))
    ++connections;
  EXPECT_EQ(connections, 2u);  // one per node
  EXPECT_THAT(text, HasSubstr("/routing bfd configuration\nadd interfaces=ether2 min-rx=300ms min-tx=300ms "
                              "multiplier=3 comment=\"clusterip-speaker: OSPF nodes\"\n"));
  EXPECT_THAT(text, HasSubstr("retransmit-interval=5s use-bfd=yes\n"));  // the interface template
}

TEST(RouterConfigBfd, OnlyTheProtocolThatHasIt) {
  auto r = bgp_and_ospf_request();
  r.config.ospf.interfaces[0].bfd = bfd_on();
  auto frr = generate(r, RouterFlavour::frr);
  EXPECT_THAT(frr, HasSubstr(" ip ospf bfd\n"));
  EXPECT_THAT(frr, Not(HasSubstr("neighbor CIS-NODES bfd")));
  EXPECT_THAT(frr, Not(HasSubstr("profile cis-nodes")));
  auto bird = generate(r, RouterFlavour::bird);
  EXPECT_THAT(bird, HasSubstr("      bfd yes;\n"));
  EXPECT_THAT(bird, Not(HasSubstr("bfd on;")));
  auto routeros = generate(r, RouterFlavour::routeros);
  EXPECT_THAT(routeros, Not(HasSubstr("add addresses=")));
  EXPECT_THAT(routeros, HasSubstr("add interfaces=eth0 min-rx=300ms"));
}

// --- --dynamic (BGP dynamic neighbours), gateway peers, --node-labels ---------------------------

namespace {

// The zero-config shape: one peer per rack, both `address: gateway`, chosen by node_selector.
RouterConfigRequest dynamic_request(const char* range = "192.168.1.0/24") {
  RouterConfigRequest r;
  r.config.advertise.service_cidrs = std::vector<net::Prefix>{P("10.96.0.0/12")};
  r.config.bgp.asn = 64513;
  for (auto [asn, rack] : {std::pair{64512u, "r1"}, std::pair{64522u, "r2"}}) {
    config::PeerConfig peer;
    peer.gateway = true;
    peer.address = A("0.0.0.0");
    peer.asn = asn;
    peer.node_selector = {{"rack", rack}};
    peer.bfd.enabled = true;
    r.config.bgp.peers.push_back(peer);
  }
  r.dynamic = P(range);
  return r;
}

}  // namespace

TEST(RouterConfigDynamic, BirdNeighborRangeWithoutALocalAddress) {
  auto text = generate(dynamic_request(), RouterFlavour::bird);
  EXPECT_THAT(text, HasSubstr("The router: each node's IPv4 default gateway in AS 64512"));
  EXPECT_THAT(text, HasSubstr("Neighbours: any node in 192.168.1.0/24"));
  EXPECT_THAT(text, HasSubstr("  local as 64512;\n"));
  EXPECT_THAT(text, HasSubstr("protocol bgp cis_nodes from cis_node {\n  neighbor range 192.168.1.0/24 as 64513;\n"
                              "  dynamic name \"cis_dyn\";\n}\n"));
  EXPECT_THAT(text, HasSubstr("merge paths yes"));          // ECMP
  EXPECT_THAT(text, HasSubstr("filter cis_import4"));        // the import filter
  EXPECT_THAT(text, HasSubstr("protocol bfd cis_bfd {"));    // the router side of BFD
  EXPECT_THAT(text, HasSubstr("  bfd on;"));
  EXPECT_THAT(text, Not(HasSubstr("router id 0.0.0.0")));
  EXPECT_THAT(text, Not(HasSubstr("protocol bgp node_")));
}

TEST(RouterConfigDynamic, FrrListenRangePeerGroup) {
  auto text = generate(dynamic_request(), RouterFlavour::frr);
  EXPECT_THAT(text, HasSubstr(" bgp listen range 192.168.1.0/24 peer-group CIS-NODES\n"));
  EXPECT_THAT(text, HasSubstr(" neighbor CIS-NODES remote-as 64513\n"));
  EXPECT_THAT(text, HasSubstr(" neighbor CIS-NODES bfd profile cis-nodes\n"));
  EXPECT_THAT(text, HasSubstr("  maximum-paths 8\n"));
  EXPECT_THAT(text, HasSubstr("  neighbor CIS-NODES route-map CIS-IN4 in\n"));
  EXPECT_THAT(text, Not(HasSubstr("update-source")));  // the gateway's address is each node's to know
  EXPECT_THAT(text, Not(HasSubstr("bgp router-id")));
}

TEST(RouterConfigDynamic, VyosAndRouterosAndOpenwrt) {
  auto vyos = generate(dynamic_request(), RouterFlavour::vyos);
  EXPECT_THAT(vyos, HasSubstr("set protocols bgp listen range '192.168.1.0/24' peer-group 'CIS-NODES'\n"));
  EXPECT_THAT(vyos, Not(HasSubstr("set protocols bgp neighbor ")));
  auto ros = generate(dynamic_request(), RouterFlavour::routeros);
  EXPECT_THAT(ros, HasSubstr("add name=cis-nodes as=64512 local.role=ebgp remote.address=192.168.1.0/24 "
                             "remote.as=64513 connect=no"));
  EXPECT_THAT(ros, HasSubstr("if yours refuses the prefix, generate\n# one connection per node with --nodes"));
  auto openwrt = generate(dynamic_request(), RouterFlavour::openwrt);
  EXPECT_THAT(openwrt, HasSubstr("neighbor range 192.168.1.0/24 as 64513;"));
}

TEST(RouterConfigDynamic, NodeLabelsPickTheRacksPeer) {
  auto r = dynamic_request("10.0.5.0/24");
  r.node_labels = {{"rack", "r2"}, {"zone", "a"}};
  EXPECT_THAT(generate(r, RouterFlavour::bird), HasSubstr("  local as 64522;\n"));
  r.node_labels = {{"rack", "r9"}};
  EXPECT_EQ(error_of(r, RouterFlavour::bird), "--node-labels: no bgp.peers entry has a node_selector these labels satisfy");
}

TEST(RouterConfigDynamic, Errors) {
  auto r = dynamic_request("fd00::/64");
  EXPECT_EQ(error_of(r, RouterFlavour::frr),
            "--dynamic fd00::/64 is not of the family of the router's address each node's IPv4 default gateway");
  r = dynamic_request();
  r.dynamic.reset();
  EXPECT_EQ(error_of(r, RouterFlavour::bird),
            "no node address of the same family as the router's address each node's IPv4 default gateway: pass "
            "--nodes IP,IP,... or --dynamic CIDR");
}

TEST(RouterConfigDynamic, GatewayPeerWithListedNodes) {
  auto r = dynamic_request();
  r.dynamic.reset();
  r.nodes = {A("192.168.1.10")};
  auto text = generate(r, RouterFlavour::bird);
  EXPECT_THAT(text, HasSubstr("protocol bgp node_192_168_1_10 from cis_node { neighbor 192.168.1.10 as 64513; }"));
  EXPECT_THAT(text, HasSubstr("  local as 64512;\n"));
}

#include "daemon/peer_selection.hpp"

#include <gtest/gtest.h>

using namespace cisd;
using net::Address;

namespace {

Address A(const char* s) { return *Address::parse(s); }

config::PeerConfig peer(const char* address, std::map<std::string, std::string> selector = {}) {
  config::PeerConfig p;
  p.asn = 64512;
  if (std::string(address) == "gateway") {
    p.gateway = true;
    p.address = A("0.0.0.0");
  } else {
    p.address = A(address);
  }
  p.node_selector = std::move(selector);
  return p;
}

std::vector<Address> addresses(const PeerSelection& s) {
  std::vector<Address> out;
  for (const auto& p : s.bgp.peers) out.push_back(p.address);
  return out;
}

using Labels = std::map<std::string, std::string>;

}  // namespace

TEST(PeerSelection, NodeSelectorPicksThePeersOfThisRack) {
  config::BgpConfig bgp;
  bgp.peers = {peer("10.1.0.1", {{"rack", "r1"}}), peer("10.2.0.1", {{"rack", "r2"}}), peer("10.9.0.1")};
  auto r1 = select_peers(bgp, Labels{{"rack", "r1"}}, {});
  EXPECT_EQ(addresses(r1), (std::vector<Address>{A("10.1.0.1"), A("10.9.0.1")}));
  EXPECT_EQ(r1.notes, (std::vector<std::string>{
                          "peer 10.2.0.1 not used: this Node's labels do not match node_selector rack=r2"}));
  auto r2 = select_peers(bgp, Labels{{"rack", "r2"}, {"zone", "a"}}, {});
  EXPECT_EQ(addresses(r2), (std::vector<Address>{A("10.2.0.1"), A("10.9.0.1")}));
}

TEST(PeerSelection, UnknownLabelsOnlyTheUnselectedPeers) {
  config::BgpConfig bgp;
  bgp.peers = {peer("10.1.0.1", {{"rack", "r1"}}), peer("10.9.0.1")};
  auto s = select_peers(bgp, std::nullopt, {});
  EXPECT_EQ(addresses(s), (std::vector<Address>{A("10.9.0.1")}));
  EXPECT_EQ(s.notes, (std::vector<std::string>{
                         "peer 10.1.0.1 not used: node_selector rack=r1 and this Node's labels are not known (yet)"}));
}

TEST(PeerSelection, GatewayResolvesToTheDefaultGatewayOfItsFamily) {
  config::BgpConfig bgp;
  bgp.peers = {peer("gateway")};
  auto v6 = peer("gateway");
  v6.families = {net::Family::ipv6};
  v6.address = A("::");
  bgp.peers.push_back(v6);
  auto s = select_peers(bgp, Labels{}, DefaultGateways{A("192.168.1.1"), A("fd00::1")});
  EXPECT_EQ(addresses(s), (std::vector<Address>{A("192.168.1.1"), A("fd00::1")}));
  EXPECT_EQ(s.bgp.peers[0].gateway, true);  // still known as a gateway peer
  EXPECT_EQ(s.notes, (std::vector<std::string>{"peer gateway (IPv4) is 192.168.1.1", "peer gateway (IPv6) is fd00::1"}));
}

TEST(PeerSelection, GatewayChangeIsAnotherPeer) {
  config::BgpConfig bgp;
  bgp.peers = {peer("gateway")};
  auto before = select_peers(bgp, Labels{}, DefaultGateways{A("192.168.1.1"), std::nullopt});
  auto after = select_peers(bgp, Labels{}, DefaultGateways{A("192.168.1.254"), std::nullopt});
  EXPECT_NE(before, after);
  EXPECT_EQ(addresses(after), (std::vector<Address>{A("192.168.1.254")}));
}

TEST(PeerSelection, NoDefaultRouteNoGatewayPeer) {
  config::BgpConfig bgp;
  bgp.peers = {peer("gateway")};
  auto s = select_peers(bgp, Labels{}, DefaultGateways{std::nullopt, A("fd00::1")});
  EXPECT_TRUE(s.bgp.peers.empty());
  EXPECT_EQ(s.notes,
            (std::vector<std::string>{"peer gateway (IPv4) not used: this node has no IPv4 default route with a gateway"}));
}

TEST(PeerSelection, GatewayThatIsAlsoListedIsOneSession) {
  config::BgpConfig bgp;
  bgp.peers = {peer("192.168.1.1"), peer("gateway")};
  auto s = select_peers(bgp, Labels{}, DefaultGateways{A("192.168.1.1"), std::nullopt});
  EXPECT_EQ(addresses(s), (std::vector<Address>{A("192.168.1.1")}));
  EXPECT_EQ(s.notes.back(), "peer gateway (IPv4) not used: 192.168.1.1 is already a peer");
}

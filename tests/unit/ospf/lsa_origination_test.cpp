// Our router-LSA and AS-external-LSAs (§12.4, §12.1.6, §14.1, appendix E).
#include "ospf/lsa_origination.hpp"

#include <gtest/gtest.h>

#include "ospf/lsdb.hpp"
#include "ospf/retransmission_list.hpp"
#include "ospf/wire/lsa_codec.hpp"

namespace ospf {
namespace {

using std::chrono::seconds;
using wire::Lsa;

constexpr std::uint32_t kUs = 0x0a000001;  // 10.0.0.1
const Clock::time_point t0{seconds(100000)};

std::uint32_t ip(const char* text) { return net::Address::parse(text)->v4_value(); }

net::RouteSet routes(std::initializer_list<const char*> prefixes) {
  net::RouteSet set;
  for (const char* p : prefixes) {
    net::Route route;
    route.prefix = *net::Prefix::parse(p);
    set.insert(route);
  }
  return set;
}

LsaKey external_key(const char* ls_id) { return {wire::lsa_type::as_external, ip(ls_id), kUs}; }

const Lsa* find(const LsaOriginator::Result& r, const LsaKey& key) {
  for (const auto& lsa : r.lsas)
    if (key_of(lsa.header) == key) return &lsa;
  return nullptr;
}

const wire::RouterLsa& router_body(const Lsa& lsa) { return std::get<wire::RouterLsa>(lsa.body); }
const wire::AsExternalLsa& external_body(const Lsa& lsa) { return std::get<wire::AsExternalLsa>(lsa.body); }

// The codec accepts the bytes: length and Fletcher checksum are right.
void expect_finalized(const Lsa& lsa) {
  auto bytes = wire::encode_lsa(lsa);
  EXPECT_EQ(bytes.size(), lsa.header.length);
  auto back = wire::decode_lsa(bytes);
  ASSERT_TRUE(back.has_value()) << back.error();
  EXPECT_EQ(*back, lsa);
}

InterfaceLinkState broadcast(const char* address, std::uint32_t dr, bool adjacent) {
  InterfaceLinkState itf;
  itf.network = InterfaceLinkState::Network::broadcast;
  itf.address = ip(address);
  itf.mask = 0xffffff00;
  itf.cost = 10;
  itf.dr_address = dr;
  itf.adjacent_to_dr = adjacent;
  return itf;
}

Lsa router_lsa(std::vector<InterfaceLinkState> interfaces) {
  LsaOriginator o(kUs);
  o.set_interfaces(std::move(interfaces));
  auto r = o.update(t0);
  auto* lsa = find(r, o.router_lsa_key());
  EXPECT_TRUE(lsa);
  return lsa ? *lsa : Lsa{};
}

// An instance of one of our LSAs as a neighbour holds it (e.g. from before a restart), finalized.
Lsa ours_from_a_neighbor(std::uint8_t type, std::uint32_t ls_id, std::int32_t seq, std::uint16_t age, wire::LsaBody body) {
  Lsa lsa;
  lsa.header.type = type;
  lsa.header.ls_id = ls_id;
  lsa.header.advertising_router = kUs;
  lsa.header.sequence_number = seq;
  lsa.header.age = age;
  lsa.body = std::move(body);
  wire::finalize_lsa(lsa);
  return lsa;
}

// ---- router-LSA ----

TEST(RouterLsa, BroadcastWithFullAdjacencyToTheDrIsATransitLink) {
  auto lsa = router_lsa({broadcast("192.168.1.10", ip("192.168.1.1"), true)});
  EXPECT_EQ(lsa.header.type, wire::lsa_type::router);
  EXPECT_EQ(lsa.header.ls_id, kUs);
  EXPECT_EQ(lsa.header.advertising_router, kUs);
  EXPECT_EQ(lsa.header.sequence_number, kInitialSequenceNumber);
  EXPECT_EQ(lsa.header.age, 0);
  EXPECT_EQ(lsa.header.options, wire::option::e);
  const auto& body = router_body(lsa);
  EXPECT_TRUE(body.as_boundary_router);
  EXPECT_FALSE(body.area_border_router);
  ASSERT_EQ(body.links.size(), 1u);
  EXPECT_EQ(body.links[0].type, wire::RouterLinkType::transit);
  EXPECT_EQ(body.links[0].id, ip("192.168.1.1"));
  EXPECT_EQ(body.links[0].data, ip("192.168.1.10"));
  EXPECT_EQ(body.links[0].metric, 10);
  expect_finalized(lsa);
}

TEST(RouterLsa, BroadcastWithoutDrOrFullAdjacencyIsAStubLink) {
  for (auto itf : {broadcast("192.168.1.10", 0, false), broadcast("192.168.1.10", ip("192.168.1.1"), false)}) {
    auto lsa = router_lsa({itf});
    const auto& body = router_body(lsa);
    ASSERT_EQ(body.links.size(), 1u);
    EXPECT_EQ(body.links[0].type, wire::RouterLinkType::stub);
    EXPECT_EQ(body.links[0].id, ip("192.168.1.0"));
    EXPECT_EQ(body.links[0].data, 0xffffff00u);
    EXPECT_EQ(body.links[0].metric, 10);
    expect_finalized(lsa);
  }
}

TEST(RouterLsa, PointToPointFullHasARouterLinkAndTheSubnet) {
  InterfaceLinkState p2p;
  p2p.network = InterfaceLinkState::Network::point_to_point;
  p2p.address = ip("172.16.0.1");
  p2p.mask = 0xfffffffc;
  p2p.cost = 7;
  p2p.full_neighbor = ip("10.255.0.9");
  auto lsa = router_lsa({p2p});
  const auto& body = router_body(lsa);
  ASSERT_EQ(body.links.size(), 2u);
  EXPECT_EQ(body.links[0].type, wire::RouterLinkType::point_to_point);
  EXPECT_EQ(body.links[0].id, ip("10.255.0.9"));
  EXPECT_EQ(body.links[0].data, ip("172.16.0.1"));
  EXPECT_EQ(body.links[0].metric, 7);
  EXPECT_EQ(body.links[1].type, wire::RouterLinkType::stub);
  EXPECT_EQ(body.links[1].id, ip("172.16.0.0"));
  EXPECT_EQ(body.links[1].data, 0xfffffffcu);
  expect_finalized(lsa);

  // Not Full: only the subnet. Down: nothing.
  p2p.full_neighbor.reset();
  EXPECT_EQ(router_body(router_lsa({p2p})).links.size(), 1u);
  p2p.up = false;
  EXPECT_TRUE(router_body(router_lsa({p2p})).links.empty());
}

TEST(RouterLsa, InterfaceChangeReoriginatesWithTheNextSequenceNumber) {
  LsaOriginator o(kUs);
  o.set_interfaces({broadcast("192.168.1.10", 0, false)});
  o.update(t0);
  o.set_interfaces({broadcast("192.168.1.10", ip("192.168.1.1"), true)});
  auto r = o.update(t0 + seconds(6));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber + 1);
  EXPECT_EQ(router_body(r.lsas[0]).links[0].type, wire::RouterLinkType::transit);
}

// ---- the first router-LSA, held until it names an adjacency (what the instance asks for) ----

InterfaceLinkState point_to_point(std::optional<std::uint32_t> full_neighbor) {
  InterfaceLinkState p2p;
  p2p.network = InterfaceLinkState::Network::point_to_point;
  p2p.address = ip("172.16.0.1");
  p2p.mask = 0xfffffffc;
  p2p.full_neighbor = full_neighbor;
  return p2p;
}

TEST(HeldRouterLsa, WaitsForAnAdjacencyWhileTheExternalsGoOut) {
  LsaOriginator o(kUs);
  o.set_hold_first_router_lsa(true);
  o.set_interfaces({broadcast("192.168.1.10", ip("192.168.1.1"), false)});
  o.set_routes(routes({"10.96.0.0/12"}));
  auto r = o.update(t0);
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_TRUE(find(r, external_key("10.96.0.0")));
  EXPECT_EQ(o.current(o.router_lsa_key()), nullptr);
  EXPECT_TRUE(o.update(t0 + seconds(1)).lsas.empty());

  // Full with the DR a second later: the first instance, at once (no MinLSInterval: nothing came
  // before it), with the transit link.
  o.set_interfaces({broadcast("192.168.1.10", ip("192.168.1.1"), true)});
  r = o.update(t0 + seconds(1));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(key_of(r.lsas[0].header), o.router_lsa_key());
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber);
  ASSERT_EQ(router_body(r.lsas[0]).links.size(), 1u);
  EXPECT_EQ(router_body(r.lsas[0]).links[0].type, wire::RouterLinkType::transit);

  // From then on it is an LSA like any other: losing the adjacency waits for MinLSInterval.
  o.set_interfaces({broadcast("192.168.1.10", ip("192.168.1.1"), false)});
  r = o.update(t0 + seconds(2));
  EXPECT_TRUE(r.lsas.empty());
  ASSERT_TRUE(r.next_update.has_value());
  EXPECT_EQ(*r.next_update, t0 + seconds(6));
  r = o.update(t0 + seconds(6));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber + 1);
  EXPECT_EQ(router_body(r.lsas[0]).links[0].type, wire::RouterLinkType::stub);
}

TEST(HeldRouterLsa, PointToPointWaitsForFull) {
  LsaOriginator o(kUs);
  o.set_hold_first_router_lsa(true);
  o.set_interfaces({point_to_point(std::nullopt)});
  EXPECT_TRUE(o.update(t0).lsas.empty());
  o.set_interfaces({point_to_point(ip("10.255.0.9"))});
  auto r = o.update(t0);
  ASSERT_EQ(r.lsas.size(), 1u);
  const auto& links = router_body(r.lsas[0]).links;
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].type, wire::RouterLinkType::point_to_point);
  EXPECT_EQ(links[1].type, wire::RouterLinkType::stub);
}

TEST(HeldRouterLsa, OlderInstanceFromANeighborIsBeatenAtOnce) {
  // §13.4: a neighbor holds our router-LSA from before a restart. Held or not, we originate past
  // its sequence number at once, with what we have now.
  LsaOriginator o(kUs);
  o.set_hold_first_router_lsa(true);
  o.set_interfaces({point_to_point(std::nullopt)});
  o.update(t0);
  const Lsa old = ours_from_a_neighbor(wire::lsa_type::router, kUs, kInitialSequenceNumber + 9, 30, wire::RouterLsa{});
  auto r = o.on_self_originated(old, t0 + seconds(1));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber + 10);
  EXPECT_EQ(router_body(r.lsas[0]).links.size(), 1u);  // the stub link
}

TEST(HeldRouterLsa, ShutdownBeforeAnyAdjacencyFlushesOnlyTheExternals) {
  LsaOriginator o(kUs);
  o.set_hold_first_router_lsa(true);
  o.set_routes(routes({"10.96.0.0/12"}));
  o.update(t0);
  auto r = o.flush_all(t0 + seconds(1));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(key_of(r.lsas[0].header), external_key("10.96.0.0"));
}

// ---- network-LSA (§12.4.2) ----

constexpr std::uint32_t kBird = 0x0a000002, kFrr = 0x0a000003;

// Our broadcast interface 192.168.1.10/24 with the DR at `dr`, Full with `full` (router IDs).
InterfaceLinkState segment(std::uint32_t dr, std::vector<std::uint32_t> full) {
  auto itf = broadcast("192.168.1.10", dr, !full.empty());
  itf.full_neighbors = std::move(full);
  return itf;
}

LsaKey network_key() { return {wire::lsa_type::network, ip("192.168.1.10"), kUs}; }
const wire::NetworkLsa& network_body(const Lsa& lsa) { return std::get<wire::NetworkLsa>(lsa.body); }

TEST(NetworkLsa, TheDrFullWithOthersDescribesTheSegment) {
  LsaOriginator o(kUs);
  o.set_interfaces({segment(ip("192.168.1.10"), {kBird, kFrr})});
  auto r = o.update(t0);
  const Lsa* lsa = find(r, network_key());
  ASSERT_NE(lsa, nullptr);
  EXPECT_EQ(lsa->header.type, wire::lsa_type::network);
  EXPECT_EQ(lsa->header.ls_id, ip("192.168.1.10"));  // the DR's interface address
  EXPECT_EQ(lsa->header.advertising_router, kUs);
  EXPECT_EQ(lsa->header.sequence_number, kInitialSequenceNumber);
  EXPECT_EQ(lsa->header.options, wire::option::e);
  EXPECT_EQ(network_body(*lsa).network_mask, 0xffffff00u);
  // The DR itself, then every router it is Full with.
  EXPECT_EQ(network_body(*lsa).attached_routers, (std::vector<std::uint32_t>{kUs, kBird, kFrr}));
  expect_finalized(*lsa);
  // And our router-LSA names the segment as a transit network, by the same address.
  const auto& links = router_body(*find(r, o.router_lsa_key())).links;
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].type, wire::RouterLinkType::transit);
  EXPECT_EQ(links[0].id, ip("192.168.1.10"));
}

TEST(NetworkLsa, NoneWithoutAFullNeighbourOrWhenAnotherRouterIsDr) {
  for (auto itf : {segment(ip("192.168.1.10"), {}), segment(ip("192.168.1.1"), {kBird}), segment(0, {kBird})}) {
    LsaOriginator o(kUs);
    o.set_interfaces({itf});
    auto r = o.update(t0);
    EXPECT_EQ(find(r, network_key()), nullptr) << "DR " << itf.dr_address;
    for (const auto& lsa : r.lsas) EXPECT_NE(lsa.header.type, wire::lsa_type::network);
  }
  // A point-to-point link has no network-LSA, whatever it says.
  auto p2p = point_to_point(kBird);
  p2p.dr_address = p2p.address;
  p2p.full_neighbors = {kBird};
  LsaOriginator o(kUs);
  o.set_interfaces({p2p});
  for (const auto& lsa : o.update(t0).lsas) EXPECT_NE(lsa.header.type, wire::lsa_type::network);
}

TEST(NetworkLsa, NeighbourJoiningIsANewInstanceAfterMinLsInterval) {
  LsaOriginator o(kUs);
  o.set_interfaces({segment(ip("192.168.1.10"), {kBird})});
  o.update(t0);
  o.set_interfaces({segment(ip("192.168.1.10"), {kBird, kFrr})});
  auto r = o.update(t0 + seconds(1));
  EXPECT_EQ(find(r, network_key()), nullptr);
  EXPECT_EQ(r.next_update, t0 + kMinLsInterval);
  r = o.update(t0 + kMinLsInterval);
  const Lsa* lsa = find(r, network_key());
  ASSERT_NE(lsa, nullptr);
  EXPECT_EQ(lsa->header.sequence_number, kInitialSequenceNumber + 1);
  EXPECT_EQ(network_body(*lsa).attached_routers, (std::vector<std::uint32_t>{kUs, kBird, kFrr}));
}

TEST(NetworkLsa, RefreshedEveryLsRefreshTime) {
  LsaOriginator o(kUs);
  o.set_interfaces({segment(ip("192.168.1.10"), {kBird})});
  auto r = o.update(t0);
  EXPECT_EQ(r.next_update, t0 + kLsRefreshTime);
  EXPECT_EQ(find(o.update(t0 + kLsRefreshTime - seconds(1)), network_key()), nullptr);
  r = o.update(t0 + kLsRefreshTime);
  const Lsa* lsa = find(r, network_key());
  ASSERT_NE(lsa, nullptr);
  EXPECT_EQ(lsa->header.sequence_number, kInitialSequenceNumber + 1);
  EXPECT_EQ(lsa->header.age, 0);
}

TEST(NetworkLsa, FlushedWhenNoLongerDrOrTheLastNeighbourLeaves) {
  for (auto after : {segment(ip("192.168.1.1"), {kBird}), segment(ip("192.168.1.10"), {})}) {
    LsaOriginator o(kUs);
    o.set_interfaces({segment(ip("192.168.1.10"), {kBird})});
    const auto first = o.update(t0);
    ASSERT_NE(find(first, network_key()), nullptr);
    const Lsa live = *find(first, network_key());
    o.set_interfaces({after});
    auto r = o.update(t0 + seconds(1));  // a flush waits for no MinLSInterval
    const Lsa* flush = find(r, network_key());
    ASSERT_NE(flush, nullptr);
    EXPECT_EQ(flush->header.age, wire::kMaxAge);
    EXPECT_EQ(flush->header.sequence_number, live.header.sequence_number);
    EXPECT_EQ(flush->body, live.body);
    expect_finalized(*flush);
    EXPECT_EQ(find(o.update(t0 + seconds(2)), network_key()), nullptr);  // flushed once
  }
}

TEST(NetworkLsa, OneFromBeforeARestartIsFlushedUnlessWeAreDrAgain) {
  // §13.4: a neighbour shows us the network-LSA we originated as DR before a restart.
  const Lsa old = ours_from_a_neighbor(wire::lsa_type::network, ip("192.168.1.10"), kInitialSequenceNumber + 4, 100,
                                       wire::NetworkLsa{0xffffff00, {kUs, kBird}});

  LsaOriginator not_dr(kUs);
  not_dr.set_interfaces({segment(ip("192.168.1.1"), {kBird})});
  not_dr.update(t0);
  auto r = not_dr.on_self_originated(old, t0 + seconds(1));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.age, wire::kMaxAge);
  EXPECT_EQ(r.lsas[0].header.sequence_number, old.header.sequence_number);

  LsaOriginator dr(kUs);
  dr.set_interfaces({segment(ip("192.168.1.10"), {kBird, kFrr})});
  dr.update(t0);
  r = dr.on_self_originated(old, t0 + seconds(1));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.age, 0);
  EXPECT_EQ(r.lsas[0].header.sequence_number, old.header.sequence_number + 1);
  EXPECT_EQ(network_body(r.lsas[0]).attached_routers, (std::vector<std::uint32_t>{kUs, kBird, kFrr}));
}

TEST(NetworkLsa, FlushedOnShutdown) {
  LsaOriginator o(kUs);
  o.set_interfaces({segment(ip("192.168.1.10"), {kBird})});
  o.update(t0);
  auto r = o.flush_all(t0 + seconds(1));
  const Lsa* flush = find(r, network_key());
  ASSERT_NE(flush, nullptr);
  EXPECT_EQ(flush->header.age, wire::kMaxAge);
}

// ---- AS-external-LSAs ----

TEST(ExternalLsa, OnePerIpv4PrefixWithThePolicyFields) {
  LsaOriginator o(kUs, ExternalPolicy{.metric = 20, .metric_type = 2, .tag = 77});
  o.set_routes(routes({"10.96.0.0/12", "192.0.2.10/32", "fd00:10:96::/112"}));
  auto r = o.update(t0);
  EXPECT_EQ(r.lsas.size(), 3u);  // router-LSA + two externals; IPv6 ignored
  EXPECT_EQ(r.externals_left_out, 0u);
  const Lsa* svc = find(r, external_key("10.96.0.0"));
  ASSERT_TRUE(svc);
  EXPECT_EQ(svc->header.options, wire::option::e);
  EXPECT_EQ(svc->header.sequence_number, kInitialSequenceNumber);
  EXPECT_EQ(external_body(*svc).network_mask, 0xfff00000u);
  EXPECT_TRUE(external_body(*svc).external_type2);
  EXPECT_EQ(external_body(*svc).metric, 20u);
  EXPECT_EQ(external_body(*svc).forwarding_address, 0u);
  EXPECT_EQ(external_body(*svc).route_tag, 77u);
  expect_finalized(*svc);
  const Lsa* host = find(r, external_key("192.0.2.10"));
  ASSERT_TRUE(host);
  EXPECT_EQ(external_body(*host).network_mask, 0xffffffffu);
  expect_finalized(*host);
  EXPECT_EQ(o.originated_count(), 3u);
}

TEST(ExternalLsa, MetricType1ClearsTheEBitAndMetricIsCappedAt24Bits) {
  LsaOriginator o(kUs, ExternalPolicy{.metric = 0x1000000, .metric_type = 1});
  o.set_routes(routes({"10.96.0.0/12"}));
  auto r = o.update(t0);
  const Lsa* svc = find(r, external_key("10.96.0.0"));
  ASSERT_TRUE(svc);
  EXPECT_FALSE(external_body(*svc).external_type2);
  EXPECT_EQ(external_body(*svc).metric, 0xffffffu);
  expect_finalized(*svc);
}

TEST(ExternalLsa, SameNetworkAddressWithTwoMasksSetsHostBitsOnTheLonger) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12", "10.96.0.0/16"}));
  auto r = o.update(t0);
  const Lsa* wide = find(r, external_key("10.96.0.0"));
  const Lsa* narrow = find(r, external_key("10.96.255.255"));
  ASSERT_TRUE(wide && narrow);
  EXPECT_EQ(external_body(*wide).network_mask, 0xfff00000u);
  EXPECT_EQ(external_body(*narrow).network_mask, 0xffff0000u);
  expect_finalized(*narrow);
}

TEST(ExternalLsa, ShorterPrefixArrivingLaterTakesTheNetworkAddress) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/16"}));
  auto first = o.update(t0);
  EXPECT_EQ(external_body(*find(first, external_key("10.96.0.0"))).network_mask, 0xffff0000u);
  o.set_routes(routes({"10.96.0.0/12", "10.96.0.0/16"}));
  auto r = o.update(t0 + seconds(10));
  const Lsa* wide = find(r, external_key("10.96.0.0"));
  const Lsa* narrow = find(r, external_key("10.96.255.255"));
  ASSERT_TRUE(wide && narrow);
  EXPECT_EQ(wide->header.sequence_number, kInitialSequenceNumber + 1);  // a new instance of that ID
  EXPECT_EQ(external_body(*wide).network_mask, 0xfff00000u);
  EXPECT_EQ(narrow->header.sequence_number, kInitialSequenceNumber);
  EXPECT_EQ(external_body(*narrow).network_mask, 0xffff0000u);
}

TEST(ExternalLsa, HostBitsIdTakenByAnotherPrefixLeavesTheLongerOneOut) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12", "10.96.0.0/16", "10.96.255.255/32"}));
  auto r = o.update(t0);
  EXPECT_EQ(r.externals_left_out, 1u);
  EXPECT_EQ(external_body(*find(r, external_key("10.96.255.255"))).network_mask, 0xffffffffu);
}

TEST(ExternalLsa, AttributeChangeIncrementsTheSequenceNumber) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12"}));
  o.update(t0);
  o.set_policy(ExternalPolicy{.metric = 30});
  auto r = o.update(t0 + seconds(10));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber + 1);
  EXPECT_EQ(external_body(r.lsas[0]).metric, 30u);
  expect_finalized(r.lsas[0]);
  o.set_policy(ExternalPolicy{.metric = 30, .tag = 5});
  r = o.update(t0 + seconds(20));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber + 2);
  EXPECT_EQ(external_body(r.lsas[0]).route_tag, 5u);
}

TEST(ExternalLsa, NothingChangedOriginatesNothing) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12"}));
  o.update(t0);
  o.set_routes(routes({"10.96.0.0/12"}));
  auto r = o.update(t0 + seconds(60));
  EXPECT_TRUE(r.lsas.empty());
  EXPECT_EQ(r.next_update, t0 + kLsRefreshTime);
}

TEST(ExternalLsa, ChangeWithinMinLsIntervalIsDeferred) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12"}));
  o.update(t0);
  o.set_policy(ExternalPolicy{.metric = 50});
  auto r = o.update(t0 + seconds(2));
  EXPECT_TRUE(r.lsas.empty());
  EXPECT_EQ(r.next_update, t0 + kMinLsInterval);
  r = o.update(t0 + seconds(4));
  EXPECT_TRUE(r.lsas.empty());
  r = o.update(t0 + kMinLsInterval);
  ASSERT_EQ(r.lsas.size(), 1u);  // the router-LSA has nothing new
  EXPECT_EQ(external_body(r.lsas[0]).metric, 50u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber + 1);
}

TEST(ExternalLsa, RefreshedEveryLsRefreshTime) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12"}));
  auto r = o.update(t0);
  EXPECT_EQ(r.next_update, t0 + seconds(1800));
  EXPECT_TRUE(o.update(t0 + seconds(1799)).lsas.empty());
  r = o.update(t0 + seconds(1800));
  ASSERT_EQ(r.lsas.size(), 2u);  // the router-LSA and the external, same contents, next number
  for (const auto& lsa : r.lsas) {
    EXPECT_EQ(lsa.header.sequence_number, kInitialSequenceNumber + 1);
    EXPECT_EQ(lsa.header.age, 0);
  }
  EXPECT_EQ(r.next_update, t0 + seconds(3600));
}

TEST(ExternalLsa, WithdrawnPrefixIsFlushedWithItsSequenceNumber) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12", "10.100.0.0/16"}));
  auto first = o.update(t0);
  const Lsa live = *find(first, external_key("10.100.0.0"));
  o.set_routes(routes({"10.96.0.0/12"}));
  auto r = o.update(t0 + seconds(1));  // a flush isn't held back by MinLSInterval
  ASSERT_EQ(r.lsas.size(), 1u);
  const Lsa& flush = r.lsas[0];
  EXPECT_EQ(key_of(flush.header), external_key("10.100.0.0"));
  EXPECT_EQ(flush.header.age, wire::kMaxAge);
  EXPECT_EQ(flush.header.sequence_number, live.header.sequence_number);
  EXPECT_EQ(flush.header.checksum, live.header.checksum);
  EXPECT_EQ(flush.body, live.body);
  expect_finalized(flush);
  EXPECT_TRUE(o.update(t0 + seconds(2)).lsas.empty());  // flushed once

  // Back again: the next sequence number, once MinLSInterval after the flush has passed.
  o.set_routes(routes({"10.96.0.0/12", "10.100.0.0/16"}));
  EXPECT_TRUE(o.update(t0 + seconds(3)).lsas.empty());
  r = o.update(t0 + seconds(6));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.age, 0);
  EXPECT_EQ(r.lsas[0].header.sequence_number, live.header.sequence_number + 1);
}

TEST(ExternalLsa, FlushLeavingTheDatabaseIsForgotten) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.100.0.0/16"}));
  o.update(t0);
  o.set_routes({});
  o.update(t0 + seconds(1));
  EXPECT_TRUE(o.removed_from_database({external_key("10.100.0.0")}, t0 + seconds(3)).lsas.empty());
  EXPECT_FALSE(o.current(external_key("10.100.0.0")));
  o.set_routes(routes({"10.100.0.0/16"}));
  auto r = o.update(t0 + seconds(4));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber);
}

TEST(ExternalLsa, CapOriginatesTheLowestPrefixesAndCountsTheRest) {
  LsaOriginator o(kUs, ExternalPolicy{.max_external_lsas = 2});
  o.set_routes(routes({"10.96.0.10/32", "10.96.0.0/12", "10.96.0.2/32", "192.0.2.0/24"}));
  auto r = o.update(t0);
  EXPECT_EQ(r.externals_left_out, 2u);
  EXPECT_EQ(r.lsas.size(), 3u);
  EXPECT_TRUE(find(r, external_key("10.96.0.0")));
  EXPECT_TRUE(find(r, external_key("10.96.0.2")));
  EXPECT_FALSE(find(r, external_key("10.96.0.10")));
  EXPECT_FALSE(find(r, external_key("192.0.2.0")));
}

TEST(ExternalLsa, FlushAllOnShutdown) {
  LsaOriginator o(kUs);
  o.set_interfaces({broadcast("192.168.1.10", 0, false)});
  o.set_routes(routes({"10.96.0.0/12", "192.0.2.10/32"}));
  o.update(t0);
  o.set_routes(routes({"10.96.0.0/12"}));
  o.update(t0 + seconds(1));  // 192.0.2.10 already flushed: not flushed twice
  auto r = o.flush_all(t0 + seconds(2));
  ASSERT_EQ(r.lsas.size(), 2u);
  for (const auto& lsa : r.lsas) {
    EXPECT_EQ(lsa.header.age, wire::kMaxAge);
    EXPECT_EQ(lsa.header.sequence_number, kInitialSequenceNumber);
  }
  EXPECT_TRUE(find(r, o.router_lsa_key()));
  EXPECT_TRUE(find(r, external_key("10.96.0.0")));
  o.set_routes(routes({"10.1.0.0/16"}));
  EXPECT_TRUE(o.update(t0 + seconds(100)).lsas.empty());
}

// ---- §13.4 and §12.1.6 ----

TEST(SelfOriginated, NewerInstanceWeStillWantIsBeatenAtOnce) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12"}));
  auto mine = *find(o.update(t0), external_key("10.96.0.0"));
  Lsa old = mine;  // from before a restart: higher number, other metric
  old.header.sequence_number = kInitialSequenceNumber + 41;
  std::get<wire::AsExternalLsa>(old.body).metric = 99;
  wire::finalize_lsa(old);
  auto r = o.on_self_originated(old, t0 + seconds(1));  // not held back by MinLSInterval
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber + 42);
  EXPECT_EQ(r.lsas[0].header.age, 0);
  EXPECT_EQ(r.lsas[0].body, mine.body);
  expect_finalized(r.lsas[0]);
}

TEST(SelfOriginated, InstanceWeNoLongerWantIsFlushed) {
  LsaOriginator o(kUs);
  o.update(t0);
  wire::AsExternalLsa body;
  body.network_mask = 0xffff0000;
  body.metric = 20;
  const Lsa stale = ours_from_a_neighbor(wire::lsa_type::as_external, ip("10.200.0.0"), kInitialSequenceNumber + 3, 12, body);
  auto r = o.on_self_originated(stale, t0);
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.age, wire::kMaxAge);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kInitialSequenceNumber + 3);
  EXPECT_EQ(r.lsas[0].header.checksum, stale.header.checksum);
  EXPECT_TRUE(o.update(t0 + seconds(1)).lsas.empty());
}

TEST(SequenceWrap, AtMaxSequenceNumberFlushThenStartAgain) {
  LsaOriginator o(kUs);
  o.set_routes(routes({"10.96.0.0/12"}));
  auto mine = *find(o.update(t0), external_key("10.96.0.0"));
  Lsa high = mine;
  high.header.sequence_number = kMaxSequenceNumber - 1;
  wire::finalize_lsa(high);
  auto r = o.on_self_originated(high, t0);
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kMaxSequenceNumber);

  // The next instance would need MaxSequenceNumber + 1: flush instead, and wait.
  o.set_policy(ExternalPolicy{.metric = 21});
  r = o.update(t0 + seconds(10));
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(r.lsas[0].header.age, wire::kMaxAge);
  EXPECT_EQ(r.lsas[0].header.sequence_number, kMaxSequenceNumber);
  EXPECT_EQ(external_body(r.lsas[0]).metric, 20u);  // the instance being flushed
  EXPECT_TRUE(o.update(t0 + seconds(20)).lsas.empty());
  r = o.update(t0 + seconds(4000));  // the router-LSA's refresh, nothing for the wrapping one
  ASSERT_EQ(r.lsas.size(), 1u);
  EXPECT_EQ(key_of(r.lsas[0].header), o.router_lsa_key());

  // Acknowledged everywhere and removed: start over at InitialSequenceNumber with the new contents.
  r = o.removed_from_database({external_key("10.96.0.0")}, t0 + seconds(4001));
  ASSERT_EQ(r.lsas.size(), 1u);
  const Lsa* fresh = find(r, external_key("10.96.0.0"));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->header.sequence_number, kInitialSequenceNumber);
  EXPECT_EQ(fresh->header.age, 0);
  EXPECT_EQ(external_body(*fresh).metric, 21u);
}

// ---- the pieces together, the way the instance will use them ----

TEST(OriginationFlow, OriginateInstallFloodAckAndFlush) {
  LsaOriginator o(kUs);
  Lsdb db(kUs);
  RetransmissionList to_router;
  o.set_routes(routes({"10.96.0.0/12"}));
  for (auto& lsa : o.update(t0).lsas) {
    db.install(lsa, t0);
    to_router.add(lsa.header, t0);
  }
  EXPECT_EQ(db.size(), 2u);
  EXPECT_EQ(to_router.size(), 2u);
  // The router acks both a second later (ages as it got them).
  for (const auto& key : db.keys()) EXPECT_TRUE(to_router.acknowledge(*db.header_at(key, t0 + seconds(1))));
  EXPECT_TRUE(to_router.empty());

  // Prefix withdrawn: flush, installed at MaxAge, flooded, acked, then removed and forgotten.
  o.set_routes({});
  auto r = o.update(t0 + seconds(10));
  ASSERT_EQ(r.lsas.size(), 1u);
  db.install(r.lsas[0], t0 + seconds(10));
  to_router.add(r.lsas[0].header, t0 + seconds(10));
  // The router sending back the flush is a duplicate: an implied ack.
  EXPECT_EQ(db.receive(r.lsas[0], t0 + seconds(11), false), ReceiveOutcome::duplicate);
  EXPECT_TRUE(to_router.acknowledge(r.lsas[0].header));
  auto in_use = [&](const LsaKey& k) { return to_router.contains(k); };
  auto removed = db.expire(t0 + seconds(12), false, in_use);
  ASSERT_EQ(removed.size(), 1u);
  std::vector<LsaKey> keys{key_of(removed[0].header)};
  EXPECT_TRUE(o.removed_from_database(keys, t0 + seconds(12)).lsas.empty());
  EXPECT_EQ(db.size(), 1u);  // the router-LSA
}


}  // namespace
}  // namespace ospf

// ospf::Instance end to end over the codec: a scripted neighbor ("FakeRouter") sends packets
// built with the codec and the test decodes what the instance sends back; two Instances back
// to back reach Full with each other. Time only moves when a test passes a later `now`.
#include "ospf/instance.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "ospf/lsa_key.hpp"
#include "ospf/wire/lsa_codec.hpp"
#include "ospf/wire/packet_codec.hpp"

namespace ospf {
namespace {

using namespace std::chrono_literals;
using wire::PacketType;

const Clock::time_point t0{std::chrono::seconds(100000)};
constexpr std::uint32_t kAllSpf = 0xe0000005;
constexpr std::uint32_t kAllD = 0xe0000006;

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

config::OspfConfig make_config(config::OspfNetwork network, std::uint8_t priority = 0,
                               config::OspfAuthType auth = config::OspfAuthType::none, std::string key = "") {
  config::OspfConfig c;
  c.enabled = true;
  c.area = net::Address::v4(0);
  config::OspfInterfaceConfig itf;
  itf.name = "eth0";
  itf.network = network;
  itf.priority = priority;
  itf.auth.type = auth;
  itf.auth.key = std::move(key);
  c.interfaces.push_back(itf);
  return c;
}

wire::AuthConfig wire_auth(config::OspfAuthType type, std::string key) {
  wire::AuthConfig a;
  a.type = type == config::OspfAuthType::md5           ? wire::AuthConfig::Type::md5
           : type == config::OspfAuthType::hmac_sha256 ? wire::AuthConfig::Type::hmac_sha256
           : type == config::OspfAuthType::simple      ? wire::AuthConfig::Type::simple
                                                       : wire::AuthConfig::Type::none;
  a.key_id = 1;
  a.key = std::move(key);
  return a;
}

// One packet the instance sent, decoded.
struct Sent {
  std::uint32_t destination;
  std::size_t size;
  wire::Packet packet;
};

template <class Body>
std::vector<Body> bodies(const std::vector<Sent>& sent) {
  std::vector<Body> out;
  for (const auto& s : sent)
    if (const auto* b = std::get_if<Body>(&s.packet.body)) out.push_back(*b);
  return out;
}

template <class Body>
std::vector<Sent> of_type(const std::vector<Sent>& sent) {
  std::vector<Sent> out;
  for (const auto& s : sent)
    if (std::holds_alternative<Body>(s.packet.body)) out.push_back(s);
  return out;
}

std::vector<wire::Lsa> lsas_in(const std::vector<Sent>& sent) {
  std::vector<wire::Lsa> out;
  for (const auto& u : bodies<wire::LinkStateUpdate>(sent)) out.insert(out.end(), u.lsas.begin(), u.lsas.end());
  return out;
}

std::vector<wire::LsaHeader> acked_in(const std::vector<Sent>& sent) {
  std::vector<wire::LsaHeader> out;
  for (const auto& a : bodies<wire::LinkStateAck>(sent))
    out.insert(out.end(), a.lsa_headers.begin(), a.lsa_headers.end());
  return out;
}

// The neighbor as a test scripts it: it builds packets with the codec, under its own router ID.
struct FakeRouter {
  std::uint32_t router_id;
  std::uint32_t address;
  wire::AuthConfig auth;
  std::uint32_t area = 0;
  std::uint32_t crypto_sequence = 5000;

  std::vector<std::uint8_t> encode(wire::PacketBody body) {
    wire::Packet p{router_id, area, std::move(body), std::nullopt};
    return wire::encode_packet(p, auth, ++crypto_sequence);
  }

  wire::Hello hello(std::vector<std::uint32_t> neighbors, std::uint32_t mask = 0xfffffffc, std::uint8_t priority = 1,
                    std::uint32_t dr = 0, std::uint32_t bdr = 0) const {
    wire::Hello h;
    h.network_mask = mask;
    h.hello_interval = 10;
    h.dead_interval = 40;
    h.options = wire::option::e;
    h.priority = priority;
    h.designated_router = dr;
    h.backup_designated_router = bdr;
    h.neighbors = std::move(neighbors);
    return h;
  }

  wire::Lsa router_lsa(std::int32_t seq = wire::kInitialSequenceNumber) const {
    wire::Lsa lsa;
    lsa.header.age = 1;
    lsa.header.options = wire::option::e;
    lsa.header.type = wire::lsa_type::router;
    lsa.header.ls_id = router_id;
    lsa.header.advertising_router = router_id;
    lsa.header.sequence_number = seq;
    wire::RouterLsa body;
    wire::RouterLink link;
    link.type = wire::RouterLinkType::stub;
    link.id = address & 0xfffffffc;
    link.data = 0xfffffffc;
    link.metric = 1;
    body.links.push_back(link);
    lsa.body = body;
    wire::finalize_lsa(lsa);
    return lsa;
  }
};

wire::DatabaseDescription dd(std::uint32_t seq, bool init, bool more, bool master,
                             std::vector<wire::LsaHeader> headers = {}, std::uint16_t mtu = 1500) {
  wire::DatabaseDescription d;
  d.interface_mtu = mtu;
  d.options = wire::option::e;
  d.init = init;
  d.more = more;
  d.master = master;
  d.sequence_number = seq;
  d.lsa_headers = std::move(headers);
  return d;
}

wire::LsaRequest request_for(const wire::LsaHeader& h) { return {h.type, h.ls_id, h.advertising_router}; }

constexpr std::uint32_t kUs = 0x01010101;  // 1.1.1.1

// One Instance with one interface and one scripted neighbor on it.
struct Rig {
  explicit Rig(config::OspfNetwork network = config::OspfNetwork::point_to_point, std::uint32_t our_id = kUs,
               std::uint32_t peer_id = 0x02020202, std::uint8_t priority = 0,
               config::OspfAuthType auth = config::OspfAuthType::none, std::string key = "")
      : config(make_config(network, priority, auth, key)),
        instance(config, our_id),
        our_id(our_id),
        auth(wire_auth(auth, key)),
        peer{peer_id, ip("10.0.0.2"), wire_auth(auth, key)} {}

  void up(std::uint32_t mtu = 1500) { instance.interface_up("eth0", {2, ip("10.0.0.1"), 30, mtu}, now); }

  void deliver(wire::PacketBody body, std::uint32_t destination = kAllSpf) {
    auto bytes = peer.encode(std::move(body));
    instance.packet_received("eth0", peer.address, destination, bytes, now);
  }

  std::vector<Sent> out() {
    std::vector<Sent> sent;
    for (const auto& p : instance.take_outgoing()) {
      EXPECT_EQ(p.interface, "eth0");
      auto decoded = wire::decode_packet(p.bytes, auth);
      EXPECT_TRUE(decoded.has_value()) << decoded.error();
      if (decoded) sent.push_back({p.destination, p.bytes.size(), *decoded});
    }
    return sent;
  }

  void advance(Clock::duration d) {
    now += d;
    instance.tick(now);
  }

  std::string state() const {
    auto n = instance.neighbors();
    return n.empty() ? "none" : n.front().state;
  }

  config::OspfConfig config;
  Instance instance;
  std::uint32_t our_id;
  wire::AuthConfig auth;
  FakeRouter peer;
  Clock::time_point now = t0;
};

// Brings the point-to-point rig to Full with the peer as master (its router ID is higher), the
// way a real neighbor would, checking each of our answers. Returns our LSAs as the peer got them:
// those it asked for in the exchange, then our first router-LSA, flooded when we reach Full.
std::vector<wire::Lsa> full_as_slave(Rig& rig) {
  rig.up();
  auto hellos = bodies<wire::Hello>(rig.out());
  EXPECT_EQ(hellos.size(), 1u);

  // It hears us: 2-Way, and on a point-to-point link straight to ExStart with our I|M|MS DD.
  rig.deliver(rig.peer.hello({rig.our_id}));
  auto sent = rig.out();
  auto dds = of_type<wire::DatabaseDescription>(sent);
  EXPECT_EQ(dds.size(), 1u);
  EXPECT_EQ(rig.state(), "ExStart");

  // It is master: its empty initial DD makes us slave, answering with our headers.
  rig.deliver(dd(7000, true, true, true));
  auto answer = bodies<wire::DatabaseDescription>(rig.out());
  EXPECT_EQ(answer.size(), 1u);
  EXPECT_EQ(rig.state(), "Exchange");
  std::vector<wire::LsaHeader> ours;
  if (!answer.empty()) {
    EXPECT_FALSE(answer[0].master);
    EXPECT_EQ(answer[0].sequence_number, 7000u);
    ours = answer[0].lsa_headers;
  }
  // Its last DD (M clear) describes its router-LSA: we ask for it.
  const auto peer_lsa = rig.peer.router_lsa();
  rig.deliver(dd(7001, false, false, true, {peer_lsa.header}));
  sent = rig.out();
  auto last = bodies<wire::DatabaseDescription>(sent);
  EXPECT_EQ(last.size(), 1u);
  if (!last.empty()) {
    EXPECT_EQ(last[0].sequence_number, 7001u);
    EXPECT_FALSE(last[0].more);
  }
  auto requests = bodies<wire::LinkStateRequest>(sent);
  EXPECT_EQ(requests.size(), 1u);
  if (!requests.empty()) {
    EXPECT_EQ(requests[0].requests, std::vector{request_for(peer_lsa.header)});
  }
  EXPECT_EQ(rig.state(), "Loading");

  // It asks for ours; we answer with an LS Update.
  wire::LinkStateRequest lsr;
  for (const auto& h : ours) lsr.requests.push_back(request_for(h));
  rig.deliver(lsr);
  auto got = lsas_in(rig.out());
  EXPECT_EQ(got.size(), ours.size());

  // It answers our request: Full, and we acknowledge.
  rig.deliver(wire::LinkStateUpdate{{peer_lsa}});
  sent = rig.out();
  EXPECT_EQ(rig.state(), "Full");
  auto acks = acked_in(sent);
  EXPECT_EQ(acks.size(), 1u);
  if (!acks.empty()) {
    EXPECT_EQ(key_of(acks[0]), key_of(peer_lsa.header));
  }
  // Our router-LSA was held until it could name the adjacency: it follows Full at once.
  auto flooded = lsas_in(sent);
  EXPECT_EQ(flooded.size(), 1u);
  got.insert(got.end(), flooded.begin(), flooded.end());
  // The peer acknowledges what we sent it.
  rig.deliver(wire::LinkStateAck{[&] {
    std::vector<wire::LsaHeader> h;
    for (const auto& l : got) h.push_back(l.header);
    return h;
  }()});
  rig.out();
  return got;
}

const wire::Lsa* find_lsa(const std::vector<wire::Lsa>& lsas, std::uint8_t type, std::uint32_t ls_id) {
  for (const auto& l : lsas)
    if (l.header.type == type && l.header.ls_id == ls_id) return &l;
  return nullptr;
}

// ---- Adjacency -------------------------------------------------------------------------------------

TEST(OspfInstance, InterfaceUpSendsHelloAndHoldsTheRouterLsa) {
  Rig rig;
  rig.up();
  auto sent = rig.out();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].destination, kAllSpf);
  auto hello = std::get<wire::Hello>(sent[0].packet.body);
  EXPECT_EQ(hello.hello_interval, 10);
  EXPECT_EQ(hello.dead_interval, 40u);
  EXPECT_EQ(hello.options & wire::option::e, wire::option::e);
  EXPECT_EQ(sent[0].packet.router_id, kUs);
  EXPECT_EQ(rig.instance.groups("eth0"), std::vector<std::uint32_t>{kAllSpf});
  // No router-LSA yet: with no adjacency it could only carry a stub link nobody can use, and it
  // would start MinLSInterval for the instance that names the adjacency.
  EXPECT_EQ(rig.instance.counters().lsas_originated, 0u);
  // The externals do not wait.
  rig.instance.set_routes(routes({"10.96.0.0/12"}), rig.now);
  EXPECT_EQ(rig.instance.counters().lsas_originated, 1u);
  // The Hello timer is the next thing to do (aging wakes once a second).
  ASSERT_TRUE(rig.instance.next_wakeup().has_value());
  rig.advance(10s);
  EXPECT_EQ(bodies<wire::Hello>(rig.out()).size(), 1u);
}

TEST(OspfInstance, PointToPointReachesFullAsSlave) {
  Rig rig;
  rig.instance.set_routes(routes({"10.96.0.0/12"}), rig.now);
  auto got = full_as_slave(rig);
  // The peer got our AS-external-LSA via the exchange and our router-LSA (E bit: we are an ASBR)
  // flooded at Full, its first instance.
  EXPECT_EQ(find_lsa(got, wire::lsa_type::router, kUs), &got.back());
  const auto* router = find_lsa(got, wire::lsa_type::router, kUs);
  ASSERT_NE(router, nullptr);
  EXPECT_TRUE(std::get<wire::RouterLsa>(router->body).as_boundary_router);
  EXPECT_EQ(router->header.sequence_number, wire::kInitialSequenceNumber);
  const auto* external = find_lsa(got, wire::lsa_type::as_external, ip("10.96.0.0"));
  ASSERT_NE(external, nullptr);
  const auto& body = std::get<wire::AsExternalLsa>(external->body);
  EXPECT_EQ(body.network_mask, 0xfff00000u);
  EXPECT_TRUE(body.external_type2);
  EXPECT_EQ(body.metric, 20u);
  auto n = rig.instance.neighbors();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].router_id, 0x02020202u);
  EXPECT_EQ(n[0].address, ip("10.0.0.2"));
  EXPECT_EQ(n[0].interface, "eth0");
}

TEST(OspfInstance, PointToPointReachesFullAsMaster) {
  Rig rig(config::OspfNetwork::point_to_point, /*our_id=*/0x05050505, /*peer_id=*/0x02020202);
  rig.instance.set_routes(routes({"10.96.0.0/12"}), rig.now);
  rig.up();
  rig.out();
  rig.deliver(rig.peer.hello({0x05050505}));
  auto first = bodies<wire::DatabaseDescription>(rig.out());
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(first[0].init && first[0].more && first[0].master);
  const std::uint32_t seq = first[0].sequence_number;

  // Its own initial DD loses (lower router ID): ignored.
  rig.deliver(dd(42, true, true, true));
  EXPECT_TRUE(bodies<wire::DatabaseDescription>(rig.out()).empty());
  EXPECT_EQ(rig.state(), "ExStart");

  // It agrees to be slave, echoing our sequence number with its headers.
  const auto peer_lsa = rig.peer.router_lsa();
  rig.deliver(dd(seq, false, false, false, {peer_lsa.header}));
  auto sent = rig.out();
  auto next = bodies<wire::DatabaseDescription>(sent);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_TRUE(next[0].master);
  EXPECT_FALSE(next[0].init);
  EXPECT_EQ(next[0].sequence_number, seq + 1);
  // Our external; the router-LSA is held until it can name the adjacency.
  ASSERT_EQ(next[0].lsa_headers.size(), 1u);
  EXPECT_EQ(next[0].lsa_headers[0].advertising_router, 0x05050505u);
  EXPECT_EQ(next[0].lsa_headers[0].type, wire::lsa_type::as_external);
  EXPECT_EQ(bodies<wire::LinkStateRequest>(sent).size(), 1u);  // requests go out during Exchange
  EXPECT_EQ(rig.state(), "Exchange");

  // The master resends its DD if the slave stays silent for RxmtInterval.
  rig.advance(5s);
  auto again = bodies<wire::DatabaseDescription>(rig.out());
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0], next[0]);

  rig.deliver(dd(seq + 1, false, false, false));
  EXPECT_EQ(rig.state(), "Loading");
  rig.deliver(wire::LinkStateUpdate{{peer_lsa}});
  EXPECT_EQ(rig.state(), "Full");
  sent = rig.out();
  EXPECT_EQ(acked_in(sent).size(), 1u);
  const auto flooded = lsas_in(sent);
  ASSERT_EQ(flooded.size(), 1u);
  EXPECT_EQ(key_of(flooded[0].header), (LsaKey{wire::lsa_type::router, 0x05050505, 0x05050505}));
}

TEST(OspfInstance, NeighborGoesDownAfterDeadInterval) {
  Rig rig;
  full_as_slave(rig);
  for (int i = 0; i < 4; ++i) rig.advance(10s);  // no Hellos from it for RouterDeadInterval
  EXPECT_TRUE(rig.instance.neighbors().empty());
  auto log = rig.instance.take_log();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(),
                          [](const std::string& l) { return l.find("Full -> Down") != std::string::npos; }));
}

// ---- Flooding and origination -----------------------------------------------------------------------

TEST(OspfInstance, FirstRouterLsaNamesTheAdjacencyAtFull) {
  Rig rig;
  auto got = full_as_slave(rig);
  // Held until Full, the first instance already has the point-to-point link: no second instance
  // (MinLSInterval later) is needed for it.
  const auto* router = find_lsa(got, wire::lsa_type::router, kUs);
  ASSERT_NE(router, nullptr);
  EXPECT_EQ(router->header.sequence_number, wire::kInitialSequenceNumber);
  const auto& links = std::get<wire::RouterLsa>(router->body).links;
  EXPECT_TRUE(std::any_of(links.begin(), links.end(), [](const wire::RouterLink& l) {
    return l.type == wire::RouterLinkType::point_to_point && l.id == 0x02020202u;
  }));
  EXPECT_EQ(rig.instance.counters().lsas_originated, 1u);
  rig.advance(5s);
  rig.advance(5s);
  EXPECT_EQ(find_lsa(lsas_in(rig.out()), wire::lsa_type::router, kUs), nullptr);
  EXPECT_EQ(rig.instance.counters().lsas_originated, 1u);
}

TEST(OspfInstance, RouterLsaChangesAfterTheFirstKeepMinLsInterval) {
  Rig rig;
  full_as_slave(rig);
  // The adjacency restarts 2 s after the first instance (a bad LS Request: back to ExStart), so the
  // router-LSA loses its point-to-point link; that instance waits until MinLSInterval has passed.
  rig.advance(2s);
  rig.out();
  rig.deliver(wire::LinkStateRequest{{{wire::lsa_type::as_external, ip("192.0.2.1"), 0x09090909}}});
  ASSERT_EQ(rig.state(), "ExStart");
  EXPECT_EQ(find_lsa(lsas_in(rig.out()), wire::lsa_type::router, kUs), nullptr);
  EXPECT_EQ(rig.instance.counters().lsas_originated, 1u);
  rig.advance(3s);
  EXPECT_EQ(rig.instance.counters().lsas_originated, 2u);
}

TEST(OspfInstance, NewRouteIsFloodedAndRetransmittedUntilAcked) {
  Rig rig;
  full_as_slave(rig);
  rig.instance.set_routes(routes({"10.96.0.10/32"}), rig.now);
  auto sent = rig.out();
  auto lsas = lsas_in(sent);
  const auto* external = find_lsa(lsas, wire::lsa_type::as_external, ip("10.96.0.10"));
  ASSERT_NE(external, nullptr);
  EXPECT_EQ(of_type<wire::LinkStateUpdate>(sent)[0].destination, kAllSpf);
  EXPECT_EQ(external->header.age, 1);  // InfTransDelay added on the way out

  // Unacknowledged: sent again after RxmtInterval (5 s), and again after that.
  rig.advance(4s);
  EXPECT_EQ(find_lsa(lsas_in(rig.out()), wire::lsa_type::as_external, ip("10.96.0.10")), nullptr);
  rig.advance(1s);
  const auto retransmitted = lsas_in(rig.out());
  const auto* again = find_lsa(retransmitted, wire::lsa_type::as_external, ip("10.96.0.10"));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->header.sequence_number, external->header.sequence_number);
  EXPECT_EQ(again->header.age, 6);

  // Acknowledged: no more.
  rig.deliver(wire::LinkStateAck{{again->header}});
  rig.advance(5s);
  rig.advance(5s);
  EXPECT_EQ(find_lsa(lsas_in(rig.out()), wire::lsa_type::as_external, ip("10.96.0.10")), nullptr);
}

TEST(OspfInstance, RemovedRouteIsFlushedWithMaxAge) {
  Rig rig;
  rig.instance.set_routes(routes({"10.96.0.10/32", "10.96.0.11/32"}), rig.now);
  full_as_slave(rig);
  rig.instance.set_routes(routes({"10.96.0.10/32"}), rig.now);
  auto lsas = lsas_in(rig.out());
  ASSERT_EQ(lsas.size(), 1u);
  EXPECT_EQ(lsas[0].header.ls_id, ip("10.96.0.11"));
  EXPECT_EQ(lsas[0].header.age, wire::kMaxAge);
  // Acked, the flush leaves our database; the next aging pass finds nothing to resend.
  rig.deliver(wire::LinkStateAck{{lsas[0].header}});
  rig.advance(6s);
  EXPECT_EQ(find_lsa(lsas_in(rig.out()), wire::lsa_type::as_external, ip("10.96.0.11")), nullptr);
}

TEST(OspfInstance, NeighborLsaIsAckedAndOlderCopyAnsweredWithOurs) {
  Rig rig;
  full_as_slave(rig);
  // A newer instance of its router-LSA: installed and acknowledged.
  auto newer = rig.peer.router_lsa(wire::kInitialSequenceNumber + 1);
  rig.now += 2s;  // past MinLSArrival
  rig.deliver(wire::LinkStateUpdate{{newer}});
  auto acks = acked_in(rig.out());
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].sequence_number, wire::kInitialSequenceNumber + 1);
  // The same again: a duplicate, acknowledged directly.
  rig.deliver(wire::LinkStateUpdate{{newer}});
  EXPECT_EQ(acked_in(rig.out()).size(), 1u);
  // An older one: we send back our newer copy instead of an ack.
  rig.deliver(wire::LinkStateUpdate{{rig.peer.router_lsa()}});
  auto sent = rig.out();
  EXPECT_TRUE(acked_in(sent).empty());
  auto back = lsas_in(sent);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].header.sequence_number, wire::kInitialSequenceNumber + 1);
}

TEST(OspfInstance, SelfOriginatedNewerInstanceIsOutdone) {
  Rig rig;
  rig.instance.set_routes(routes({"10.96.0.10/32"}), rig.now);
  full_as_slave(rig);
  rig.advance(5s);  // past MinLSInterval of our first instances
  rig.out();
  // The neighbor floods an instance of our external from before a restart, with a higher number.
  wire::Lsa stale;
  stale.header.age = 100;
  stale.header.options = wire::option::e;
  stale.header.type = wire::lsa_type::as_external;
  stale.header.ls_id = ip("10.96.0.10");
  stale.header.advertising_router = kUs;
  stale.header.sequence_number = wire::kInitialSequenceNumber + 50;
  wire::AsExternalLsa body;
  body.network_mask = 0xffffffff;
  body.metric = 20;
  stale.body = body;
  wire::finalize_lsa(stale);
  rig.deliver(wire::LinkStateUpdate{{stale}});
  auto lsas = lsas_in(rig.out());
  const auto* ours = find_lsa(lsas, wire::lsa_type::as_external, ip("10.96.0.10"));
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->header.sequence_number, wire::kInitialSequenceNumber + 51);
  EXPECT_LT(ours->header.age, wire::kMaxAge);
}

TEST(OspfInstance, BadLsRequestRestartsTheExchange) {
  Rig rig;
  full_as_slave(rig);
  wire::LinkStateRequest lsr{{{wire::lsa_type::as_external, ip("192.0.2.1"), 0x09090909}}};
  rig.deliver(lsr);
  EXPECT_EQ(rig.state(), "ExStart");
  EXPECT_EQ(rig.instance.counters().dropped.at("BadLSReq"), 1u);
}

TEST(OspfInstance, ManyExternalsSplitIntoPacketsThatFitTheMtu) {
  Rig rig(config::OspfNetwork::point_to_point, kUs, 0x02020202, 0, config::OspfAuthType::hmac_sha256, "key");
  net::RouteSet many;
  for (int i = 0; i < 600; ++i) {
    net::Route r;
    r.prefix = net::Prefix(net::Address::v4(ip("10.96.0.0") + static_cast<std::uint32_t>(i)), 32);
    many.insert(r);
  }
  rig.instance.set_routes(many, rig.now);
  const std::uint32_t mtu = 576;
  rig.up(mtu);
  rig.out();
  rig.deliver(rig.peer.hello({kUs}));
  rig.out();
  // Its MTU is larger than ours: we refuse the exchange, and say why.
  rig.deliver(dd(7000, true, true, true));
  EXPECT_EQ(rig.instance.counters().dropped.at("DD rejected"), 1u);
  EXPECT_EQ(rig.state(), "ExStart");
  rig.out();
  rig.deliver(dd(7000, true, true, true, {}, mtu));
  // Walk the exchange as master until our DDs are done, collecting every header.
  std::set<LsaKey> described;
  std::uint32_t seq = 7000;
  for (int round = 0; round < 200; ++round) {
    auto sent = rig.out();
    for (const auto& s : sent) EXPECT_LE(s.size, mtu - 20) << "packet too big";
    auto dds = bodies<wire::DatabaseDescription>(sent);
    ASSERT_EQ(dds.size(), 1u);
    for (const auto& h : dds[0].lsa_headers) described.insert(key_of(h));
    if (!dds[0].more) break;
    rig.deliver(dd(++seq, false, true, true, {}, mtu));
  }
  EXPECT_EQ(described.size(), 600u);  // the externals; the router-LSA waits for Full
  rig.deliver(dd(++seq, false, false, true, {}, mtu));
  EXPECT_EQ(rig.state(), "Full");
  // At Full our router-LSA is flooded; it asks for everything described at once, and the answer
  // is split over many LS Updates that fit.
  wire::LinkStateRequest lsr;
  for (const auto& k : described) lsr.requests.push_back({k.type, k.ls_id, k.advertising_router});
  rig.deliver(lsr);
  auto sent = rig.out();
  EXPECT_GT(of_type<wire::LinkStateUpdate>(sent).size(), 10u);
  for (const auto& s : sent) EXPECT_LE(s.size, mtu - 20);
  EXPECT_EQ(lsas_in(sent).size(), 601u);  // the router-LSA and the 600 externals
  EXPECT_NE(find_lsa(lsas_in(sent), wire::lsa_type::router, kUs), nullptr);
}

TEST(OspfInstance, ExternalsOverTheCapAreLeftOutWithOneWarning) {
  auto config = make_config(config::OspfNetwork::point_to_point);
  config.max_external_lsas = 2;
  Instance instance(config, kUs);
  instance.set_routes(routes({"10.96.0.1/32", "10.96.0.2/32", "10.96.0.3/32"}), t0);
  instance.set_routes(routes({"10.96.0.1/32", "10.96.0.2/32", "10.96.0.3/32", "10.96.0.4/32"}), t0 + 1s);
  auto log = instance.take_log();
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& l) { return l.find("max_external_lsas") != std::string::npos; }),
            1);
}

// ---- Shutdown ------------------------------------------------------------------------------------------

TEST(OspfInstance, ShutdownFlushesEverythingAndCompletesWhenAcked) {
  Rig rig;
  rig.instance.set_routes(routes({"10.96.0.10/32"}), rig.now);
  full_as_slave(rig);
  EXPECT_FALSE(rig.instance.shutdown_complete());
  rig.instance.shutdown(rig.now);
  auto lsas = lsas_in(rig.out());
  ASSERT_EQ(lsas.size(), 2u);  // router-LSA and the external
  for (const auto& l : lsas) EXPECT_EQ(l.header.age, wire::kMaxAge);
  EXPECT_FALSE(rig.instance.shutdown_complete());
  rig.deliver(wire::LinkStateAck{{lsas[0].header}});
  EXPECT_FALSE(rig.instance.shutdown_complete());
  rig.deliver(wire::LinkStateAck{{lsas[1].header}});
  EXPECT_TRUE(rig.instance.shutdown_complete());
}

TEST(OspfInstance, ShutdownWithoutNeighborsCompletesAtOnce) {
  Rig rig;
  rig.up();
  rig.instance.shutdown(rig.now);
  EXPECT_TRUE(rig.instance.shutdown_complete());
}

// ---- Drops ------------------------------------------------------------------------------------------------

TEST(OspfInstance, DropsWrongAreaWithCounterAndLog) {
  Rig rig;
  rig.up();
  rig.out();
  rig.peer.area = ip("0.0.0.1");
  rig.deliver(rig.peer.hello({}));
  EXPECT_TRUE(rig.instance.neighbors().empty());
  EXPECT_EQ(rig.instance.counters().dropped.at("area mismatch"), 1u);
  auto log = rig.instance.take_log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back(), "dropped Hello from 10.0.0.2 on eth0: area mismatch (0.0.0.1, ours 0.0.0.0)");
  // A second one within the rate limit is counted but not logged.
  rig.deliver(rig.peer.hello({}));
  EXPECT_EQ(rig.instance.counters().dropped.at("area mismatch"), 2u);
  EXPECT_TRUE(rig.instance.take_log().empty());
}

TEST(OspfInstance, DropsHelloWithIntervalMismatch) {
  Rig rig;
  rig.up();
  auto hello = rig.peer.hello({});
  hello.hello_interval = 5;
  rig.deliver(hello);
  hello = rig.peer.hello({});
  hello.dead_interval = 120;
  rig.deliver(hello);
  EXPECT_TRUE(rig.instance.neighbors().empty());
  EXPECT_EQ(rig.instance.counters().dropped.at("HelloInterval mismatch"), 1u);
  EXPECT_EQ(rig.instance.counters().dropped.at("RouterDeadInterval mismatch"), 1u);
}

TEST(OspfInstance, DropsBadAuthenticationAndGarbage) {
  Rig rig(config::OspfNetwork::point_to_point, kUs, 0x02020202, 0, config::OspfAuthType::md5, "right");
  rig.up();
  rig.out();
  rig.peer.auth.key = "wrong";
  rig.deliver(rig.peer.hello({}));
  EXPECT_EQ(rig.instance.counters().dropped.at("authentication failed"), 1u);
  rig.peer.auth = {};  // no authentication at all
  rig.deliver(rig.peer.hello({}));
  EXPECT_EQ(rig.instance.counters().dropped.at("bad AuType"), 1u);
  const std::vector<std::uint8_t> garbage{1, 2, 3};
  rig.instance.packet_received("eth0", rig.peer.address, kAllSpf, garbage, rig.now);
  EXPECT_TRUE(rig.instance.neighbors().empty());
  EXPECT_EQ(rig.instance.counters().packets_received, 3u);
}

TEST(OspfInstance, DropsDecreasingCryptoSequenceNumber) {
  Rig rig(config::OspfNetwork::point_to_point, kUs, 0x02020202, 0, config::OspfAuthType::md5, "key");
  rig.up();
  rig.deliver(rig.peer.hello({}));
  ASSERT_EQ(rig.instance.neighbors().size(), 1u);
  rig.peer.crypto_sequence = 10;  // a replay of something old
  rig.deliver(rig.peer.hello({kUs}));
  EXPECT_EQ(rig.instance.counters().dropped.at("crypto sequence number decreased"), 1u);
  EXPECT_EQ(rig.state(), "Init");
}

TEST(OspfInstance, DropsPacketsFromUnknownNeighborsAndOurselves) {
  Rig rig;
  rig.up();
  rig.deliver(dd(1, true, true, true));
  EXPECT_EQ(rig.instance.counters().dropped.at("unknown neighbor"), 1u);
  rig.peer.router_id = kUs;
  rig.deliver(rig.peer.hello({}));
  EXPECT_EQ(rig.instance.counters().dropped.at("from ourselves"), 1u);
  rig.instance.packet_received("eth9", rig.peer.address, kAllSpf, rig.peer.encode(rig.peer.hello({})), rig.now);
  EXPECT_EQ(rig.instance.counters().dropped.at("interface down"), 1u);
}

// ---- Broadcast networks ----------------------------------------------------------------------------------

TEST(OspfInstance, BroadcastDrOtherFormsAdjacencyWithTheDr) {
  Rig rig(config::OspfNetwork::broadcast);
  rig.up();
  auto hello = bodies<wire::Hello>(rig.out());
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].network_mask, 0xfffffffcu);
  EXPECT_EQ(hello[0].priority, 0);
  // The peer is DR. It lists us: 2-Way, and ExStart since it is the DR.
  rig.deliver(rig.peer.hello({kUs}, 0xfffffffc, 1, rig.peer.address));
  auto sent = rig.out();
  auto dds = of_type<wire::DatabaseDescription>(sent);
  ASSERT_EQ(dds.size(), 1u);
  EXPECT_EQ(dds[0].destination, rig.peer.address);  // DDs go straight to the neighbor
  EXPECT_EQ(rig.state(), "ExStart");
  EXPECT_EQ(rig.instance.groups("eth0"), std::vector<std::uint32_t>{kAllSpf});  // DR Other

  // A packet to AllDRouters is not for a DR Other.
  rig.deliver(rig.peer.hello({kUs}, 0xfffffffc, 1, rig.peer.address), kAllD);
  EXPECT_EQ(rig.instance.counters().dropped.at("AllDRouters while not DR or BDR"), 1u);
  // A Hello with another mask is dropped.
  rig.deliver(rig.peer.hello({kUs}, 0xffffff00, 1, rig.peer.address));
  EXPECT_EQ(rig.instance.counters().dropped.at("network mask mismatch"), 1u);

  rig.deliver(dd(7000, true, true, true));
  auto answer = bodies<wire::DatabaseDescription>(rig.out());
  ASSERT_EQ(answer.size(), 1u);
  rig.deliver(dd(7001, false, false, true));
  EXPECT_EQ(rig.state(), "Full");
  // At Full with the DR our first router-LSA goes out, naming the transit network, and as DR Other
  // we flood to AllDRouters.
  auto updates = of_type<wire::LinkStateUpdate>(rig.out());
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(updates[0].destination, kAllD);
  const auto lsas = lsas_in(updates);
  const auto* router = find_lsa(lsas, wire::lsa_type::router, kUs);
  ASSERT_NE(router, nullptr);
  EXPECT_EQ(router->header.sequence_number, wire::kInitialSequenceNumber);
  const auto& links = std::get<wire::RouterLsa>(router->body).links;
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].type, wire::RouterLinkType::transit);
  EXPECT_EQ(links[0].id, rig.peer.address);
}

TEST(OspfInstance, BroadcastElectsItselfDrAfterWaitAndJoinsAllDRouters) {
  Rig rig(config::OspfNetwork::broadcast, kUs, 0x02020202, /*priority=*/1);
  rig.up();
  rig.out();
  EXPECT_EQ(rig.instance.groups("eth0"), std::vector<std::uint32_t>{kAllSpf});
  for (int i = 0; i < 4; ++i) rig.advance(10s);  // the Wait Timer: RouterDeadInterval
  EXPECT_EQ(rig.instance.groups("eth0"), (std::vector<std::uint32_t>{kAllSpf, kAllD}));
  rig.advance(10s);
  auto hellos = bodies<wire::Hello>(rig.out());
  ASSERT_FALSE(hellos.empty());
  EXPECT_EQ(hellos.back().designated_router, ip("10.0.0.1"));
  rig.instance.interface_down("eth0", rig.now);
  EXPECT_TRUE(rig.instance.groups("eth0").empty());
}

TEST(OspfInstance, DrFullWithANeighborOriginatesTheNetworkLsaAndFlushesItOnShutdown) {
  // We have priority 1, the router 0 (as in a home LAN where the node is the only candidate).
  Rig rig(config::OspfNetwork::broadcast, kUs, 0x02020202, /*priority=*/1);
  rig.up();
  rig.out();
  for (int i = 0; i < 4; ++i) rig.advance(10s);  // the Wait Timer: we are DR
  rig.out();
  const std::uint32_t us = ip("10.0.0.1");
  rig.deliver(rig.peer.hello({kUs}, 0xfffffffc, 0, us));
  EXPECT_EQ(rig.state(), "ExStart");
  rig.out();
  rig.deliver(dd(7000, true, true, true));
  rig.out();
  rig.deliver(dd(7001, false, false, true));
  ASSERT_EQ(rig.state(), "Full");
  auto updates = of_type<wire::LinkStateUpdate>(rig.out());
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(updates[0].destination, kAllSpf);  // the DR floods to AllSPFRouters
  const auto lsas = lsas_in(updates);
  const auto* network = find_lsa(lsas, wire::lsa_type::network, us);
  ASSERT_NE(network, nullptr) << "no network-LSA from the DR";
  EXPECT_EQ(network->header.advertising_router, kUs);
  const auto& body = std::get<wire::NetworkLsa>(network->body);
  EXPECT_EQ(body.network_mask, 0xfffffffcu);
  EXPECT_EQ(body.attached_routers, (std::vector<std::uint32_t>{kUs, 0x02020202}));
  // The router-LSA's transit link names the same network-LSA.
  const auto* router = find_lsa(lsas, wire::lsa_type::router, kUs);
  ASSERT_NE(router, nullptr);
  const auto& links = std::get<wire::RouterLsa>(router->body).links;
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].type, wire::RouterLinkType::transit);
  EXPECT_EQ(links[0].id, us);

  // Leaving: the network-LSA goes out at MaxAge with the rest.
  rig.instance.shutdown(rig.now);
  const auto flushed = lsas_in(rig.out());
  const auto* flush = find_lsa(flushed, wire::lsa_type::network, us);
  ASSERT_NE(flush, nullptr);
  EXPECT_EQ(flush->header.age, wire::kMaxAge);
}

// ---- Two instances back to back ----------------------------------------------------------------------------

struct Pair {
  Pair(config::OspfNetwork network, config::OspfAuthType auth, std::string key, std::uint8_t priority = 0)
      : a(make_config(network, priority, auth, key), 0x01010101),
        b(make_config(network, priority == 0 ? 1 : priority, auth, key), 0x02020202),
        auth(wire_auth(auth, key)) {}

  // Carries each side's packets to the other until both are quiet, decoding them on the way.
  void exchange() {
    for (int round = 0; round < 50; ++round) {
      auto from_a = a.take_outgoing();
      auto from_b = b.take_outgoing();
      if (from_a.empty() && from_b.empty()) return;
      for (const auto& p : from_a) carry(p, a_address, b, true);
      for (const auto& p : from_b) carry(p, b_address, a, false);
    }
  }

  void carry(const OutgoingPacket& p, std::uint32_t source, Instance& to, bool from_a) {
    auto decoded = wire::decode_packet(p.bytes, auth);
    ASSERT_TRUE(decoded.has_value()) << decoded.error();
    (from_a ? a_sent : b_sent).push_back({p.destination, p.bytes.size(), *decoded});
    to.packet_received("eth0", source, p.destination, p.bytes, now);
  }

  void run_for(Clock::duration d) {
    const auto end = now + d;
    while (now < end) {
      now += 1s;
      a.tick(now);
      b.tick(now);
      exchange();
    }
  }

  static bool full(const Instance& i) {
    auto n = i.neighbors();
    return n.size() == 1 && n[0].state == "Full";
  }

  Instance a, b;
  wire::AuthConfig auth;
  std::uint32_t a_address = ip("10.0.0.1"), b_address = ip("10.0.0.2");
  Clock::time_point now = t0;
  std::vector<Sent> a_sent, b_sent;
};

// What `from` flooded or answered with that `to` acknowledged, by key.
std::set<LsaKey> delivered_and_acked(const std::vector<Sent>& from, const std::vector<Sent>& to) {
  std::set<LsaKey> sent, acked;
  for (const auto& l : lsas_in(from)) sent.insert(key_of(l.header));
  for (const auto& h : acked_in(to)) acked.insert(key_of(h));
  std::set<LsaKey> out;
  std::set_intersection(sent.begin(), sent.end(), acked.begin(), acked.end(), std::inserter(out, out.end()));
  return out;
}

TEST(OspfInstance, TwoInstancesWithMd5ReachFullAndExchangeRouterLsas) {
  Pair pair(config::OspfNetwork::point_to_point, config::OspfAuthType::md5, "s3cret");
  pair.a.set_routes(routes({"10.96.0.0/12"}), pair.now);
  pair.a.interface_up("eth0", {2, pair.a_address, 30, 1500}, pair.now);
  pair.b.interface_up("eth0", {3, pair.b_address, 30, 1500}, pair.now);
  pair.exchange();
  pair.run_for(20s);
  ASSERT_TRUE(Pair::full(pair.a)) << pair.a.neighbors().size();
  ASSERT_TRUE(Pair::full(pair.b));
  // Let the acks settle.
  pair.run_for(15s);

  const LsaKey a_router{wire::lsa_type::router, 0x01010101, 0x01010101};
  const LsaKey b_router{wire::lsa_type::router, 0x02020202, 0x02020202};
  const LsaKey a_external{wire::lsa_type::as_external, ip("10.96.0.0"), 0x01010101};
  auto a_to_b = delivered_and_acked(pair.a_sent, pair.b_sent);
  auto b_to_a = delivered_and_acked(pair.b_sent, pair.a_sent);
  EXPECT_TRUE(a_to_b.contains(a_router));
  EXPECT_TRUE(a_to_b.contains(a_external));
  EXPECT_TRUE(b_to_a.contains(b_router));
  // Everything acknowledged: quiet apart from Hellos.
  pair.a_sent.clear();
  pair.b_sent.clear();
  pair.run_for(20s);
  EXPECT_TRUE(lsas_in(pair.a_sent).empty());
  EXPECT_TRUE(lsas_in(pair.b_sent).empty());
  EXPECT_EQ(pair.a.counters().dropped.size(), 0u);
  EXPECT_EQ(pair.b.counters().dropped.size(), 0u);

  // Withdrawing the route on A reaches B as a flush, which B acknowledges.
  pair.a.set_routes({}, pair.now);
  pair.exchange();
  auto flushes = lsas_in(pair.a_sent);
  ASSERT_EQ(flushes.size(), 1u);
  EXPECT_EQ(flushes[0].header.age, wire::kMaxAge);
  EXPECT_TRUE(delivered_and_acked(pair.a_sent, pair.b_sent).contains(a_external));

  // A leaves: its flushes are acknowledged by B, so shutdown completes.
  pair.a.shutdown(pair.now);
  EXPECT_FALSE(pair.a.shutdown_complete());
  pair.exchange();
  EXPECT_TRUE(pair.a.shutdown_complete());
}

TEST(OspfInstance, TwoInstancesOnBroadcastElectAndReachFull) {
  Pair pair(config::OspfNetwork::broadcast, config::OspfAuthType::hmac_sha256, "k", /*priority=*/1);
  pair.a.interface_up("eth0", {2, pair.a_address, 24, 1500}, pair.now);
  pair.b.interface_up("eth0", {3, pair.b_address, 24, 1500}, pair.now);
  pair.exchange();
  pair.run_for(60s);  // through the Wait Timer
  ASSERT_TRUE(Pair::full(pair.a));
  ASSERT_TRUE(Pair::full(pair.b));
  // B has the higher router ID: DR; A is Backup. Both are in AllDRouters.
  EXPECT_EQ(pair.a.groups("eth0"), (std::vector<std::uint32_t>{kAllSpf, kAllD}));
  EXPECT_EQ(pair.b.groups("eth0"), (std::vector<std::uint32_t>{kAllSpf, kAllD}));
  auto a_to_b = delivered_and_acked(pair.a_sent, pair.b_sent);
  EXPECT_TRUE(a_to_b.contains(LsaKey{wire::lsa_type::router, 0x01010101, 0x01010101}));
}

// ---- Config -----------------------------------------------------------------------------------------------

TEST(OspfInstance, KeyFileIsReadWhenKeyIsEmpty) {
  const std::string path = ::testing::TempDir() + "ospf_instance_key";
  {
    std::ofstream f(path);
    f << "fromfile\n";
  }
  auto config = make_config(config::OspfNetwork::point_to_point, 0, config::OspfAuthType::md5);
  config.interfaces[0].auth.key_file = path;
  Instance instance(config, kUs);
  instance.interface_up("eth0", {2, ip("10.0.0.1"), 30, 1500}, t0);
  auto sent = instance.take_outgoing();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(wire::decode_packet(sent[0].bytes, wire_auth(config::OspfAuthType::md5, "fromfile")).has_value());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ospf

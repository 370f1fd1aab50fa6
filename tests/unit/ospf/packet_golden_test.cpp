// Golden bytes both ways for each packet type and each authentication type.
#include <gtest/gtest.h>

#include "ospf/wire/lsa_codec.hpp"
#include "packet_goldens.hpp"

namespace ospf::wire {
namespace {

using namespace golden;

const AuthConfig kNoAuth{};

void expect_both_ways(const Bytes& bytes, const Packet& packet, const AuthConfig& auth) {
  auto decoded = decode_packet(bytes, auth);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(*decoded, packet);
  EXPECT_EQ(encode_packet(packet, auth, packet.crypto_sequence.value_or(0)), bytes);
}

TEST(PacketGolden, Hello) { expect_both_ways(kHello, hello_packet(), kNoAuth); }
TEST(PacketGolden, DatabaseDescriptionWithSimplePassword) {
  expect_both_ways(kDatabaseDescription, dd_packet(), kSimpleAuth);
}
TEST(PacketGolden, LinkStateRequest) { expect_both_ways(kLinkStateRequest, lsr_packet(), kNoAuth); }
TEST(PacketGolden, LinkStateUpdate) { expect_both_ways(kLinkStateUpdate, lsu_packet(), kNoAuth); }
TEST(PacketGolden, LinkStateAckWithMd5) { expect_both_ways(kLinkStateAckMd5, ack_packet(), kMd5Auth); }
TEST(PacketGolden, HelloWithHmacSha256) { expect_both_ways(kHelloHmac, hello_hmac_packet(), kHmacAuth); }

TEST(PacketGolden, DatabaseDescriptionFlags) {
  // I|M|MS and no headers: the first DD of an exchange (RFC 2328 §10.8).
  Packet packet = dd_packet();
  auto& dd = std::get<DatabaseDescription>(packet.body);
  dd.init = true;
  dd.lsa_headers.clear();
  const Bytes bytes = encode_packet(packet, kNoAuth);
  ASSERT_EQ(bytes.size(), 32u);
  EXPECT_EQ(bytes[26], 0x02);  // options
  EXPECT_EQ(bytes[27], 0x07);  // I, M, MS
  auto decoded = decode_packet(bytes, kNoAuth);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(*decoded, packet);
}

TEST(PacketGolden, TypeFollowsTheBody) {
  EXPECT_EQ(hello_packet().type(), PacketType::hello);
  EXPECT_EQ(dd_packet().type(), PacketType::database_description);
  EXPECT_EQ(lsr_packet().type(), PacketType::link_state_request);
  EXPECT_EQ(lsu_packet().type(), PacketType::link_state_update);
  EXPECT_EQ(ack_packet().type(), PacketType::link_state_ack);
}

TEST(PacketGolden, IpPaddingAfterThePacketIsIgnored) {
  Bytes padded = kHello;
  padded.insert(padded.end(), {0, 0, 0});
  auto decoded = decode_packet(padded, kNoAuth);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(*decoded, hello_packet());
}

TEST(PacketRoundTrip, EveryAuthTypeAndBody) {
  const std::vector<AuthConfig> auths{kNoAuth, kSimpleAuth, kMd5Auth, kHmacAuth,
                                      {AuthConfig::Type::hmac_sha256, 200, std::string(100, 'k')}};
  const std::vector<Packet> packets{hello_packet(), dd_packet(), lsr_packet(), lsu_packet(), ack_packet()};
  for (const auto& auth : auths) {
    for (Packet packet : packets) {
      const bool crypto = auth.type == AuthConfig::Type::md5 || auth.type == AuthConfig::Type::hmac_sha256;
      packet.crypto_sequence = crypto ? std::optional<std::uint32_t>(0xfffffffe) : std::nullopt;
      const Bytes bytes = encode_packet(packet, auth, 0xfffffffe);
      auto decoded = decode_packet(bytes, auth);
      ASSERT_TRUE(decoded.has_value()) << auth << ' ' << packet << ": " << decoded.error();
      EXPECT_EQ(*decoded, packet) << auth;
    }
  }
}

TEST(PacketRoundTrip, UpdateWithEveryLsaType) {
  LinkStateUpdate lsu;
  RouterLsa router;
  router.area_border_router = true;
  router.links.push_back({0x0a000001, 0x0a000002, RouterLinkType::point_to_point, 5, {}});
  router.links.push_back({0x0a000000, 0xfffffffc, RouterLinkType::stub, 5, {}});
  lsu.lsas.push_back({{0, option::e, lsa_type::router, k192_0_2_1, k192_0_2_1, kInitialSequenceNumber, 0, 0}, router});
  lsu.lsas.push_back(
      {{3, option::e, lsa_type::network, k192_0_2_10, k192_0_2_10, 7, 0, 0}, NetworkLsa{0xffffff00, {1, 2, 3}}});
  lsu.lsas.push_back({{3600, 0, lsa_type::as_external, 0x0a600000, k192_0_2_1, kMaxSequenceNumber, 0, 0},
                      AsExternalLsa{0xfff00000, true, 0xffffff, 0, 0xdeadbeef, {}}});
  lsu.lsas.push_back({{0, 0x42, 11, 0x01000000, k192_0_2_1, -5, 0, 0}, OpaqueLsaBody{{1, 2, 3, 4}}});
  for (auto& lsa : lsu.lsas) finalize_lsa(lsa);
  const Packet packet{k192_0_2_2, 0x0a0b0c0d, lsu, std::nullopt};
  auto decoded = decode_packet(encode_packet(packet, kNoAuth), kNoAuth);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(*decoded, packet);
}

TEST(PacketPrinter, ReadsLikeARouter) {
  std::ostringstream os;
  os << hello_packet();
  EXPECT_EQ(os.str(),
            "OSPF{router 192.0.2.1 area 0.0.0.0 Hello{mask 255.255.255.0 hello 10 options 0x02 priority 1 dead 40 "
            "dr 192.0.2.10 bdr 192.0.2.1 neighbors [192.0.2.10 192.0.2.2]}}");
}

}  // namespace
}  // namespace ospf::wire

// Golden bytes both ways for each LSA type. The bytes are written by hand from RFC 2328 A.4;
// the checksums come from wire_reference.py (brute-force Fletcher search), not from our code.
#include <gtest/gtest.h>

#include "ospf/wire/checksum.hpp"
#include "ospf/wire/lsa_codec.hpp"

namespace ospf::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t k192_0_2_1 = 0xc0000201, k192_0_2_10 = 0xc000020a;

void expect_both_ways(const Bytes& bytes, const Lsa& lsa) {
  auto decoded = decode_lsa(bytes);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(*decoded, lsa);
  EXPECT_EQ(encode_lsa(lsa), bytes);
  EXPECT_EQ(encoded_size(lsa), bytes.size());
  // Building the same LSA with checksum and length unset and finalizing it gives the same bytes.
  Lsa fresh = lsa;
  fresh.header.checksum = 0;
  fresh.header.length = 0;
  finalize_lsa(fresh);
  EXPECT_EQ(fresh, lsa);
}

const Bytes kRouterLsaBytes{
    0x00, 0x00,              // LS age 0
    0x02,                    // options: E
    0x01,                    // LS type 1: router-LSA
    0xc0, 0x00, 0x02, 0x01,  // link state ID 192.0.2.1
    0xc0, 0x00, 0x02, 0x01,  // advertising router 192.0.2.1
    0x80, 0x00, 0x00, 0x01,  // sequence InitialSequenceNumber
    0x06, 0xfb,              // checksum (wire_reference.py)
    0x00, 0x34,              // length 52
    0x02,                    // flags: E (ASBR)
    0x00,                    // zero
    0x00, 0x02,              // 2 links
    0xc0, 0x00, 0x02, 0x0a,  //   link ID: DR 192.0.2.10
    0xc0, 0x00, 0x02, 0x01,  //   link data: our interface 192.0.2.1
    0x02, 0x00, 0x00, 0x0a,  //   type 2 transit, 0 TOS, metric 10
    0x0a, 0x01, 0x00, 0x00,  //   link ID: network 10.1.0.0
    0xff, 0xff, 0x00, 0x00,  //   link data: mask 255.255.0.0
    0x03, 0x01, 0x00, 0x01,  //   type 3 stub, 1 TOS, metric 1
    0x08, 0x00, 0x00, 0x05,  //     TOS 8, zero, metric 5
};

Lsa router_lsa() {
  RouterLsa body;
  body.as_boundary_router = true;
  body.links.push_back({k192_0_2_10, k192_0_2_1, RouterLinkType::transit, 10, {}});
  body.links.push_back({0x0a010000, 0xffff0000, RouterLinkType::stub, 1, {{8, 5}}});
  return Lsa{{0, option::e, lsa_type::router, k192_0_2_1, k192_0_2_1, kInitialSequenceNumber, 0x06fb, 52}, body};
}

TEST(LsaGolden, RouterLsa) { expect_both_ways(kRouterLsaBytes, router_lsa()); }

TEST(LsaGolden, NetworkLsa) {
  const Bytes bytes{
      0x00, 0x05, 0x02, 0x02,  // age 5, options E, type 2
      0xc0, 0x00, 0x02, 0x0a,  // LS ID: the DR's interface 192.0.2.10
      0xc0, 0x00, 0x02, 0x0a,  // advertising router 192.0.2.10
      0x80, 0x00, 0x00, 0x03,  // sequence
      0x54, 0xd9, 0x00, 0x20,  // checksum (wire_reference.py), length 32
      0xff, 0xff, 0xff, 0x00,  // network mask /24
      0xc0, 0x00, 0x02, 0x0a,  // attached router 192.0.2.10
      0xc0, 0x00, 0x02, 0x01,  // attached router 192.0.2.1
  };
  const Lsa lsa{{5, option::e, lsa_type::network, k192_0_2_10, k192_0_2_10, static_cast<std::int32_t>(0x80000003),
                 0x54d9, 32},
                NetworkLsa{0xffffff00, {k192_0_2_10, k192_0_2_1}}};
  expect_both_ways(bytes, lsa);
}

TEST(LsaGolden, AsExternalLsaE2) {
  const Bytes bytes{
      0x00, 0x01, 0x02, 0x05,  // age 1, options E, type 5
      0x0a, 0x60, 0x00, 0x00,  // LS ID 10.96.0.0 (the Service CIDR)
      0xc0, 0x00, 0x02, 0x01,  // advertising router 192.0.2.1
      0x80, 0x00, 0x00, 0x01,  // sequence
      0x8d, 0x12, 0x00, 0x24,  // checksum (wire_reference.py), length 36
      0xff, 0xf0, 0x00, 0x00,  // mask /12
      0x80, 0x00, 0x00, 0x14,  // E bit, TOS 0, metric 20
      0x00, 0x00, 0x00, 0x00,  // forwarding address 0.0.0.0
      0x00, 0x00, 0x00, 0x00,  // external route tag 0
  };
  AsExternalLsa body;
  body.network_mask = 0xfff00000;
  body.external_type2 = true;
  body.metric = 20;
  const Lsa lsa{{1, option::e, lsa_type::as_external, 0x0a600000, k192_0_2_1, kInitialSequenceNumber, 0x8d12, 36},
                body};
  expect_both_ways(bytes, lsa);
}

TEST(LsaGolden, AsExternalLsaE1WithTosEntry) {
  const Bytes bytes{
      0x00, 0x00, 0x02, 0x05,  // age 0, options E, type 5
      0x0a, 0x60, 0x00, 0x00,  // LS ID 10.96.0.0
      0xc0, 0x00, 0x02, 0x01,  // advertising router
      0x80, 0x00, 0x00, 0x02,  // sequence
      0xc9, 0x79, 0x00, 0x30,  // checksum (wire_reference.py), length 48
      0xff, 0xf0, 0x00, 0x00,  // mask /12
      0x00, 0x00, 0x00, 0x64,  // E clear (type 1), TOS 0, metric 100
      0xc0, 0x00, 0x02, 0x01,  // forwarding address 192.0.2.1
      0x00, 0x00, 0x00, 0x2a,  // tag 42
      0x88, 0x00, 0x02, 0x00,  // E set, TOS 8, metric 512
      0x00, 0x00, 0x00, 0x00,  // forwarding address
      0x00, 0x00, 0x00, 0x07,  // tag 7
  };
  AsExternalLsa body;
  body.network_mask = 0xfff00000;
  body.external_type2 = false;
  body.metric = 100;
  body.forwarding_address = k192_0_2_1;
  body.route_tag = 42;
  body.tos.push_back({true, 8, 512, 0, 7});
  const Lsa lsa{{0, option::e, lsa_type::as_external, 0x0a600000, k192_0_2_1, static_cast<std::int32_t>(0x80000002),
                 0xc979, 48},
                body};
  expect_both_ways(bytes, lsa);
}

TEST(LsaGolden, SummaryLsaIsOpaque) {
  const Bytes bytes{
      0x00, 0x00, 0x22, 0x03,  // age 0, options E|DC, type 3 (summary): not parsed
      0x0a, 0x01, 0x00, 0x00,  // LS ID 10.1.0.0
      0xc0, 0x00, 0x02, 0x01,  // advertising router
      0x80, 0x00, 0x00, 0x01,  // sequence
      0x84, 0xdf, 0x00, 0x1c,  // checksum (wire_reference.py), length 28
      0xff, 0xff, 0xff, 0x00,  // mask
      0x00, 0x00, 0x00, 0x0a,  // TOS 0, metric 10
  };
  const Lsa lsa{{0, 0x22, lsa_type::summary_network, 0x0a010000, k192_0_2_1, kInitialSequenceNumber, 0x84df, 28},
                OpaqueLsaBody{{0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x0a}}};
  expect_both_ways(bytes, lsa);
}

TEST(LsaGolden, RouterFlagsBeyondVebSurviveARoundTrip) {
  // RFC 3101 sets Nt (0x10) in the same byte; a flooded LSA must re-encode to the same bytes.
  Lsa lsa = router_lsa();
  std::get<RouterLsa>(lsa.body).other_flags = 0x10;
  std::get<RouterLsa>(lsa.body).area_border_router = true;
  finalize_lsa(lsa);
  const Bytes bytes = encode_lsa(lsa);
  EXPECT_EQ(bytes[20], 0x13);
  auto decoded = decode_lsa(bytes);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(*decoded, lsa);
}

TEST(LsaGolden, PrinterNamesTheFields) {
  std::ostringstream os;
  os << router_lsa();
  EXPECT_NE(os.str().find("id 192.0.2.1"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("transit(192.0.2.10 192.0.2.1 metric 10)"), std::string::npos) << os.str();
}

TEST(LsaDecode, BodyLengthMustMatch) {
  // Router-LSA claiming 3 links with room for 2.
  Bytes bytes = kRouterLsaBytes;
  bytes[23] = 3;
  set_lsa_checksum(bytes);
  auto decoded = decode_lsa(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().kind, DecodeError::Kind::bad_lsa);
}

TEST(LsaDecode, UnknownRouterLinkType) {
  Bytes bytes = kRouterLsaBytes;
  bytes[32] = 5;  // first link's type
  set_lsa_checksum(bytes);
  auto decoded = decode_lsa(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().kind, DecodeError::Kind::bad_lsa);
}

TEST(LsaDecode, BadChecksum) {
  Bytes bytes = kRouterLsaBytes;
  bytes[47] ^= 0x01;  // the stub link's metric
  auto decoded = decode_lsa(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().kind, DecodeError::Kind::bad_lsa_checksum);
}

TEST(LsaDecode, AgeIsOutsideTheChecksum) {
  Bytes bytes = kRouterLsaBytes;
  bytes[0] = 0x0e, bytes[1] = 0x10;  // MaxAge: premature aging keeps the checksum
  auto decoded = decode_lsa(bytes);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(decoded->header.age, kMaxAge);
}

TEST(LsaDecode, ShortLengthAndTruncation) {
  Bytes bytes = kRouterLsaBytes;
  bytes[19] = 19;  // length shorter than a header
  auto decoded = decode_lsa(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().kind, DecodeError::Kind::bad_lsa);

  const Bytes cut(kRouterLsaBytes.begin(), kRouterLsaBytes.end() - 4);
  decoded = decode_lsa(cut);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().kind, DecodeError::Kind::truncated);

  decoded = decode_lsa(Bytes(kRouterLsaBytes.begin(), kRouterLsaBytes.begin() + 10));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().kind, DecodeError::Kind::truncated);
}

TEST(LsaDecode, ExternalMustStartWithTosZero) {
  Bytes bytes{0x00, 0x01, 0x02, 0x05, 0x0a, 0x60, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, 0x80, 0x00,
              0x00, 0x01, 0x00, 0x00, 0x00, 0x24, 0xff, 0xf0, 0x00, 0x00, 0x88, 0x00, 0x00, 0x14,
              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};  // TOS 8 first
  set_lsa_checksum(bytes);
  auto decoded = decode_lsa(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().kind, DecodeError::Kind::bad_lsa);

  bytes.resize(32);  // entry not whole
  bytes[19] = 32;
  set_lsa_checksum(bytes);
  decoded = decode_lsa(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().kind, DecodeError::Kind::bad_lsa);
}

}  // namespace
}  // namespace ospf::wire

namespace ospf::wire {
namespace {

// Flooding sends on what it received: every LSA that decodes must encode to the same bytes.
TEST(LsaDecode, ReencodesExactlyWhatItDecoded) {
  for (std::size_t i = 0; i < kRouterLsaBytes.size(); ++i) {
    if (i == kLsaChecksumOffset || i == kLsaChecksumOffset + 1) continue;
    for (std::uint8_t value : {0x00, 0x01, 0x10, 0x80, 0xff}) {
      Bytes bytes = kRouterLsaBytes;
      bytes[i] = value;
      set_lsa_checksum(bytes);
      auto decoded = decode_lsa(bytes);
      if (!decoded) continue;
      EXPECT_EQ(encode_lsa(*decoded), Bytes(bytes.begin(), bytes.begin() + decoded->header.length))
          << "byte " << i << " = " << unsigned{value};
    }
  }
}

}  // namespace
}  // namespace ospf::wire

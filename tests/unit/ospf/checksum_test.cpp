// The IP checksum against RFC 1071's worked example, and the LSA Fletcher checksum against
// values found by wire_reference.py's brute-force search (not by the algorithm under test).
#include <gtest/gtest.h>

#include "ospf/wire/checksum.hpp"

namespace ospf::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(IpChecksum, Rfc1071Example) {
  // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to 0x2ddf0, folded 0xddf2; complement 0x220d.
  const Bytes bytes{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(ip_checksum(bytes), 0x220d);
  // With the checksum appended the whole verifies to zero.
  Bytes with_sum = bytes;
  with_sum.push_back(0x22);
  with_sum.push_back(0x0d);
  EXPECT_EQ(ip_checksum(with_sum), 0);
}

TEST(IpChecksum, OddLengthPadsWithZero) {
  EXPECT_EQ(ip_checksum(Bytes{0x12, 0x34, 0x56}), ip_checksum(Bytes{0x12, 0x34, 0x56, 0x00}));
  EXPECT_EQ(ip_checksum(Bytes{}), 0xffff);
}

// An AS-external-LSA (10.96.0.0/12, E2 metric 20, from 192.0.2.1) with its checksum field zero.
Bytes external_lsa() {
  return {0x00, 0x01, 0x02, 0x05, 0x0a, 0x60, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
          0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x24, 0xff, 0xf0, 0x00, 0x00,
          0x80, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
}

// A network-LSA (192.0.2.0/24 with two routers) with its checksum field zero.
Bytes network_lsa() {
  return {0x00, 0x05, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x0a, 0x80, 0x00, 0x00, 0x03,
          0x00, 0x00, 0x00, 0x20, 0xff, 0xff, 0xff, 0x00, 0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x01};
}

TEST(LsaChecksum, MatchesIndependentReference) {
  // python3 tests/unit/ospf/wire_reference.py: "external-LSA checksum 0x8d12",
  // "network-LSA checksum 0x54d9".
  EXPECT_EQ(lsa_checksum(external_lsa()), 0x8d12);
  EXPECT_EQ(lsa_checksum(network_lsa()), 0x54d9);
}

TEST(LsaChecksum, SetThenVerify) {
  Bytes lsa = external_lsa();
  EXPECT_FALSE(lsa_checksum_ok(lsa));
  set_lsa_checksum(lsa);
  EXPECT_EQ(lsa[16], 0x8d);
  EXPECT_EQ(lsa[17], 0x12);
  EXPECT_TRUE(lsa_checksum_ok(lsa));
  // The field's old contents don't matter when recomputing.
  lsa[16] = 0xab;
  EXPECT_EQ(lsa_checksum(lsa), 0x8d12);
}

TEST(LsaChecksum, AgeIsNotCoveredButEverythingElseIs) {
  Bytes lsa = external_lsa();
  set_lsa_checksum(lsa);
  lsa[0] = 0x0e, lsa[1] = 0x10;  // age 3600
  EXPECT_TRUE(lsa_checksum_ok(lsa));
  for (std::size_t i = 2; i < lsa.size(); ++i) {
    Bytes changed = lsa;
    changed[i] ^= 0x40;
    EXPECT_FALSE(lsa_checksum_ok(changed)) << "byte " << i;
  }
}

TEST(LsaChecksum, SequenceChangeChangesChecksum) {
  Bytes lsa = external_lsa();
  const auto before = lsa_checksum(lsa);
  lsa[15] = 0x02;
  EXPECT_NE(lsa_checksum(lsa), before);
  set_lsa_checksum(lsa);
  EXPECT_TRUE(lsa_checksum_ok(lsa));
}

TEST(LsaChecksum, TooShortNeverVerifies) { EXPECT_FALSE(lsa_checksum_ok(Bytes(10, 0))); }

}  // namespace
}  // namespace ospf::wire

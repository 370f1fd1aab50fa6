// The raw socket adapter's one pure part: taking an IPv4 datagram apart as a raw socket returns it.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ospf/raw_socket.hpp"

namespace ospf {
namespace {

// A 20-byte header (or longer with options), protocol 89, TTL 1, from 10.0.1.1 to 224.0.0.5.
std::vector<std::uint8_t> datagram(std::vector<std::uint8_t> payload, unsigned options = 0, int total_adjust = 0) {
  const unsigned header = 20 + options;
  const unsigned total = header + static_cast<unsigned>(payload.size()) + static_cast<unsigned>(total_adjust);
  std::vector<std::uint8_t> d = {static_cast<std::uint8_t>(0x40 | (header / 4)), 0xc0,
                                 static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total & 0xff),
                                 0, 0, 0, 0, 1, 89, 0, 0, 10, 0, 1, 1, 224, 0, 0, 5};
  d.insert(d.end(), options, 0x01);  // NOPs
  d.insert(d.end(), payload.begin(), payload.end());
  return d;
}

TEST(ParseIpDatagram, SplitsHeaderAndPayload) {
  auto bytes = datagram({2, 1, 0, 44});
  auto d = parse_ip_datagram(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->source, 0x0a000101u);
  EXPECT_EQ(d->destination, 0xe0000005u);
  EXPECT_EQ(d->protocol, 89);
  EXPECT_EQ(d->ttl, 1);
  EXPECT_EQ(std::vector<std::uint8_t>(d->payload.begin(), d->payload.end()), (std::vector<std::uint8_t>{2, 1, 0, 44}));
}

TEST(ParseIpDatagram, SkipsOptionsByIhl) {
  auto bytes = datagram({7, 8}, 4);
  auto d = parse_ip_datagram(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(std::vector<std::uint8_t>(d->payload.begin(), d->payload.end()), (std::vector<std::uint8_t>{7, 8}));
}

TEST(ParseIpDatagram, TrimsToTotalLength) {
  auto bytes = datagram({1, 2, 3}, 0, -1);  // the last byte is padding beyond the total length
  auto d = parse_ip_datagram(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->payload.size(), 2u);
}

TEST(ParseIpDatagram, EmptyPayloadIsADatagram) {
  auto bytes = datagram({});
  auto d = parse_ip_datagram(bytes);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->payload.empty());
}

TEST(ParseIpDatagram, RejectsWhatIsNoIpv4Datagram) {
  EXPECT_FALSE(parse_ip_datagram({}));
  auto short_header = datagram({});
  short_header.resize(19);
  EXPECT_FALSE(parse_ip_datagram(short_header));

  auto v6 = datagram({1});
  v6[0] = 0x65;
  EXPECT_FALSE(parse_ip_datagram(v6));

  auto small_ihl = datagram({1});
  small_ihl[0] = 0x44;  // 16 bytes
  EXPECT_FALSE(parse_ip_datagram(small_ihl));

  auto ihl_beyond = datagram({1, 2, 3, 4});
  ihl_beyond[0] = 0x4f;  // 60 bytes, only 24 there
  EXPECT_FALSE(parse_ip_datagram(ihl_beyond));

  EXPECT_FALSE(parse_ip_datagram(datagram({1, 2}, 0, 1)));  // claims more than arrived
  auto total_below_header = datagram({1, 2});
  total_below_header[2] = 0;
  total_below_header[3] = 19;
  EXPECT_FALSE(parse_ip_datagram(total_below_header));
}

TEST(ParseIpDatagram, NeverReadsOutOfBoundsOnAnyPrefix) {
  auto bytes = datagram({2, 1, 0, 44, 9, 9, 9, 9}, 8);
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    auto d = parse_ip_datagram(std::span<const std::uint8_t>(bytes.data(), n));
    if (d) {
      EXPECT_EQ(n, bytes.size());
      EXPECT_LE(d->payload.data() + d->payload.size(), bytes.data() + n);
    }
  }
}

}  // namespace
}  // namespace ospf

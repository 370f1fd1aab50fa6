// Property: any valid message survives encode then decode unchanged. Pseudo-random with a
// fixed seed, so a failure is reproducible.
#include <gtest/gtest.h>

#include <random>

#include "bgp/wire/codec.hpp"

namespace bgp::wire {
namespace {

class MessageGenerator {
 public:
  explicit MessageGenerator(std::uint32_t seed, bool four_octet_as) : rng_(seed), four_octet_as_(four_octet_as) {}

  Message next() {
    switch (below(5)) {
      case 0: return open();
      case 1: return Notification{static_cast<ErrorCode>(1 + below(7)), static_cast<std::uint8_t>(below(12)), bytes(below(20))};
      case 2: return Keepalive{};
      case 3: return RouteRefresh{family(), static_cast<std::uint8_t>(below(3))};
      default: return update();
    }
  }

 private:
  std::uint32_t below(std::uint32_t n) { return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_); }
  bool coin() { return below(2) == 1; }
  std::uint32_t u32() { return std::uniform_int_distribution<std::uint32_t>()(rng_); }
  std::vector<std::uint8_t> bytes(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(below(256));
    return out;
  }
  AfiSafi family() { return coin() ? kIpv4Unicast : kIpv6Unicast; }

  net::Address address(bool v6) {
    if (!v6) return net::Address::v4(u32());
    std::array<std::uint8_t, 16> b{};
    for (auto& x : b) x = static_cast<std::uint8_t>(below(256));
    return net::Address::v6(b);
  }
  std::vector<net::Prefix> prefixes(bool v6, std::size_t max) {
    std::vector<net::Prefix> out(below(static_cast<std::uint32_t>(max) + 1));
    for (auto& p : out) p = net::Prefix(address(v6), below(v6 ? 129 : 33));
    return out;
  }

  Open open() {
    Open o;
    o.my_as = static_cast<std::uint16_t>(below(65536));
    o.hold_time = static_cast<std::uint16_t>(below(65536));
    o.bgp_identifier = u32();
    auto& caps = o.capabilities;
    for (std::uint32_t i = below(3); i > 0; --i) caps.multiprotocol.push_back(family());
    caps.route_refresh = coin();
    if (coin()) {
      GracefulRestartCapability gr;
      gr.restart_state = coin();
      gr.notification = coin();
      gr.restart_time = static_cast<std::uint16_t>(below(4096));
      for (std::uint32_t i = below(3); i > 0; --i) gr.families.push_back({family(), coin()});
      caps.graceful_restart = gr;
    }
    if (coin()) caps.four_octet_as = u32();
    for (std::uint32_t i = below(3); i > 0; --i) {
      // Codes we do not model.
      caps.unknown.push_back({static_cast<std::uint8_t>(66 + below(100)), bytes(below(10))});
    }
    return o;
  }

  std::uint32_t asn() { return four_octet_as_ ? u32() : below(65536); }

  Update update() {
    Update u;
    u.withdrawn = prefixes(false, 5);
    u.nlri = prefixes(false, 5);
    auto& a = u.attributes;
    if (coin()) {
      MpReachNlri reach;
      reach.family = family();
      const bool v6 = reach.family == kIpv6Unicast;
      reach.next_hops.push_back(address(v6));
      if (v6 && coin()) reach.next_hops.push_back(address(true));
      reach.nlri = prefixes(v6, 8);
      a.mp_reach = reach;
    }
    if (coin()) {
      const AfiSafi f = family();
      a.mp_unreach = MpUnreachNlri{f, prefixes(f == kIpv6Unicast, 8)};
    }
    const bool announces = !u.nlri.empty() || a.mp_reach;
    if (announces || coin()) a.origin = static_cast<Origin>(below(3));
    if (announces || coin()) {
      std::vector<AsPathSegment> path(below(4));
      for (auto& segment : path) {
        segment.type = static_cast<AsPathSegment::Type>(1 + below(4));
        segment.asns.resize(1 + below(6));
        for (auto& n : segment.asns) n = asn();
      }
      a.as_path = path;
    }
    if (!u.nlri.empty() || coin()) a.next_hop = address(false);
    if (coin()) a.med = u32();
    if (coin()) a.local_pref = u32();
    for (std::uint32_t i = below(4); i > 0; --i) a.communities.push_back(u32());
    for (std::uint32_t i = below(3); i > 0; --i) a.large_communities.push_back({u32(), u32(), u32()});
    // Unrecognised optional attributes with distinct type codes.
    std::uint8_t type = 40;
    for (std::uint32_t i = below(3); i > 0; --i) {
      type = static_cast<std::uint8_t>(type + 1 + below(20));
      const std::uint8_t flags = coin() ? 0xc0 : (coin() ? 0x80 : 0xe0);
      a.unknown.push_back({flags, type, bytes(below(300))});
    }
    return u;
  }

  std::mt19937 rng_;
  bool four_octet_as_;
};

void round_trip(bool four_octet_as) {
  MessageGenerator generator(20240611, four_octet_as);
  for (int i = 0; i < 400; ++i) {
    const Message message = generator.next();
    const auto bytes = encode(message, EncodeContext{four_octet_as});
    ASSERT_LE(bytes.size(), kMaxMessageSize) << message;
    auto framed = frame_length(bytes);
    ASSERT_TRUE(framed.has_value()) << framed.error();
    ASSERT_EQ(*framed, bytes.size());
    auto decoded = decode(bytes, DecodeContext{four_octet_as});
    ASSERT_TRUE(decoded.has_value()) << "message " << i << ": " << message << "\n" << decoded.error();
    ASSERT_EQ(*decoded, message) << "message " << i;
    if (const auto* update = std::get_if<Update>(&message)) {
      // The total path attribute length field follows the withdrawn routes.
      const std::size_t withdrawn_length = bytes[19] << 8 | bytes[20];
      const std::size_t attributes_length = bytes[21 + withdrawn_length] << 8 | bytes[22 + withdrawn_length];
      ASSERT_EQ(encoded_size(update->attributes, EncodeContext{four_octet_as}), attributes_length);
    }
  }
}

TEST(WireRoundTrip, FourOctetAsSessions) { round_trip(true); }
TEST(WireRoundTrip, TwoOctetAsSessions) { round_trip(false); }

}  // namespace
}  // namespace bgp::wire

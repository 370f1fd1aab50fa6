// Malformed UPDATEs and what RFC 4271 §6.3 and RFC 7606 say to do about them.
#include <gtest/gtest.h>

#include "bgp/wire/codec.hpp"

namespace bgp::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// Builds an UPDATE around hand-written fields; only the length fields are computed.
Bytes update_with(const Bytes& withdrawn, const Bytes& attributes, const Bytes& nlri) {
  Bytes bytes(16, 0xff);
  const std::size_t length = 23 + withdrawn.size() + attributes.size() + nlri.size();
  bytes.insert(bytes.end(), {static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length), 0x02});
  bytes.insert(bytes.end(), {static_cast<std::uint8_t>(withdrawn.size() >> 8), static_cast<std::uint8_t>(withdrawn.size())});
  bytes.insert(bytes.end(), withdrawn.begin(), withdrawn.end());
  bytes.insert(bytes.end(),
               {static_cast<std::uint8_t>(attributes.size() >> 8), static_cast<std::uint8_t>(attributes.size())});
  bytes.insert(bytes.end(), attributes.begin(), attributes.end());
  bytes.insert(bytes.end(), nlri.begin(), nlri.end());
  return bytes;
}

const Bytes kOrigin{0x40, 0x01, 0x01, 0x00};                                 // IGP
const Bytes kAsPath{0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9};  // (65001)
const Bytes kNextHop{0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01};             // 192.0.2.1
const Bytes kNlri{0x18, 0x0a, 0x01, 0x02, 0x20, 0x0a, 0x01, 0x02, 0x03};    // 10.1.2.0/24 10.1.2.3/32
const Bytes kWithdrawn{0x10, 0x0a, 0x09};                                   // 10.9.0.0/16
// MP_REACH_NLRI for IPv6 unicast, next hop 2001:db8::1, NLRI 2001:db8:1::/48.
const Bytes kMpReach{0x80, 0x0e, 0x1c, 0x00, 0x02, 0x01, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                     0,    0,    0,    0,    0,    0,    0,    0x01, 0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01};

net::Prefix prefix(const char* text) { return *net::Prefix::parse(text); }

const std::vector<net::Prefix> kNlriPrefixes{prefix("10.1.2.0/24"), prefix("10.1.2.3/32")};

Update decode_ok(const Bytes& bytes, const DecodeContext& ctx = {}) {
  auto result = decode(bytes, ctx);
  EXPECT_TRUE(result.has_value()) << result.error();
  if (!result) return {};
  return std::get<Update>(*result);
}

DecodeError decode_error(const Bytes& bytes, std::uint8_t sub, Reaction reaction) {
  auto result = decode(bytes, {});
  EXPECT_FALSE(result.has_value()) << std::get<Update>(result.value());
  if (result) return {};
  EXPECT_EQ(result.error().code, ErrorCode::update_message) << result.error();
  EXPECT_EQ(result.error().subcode, sub) << result.error();
  EXPECT_EQ(result.error().reaction, reaction) << result.error();
  return result.error();
}

TEST(WireUpdateErrors, WellFormedBaseline) {
  const Update update = decode_ok(update_with(kWithdrawn, cat({kOrigin, kAsPath, kNextHop}), kNlri));
  EXPECT_EQ(update.nlri, kNlriPrefixes);
  EXPECT_EQ(update.withdrawn, std::vector<net::Prefix>{prefix("10.9.0.0/16")});
}

// ---- session reset --------------------------------------------------------------------------

TEST(WireUpdateErrors, WithdrawnLengthOverrunningTheMessage) {
  Bytes bytes = update_with({}, {}, {});
  bytes[20] = 0x05;  // withdrawn routes length 5 with no room for it
  EXPECT_TRUE(decode_error(bytes, subcode::malformed_attribute_list, Reaction::session_reset).data.empty());
}

TEST(WireUpdateErrors, TotalAttributeLengthOverrunningTheMessage) {
  Bytes bytes = update_with({}, kOrigin, {});
  bytes[22] = 0x05;  // 5 octets of attributes claimed, 4 present
  decode_error(bytes, subcode::malformed_attribute_list, Reaction::session_reset);
}

TEST(WireUpdateErrors, AttributeOverrunningTheAttributeSection) {
  decode_error(update_with({}, cat({kOrigin, {0x40, 0x02, 0x09, 0x02, 0x01}}), kNlri),
               subcode::malformed_attribute_list, Reaction::session_reset);
  // Extended length claiming more than there is.
  decode_error(update_with({}, {0x50, 0x01, 0x00, 0x02, 0x00}, {}), subcode::malformed_attribute_list,
               Reaction::session_reset);
}

TEST(WireUpdateErrors, TruncatedAttributeHeader) {
  decode_error(update_with({}, cat({kOrigin, {0x40}}), {}), subcode::malformed_attribute_list,
               Reaction::session_reset);
  decode_error(update_with({}, cat({kOrigin, {0x50, 0x02, 0x00}}), {}), subcode::malformed_attribute_list,
               Reaction::session_reset);
}

TEST(WireUpdateErrors, MpReachTwiceResetsTheSession) {
  decode_error(update_with({}, cat({kOrigin, kAsPath, kMpReach, kMpReach}), {}), subcode::malformed_attribute_list,
               Reaction::session_reset);
  const Bytes unreach{0x80, 0x0f, 0x03, 0x00, 0x02, 0x01};
  decode_error(update_with({}, cat({unreach, unreach}), {}), subcode::malformed_attribute_list,
               Reaction::session_reset);
}

TEST(WireUpdateErrors, MalformedMpReachIsOptionalAttributeError) {
  // IPv6 next hop of 8 octets.
  const Bytes bad_next_hop{0x80, 0x0e, 0x0d, 0x00, 0x02, 0x01, 0x08, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0x00};
  auto error = decode_error(update_with({}, cat({kOrigin, kAsPath, bad_next_hop}), {}),
                            subcode::optional_attribute_error, Reaction::session_reset);
  EXPECT_EQ(error.data, bad_next_hop);
  // Shorter than AFI, SAFI, next hop length and reserved octet.
  decode_error(update_with({}, cat({kOrigin, kAsPath, {0x80, 0x0e, 0x03, 0x00, 0x02, 0x01}}), {}),
               subcode::optional_attribute_error, Reaction::session_reset);
  // Next hop length running past the attribute.
  decode_error(update_with({}, cat({kOrigin, kAsPath, {0x80, 0x0e, 0x05, 0x00, 0x02, 0x01, 0x10, 0x00}}), {}),
               subcode::optional_attribute_error, Reaction::session_reset);
  // No reserved octet after the next hop.
  decode_error(update_with({}, cat({kOrigin, kAsPath, {0x80, 0x0e, 0x08, 0x00, 0x01, 0x01, 0x04, 10, 0, 0, 1}}), {}),
               subcode::optional_attribute_error, Reaction::session_reset);
  // IPv4 family with a 16-octet next hop.
  Bytes v4_with_v6_hop{0x80, 0x0e, 0x15, 0x00, 0x01, 0x01, 0x10};
  v4_with_v6_hop.insert(v4_with_v6_hop.end(), 16, 0x01);
  v4_with_v6_hop.push_back(0x00);
  decode_error(update_with({}, cat({kOrigin, kAsPath, v4_with_v6_hop}), {}), subcode::optional_attribute_error,
               Reaction::session_reset);
}

TEST(WireUpdateErrors, MalformedMpUnreachIsOptionalAttributeError) {
  decode_error(update_with({}, {0x80, 0x0f, 0x02, 0x00, 0x02}, {}), subcode::optional_attribute_error,
               Reaction::session_reset);
}

TEST(WireUpdateErrors, BadPrefixesAreInvalidNetworkField) {
  const Bytes attributes = cat({kOrigin, kAsPath, kNextHop});
  decode_error(update_with({}, attributes, {0x21, 10, 0, 0, 1, 0}), subcode::invalid_network_field,
               Reaction::session_reset);  // /33
  decode_error(update_with({}, attributes, {0x18, 10, 1}), subcode::invalid_network_field,
               Reaction::session_reset);  // runs past the end
  decode_error(update_with({0x21, 10, 0, 0, 1, 0}, {}, {}), subcode::invalid_network_field,
               Reaction::session_reset);  // in withdrawn routes
  // /129 inside MP_REACH_NLRI and MP_UNREACH_NLRI.
  Bytes reach = kMpReach;
  reach[24] = 0x81;
  decode_error(update_with({}, cat({kOrigin, kAsPath, reach}), {}), subcode::invalid_network_field,
               Reaction::session_reset);
  decode_error(update_with({}, {0x80, 0x0f, 0x05, 0x00, 0x02, 0x01, 0x30, 0x20}, {}),
               subcode::invalid_network_field, Reaction::session_reset);
}

TEST(WireUpdateErrors, UnrecognisedWellKnownAttribute) {
  const Bytes strange{0x40, 0x63, 0x01, 0x00};  // type 99 without the optional bit
  auto error = decode_error(update_with({}, cat({kOrigin, kAsPath, kNextHop, strange}), kNlri),
                            subcode::unrecognized_wellknown_attribute, Reaction::session_reset);
  EXPECT_EQ(error.data, strange);
}

// ---- treat-as-withdraw ----------------------------------------------------------------------

void expect_withdraw(const Bytes& bytes, std::uint8_t sub, const Bytes& data) {
  auto error = decode_error(bytes, sub, Reaction::treat_as_withdraw);
  EXPECT_EQ(error.data, data);
  EXPECT_EQ(error.withdrawn, kNlriPrefixes);
}

TEST(WireUpdateErrors, BadOrigin) {
  const Bytes long_origin{0x40, 0x01, 0x02, 0x00, 0x00};
  expect_withdraw(update_with({}, cat({long_origin, kAsPath, kNextHop}), kNlri), subcode::attribute_length_error,
                  long_origin);
  const Bytes bad_value{0x40, 0x01, 0x01, 0x03};
  expect_withdraw(update_with({}, cat({bad_value, kAsPath, kNextHop}), kNlri), subcode::invalid_origin_attribute,
                  bad_value);
}

TEST(WireUpdateErrors, MalformedAsPath) {
  for (const Bytes& as_path : {
           Bytes{0x40, 0x02, 0x06, 0x05, 0x01, 0x00, 0x00, 0xfd, 0xe9},  // segment type 5
           Bytes{0x40, 0x02, 0x02, 0x02, 0x00},                          // segment of zero ASNs
           Bytes{0x40, 0x02, 0x06, 0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9},  // segment overruns
           Bytes{0x40, 0x02, 0x07, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9, 0x02},  // lone trailing octet
       }) {
    expect_withdraw(update_with({}, cat({kOrigin, as_path, kNextHop}), kNlri), subcode::malformed_as_path, {});
  }
  // Two-octet ASNs read with a 4-octet context do not fit the segment count.
  const Bytes two_octet{0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0xfd, 0xea};
  expect_withdraw(update_with({}, cat({kOrigin, two_octet, kNextHop}), kNlri), subcode::malformed_as_path, {});
}

TEST(WireUpdateErrors, FixedLengthAttributesOfTheWrongLength) {
  const Bytes next_hop{0x40, 0x03, 0x05, 192, 0, 2, 1, 0};
  expect_withdraw(update_with({}, cat({kOrigin, kAsPath, next_hop}), kNlri), subcode::attribute_length_error,
                  next_hop);
  const Bytes med{0x80, 0x04, 0x03, 0, 0, 1};
  expect_withdraw(update_with({}, cat({kOrigin, kAsPath, kNextHop, med}), kNlri), subcode::attribute_length_error,
                  med);
  const Bytes local_pref{0x40, 0x05, 0x02, 0, 100};
  expect_withdraw(update_with({}, cat({kOrigin, kAsPath, kNextHop, local_pref}), kNlri),
                  subcode::attribute_length_error, local_pref);
}

TEST(WireUpdateErrors, CommunitiesOfTheWrongLength) {
  const Bytes communities{0xc0, 0x08, 0x06, 0xfd, 0xe8, 0x00, 0x64, 0xfd, 0xe8};
  expect_withdraw(update_with({}, cat({kOrigin, kAsPath, kNextHop, communities}), kNlri),
                  subcode::attribute_length_error, communities);
  const Bytes empty_communities{0xc0, 0x08, 0x00};
  expect_withdraw(update_with({}, cat({kOrigin, kAsPath, kNextHop, empty_communities}), kNlri),
                  subcode::attribute_length_error, empty_communities);
  const Bytes large{0xc0, 0x20, 0x08, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1};
  expect_withdraw(update_with({}, cat({kOrigin, kAsPath, kNextHop, large}), kNlri), subcode::attribute_length_error,
                  large);
}

TEST(WireUpdateErrors, WrongFlagsOnARecognisedAttribute) {
  const Bytes optional_origin{0xc0, 0x01, 0x01, 0x00};
  expect_withdraw(update_with({}, cat({optional_origin, kAsPath, kNextHop}), kNlri), subcode::attribute_flags_error,
                  optional_origin);
  const Bytes transitive_med{0xc0, 0x04, 0x04, 0, 0, 0, 1};
  expect_withdraw(update_with({}, cat({kOrigin, kAsPath, kNextHop, transitive_med}), kNlri),
                  subcode::attribute_flags_error, transitive_med);
  // The partial and extended-length bits are not a category conflict.
  decode_ok(update_with({}, cat({{0x70, 0x01, 0x00, 0x01, 0x00}, kAsPath, kNextHop}), kNlri));
}

TEST(WireUpdateErrors, MpReachWithWrongFlagsWithdrawsItsNlriToo) {
  Bytes reach = kMpReach;
  reach[0] = 0xc0;  // transitive: not what RFC 4760 says
  auto error = decode_error(update_with(kWithdrawn, cat({kOrigin, kAsPath, kNextHop, reach}), kNlri),
                            subcode::attribute_flags_error, Reaction::treat_as_withdraw);
  // Every route the UPDATE touched: its NLRI, its MP_REACH NLRI and its own withdrawals.
  EXPECT_EQ(error.withdrawn, (std::vector<net::Prefix>{prefix("10.1.2.0/24"), prefix("10.1.2.3/32"),
                                                       prefix("2001:db8:1::/48"), prefix("10.9.0.0/16")}));
}

TEST(WireUpdateErrors, MissingWellKnownAttributes) {
  expect_withdraw(update_with({}, cat({kAsPath, kNextHop}), kNlri), subcode::missing_wellknown_attribute, {1});
  expect_withdraw(update_with({}, cat({kOrigin, kNextHop}), kNlri), subcode::missing_wellknown_attribute, {2});
  expect_withdraw(update_with({}, cat({kOrigin, kAsPath}), kNlri), subcode::missing_wellknown_attribute, {3});
  // MP_REACH_NLRI needs ORIGIN and AS_PATH but not NEXT_HOP.
  auto error = decode_error(update_with({}, cat({kOrigin, kMpReach}), {}), subcode::missing_wellknown_attribute,
                            Reaction::treat_as_withdraw);
  EXPECT_EQ(error.data, Bytes{2});
  EXPECT_EQ(error.withdrawn, std::vector<net::Prefix>{prefix("2001:db8:1::/48")});
  decode_ok(update_with({}, cat({kOrigin, kAsPath, kMpReach}), {}));
}

TEST(WireUpdateErrors, WithdrawalsAndEndOfRibNeedNoMandatoryAttributes) {
  EXPECT_EQ(decode_ok(update_with(kWithdrawn, {}, {})).withdrawn, std::vector<net::Prefix>{prefix("10.9.0.0/16")});
  EXPECT_EQ(decode_ok(update_with({}, {0x80, 0x0f, 0x03, 0x00, 0x02, 0x01}, {})), end_of_rib(kIpv6Unicast));
  // A treat-as-withdraw error in a pure withdrawal still carries the withdrawals.
  auto error = decode_error(update_with(kWithdrawn, {0x40, 0x01, 0x01, 0x07}, {}), subcode::invalid_origin_attribute,
                            Reaction::treat_as_withdraw);
  EXPECT_EQ(error.withdrawn, std::vector<net::Prefix>{prefix("10.9.0.0/16")});
}

// ---- attribute discard and repeats -----------------------------------------------------------

TEST(WireUpdateErrors, MalformedAggregatorAndAtomicAggregateAreDropped) {
  const Bytes atomic_with_value{0x40, 0x06, 0x01, 0x00};
  const Bytes short_aggregator{0xc0, 0x07, 0x06, 0xfd, 0xe9, 10, 0, 0, 1};  // 2-octet form in a 4-octet session
  const Update update =
      decode_ok(update_with({}, cat({kOrigin, kAsPath, kNextHop, atomic_with_value, short_aggregator}), kNlri));
  EXPECT_TRUE(update.attributes.unknown.empty());
  EXPECT_EQ(update.nlri, kNlriPrefixes);

  const Bytes atomic{0x40, 0x06, 0x00};
  const Bytes aggregator{0xc0, 0x07, 0x08, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1};
  const Update kept = decode_ok(update_with({}, cat({kOrigin, kAsPath, kNextHop, atomic, aggregator}), kNlri));
  EXPECT_EQ(kept.attributes.unknown, (std::vector<UnknownAttribute>{{0x40, 6, {}}, {0xc0, 7, {0, 0, 0xfd, 0xe9, 10, 0, 0, 1}}}));
}

TEST(WireUpdateErrors, RepeatedAttributesKeepTheFirst) {
  const Bytes second_origin{0x40, 0x01, 0x01, 0x02};
  const Update update = decode_ok(update_with({}, cat({kOrigin, kAsPath, second_origin, kNextHop}), kNlri));
  EXPECT_EQ(update.attributes.origin, Origin::igp);
  const Bytes unknown_a{0xc0, 0x63, 0x01, 0xaa};
  const Bytes unknown_b{0xc0, 0x63, 0x01, 0xbb};
  const Update unknowns = decode_ok(update_with({}, cat({kOrigin, kAsPath, kNextHop, unknown_a, unknown_b}), kNlri));
  EXPECT_EQ(unknowns.attributes.unknown, (std::vector<UnknownAttribute>{{0xc0, 0x63, {0xaa}}}));
}

TEST(WireUpdateErrors, DiscardedAttributesAreReportedWithTypeAndReason) {
  const Bytes atomic_with_value{0x40, 0x06, 0x01, 0x00};
  const Bytes short_aggregator{0xc0, 0x07, 0x06, 0xfd, 0xe9, 10, 0, 0, 1};
  const Bytes second_origin{0x40, 0x01, 0x01, 0x02};
  const Bytes bytes =
      update_with({}, cat({kOrigin, kAsPath, atomic_with_value, second_origin, kNextHop, short_aggregator}), kNlri);
  auto decoded = decode_with_discards(bytes, {});
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(decoded->discarded, (std::vector<DiscardedAttribute>{{attr::atomic_aggregate, "attribute 6 has bad length 1"},
                                                                 {attr::origin, "attribute 1 repeated"},
                                                                 {attr::aggregator, "attribute 7 has bad length 6"}}));
  // The message is the one decode() gives, without the discarded attributes.
  EXPECT_EQ(decoded->message, Message{decode_ok(bytes)});
  EXPECT_EQ(std::get<Update>(decoded->message).nlri, kNlriPrefixes);
}

TEST(WireUpdateErrors, AnAtomicAggregateWithWrongFlagsIsDiscardedAndReported) {
  const Bytes optional_atomic{0xc0, 0x06, 0x00};  // well-known marked optional: RFC 7606 §7.6 discard
  auto decoded = decode_with_discards(update_with({}, cat({kOrigin, kAsPath, kNextHop, optional_atomic}), kNlri), {});
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(decoded->discarded, (std::vector<DiscardedAttribute>{{attr::atomic_aggregate, "attribute 6 has wrong flags"}}));
  EXPECT_TRUE(std::get<Update>(decoded->message).attributes.unknown.empty());
}

TEST(WireUpdateErrors, NothingIsReportedForAWellFormedUpdate) {
  auto decoded = decode_with_discards(update_with(kWithdrawn, cat({kOrigin, kAsPath, kNextHop}), kNlri), {});
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_TRUE(decoded->discarded.empty());
}

// ---- liberal reading -------------------------------------------------------------------------

TEST(WireUpdateErrors, UnknownOptionalAttributesAreKeptWithoutTheExtendedLengthBit) {
  const Bytes unknown{0xf0, 0x63, 0x00, 0x02, 0xaa, 0xbb};  // optional transitive partial, extended length
  const Update update = decode_ok(update_with({}, cat({kOrigin, kAsPath, kNextHop, unknown}), kNlri));
  EXPECT_EQ(update.attributes.unknown, (std::vector<UnknownAttribute>{{0xe0, 0x63, {0xaa, 0xbb}}}));
}

TEST(WireUpdateErrors, UnknownAttributesAreHeldInTypeCodeOrder) {
  // Found by the fuzzer: out-of-order unknown attributes must still decode, encode and decode
  // back to the same value.
  const Bytes high{0x80, 0xfc, 0x01, 0x01};
  const Bytes low{0xc0, 0xcc, 0x01, 0x02};
  const Update update = decode_ok(update_with({}, cat({kOrigin, kAsPath, kNextHop, high, low}), kNlri));
  EXPECT_EQ(update.attributes.unknown, (std::vector<UnknownAttribute>{{0xc0, 0xcc, {0x02}}, {0x80, 0xfc, {0x01}}}));
  EXPECT_EQ(decode_ok(encode(update, {})), update);
}

TEST(WireUpdateErrors, HostBitsPastThePrefixLengthAreMasked) {
  const Update update = decode_ok(update_with({}, cat({kOrigin, kAsPath, kNextHop}), {0x17, 10, 1, 3}));
  EXPECT_EQ(update.nlri, std::vector<net::Prefix>{prefix("10.1.2.0/23")});
}

TEST(WireUpdateErrors, MpReachOfAnUnmodelledFamilyIsKeptVerbatim) {
  const Bytes multicast{0x80, 0x0e, 0x0b, 0x00, 0x01, 0x02, 0x04, 10, 0, 0, 1, 0x00, 0x08, 0xe0};
  const Update update = decode_ok(update_with({}, cat({kOrigin, kAsPath, multicast}), {}));
  EXPECT_FALSE(update.attributes.mp_reach);
  ASSERT_EQ(update.attributes.unknown.size(), 1u);
  EXPECT_EQ(update.attributes.unknown[0].type, attr::mp_reach_nlri);
}

// ---- encoding details ------------------------------------------------------------------------

TEST(WireUpdateEncoding, LongValuesUseTheExtendedLength) {
  Update update;
  update.attributes.communities.assign(70, 0xfde80001);  // 280 octets
  const Bytes bytes = encode(update, {});
  // After header (19) and withdrawn length (2) and total attribute length (2): the attribute.
  EXPECT_EQ((Bytes{bytes.begin() + 23, bytes.begin() + 27}), (Bytes{0xd0, 0x08, 0x01, 0x18}));
  EXPECT_EQ(encoded_size(update.attributes, {}), 284u);
  auto decoded = decode(bytes, {});
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(std::get<Update>(*decoded), update);
}

TEST(WireUpdateEncoding, AttributesGoOutInTypeCodeOrder) {
  Update update;
  update.attributes.large_communities = {{1, 2, 3}};
  update.attributes.unknown = {{0xc0, 99, {0x01}}, {0x40, 6, {}}, {0x80, 9, {1, 2, 3, 4}}};
  update.attributes.communities = {1};
  update.attributes.origin = Origin::igp;
  const Bytes bytes = encode(update, {});
  std::vector<std::uint8_t> types;
  for (std::size_t at = 23; at < bytes.size();) {
    types.push_back(bytes[at + 1]);
    at += 3 + bytes[at + 2];
  }
  EXPECT_EQ(types, (Bytes{1, 6, 8, 9, 32, 99}));
  EXPECT_EQ(encoded_size(update.attributes, {}), bytes.size() - 23);
}

TEST(WireUpdateEncoding, LongAsPathSegmentsAreSplit) {
  Update update;
  update.attributes.as_path = {{AsPathSegment::Type::as_sequence, std::vector<std::uint32_t>(300, 65001)}};
  const Bytes bytes = encode(update, {});
  auto decoded = decode(bytes, {});
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  const auto& segments = *std::get<Update>(*decoded).attributes.as_path;
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0].asns.size(), 255u);
  EXPECT_EQ(segments[1].asns.size(), 45u);
}

}  // namespace
}  // namespace bgp::wire

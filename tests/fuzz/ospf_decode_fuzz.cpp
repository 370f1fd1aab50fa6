// libFuzzer target for the OSPFv2 decoder. The first byte picks the interface's authentication
// (bits 0-1) and whether to repair the checksums first (bit 2), so that mutations get past them
// to the body parsers; the rest is the packet. Whatever decodes must re-encode to something that
// decodes to the same value, and decode_lsa must survive the same bytes.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "ospf/wire/checksum.hpp"

#include "ospf/wire/lsa_codec.hpp"
#include "ospf/wire/packet_codec.hpp"

namespace {

const ospf::wire::AuthConfig kAuths[] = {
    {ospf::wire::AuthConfig::Type::none, 0, ""},
    {ospf::wire::AuthConfig::Type::simple, 0, "secret"},
    {ospf::wire::AuthConfig::Type::md5, 1, "ospf-md5-key"},
    {ospf::wire::AuthConfig::Type::hmac_sha256, 7, "hmac-key"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& auth = kAuths[data[0] & 0x03];
  const bool repair = data[0] & 0x04;
  std::vector<std::uint8_t> bytes(data + 1, data + size);

  if (repair && bytes.size() >= ospf::wire::kPacketHeaderSize) {
    std::vector<std::uint8_t> copy = bytes;
    copy[12] = copy[13] = 0;
    std::fill(copy.begin() + 16, copy.begin() + 24, 0);
    const std::size_t length = std::min<std::size_t>((copy[2] << 8) | copy[3], copy.size());
    const std::uint16_t sum = ospf::wire::ip_checksum(std::span(copy).first(length));
    bytes[12] = static_cast<std::uint8_t>(sum >> 8);
    bytes[13] = static_cast<std::uint8_t>(sum);
  }

  auto packet = ospf::wire::decode_packet(bytes, auth);
  if (packet) {
    const auto sequence = packet->crypto_sequence.value_or(0);
    auto again = ospf::wire::decode_packet(ospf::wire::encode_packet(*packet, auth, sequence), auth);
    if (!again || !(*again == *packet)) std::abort();
  }

  if (repair && bytes.size() >= ospf::wire::kLsaHeaderSize) {
    const std::size_t length = std::min<std::size_t>((bytes[18] << 8) | bytes[19], bytes.size());
    if (length >= ospf::wire::kLsaHeaderSize) ospf::wire::set_lsa_checksum(std::span(bytes).first(length));
  }
  auto lsa = ospf::wire::decode_lsa(bytes);
  if (lsa) {
    auto again = ospf::wire::decode_lsa(ospf::wire::encode_lsa(*lsa));
    if (!again || !(*again == *lsa)) std::abort();
  }
  return 0;
}

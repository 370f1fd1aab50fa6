// libFuzzer target for the OSPFv2 decoder. The first byte picks the interface's authentication;
// the rest is the packet. Whatever decodes must re-encode to something that decodes to the
// same value, and decode_lsa must survive the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>

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
  const auto& auth = kAuths[data[0] % 4];
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);

  auto packet = ospf::wire::decode_packet(bytes, auth);
  if (packet) {
    const auto sequence = packet->crypto_sequence.value_or(0);
    auto again = ospf::wire::decode_packet(ospf::wire::encode_packet(*packet, auth, sequence), auth);
    if (!again || !(*again == *packet)) std::abort();
  }

  auto lsa = ospf::wire::decode_lsa(bytes);
  if (lsa) {
    auto again = ospf::wire::decode_lsa(ospf::wire::encode_lsa(*lsa));
    if (!again || !(*again == *lsa)) std::abort();
  }
  return 0;
}

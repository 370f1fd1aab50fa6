// libFuzzer entry point for the BGP codec: frames the input, decodes it under both AS-number
// contexts, and re-encodes whatever decodes. Crashes, sanitizer reports and a decoded message
// that no longer decodes after re-encoding are all findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "bgp/wire/codec.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void decode_and_reencode(std::span<const std::uint8_t> message, bool four_octet_as) {
  auto decoded = bgp::wire::decode(message, bgp::wire::DecodeContext{four_octet_as});
  if (!decoded) return;
  const auto bytes = bgp::wire::encode(*decoded, bgp::wire::EncodeContext{four_octet_as});
  // Whatever we accept, we must be able to read back as the same value; the one exception is
  // an OPEN whose capabilities overflow the classic 255-octet parameter space.
  if (bytes.size() > bgp::wire::kMaxMessageSize) return;
  auto again = bgp::wire::decode(bytes, bgp::wire::DecodeContext{four_octet_as});
  check(again.has_value());
  check(*again == *decoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> input(data, size);
  // Also exercise the decoder on spans that framing would reject, as a careless caller might.
  decode_and_reencode(input, true);
  decode_and_reencode(input, false);

  // Walk the input as a TCP stream of messages.
  while (!input.empty()) {
    auto framed = bgp::wire::frame_length(input);
    if (!framed || *framed == 0 || *framed > input.size()) break;
    const auto message = input.first(*framed);
    decode_and_reencode(message, true);
    decode_and_reencode(message, false);
    input = input.subspan(*framed);
  }
  return 0;
}

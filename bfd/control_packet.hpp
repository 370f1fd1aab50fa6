// The BFD Control packet (RFC 5880 §4.1) as a value, and its pure codec. Decoding applies the
// packet-only reception checks of §6.8.6; the session-dependent ones belong to SessionFsm.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "net/expected.hpp"

namespace bfd {

enum class State : std::uint8_t { admin_down = 0, down = 1, init = 2, up = 3 };
const char* to_string(State);

// RFC 5880 §4.1 "Diag".
enum class Diagnostic : std::uint8_t {
  none = 0,
  control_detection_time_expired = 1,
  echo_function_failed = 2,
  neighbor_signaled_session_down = 3,
  forwarding_plane_reset = 4,
  path_down = 5,
  concatenated_path_down = 6,
  administratively_down = 7,
  reverse_concatenated_path_down = 8,
};
const char* to_string(Diagnostic);

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kMandatoryLength = 24;

struct ControlPacket {
  Diagnostic diagnostic = Diagnostic::none;
  State state = State::down;
  bool poll = false;
  bool final = false;
  bool control_plane_independent = false;  // C bit: we share fate with the routing protocol, so 0
  bool authentication_present = false;
  bool demand = false;
  std::uint8_t detect_multiplier = 3;
  std::uint32_t my_discriminator = 0;
  std::uint32_t your_discriminator = 0;
  std::uint32_t desired_min_tx_us = 1'000'000;
  std::uint32_t required_min_rx_us = 1'000'000;
  std::uint32_t required_min_echo_rx_us = 0;  // we run no Echo function
  bool operator==(const ControlPacket&) const = default;
};
std::ostream& operator<<(std::ostream&, const ControlPacket&);

// Why a received packet was discarded (RFC 5880 §6.8.6: every failed check is a silent drop).
enum class DecodeError : std::uint8_t {
  too_short,             // fewer bytes than the mandatory section, or than the Length field says
  bad_version,
  bad_length,            // Length below the minimum (24, or 26 with the A bit)
  zero_detect_multiplier,
  multipoint,            // M bit set
  zero_my_discriminator,
  zero_your_discriminator_when_up,  // Your Discriminator 0 in a state other than Down/AdminDown
  authentication_unsupported,       // A bit set: we run no authentication, so §6.8.6 drops it
};
const char* to_string(DecodeError);

net::Expected<ControlPacket, DecodeError> decode(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode(const ControlPacket& packet);

}  // namespace bfd

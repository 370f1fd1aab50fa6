#include "bfd/control_packet.hpp"

#include <ostream>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace bfd {

const char* to_string(State s) {
  switch (s) {
    case State::admin_down: return "AdminDown";
    case State::down: return "Down";
    case State::init: return "Init";
    case State::up: return "Up";
  }
  return "?";
}

const char* to_string(Diagnostic d) {
  switch (d) {
    case Diagnostic::none: return "none";
    case Diagnostic::control_detection_time_expired: return "control detection time expired";
    case Diagnostic::echo_function_failed: return "echo function failed";
    case Diagnostic::neighbor_signaled_session_down: return "neighbor signaled session down";
    case Diagnostic::forwarding_plane_reset: return "forwarding plane reset";
    case Diagnostic::path_down: return "path down";
    case Diagnostic::concatenated_path_down: return "concatenated path down";
    case Diagnostic::administratively_down: return "administratively down";
    case Diagnostic::reverse_concatenated_path_down: return "reverse concatenated path down";
  }
  return "unknown";
}

const char* to_string(DecodeError e) {
  switch (e) {
    case DecodeError::too_short: return "packet shorter than its Length";
    case DecodeError::bad_version: return "version is not 1";
    case DecodeError::bad_length: return "Length below the minimum";
    case DecodeError::zero_detect_multiplier: return "Detect Mult is zero";
    case DecodeError::multipoint: return "Multipoint bit set";
    case DecodeError::zero_my_discriminator: return "My Discriminator is zero";
    case DecodeError::zero_your_discriminator_when_up: return "Your Discriminator is zero outside Down/AdminDown";
    case DecodeError::authentication_unsupported: return "Authentication Present but none configured";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const ControlPacket& p) {
  os << "{state " << to_string(p.state) << ", diag " << to_string(p.diagnostic);
  if (p.poll) os << ", P";
  if (p.final) os << ", F";
  if (p.control_plane_independent) os << ", C";
  if (p.authentication_present) os << ", A";
  if (p.demand) os << ", D";
  return os << ", mult " << int{p.detect_multiplier} << ", my " << p.my_discriminator << ", your "
            << p.your_discriminator << ", tx " << p.desired_min_tx_us << "us, rx " << p.required_min_rx_us
            << "us, echo " << p.required_min_echo_rx_us << "us}";
}

namespace {
// Byte 1: Sta(2) P F C A D M.
constexpr std::uint8_t kPoll = 0x20, kFinal = 0x10, kControlPlaneIndependent = 0x08, kAuth = 0x04,
                       kDemand = 0x02, kMultipoint = 0x01;
}  // namespace

net::Expected<ControlPacket, DecodeError> decode(std::span<const std::uint8_t> bytes) {
  using net::Unexpected;
  if (bytes.size() < kMandatoryLength) return Unexpected(DecodeError::too_short);
  net::ByteReader in(bytes);
  const std::uint8_t vers_diag = *in.u8();
  const std::uint8_t flags = *in.u8();
  ControlPacket p;
  if ((vers_diag >> 5) != kVersion) return Unexpected(DecodeError::bad_version);
  p.diagnostic = static_cast<Diagnostic>(vers_diag & 0x1f);
  p.state = static_cast<State>(flags >> 6);
  p.poll = flags & kPoll;
  p.final = flags & kFinal;
  p.control_plane_independent = flags & kControlPlaneIndependent;
  p.authentication_present = flags & kAuth;
  p.demand = flags & kDemand;
  p.detect_multiplier = *in.u8();
  const std::uint8_t length = *in.u8();
  if (length < (p.authentication_present ? kMandatoryLength + 2 : kMandatoryLength))
    return Unexpected(DecodeError::bad_length);
  if (length > bytes.size()) return Unexpected(DecodeError::too_short);
  if (p.detect_multiplier == 0) return Unexpected(DecodeError::zero_detect_multiplier);
  if (flags & kMultipoint) return Unexpected(DecodeError::multipoint);
  p.my_discriminator = *in.u32();
  p.your_discriminator = *in.u32();
  p.desired_min_tx_us = *in.u32();
  p.required_min_rx_us = *in.u32();
  p.required_min_echo_rx_us = *in.u32();
  if (p.my_discriminator == 0) return Unexpected(DecodeError::zero_my_discriminator);
  if (p.your_discriminator == 0 && p.state != State::down && p.state != State::admin_down)
    return Unexpected(DecodeError::zero_your_discriminator_when_up);
  if (p.authentication_present) return Unexpected(DecodeError::authentication_unsupported);
  return p;
}

std::vector<std::uint8_t> encode(const ControlPacket& p) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(kMandatoryLength);
  net::ByteWriter out(bytes);
  out.u8(static_cast<std::uint8_t>((kVersion << 5) | (static_cast<std::uint8_t>(p.diagnostic) & 0x1f)));
  std::uint8_t flags = static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.state) << 6);
  if (p.poll) flags |= kPoll;
  if (p.final) flags |= kFinal;
  if (p.control_plane_independent) flags |= kControlPlaneIndependent;
  if (p.authentication_present) flags |= kAuth;
  if (p.demand) flags |= kDemand;
  out.u8(flags);
  out.u8(p.detect_multiplier);
  out.u8(static_cast<std::uint8_t>(kMandatoryLength));
  out.u32(p.my_discriminator);
  out.u32(p.your_discriminator);
  out.u32(p.desired_min_tx_us);
  out.u32(p.required_min_rx_us);
  out.u32(p.required_min_echo_rx_us);
  return bytes;
}

}  // namespace bfd

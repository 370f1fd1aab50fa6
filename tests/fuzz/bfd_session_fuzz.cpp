// libFuzzer target for BFD: the input is a run of 25-byte steps, each one event for a session
// (first byte: what happens; the other 24: a Control packet when it is a packet). Packets that
// decode must re-encode to the same bytes' meaning, and the session must keep RFC 5880's rules
// whatever it is fed: never a transmit interval under a second while not Up (§6.8.3), never
// faster than the remote's Required Min RX, never P and F in one packet.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>

#include "bfd/control_packet.hpp"
#include "bfd/session_fsm.hpp"

namespace {

void check(const bfd::SessionFsm& fsm, const std::vector<bfd::Action>& actions, bfd::Micros remote_min_rx) {
  // The timer armed last is the one that runs (one event may re-arm it on the way).
  const bfd::StartTransmitTimer* armed = nullptr;
  for (const auto& a : actions)
    if (const auto* t = std::get_if<bfd::StartTransmitTimer>(&a)) armed = t;
  if (armed) {
    // 75 % jitter is the least a timer can be cut to.
    if (fsm.state() != bfd::State::up && armed->after < bfd::Micros{750'000}) std::abort();
    if (armed->after * 4 < remote_min_rx * 3) std::abort();
  }
  for (const auto& a : actions) {
    if (const auto* t = std::get_if<bfd::Transmit>(&a)) {
      if (t->packet.poll && t->packet.final) std::abort();
      if (fsm.state() != bfd::State::up && t->packet.state != bfd::State::up &&
          t->packet.desired_min_tx_us < 1'000'000)
        std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint32_t random_state = 1;
  bfd::SessionFsm fsm(0x1111, {bfd::Micros{300'000}, bfd::Micros{300'000}, 3},
                      [&] { return random_state = random_state * 1103515245u + 12345u; });
  bfd::Micros remote_min_rx{1};
  check(fsm, fsm.start(), remote_min_rx);
  for (std::size_t at = 0; at + 25 <= size; at += 25) {
    const std::uint8_t what = data[at];
    const std::span<const std::uint8_t> bytes(data + at + 1, 24);
    std::vector<bfd::Action> actions;
    switch (what % 6) {
      case 0:
      case 1: {
        auto p = bfd::decode(bytes);
        if (!p) continue;
        if (bfd::decode(bfd::encode(*p)).value() != *p) std::abort();
        // The session takes the remote's values from packets meant for it only.
        if (p->your_discriminator == 0 || p->your_discriminator == 0x1111)
          remote_min_rx = bfd::Micros{p->required_min_rx_us};
        actions = fsm.handle(bfd::PacketReceived{*p});
        break;
      }
      case 2: actions = fsm.handle(bfd::TransmitTimerExpired{}); break;
      case 3: actions = fsm.handle(bfd::DetectionTimerExpired{}); break;
      case 4: actions = fsm.handle(what & 0x80 ? bfd::Event{bfd::AdminDown{}} : bfd::Event{bfd::AdminUp{}}); break;
      case 5: {
        const bfd::Timers t{bfd::Micros{10'000 + (bytes[0] << 16 | bytes[1] << 8 | bytes[2])},
                            bfd::Micros{10'000 + (bytes[3] << 16 | bytes[4] << 8 | bytes[5])},
                            static_cast<std::uint8_t>(bytes[6] ? bytes[6] : 1)};
        actions = fsm.handle(bfd::TimersChanged{t});
        break;
      }
    }
    check(fsm, actions, remote_min_rx);
  }
  return 0;
}

// What to do with a TCP connection from the peer that arrives while we may have a session or an
// attempt of our own (RFC 4271 §6.8, §8.2.2). Pure: the adapter (bgp/peer) carries it out.
#pragma once
#include <cstdint>
#include <optional>

#include "bgp/session_fsm.hpp"

namespace bgp {

enum class IncomingDecision {
  refuse,           // close it at once: we are leaving or restarting
  start_with_it,    // Idle: start the session on this connection
  replace_attempt,  // Connect/Active: our own attempt has not sent an OPEN; the peer's wins
  park,             // OpenSent: hold it until the OPEN on the current connection names the peer
  keep_current,     // send Cease/Connection Collision Resolution on the new one and close it
  peer_wins,        // close the current one with that Cease and go on with the new one
};

struct CollisionFacts {
  State state = State::idle;
  bool leaving = false;              // shutdown() or restart() was called
  bool current_is_outgoing = false;  // the current connection is the one we initiated
  std::uint32_t local_id = 0;
  std::optional<std::uint32_t> remote_id;  // from the OPEN on the current connection, once known
};

IncomingDecision decide_incoming(const CollisionFacts& facts);

}  // namespace bgp

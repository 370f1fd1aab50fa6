// How this speaker leaves a peer when the daemon stops: for good (withdraw, then Cease), or for a
// graceful restart (RFC 4724), where it closes the session without a word and the router keeps our
// routes as stale until the next instance's End-of-RIB.
#pragma once
#include <optional>
#include <string_view>

namespace bgp {

enum class Departure { leave, restart };

// `clusterip-speaker run --on-sigterm`: automatic restarts when that is safe, the others force a side.
enum class OnSigterm { automatic, leave, restart };

struct DepartureFacts {
  bool graceful_restart_enabled = false;  // our config: we advertised the capability
  bool peer_graceful_restart = false;     // the peer advertised it too: it will act as helper
  bool established = false;
  bool can_deliver = false;  // this node still serves what it advertises (the plan is not withheld)
};

// Restart needs a session in which both sides agreed on graceful restart; without one the
// router would drop our routes at once anyway, so leaving cleanly is the only sensible choice.
// Automatic also leaves when this node can no longer deliver, since stale routes would then
// draw traffic to a node that drops it.
Departure choose_departure(OnSigterm policy, const DepartureFacts& facts);

std::optional<OnSigterm> parse_on_sigterm(std::string_view text);  // "auto" | "leave" | "restart"
const char* to_string(OnSigterm);
const char* to_string(Departure);

}  // namespace bgp

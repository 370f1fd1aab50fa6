#include "bgp/collision.hpp"

namespace bgp {

IncomingDecision decide_incoming(const CollisionFacts& f) {
  if (f.leaving) return IncomingDecision::refuse;
  switch (f.state) {
    case State::idle:
      return IncomingDecision::start_with_it;
    case State::connect:
    case State::active:
      return IncomingDecision::replace_attempt;
    case State::open_sent:
      return IncomingDecision::park;
    case State::open_confirm:
      // §6.8: the connection initiated by the side with the higher BGP Identifier stays.
      if (!f.remote_id) return IncomingDecision::park;
      return (f.local_id > *f.remote_id) == f.current_is_outgoing ? IncomingDecision::keep_current
                                                                  : IncomingDecision::peer_wins;
    case State::established:
      // §6.8: a collision with an Established session always keeps the session.
      return IncomingDecision::keep_current;
  }
  return IncomingDecision::refuse;
}

}  // namespace bgp

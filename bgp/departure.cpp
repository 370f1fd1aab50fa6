#include "bgp/departure.hpp"

namespace bgp {

Departure choose_departure(OnSigterm policy, const DepartureFacts& f) {
  const bool helper_session = f.graceful_restart_enabled && f.peer_graceful_restart && f.established;
  switch (policy) {
    case OnSigterm::leave: return Departure::leave;
    case OnSigterm::restart: return helper_session ? Departure::restart : Departure::leave;
    case OnSigterm::automatic: return helper_session && f.can_deliver ? Departure::restart : Departure::leave;
  }
  return Departure::leave;
}

std::optional<OnSigterm> parse_on_sigterm(std::string_view text) {
  if (text == "auto") return OnSigterm::automatic;
  if (text == "leave") return OnSigterm::leave;
  if (text == "restart") return OnSigterm::restart;
  return std::nullopt;
}

const char* to_string(OnSigterm p) {
  switch (p) {
    case OnSigterm::automatic: return "auto";
    case OnSigterm::leave: return "leave";
    case OnSigterm::restart: return "restart";
  }
  return "?";
}

const char* to_string(Departure d) { return d == Departure::restart ? "restart" : "leave"; }

}  // namespace bgp

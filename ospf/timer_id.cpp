#include "ospf/timer_id.hpp"

#include <ostream>

#include "net/address.hpp"

namespace ospf {

const char* to_string(TimerId timer) {
  switch (timer) {
    case TimerId::hello: return "hello";
    case TimerId::wait: return "wait";
    case TimerId::inactivity: return "inactivity";
    case TimerId::dd_retransmit: return "dd_retransmit";
    case TimerId::ls_request_retransmit: return "ls_request_retransmit";
    case TimerId::dd_hold: return "dd_hold";
    case TimerId::ls_update_retransmit: return "ls_update_retransmit";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, TimerId timer) { return os << to_string(timer); }
std::ostream& operator<<(std::ostream& os, const StartTimer& a) {
  return os << "StartTimer(" << a.timer << ", " << a.duration.count() << "ms)";
}
std::ostream& operator<<(std::ostream& os, const StopTimer& a) { return os << "StopTimer(" << a.timer << ')'; }
std::ostream& operator<<(std::ostream& os, const TimerExpired& e) { return os << "TimerExpired(" << e.timer << ')'; }

std::ostream& operator<<(std::ostream& os, DottedQuad d) {
  return os << net::dotted(d.value);
}

}  // namespace ospf

// Which BFD sessions this node runs, derived from the configuration and the OSPF neighbours: one
// per BGP peer with bfd.enabled (multihop when its multihop is above 1) and one per OSPF neighbour
// in 2-Way or beyond on an interface with bfd.enabled. It owns the BFD engine, started the first
// time a session is wanted (no socket or thread while BFD is off), and tells the daemon when a
// session fails so the protocol it protects can go down at once.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "bfd/engine.hpp"
#include "config/config.hpp"
#include "ospf/instance.hpp"

namespace cisd {

class BfdSessions {
 public:
  // on_failure: an Up session went Down for a reason other than the remote's AdminDown.
  BfdSessions(asio::io_context& io, std::function<void(const bfd::SessionKey&)> on_failure);

  // Brings the running sessions in line with what cfg and the neighbours ask for: new ones start,
  // gone ones stop (with AdminDown), changed timers are negotiated with a Poll Sequence.
  void sync(const config::Config& cfg, const std::vector<ospf::NeighborStatus>& ospf_neighbors);
  // A planned stop: AdminDown on every session; `done` once it is sent (at once without BFD).
  void admin_down(std::function<void()> done);
  std::vector<bfd::SessionStatus> status() const;

 private:
  void on_change(const bfd::StateChange& change);

  asio::io_context& io_;
  std::function<void(const bfd::SessionKey&)> on_failure_;
  std::optional<bfd::Engine> engine_;
  bool engine_failed_ = false;  // start() failed once: said so, not retried on every sync
  std::map<bfd::SessionKey, bfd::Timers> running_;
};

bfd::Timers to_timers(const config::BfdConfig& c);

}  // namespace cisd

// Which BFD sessions this node runs, derived from the configuration and the OSPF neighbours: one
// per BGP peer with bfd.enabled (multihop when its multihop is above 1) and one per OSPF neighbour
// in 2-Way or beyond on an interface with bfd.enabled. It owns the BFD engine, started the first
// time a session is wanted (no socket or thread while BFD is off), and tells the daemon when a
// session fails so the protocol it protects can go down at once.
#pragma once
#include <functional>
#include <map>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bfd/engine.hpp"
#include "config/config.hpp"
#include "ospf/instance.hpp"

namespace cisd {

class BfdSessions {
 public:
  // on_failure: an Up session went Down for a reason other than the remote's AdminDown.
  // state_file: where a planned restart leaves its Up sessions for the next instance ("" = none);
  // read (and removed) here.
  BfdSessions(asio::io_context& io, std::function<void(const bfd::SessionKey&)> on_failure,
              std::string state_file = {});

  // Brings the running sessions in line with what cfg and the neighbours ask for: new ones start,
  // gone ones stop (with AdminDown), changed timers are negotiated with a Poll Sequence. BGP peers
  // that a reload removed but that are still leaving (drain, withdraw, Cease) keep their sessions:
  // routers take BGP down on AdminDown, which would cut the drain short.
  void sync(const config::Config& cfg, const std::vector<ospf::NeighborStatus>& ospf_neighbors,
            const std::vector<config::PeerConfig>& leaving_peers = {}) {
    sync(cfg.bgp, cfg.ospf, ospf_neighbors, leaving_peers);
  }
  // `bgp`: the peers in use (node_selector applied, gateways resolved), not the configured list.
  void sync(const config::BgpConfig& bgp, const config::OspfConfig& ospf,
            const std::vector<ospf::NeighborStatus>& ospf_neighbors,
            const std::vector<config::PeerConfig>& leaving_peers);
  // A planned restart of these BGP peers: their Up sessions ask the router to wait `window`
  // (Poll Sequence) and are saved to the state file for the next instance, so the router sees no
  // BFD failure while the daemon is away; then `done`.
  void hand_over(const std::vector<const config::PeerConfig*>& restarting, std::chrono::milliseconds window,
                 std::function<void()> done);
  // A planned stop of everything not handed over: AdminDown (after the protocols have left, so a
  // router that takes AdminDown for a failure does not cut their drain short); then `done`.
  void admin_down(std::function<void()> done);
  std::vector<bfd::SessionStatus> status() const;

 private:
  void on_change(const bfd::StateChange& change);

  asio::io_context& io_;
  std::function<void(const bfd::SessionKey&)> on_failure_;
  std::optional<bfd::Engine> engine_;
  bool engine_failed_ = false;  // start() failed once: said so, not retried on every sync
  std::map<bfd::SessionKey, bfd::Timers> running_;
  std::string state_file_;
  std::vector<bfd::SavedSession> resumable_;  // from the previous instance, for the engine
  std::vector<bfd::SessionKey> handed_over_;
};

// The state file's text: one line per session. Lines that do not parse are skipped.
std::string format_saved_sessions(const std::vector<bfd::SavedSession>& sessions);
std::vector<bfd::SavedSession> parse_saved_sessions(const std::string& text);

bfd::Timers to_timers(const config::BfdConfig& c);

}  // namespace cisd

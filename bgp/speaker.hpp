// All BGP peers of this node, and the listener that accepts their connections. The planner
// hands it the routes; every peer sends only what changed.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/asio.hpp"
#include "bgp/departure.hpp"
#include "bgp/peer.hpp"
#include "config/config.hpp"
#include "net/route_set.hpp"

namespace bgp {

class Speaker {
 public:
  // Peer passwords must already be resolved (password_file read into password).
  Speaker(asio::io_context& io, const config::BgpConfig& config, std::uint32_t router_id);

  void start();
  void set_routes(net::RouteSet routes);
  // The daemon stops: each peer is left (drain, withdraw, Cease with `message`) or, when
  // choose_departure says so, restarted gracefully (closed quietly, routes kept as stale at the
  // router); `done` once all have closed. can_deliver: this node still serves what it advertises.
  void shutdown(std::string message, OnSigterm on_sigterm, bool can_deliver, std::function<void()> done);
  std::vector<PeerStatus> status() const;
  // The peers that shutdown() with these arguments would restart gracefully rather than leave.
  std::vector<const config::PeerConfig*> restarting_peers(OnSigterm on_sigterm, bool can_deliver) const;
  // The BFD session to this address failed: that peer's session goes down at once.
  void bfd_down(const net::Address& peer);
  // A reloaded configuration: peers that are unchanged keep their sessions; removed and changed
  // peers leave as on shutdown (drain, withdraw, Cease), changed and new ones start afresh.
  // Passwords must already be resolved.
  void reconfigure(const config::BgpConfig& config);
  // Peers removed or replaced by a reload that are still closing (each is freed once closed),
  // and a listener told each time one of them has closed.
  std::size_t retiring() const { return retired_.size(); }
  std::vector<config::PeerConfig> retiring_peers() const;
  void on_retired(std::function<void()> listener) { on_retired_ = std::move(listener); }

 private:
  void listen(const asio::ip::tcp::endpoint& endpoint);
  void accept_next(asio::ip::tcp::acceptor& acceptor);

  asio::io_context& io_;
  config::BgpConfig config_;
  void retire(std::unique_ptr<Peer> peer, const std::string& why);
  void start_waiting_peers();
  DepartureFacts departure_facts(const Peer& p, bool can_deliver) const;

  std::uint32_t router_id_;
  std::shared_ptr<const net::RouteSet> routes_;  // the last plan; null before the first
  std::vector<std::unique_ptr<Peer>> peers_;
  // Peers removed by a reload, until they have closed. A new peer for the same address waits
  // for them (not started) so that the router never sees two of our sessions at once.
  std::vector<std::unique_ptr<Peer>> retired_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::function<void()> on_retired_;
  AliveGuard alive_;
};

}  // namespace bgp

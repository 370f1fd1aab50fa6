// All BGP peers of this node, and the listener that accepts their connections. The planner
// hands it the routes; every peer sends only what changed.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bgp/asio.hpp"
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
  // Leaves every peer (drain, withdraw, Cease with `message`); `done` once all have closed.
  void shutdown(std::string message, std::function<void()> done);
  std::vector<PeerStatus> status() const;

 private:
  void listen(const asio::ip::tcp::endpoint& endpoint);
  void accept_next(asio::ip::tcp::acceptor& acceptor);

  asio::io_context& io_;
  config::BgpConfig config_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
};

}  // namespace bgp

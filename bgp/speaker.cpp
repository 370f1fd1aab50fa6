#include "bgp/speaker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bgp/socket_options.hpp"

namespace bgp {

Speaker::Speaker(asio::io_context& io, const config::BgpConfig& config, std::uint32_t router_id)
    : io_(io), config_(config), router_id_(router_id) {
  for (const auto& peer : config_.peers)
    peers_.push_back(std::make_unique<Peer>(io_, peer, config_.asn, router_id, nullptr));  // no plan yet
}

void Speaker::start() {
  if (config_.listen_port != 0) {
    bool any_v4 = false, any_v6 = false;
    for (auto& p : peers_) (p->config().address.is_v4() ? any_v4 : any_v6) = true;
    if (any_v4) listen({asio::ip::address_v4::any(), config_.listen_port});
    if (any_v6) listen({asio::ip::address_v6::any(), config_.listen_port});
  }
  for (auto& p : peers_) p->start();
}

void Speaker::listen(const asio::ip::tcp::endpoint& endpoint) {
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
  boost::system::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec && endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) {
    // TCP MD5 keys must sit on the listener before the peer's SYN arrives (RFC 2385).
    for (auto& p : peers_) {
      const auto& c = p->config();
      if (c.password.empty() || c.address.is_v4() != endpoint.address().is_v4()) continue;
      if (auto err = set_tcp_md5(acceptor->native_handle(), c.address, c.password); !err.empty())
        spdlog::error("listener: peer {}: {}", c.address.to_string(), err);
    }
    // GTSM (RFC 5082) must drop low-TTL SYNs before the handshake: possible on the listener only
    // when every peer of this family asks for it.
    int min_ttl = 255;
    bool all_gtsm = true;
    for (auto& p : peers_) {
      const auto& c = p->config();
      if (c.address.is_v4() != endpoint.address().is_v4()) continue;
      all_gtsm = all_gtsm && c.ttl_security;
      min_ttl = std::min(min_ttl, 256 - c.multihop);
    }
    if (all_gtsm) {
      auto family = endpoint.address().is_v4() ? net::Family::ipv4 : net::Family::ipv6;
      if (auto err = set_min_ttl(acceptor->native_handle(), family, min_ttl); !err.empty())
        spdlog::error("listener: {}", err);
    }
    acceptor->bind(endpoint, ec);
  }
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("cannot listen on [{}]:{}: {}; connecting out only", endpoint.address().to_string(),
                  endpoint.port(), ec.message());
    return;
  }
  spdlog::info("listening for BGP on [{}]:{}", endpoint.address().to_string(), endpoint.port());
  acceptors_.push_back(std::move(acceptor));
  accept_next(*acceptors_.back());
}

void Speaker::accept_next(asio::ip::tcp::acceptor& acceptor) {
  acceptor.async_accept(alive_([this, &acceptor](boost::system::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      boost::system::error_code ignored;
      auto remote = socket.remote_endpoint(ignored).address();
      Peer* match = nullptr;
      for (auto& p : peers_) {
        const auto& a = p->config().address;
        bool same = a.is_v4() ? (remote.is_v4() && remote.to_v4().to_uint() == a.v4_value())
                              : (remote.is_v6() && remote.to_v6().to_bytes() == a.bytes());
        if (same) match = p.get();
      }
      if (match) {
        match->accept(std::move(socket));
      } else {
        spdlog::warn("refused BGP connection from unconfigured {}", remote.to_string());
        socket.close(ignored);
      }
    }
    accept_next(acceptor);
  }));
}

void Speaker::set_routes(net::RouteSet routes) {
  routes_ = std::make_shared<const net::RouteSet>(std::move(routes));
  for (auto& p : peers_) p->set_routes(routes_);
}

void Speaker::retire(std::unique_ptr<Peer> peer, const std::string& why) {
  spdlog::info("peer {}: {}", peer->config().address.to_string(), why);
  Peer* closing = peer.get();
  retired_.push_back(std::move(peer));
  // Called from inside the peer: free it only once that call has returned.
  closing->shutdown("clusterip-speaker: " + why, [this, closing] {
    asio::post(io_, alive_([this, closing] {
      std::erase_if(retired_, [closing](const auto& p) { return p.get() == closing; });
      start_waiting_peers();
      if (on_retired_) on_retired_();
    }));
  });
}

std::vector<config::PeerConfig> Speaker::retiring_peers() const {
  std::vector<config::PeerConfig> out;
  for (const auto& p : retired_) out.push_back(p->config());
  return out;
}

void Speaker::start_waiting_peers() {
  for (auto& p : peers_) {
    if (p->started()) continue;
    const bool predecessor_closing = std::any_of(retired_.begin(), retired_.end(), [&](const auto& r) {
      return r->config().address == p->config().address;
    });
    if (!predecessor_closing) p->start();
  }
}

namespace {
// Two peer configs that differ only in BFD settings describe the same BGP session.
bool same_session(const config::PeerConfig& a, config::PeerConfig b) {
  b.bfd = a.bfd;
  return a == b;
}
}  // namespace

void Speaker::reconfigure(const config::BgpConfig& next) {
  // Our AS or listening port changed: every session is a different one.
  const bool all_change = next.asn != config_.asn || next.listen_port != config_.listen_port;
  std::vector<std::unique_ptr<Peer>> kept;
  for (auto& peer : peers_) {
    auto it = std::find_if(next.peers.begin(), next.peers.end(),
                           [&](const config::PeerConfig& c) { return c.address == peer->config().address; });
    if (it == next.peers.end())
      retire(std::move(peer), "removed from the configuration");
    else if (all_change || !same_session(*it, peer->config()))
      retire(std::move(peer), "configuration changed; reconnecting");
    else {
      peer->set_bfd_config(it->bfd);  // BFD timers change without touching the session
      kept.push_back(std::move(peer));
    }
  }
  if (next.listen_port != config_.listen_port) {
    for (auto& a : acceptors_) {
      boost::system::error_code ec;
      a->close(ec);
    }
    acceptors_.clear();
  }
  config_ = next;
  peers_ = std::move(kept);
  for (const auto& c : config_.peers) {
    bool have = std::any_of(peers_.begin(), peers_.end(), [&](const auto& p) { return p->config().address == c.address; });
    if (have) continue;
    peers_.push_back(std::make_unique<Peer>(io_, c, config_.asn, router_id_, routes_));
    // A listener that stays open needs the new peer's TCP MD5 key before its SYN arrives.
    for (auto& a : acceptors_) {
      if (c.password.empty() || c.address.is_v4() != a->local_endpoint().address().is_v4()) continue;
      if (auto err = set_tcp_md5(a->native_handle(), c.address, c.password); !err.empty())
        spdlog::error("listener: peer {}: {}", c.address.to_string(), err);
    }
  }
  if (acceptors_.empty() && config_.listen_port != 0) {
    bool any_v4 = false, any_v6 = false;
    for (auto& p : peers_) (p->config().address.is_v4() ? any_v4 : any_v6) = true;
    if (any_v4) listen({asio::ip::address_v4::any(), config_.listen_port});
    if (any_v6) listen({asio::ip::address_v6::any(), config_.listen_port});
  }
  start_waiting_peers();
}

DepartureFacts Speaker::departure_facts(const Peer& p, bool can_deliver) const {
  DepartureFacts facts;
  facts.graceful_restart_enabled = p.config().graceful_restart.enabled;
  facts.peer_graceful_restart = p.peer_helps_graceful_restart();
  facts.established = p.status().state == State::established;
  facts.can_deliver = can_deliver;
  return facts;
}

std::vector<const config::PeerConfig*> Speaker::restarting_peers(OnSigterm on_sigterm, bool can_deliver) const {
  std::vector<const config::PeerConfig*> out;
  for (const auto& p : peers_)
    if (choose_departure(on_sigterm, departure_facts(*p, can_deliver)) == Departure::restart) out.push_back(&p->config());
  return out;
}

void Speaker::shutdown(std::string message, OnSigterm on_sigterm, bool can_deliver, std::function<void()> done) {
  for (auto& a : acceptors_) {
    boost::system::error_code ec;
    a->close(ec);
  }
  auto remaining = std::make_shared<std::size_t>(peers_.size());
  if (*remaining == 0) return done();
  auto closed = [remaining, done] {
    if (--*remaining == 0) done();
  };
  for (auto& p : peers_) {
    const DepartureFacts facts = departure_facts(*p, can_deliver);
    const auto departure = choose_departure(on_sigterm, facts);
    if (departure == Departure::leave && facts.established && on_sigterm != OnSigterm::leave)
      spdlog::info("peer {}: leaving, not restarting: {}", p->config().address.to_string(),
                   !facts.graceful_restart_enabled ? "graceful_restart is disabled for this peer"
                   : !facts.peer_graceful_restart  ? "the peer did not offer graceful restart"
                                                   : "this node cannot deliver its routes now");
    if (departure == Departure::restart)
      p->restart(closed);
    else
      p->shutdown(message, closed);
  }
}

void Speaker::bfd_down(const net::Address& address) {
  for (auto& p : peers_)
    if (p->config().address == address && p->config().bfd.enabled) p->bfd_down();
}

std::vector<PeerStatus> Speaker::status() const {
  std::vector<PeerStatus> out;
  for (auto& p : peers_) out.push_back(p->status());
  return out;
}

}  // namespace bgp

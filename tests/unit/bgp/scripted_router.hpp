// A BGP router's side for tests on loopback, on blocking sockets in the test's thread. Every
// accept and read waits at most 10 s, so a node that never connects, sends or closes fails the
// test instead of hanging it.
#pragma once
#include <poll.h>

#include <optional>
#include <stdexcept>
#include <vector>

#include "bgp/wire/codec.hpp"
#include "bgp/wire/message.hpp"
#include "config/config.hpp"
#include "io/asio.hpp"
#include "net/prefix.hpp"

namespace bgp::test {

constexpr std::uint32_t kRouterAs = 64512, kNodeAs = 64513;
const auto kServiceCidr = *net::Prefix::parse("10.96.0.0/12");

// The node's side of a session with the scripted router: no drain, so a departure is quick.
inline config::PeerConfig router_peer(std::uint16_t router_port, bool graceful_restart) {
  config::PeerConfig c;
  c.address = net::Address::v4(0x7f000001);
  c.asn = kRouterAs;
  c.port = router_port;
  c.connect_retry = std::chrono::milliseconds(100);
  c.families = {net::Family::ipv4};
  c.graceful_restart.enabled = graceful_restart;
  c.graceful_shutdown.enabled = false;
  return c;
}

// Asio's blocking calls wait for as long as it takes (they poll again after a socket timeout),
// so each one is preceded by a bounded wait of our own.
inline void await_readable(int fd, const char* what) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 10'000) != 1) throw std::runtime_error(std::string("router: nothing to ") + what + " within 10 s");
}

class ScriptedRouter {
 public:
  ScriptedRouter() : acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {}
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void accept() {
    await_readable(acceptor_.native_handle(), "accept");
    socket_.emplace(acceptor_.accept());
    // Our OPEN and KEEPALIVE go out at once, not after the node's delayed ACK (Nagle).
    socket_->set_option(asio::ip::tcp::no_delay(true));
  }

  // The next message, or nullopt at end of stream.
  std::optional<wire::Message> read() {
    std::array<std::uint8_t, wire::kHeaderSize> header{};
    boost::system::error_code ec;
    await_readable(socket_->native_handle(), "read");
    asio::read(*socket_, asio::buffer(header), ec);
    if (ec == asio::error::eof) return std::nullopt;
    if (ec) throw std::runtime_error("router read: " + ec.message());
    const std::size_t length = header[16] << 8 | header[17];
    std::vector<std::uint8_t> message(header.begin(), header.end());
    message.resize(length);
    if (length > wire::kHeaderSize) await_readable(socket_->native_handle(), "read");
    asio::read(*socket_, asio::buffer(message.data() + wire::kHeaderSize, length - wire::kHeaderSize), ec);
    if (ec) throw std::runtime_error("router read: " + ec.message());
    auto decoded = wire::decode(message, {});
    if (!decoded) throw std::runtime_error("router: undecodable message from the node");
    return *decoded;
  }

  // A connection is waiting in the accept queue (a second session from the node while the
  // current one is still open is a collision).
  bool connection_waiting() {
    pollfd p{acceptor_.native_handle(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
  }

  void write(const wire::Message& m) { asio::write(*socket_, asio::buffer(wire::encode(m, {}))); }
  void close() { socket_->close(); }

  // Up to the node's End-of-RIB, acting as a router that does (or does not) offer graceful restart.
  wire::Open establish(bool offer_graceful_restart) {
    accept();
    auto open = read();
    if (!open || !std::holds_alternative<wire::Open>(*open)) throw std::runtime_error("no OPEN from the node");
    wire::Open ours;
    ours.my_as = kRouterAs;
    ours.hold_time = 90;
    ours.bgp_identifier = 0x0a000101;
    ours.capabilities.multiprotocol = {wire::kIpv4Unicast};
    ours.capabilities.four_octet_as = kRouterAs;
    if (offer_graceful_restart) ours.capabilities.graceful_restart = wire::GracefulRestartCapability{};  // helper only
    write(ours);
    write(wire::Keepalive{});
    for (int i = 0; i < 20; ++i) {
      auto m = read();
      if (!m) throw std::runtime_error("the node closed before its End-of-RIB");
      auto* update = std::get_if<wire::Update>(&*m);
      if (update && wire::end_of_rib_family(*update)) return std::get<wire::Open>(*open);
    }
    throw std::runtime_error("no End-of-RIB in the node's first 20 messages");
  }

  // Everything the node sends until it closes.
  std::vector<wire::Message> until_closed() {
    std::vector<wire::Message> out;
    for (int i = 0; i < 100; ++i) {
      auto m = read();
      if (!m) return out;
      out.push_back(std::move(*m));
    }
    throw std::runtime_error("the node kept sending and never closed");
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::optional<asio::ip::tcp::socket> socket_;
};

}  // namespace bgp::test

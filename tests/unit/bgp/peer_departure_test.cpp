// Peer::restart and Peer::shutdown against a scripted router on loopback: what reaches the wire
// before the connection ends decides whether a graceful-restart helper keeps our routes.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <future>
#include <thread>

#include "bgp/peer.hpp"
#include "bgp/speaker.hpp"

using namespace bgp;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t kRouterAs = 64512, kNodeAs = 64513;
const auto kServiceCidr = *net::Prefix::parse("10.96.0.0/12");

// The router's side, on blocking sockets in the test's thread. Every read gives up after 10 s,
// so a daemon that never sends (or never closes) fails the test instead of hanging it.
class ScriptedRouter {
 public:
  ScriptedRouter() : acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {}
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void accept() {
    socket_.emplace(acceptor_.accept());
    timeval tv{10, 0};
    setsockopt(socket_->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  // The next message, or nullopt at end of stream.
  std::optional<wire::Message> read() {
    std::array<std::uint8_t, wire::kHeaderSize> header{};
    boost::system::error_code ec;
    asio::read(*socket_, asio::buffer(header), ec);
    if (ec == asio::error::eof) return std::nullopt;
    if (ec) throw std::runtime_error("router read: " + ec.message());
    const std::size_t length = header[16] << 8 | header[17];
    std::vector<std::uint8_t> message(header.begin(), header.end());
    message.resize(length);
    asio::read(*socket_, asio::buffer(message.data() + wire::kHeaderSize, length - wire::kHeaderSize), ec);
    if (ec) throw std::runtime_error("router read: " + ec.message());
    auto decoded = wire::decode(message, {});
    if (!decoded) throw std::runtime_error("router: undecodable message from the node");
    return *decoded;
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

bool any_notification(const std::vector<wire::Message>& ms) {
  return std::any_of(ms.begin(), ms.end(), [](auto& m) { return std::holds_alternative<wire::Notification>(m); });
}

bool any_withdrawal(const std::vector<wire::Message>& ms) {
  return std::any_of(ms.begin(), ms.end(), [](auto& m) {
    auto* u = std::get_if<wire::Update>(&m);
    return u && (!u->withdrawn.empty() || u->attributes.mp_unreach);
  });
}

// The node side: one Peer on its own io_context thread.
class Node {
 public:
  explicit Node(std::uint16_t router_port, bool graceful_restart = true) {
    config::PeerConfig c;
    c.address = net::Address::v4(0x7f000001);
    c.asn = kRouterAs;
    c.port = router_port;
    c.connect_retry = 100ms;
    c.families = {net::Family::ipv4};
    c.graceful_restart.enabled = graceful_restart;
    c.graceful_shutdown.enabled = false;  // no drain: the test is about what comes last
    net::Route cidr{kServiceCidr, {}, net::RouteKind::static_prefix, "test"};
    auto routes = std::make_shared<const net::RouteSet>(net::RouteSet{cidr});
    peer_ = std::make_unique<Peer>(io_, c, kNodeAs, 0x0a000102, routes);
    asio::post(io_, [this] { peer_->start(); });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Node() {
    io_.stop();
    thread_.join();
  }

  // Runs f(peer) on the node's thread; returns a future that is ready when the peer has closed.
  template <typename F>
  std::future<void> depart(F f) {
    auto closed = std::make_shared<std::promise<void>>();
    auto future = closed->get_future();
    asio::post(io_, [this, f, closed] { f(*peer_, [closed] { closed->set_value(); }); });
    return future;
  }

  bool peer_helps() {
    std::promise<bool> helps;
    asio::post(io_, [&] { helps.set_value(peer_->peer_helps_graceful_restart()); });
    return helps.get_future().get();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<Peer> peer_;
  std::thread thread_;
};

TEST(PeerDeparture, RestartClosesWithoutWithdrawalOrNotification) {
  ScriptedRouter router;
  Node node(router.port());
  auto open = router.establish(true);
  ASSERT_TRUE(open.capabilities.graceful_restart) << "the node did not offer graceful restart";
  EXPECT_TRUE(node.peer_helps());
  auto closed = node.depart([](Peer& p, std::function<void()> done) { p.restart(done); });
  auto last = router.until_closed();
  EXPECT_FALSE(any_notification(last)) << "a NOTIFICATION makes the router flush our routes (RFC 4724 §4.2)";
  EXPECT_FALSE(any_withdrawal(last));
  EXPECT_EQ(closed.wait_for(10s), std::future_status::ready) << "restart never reported the peer closed";
}

TEST(PeerDeparture, ShutdownWithdrawsThenCeases) {
  ScriptedRouter router;
  Node node(router.port());
  router.establish(true);
  auto closed = node.depart([](Peer& p, std::function<void()> done) { p.shutdown("bye", done); });
  auto last = router.until_closed();
  router.close();  // the node half-closed and waits for us, as BIRD and FRR close after the Cease
  ASSERT_FALSE(last.empty());
  EXPECT_TRUE(any_withdrawal(last));
  auto* cease = std::get_if<wire::Notification>(&last.back());
  ASSERT_NE(cease, nullptr) << "the last message was not a NOTIFICATION";
  EXPECT_EQ(cease->subcode, wire::subcode::administrative_shutdown);
  EXPECT_EQ(closed.wait_for(10s), std::future_status::ready);
}

TEST(PeerDeparture, RouterWithoutGracefulRestartIsNoHelper) {
  ScriptedRouter router;
  Node node(router.port());
  router.establish(false);
  EXPECT_FALSE(node.peer_helps());
}

}  // namespace

// Peer::restart and Peer::shutdown against a scripted router on loopback: what reaches the wire
// before the connection ends decides whether a graceful-restart helper keeps our routes.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "bgp/peer.hpp"
#include "scripted_router.hpp"

using namespace bgp;
using namespace bgp::test;
using namespace std::chrono_literals;

namespace {

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
    const auto c = router_peer(router_port, graceful_restart);  // no drain: the test is about what comes last
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

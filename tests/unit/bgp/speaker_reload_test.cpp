// Reloads that change a peer, against a scripted router on loopback: the old session must be
// closed before the replacement connects (else the router sees a collision), and the old peer
// must be freed once closed (else every reload leaks one).
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <future>
#include <thread>

#include "bgp/speaker.hpp"
#include "scripted_router.hpp"

using namespace bgp;
using namespace bgp::test;
using namespace std::chrono_literals;

namespace {

// One Speaker on its own io_context thread.
class SpeakerNode {
 public:
  explicit SpeakerNode(std::uint16_t router_port) {
    config_.asn = kNodeAs;
    config_.listen_port = 0;
    config_.peers = {router_peer(router_port, /*graceful_restart=*/false)};
    speaker_ = std::make_unique<Speaker>(io_, config_, 0x0a000102);
    asio::post(io_, [this] {
      speaker_->start();
      speaker_->set_routes(net::RouteSet{net::Route{kServiceCidr, {}, net::RouteKind::static_prefix, "test"}});
    });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SpeakerNode() {
    asio::post(io_, [this] { speaker_.reset(); });  // destroyed on its own thread, handlers pending
    work_.reset();
    thread_.join();
  }

  // A reload that changes the session (a new hold time), as an operator's edit would.
  void reload_with_hold_time(std::chrono::seconds hold) {
    asio::post(io_, [this, hold] {
      auto next = config_;
      next.peers[0].hold_time = hold;
      speaker_->reconfigure(next);
    });
  }

  std::size_t retiring() {
    std::promise<std::size_t> n;
    asio::post(io_, [&] { n.set_value(speaker_->retiring()); });
    return n.get_future().get();
  }

 private:
  config::BgpConfig config_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<Speaker> speaker_;
  std::thread thread_;
};

TEST(SpeakerReload, ReplacementWaitsForTheOldSessionAndTheOldPeerIsFreed) {
  constexpr int kReloads = 1000;
  spdlog::set_level(spdlog::level::warn);  // a dozen info lines per reload otherwise
  ScriptedRouter router;
  SpeakerNode node(router.port());
  router.establish(false);
  int collisions = 0;
  for (int i = 1; i <= kReloads; ++i) {
    const auto hold = std::chrono::seconds(i % 2 ? 91 : 90);
    node.reload_with_hold_time(hold);
    auto last = router.until_closed();  // withdrawal, Cease, then the node's half-close
    ASSERT_FALSE(last.empty()) << "reload " << i;
    ASSERT_TRUE(std::holds_alternative<wire::Notification>(last.back())) << "reload " << i << ": no Cease";
    // The node waits for us to close (as BIRD and FRR do after a Cease): a connection already
    // waiting now would be a second session from the same address.
    if (router.connection_waiting()) ++collisions;
    router.close();
    auto open = router.establish(false);
    ASSERT_EQ(open.hold_time, hold.count()) << "reload " << i << ": the replacement has the old config";
  }
  EXPECT_EQ(collisions, 0) << "the replacement connected while the old session was still open";
  EXPECT_EQ(node.retiring(), 0u) << "replaced peers are kept after they closed";
}

}  // namespace

#include "bgp/collision.hpp"

#include <gtest/gtest.h>

using namespace bgp;

namespace {

constexpr std::uint32_t kLow = 0x0a000001, kHigh = 0x0a000002;

IncomingDecision decide(State state, bool outgoing = true, std::optional<std::uint32_t> remote = std::nullopt,
                        std::uint32_t local = kLow, bool leaving = false) {
  CollisionFacts f;
  f.state = state;
  f.leaving = leaving;
  f.current_is_outgoing = outgoing;
  f.local_id = local;
  f.remote_id = remote;
  return decide_incoming(f);
}

}  // namespace

TEST(Collision, IdleStartsOnThePeersConnection) {
  EXPECT_EQ(decide(State::idle), IncomingDecision::start_with_it);
}

TEST(Collision, LeavingRefusesInEveryState) {
  for (auto s : {State::idle, State::connect, State::active, State::open_sent, State::open_confirm, State::established})
    EXPECT_EQ(decide(s, true, kHigh, kLow, true), IncomingDecision::refuse) << to_string(s);
}

TEST(Collision, BeforeOurOpenThePeersConnectionReplacesOurAttempt) {
  EXPECT_EQ(decide(State::connect), IncomingDecision::replace_attempt);
  EXPECT_EQ(decide(State::active), IncomingDecision::replace_attempt);
}

TEST(Collision, OpenSentParksUntilThePeerIsKnown) {
  EXPECT_EQ(decide(State::open_sent), IncomingDecision::park);
}

TEST(Collision, OpenConfirmKeepsTheConnectionOfTheHigherIdentifier) {
  // RFC 4271 §6.8: the connection initiated by the higher BGP Identifier survives.
  EXPECT_EQ(decide(State::open_confirm, /*outgoing=*/true, kLow, kHigh), IncomingDecision::keep_current);
  EXPECT_EQ(decide(State::open_confirm, /*outgoing=*/true, kHigh, kLow), IncomingDecision::peer_wins);
  EXPECT_EQ(decide(State::open_confirm, /*outgoing=*/false, kHigh, kLow), IncomingDecision::keep_current);
  EXPECT_EQ(decide(State::open_confirm, /*outgoing=*/false, kLow, kHigh), IncomingDecision::peer_wins);
  EXPECT_EQ(decide(State::open_confirm, true, std::nullopt), IncomingDecision::park);
}

TEST(Collision, EstablishedAlwaysKeepsTheSession) {
  EXPECT_EQ(decide(State::established, true, kHigh, kLow), IncomingDecision::keep_current);
  EXPECT_EQ(decide(State::established, false, kLow, kHigh), IncomingDecision::keep_current);
}

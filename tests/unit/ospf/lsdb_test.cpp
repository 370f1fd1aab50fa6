// The link-state database: §13.1 ordering, §13 receive outcomes, aging (§14), Database
// Exchange summaries and request lists (§10.3, §10.6). Time is passed in; nothing sleeps.
#include "ospf/lsdb.hpp"

#include <gtest/gtest.h>

#include "ospf/wire/lsa_codec.hpp"

namespace ospf {
namespace {

using std::chrono::seconds;
using wire::Lsa;
using wire::LsaHeader;

constexpr std::uint32_t kUs = 0x0a000001;     // 10.0.0.1, our router ID
constexpr std::uint32_t kOther = 0x0a000002;  // 10.0.0.2
const Clock::time_point t0{seconds(100000)};

LsaHeader header(std::int32_t seq, std::uint16_t checksum, std::uint16_t age) {
  LsaHeader h;
  h.type = wire::lsa_type::as_external;
  h.ls_id = 0xc0a80000;
  h.advertising_router = kOther;
  h.sequence_number = seq;
  h.checksum = checksum;
  h.age = age;
  return h;
}

// A finalized AS-external-LSA; `metric` varies the contents (and so the checksum).
Lsa external(std::uint32_t adv, std::uint32_t ls_id, std::int32_t seq, std::uint16_t age = 0, std::uint32_t metric = 20) {
  Lsa lsa;
  lsa.header.type = wire::lsa_type::as_external;
  lsa.header.options = wire::option::e;
  lsa.header.ls_id = ls_id;
  lsa.header.advertising_router = adv;
  lsa.header.sequence_number = seq;
  lsa.header.age = age;
  wire::AsExternalLsa body;
  body.network_mask = 0xffff0000;
  body.metric = metric;
  lsa.body = body;
  wire::finalize_lsa(lsa);
  return lsa;
}

constexpr std::int32_t kInit = kInitialSequenceNumber;

// ---- §13.1 ----

TEST(LsaCompare, HigherSequenceNumberIsNewerComparedSigned) {
  EXPECT_EQ(compare(header(kInit + 1, 0, 0), header(kInit, 0xffff, 0)), Recency::newer);
  EXPECT_EQ(compare(header(kInit, 0, 0), header(kInit + 1, 0, 0)), Recency::older);
  // 0x80000001 is the smallest: a positive sequence number is newer.
  EXPECT_EQ(compare(header(1, 0, 0), header(kInit, 0, 0)), Recency::newer);
  EXPECT_EQ(compare(header(kMaxSequenceNumber, 0, 0), header(0, 0, 0)), Recency::newer);
}

TEST(LsaCompare, LargerChecksumIsNewerAtEqualSequence) {
  EXPECT_EQ(compare(header(kInit, 0x9000, 0), header(kInit, 0x1000, 0)), Recency::newer);
  EXPECT_EQ(compare(header(kInit, 0x1000, 0), header(kInit, 0x9000, 0)), Recency::older);
}

TEST(LsaCompare, MaxAgeInstanceIsNewer) {
  EXPECT_EQ(compare(header(kInit, 1, 3600), header(kInit, 1, 10)), Recency::newer);
  EXPECT_EQ(compare(header(kInit, 1, 10), header(kInit, 1, 3600)), Recency::older);
  EXPECT_EQ(compare(header(kInit, 1, 3600), header(kInit, 1, 3600)), Recency::same);
}

TEST(LsaCompare, AgesMoreThanMaxAgeDiffApartMakeTheYoungerNewer) {
  EXPECT_EQ(compare(header(kInit, 1, 10), header(kInit, 1, 911)), Recency::newer);
  EXPECT_EQ(compare(header(kInit, 1, 911), header(kInit, 1, 10)), Recency::older);
  // Exactly MaxAgeDiff apart is still the same instance.
  EXPECT_EQ(compare(header(kInit, 1, 10), header(kInit, 1, 910)), Recency::same);
}

TEST(LsaCompare, EqualHeadersAreTheSameInstance) {
  EXPECT_EQ(compare(header(kInit, 7, 5), header(kInit, 7, 5)), Recency::same);
  EXPECT_EQ(compare(header(kInit, 7, 5), header(kInit, 7, 300)), Recency::same);
}

// ---- install, lookup, age ----

TEST(Lsdb, InstallKeepsTheReceivedAgeAndAddsElapsedTime) {
  Lsdb db(kUs);
  auto lsa = external(kOther, 0xc0a80000, kInit, 100);
  EXPECT_TRUE(db.install(lsa, t0));
  const auto key = key_of(lsa.header);
  EXPECT_EQ(db.age(key, t0), 100);
  EXPECT_EQ(db.age(key, t0 + seconds(50)), 150);
  EXPECT_EQ(db.age(key, t0 + std::chrono::milliseconds(50999)), 150);  // whole seconds
  EXPECT_EQ(db.age(key, t0 + seconds(5000)), 3600);                     // capped at MaxAge
  auto got = db.get(key, t0 + seconds(7));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->header.age, 107);
  EXPECT_EQ(got->body, lsa.body);
  EXPECT_EQ(db.size(), 1u);
  EXPECT_FALSE(db.age(LsaKey{5, 1, 2}, t0));
}

TEST(Lsdb, InstallReportsWhetherTheContentsChanged) {
  Lsdb db(kUs);
  EXPECT_TRUE(db.install(external(kOther, 1, kInit), t0));
  EXPECT_FALSE(db.install(external(kOther, 1, kInit + 1), t0 + seconds(10)));  // refresh only
  EXPECT_TRUE(db.install(external(kOther, 1, kInit + 2, 0, 30), t0 + seconds(20)));
  EXPECT_TRUE(db.install(external(kOther, 1, kInit + 2, 3600, 30), t0 + seconds(30)));  // flushed
}

// ---- §13 receive ----

TEST(LsdbReceive, NewLsaIsInstalledThenDuplicateThenOlder) {
  Lsdb db(kUs);
  auto lsa = external(kOther, 1, kInit + 5);
  EXPECT_EQ(db.receive(lsa, t0, false), ReceiveOutcome::newer_installed);
  ASSERT_TRUE(db.contains(key_of(lsa.header)));
  EXPECT_EQ(db.receive(lsa, t0 + seconds(3), false), ReceiveOutcome::duplicate);
  EXPECT_EQ(db.receive(external(kOther, 1, kInit + 4), t0 + seconds(3), false), ReceiveOutcome::older);
}

TEST(LsdbReceive, NewerWithinMinLsArrivalIsDiscarded) {
  Lsdb db(kUs);
  EXPECT_EQ(db.receive(external(kOther, 1, kInit), t0, false), ReceiveOutcome::newer_installed);
  auto next = external(kOther, 1, kInit + 1);
  EXPECT_EQ(db.receive(next, t0 + std::chrono::milliseconds(999), false),
            ReceiveOutcome::less_recent_within_min_ls_arrival);
  EXPECT_EQ(db.find(key_of(next.header))->lsa.header.sequence_number, kInit);
  EXPECT_EQ(db.receive(next, t0 + seconds(1), false), ReceiveOutcome::newer_installed);
  EXPECT_EQ(db.find(key_of(next.header))->lsa.header.sequence_number, kInit + 1);
}

TEST(LsdbReceive, SelfOriginatedNewerIsInstalledAndFlagged) {
  Lsdb db(kUs);
  auto ours = external(kUs, 1, kInit + 3);
  db.install(ours, t0);  // what we originated: not from flooding, so MinLSArrival doesn't apply
  auto theirs = external(kUs, 1, kInit + 9);
  EXPECT_EQ(db.receive(theirs, t0, false), ReceiveOutcome::self_originated_newer);
  EXPECT_EQ(db.find(key_of(theirs.header))->lsa.header.sequence_number, kInit + 9);
  // Not in the database at all (e.g. from before a restart): same outcome.
  EXPECT_EQ(db.receive(external(kUs, 2, kInit), t0, false), ReceiveOutcome::self_originated_newer);
}

TEST(LsdbReceive, NetworkLsaForOurInterfaceAddressIsSelfOriginated) {
  Lsdb db(kUs);
  db.set_interface_addresses({0xc0a80101});
  Lsa net;
  net.header.type = wire::lsa_type::network;
  net.header.ls_id = 0xc0a80101;
  net.header.advertising_router = 0x0a0000ff;  // an old router ID of ours
  net.body = wire::NetworkLsa{0xffffff00, {0x0a0000ff, kOther}};
  wire::finalize_lsa(net);
  EXPECT_EQ(db.receive(net, t0, false), ReceiveOutcome::self_originated_newer);
}

TEST(LsdbReceive, MaxAgeLsaNotInDatabaseIsAckedAndDropped) {
  Lsdb db(kUs);
  auto flush = external(kOther, 1, kInit, 3600);
  EXPECT_EQ(db.receive(flush, t0, false), ReceiveOutcome::max_age_not_in_database);
  EXPECT_FALSE(db.contains(key_of(flush.header)));
  // While a neighbour is in Exchange/Loading it is installed like any other (§13 step 4).
  EXPECT_EQ(db.receive(flush, t0, true), ReceiveOutcome::newer_installed);
  EXPECT_TRUE(db.contains(key_of(flush.header)));
}

TEST(LsdbReceive, MaxAgeInstanceReplacesTheLiveOne) {
  Lsdb db(kUs);
  db.receive(external(kOther, 1, kInit), t0, false);
  EXPECT_EQ(db.receive(external(kOther, 1, kInit, 3600), t0 + seconds(2), false), ReceiveOutcome::newer_installed);
  EXPECT_EQ(db.age(LsaKey{5, 1, kOther}, t0 + seconds(2)), 3600);
}

TEST(LsdbReceive, UnknownLsTypeIsDiscarded) {
  Lsdb db(kUs);
  Lsa nssa;
  nssa.header.type = 7;
  nssa.header.advertising_router = kOther;
  nssa.body = wire::OpaqueLsaBody{{0, 0, 0, 0}};
  wire::finalize_lsa(nssa);
  EXPECT_EQ(db.receive(nssa, t0, false), ReceiveOutcome::discarded);
  EXPECT_EQ(db.size(), 0u);
}

TEST(LsdbReceive, OlderAgainstAWrappingFlushIsDiscarded) {
  Lsdb db(kUs);
  db.install(external(kUs, 1, kMaxSequenceNumber, 3600), t0);
  EXPECT_EQ(db.receive(external(kUs, 1, kMaxSequenceNumber - 1), t0, false), ReceiveOutcome::discarded);
}

TEST(LsdbReceive, AgeDifferenceDecidesBetweenEqualSequenceAndChecksum) {
  Lsdb db(kUs);
  db.receive(external(kOther, 1, kInit, 10), t0, false);
  // Ours is now 10 + 1000 = 1010 s old; the same instance at age 5 is "newer" (§13.1).
  EXPECT_EQ(db.receive(external(kOther, 1, kInit, 5), t0 + seconds(1000), false), ReceiveOutcome::newer_installed);
  EXPECT_EQ(db.age(LsaKey{5, 1, kOther}, t0 + seconds(1000)), 5);
}

// ---- §14 aging ----

TEST(LsdbAging, LsaReachesMaxAgeIsReportedOnceAndRemovedWhenNothingHoldsIt) {
  Lsdb db(kUs);
  auto lsa = external(kOther, 1, kInit, 3000);
  db.receive(lsa, t0, false);
  const auto key = key_of(lsa.header);
  EXPECT_EQ(db.next_max_age(t0), t0 + seconds(600));
  EXPECT_TRUE(db.reached_max_age(t0 + seconds(599)).empty());
  EXPECT_TRUE(db.expire(t0 + seconds(599), false, nullptr).empty());

  const auto t = t0 + seconds(600);
  // Not flooded yet (not reported): kept.
  EXPECT_TRUE(db.expire(t, false, nullptr).empty());
  EXPECT_EQ(db.reached_max_age(t), std::vector<LsaKey>{key});
  EXPECT_TRUE(db.reached_max_age(t + seconds(1)).empty());
  EXPECT_FALSE(db.next_max_age(t));

  bool on_a_list = true;
  auto in_use = [&](const LsaKey& k) { return k == key && on_a_list; };
  EXPECT_TRUE(db.expire(t + seconds(5), false, in_use).empty());  // still unacknowledged somewhere
  on_a_list = false;
  EXPECT_TRUE(db.expire(t + seconds(6), true, in_use).empty());   // a neighbour is exchanging
  auto removed = db.expire(t + seconds(7), false, in_use);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(key_of(removed[0].header), key);
  EXPECT_EQ(removed[0].header.age, 3600);
  EXPECT_FALSE(db.contains(key));
}

TEST(LsdbAging, FlushInstalledAtMaxAgeIsNotReportedAgain) {
  Lsdb db(kUs);
  db.install(external(kUs, 1, kInit, 3600), t0);
  EXPECT_TRUE(db.reached_max_age(t0 + seconds(1)).empty());
  EXPECT_EQ(db.expire(t0 + seconds(1), false, [](const LsaKey&) { return false; }).size(), 1u);
}

// ---- Database Exchange ----

TEST(LsdbExchange, SummaryHasCurrentAgesAndSetsMaxAgeAside) {
  Lsdb db(kUs);
  db.install(external(kOther, 1, kInit, 10), t0);
  db.install(external(kOther, 2, kInit, 3600), t0);
  auto s = db.database_summary(t0 + seconds(20));
  ASSERT_EQ(s.headers.size(), 1u);
  EXPECT_EQ(s.headers[0].ls_id, 1u);
  EXPECT_EQ(s.headers[0].age, 30);
  EXPECT_EQ(s.max_age, (std::vector<LsaKey>{{5, 2, kOther}}));
}

TEST(LsdbExchange, RequestListHasWhatWeLackAndWhatTheyHaveNewer) {
  Lsdb db(kUs);
  db.install(external(kOther, 1, kInit + 1), t0);
  db.install(external(kOther, 2, kInit + 1), t0);
  db.install(external(kOther, 3, kInit + 1), t0);
  std::vector<LsaHeader> dd{
      external(kOther, 1, kInit + 2).header,  // theirs newer
      external(kOther, 2, kInit + 1).header,  // same
      external(kOther, 3, kInit).header,      // ours newer
      external(kOther, 4, kInit).header,      // we lack it
  };
  auto need = db.requests_for(dd, t0 + seconds(1));
  ASSERT_TRUE(need);
  ASSERT_EQ(need->size(), 2u);
  EXPECT_EQ((*need)[0], dd[0]);
  EXPECT_EQ((*need)[1], dd[3]);

  LsaHeader odd = dd[0];
  odd.type = 9;
  std::vector<LsaHeader> bad{odd};
  EXPECT_FALSE(db.requests_for(bad, t0));
}

}  // namespace
}  // namespace ospf

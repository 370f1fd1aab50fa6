// One neighbour's retransmission list (§13.3, §13.6, §13.7).
#include "ospf/retransmission_list.hpp"

#include <gtest/gtest.h>

namespace ospf {
namespace {

using std::chrono::seconds;
const Clock::time_point t0{seconds(5000)};
constexpr auto kRxmt = seconds(5);

wire::LsaHeader header(std::uint32_t ls_id, std::int32_t seq, std::uint16_t checksum = 0x1234, std::uint16_t age = 1) {
  wire::LsaHeader h;
  h.type = wire::lsa_type::as_external;
  h.ls_id = ls_id;
  h.advertising_router = 0x0a000001;
  h.sequence_number = seq;
  h.checksum = checksum;
  h.age = age;
  return h;
}

TEST(RetransmissionList, AckOfTheSameInstanceRemovesIt) {
  RetransmissionList list;
  list.add(header(1, kInitialSequenceNumber), t0);
  EXPECT_TRUE(list.contains(key_of(header(1, 0))));
  // The ack carries a later age: still the same instance.
  EXPECT_TRUE(list.acknowledge(header(1, kInitialSequenceNumber, 0x1234, 40)));
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(list.acknowledge(header(1, kInitialSequenceNumber)));
}

TEST(RetransmissionList, AckOfAnotherInstanceIsIgnored) {
  RetransmissionList list;
  list.add(header(1, kInitialSequenceNumber + 1), t0);
  EXPECT_FALSE(list.acknowledge(header(1, kInitialSequenceNumber)));          // older sequence
  EXPECT_FALSE(list.acknowledge(header(1, kInitialSequenceNumber + 1, 0x1)));  // other checksum
  // We flooded a flush: an ack of the live instance doesn't count.
  list.add(header(1, kInitialSequenceNumber + 1, 0x1234, 3600), t0);
  EXPECT_FALSE(list.acknowledge(header(1, kInitialSequenceNumber + 1, 0x1234, 20)));
  EXPECT_TRUE(list.acknowledge(header(1, kInitialSequenceNumber + 1, 0x1234, 3600)));
}

TEST(RetransmissionList, AddingANewInstanceReplacesTheOld) {
  RetransmissionList list;
  list.add(header(1, kInitialSequenceNumber), t0);
  list.add(header(1, kInitialSequenceNumber + 1), t0);
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list.find(key_of(header(1, 0)))->sequence_number, kInitialSequenceNumber + 1);
  EXPECT_TRUE(list.remove(key_of(header(1, 0))));
  EXPECT_FALSE(list.remove(key_of(header(1, 0))));
}

TEST(RetransmissionList, EntriesAreDueEveryRxmtInterval) {
  RetransmissionList list;
  EXPECT_FALSE(list.next_due(kRxmt));
  list.add(header(1, kInitialSequenceNumber), t0);
  list.add(header(2, kInitialSequenceNumber), t0 + seconds(2));
  EXPECT_EQ(list.next_due(kRxmt), t0 + seconds(5));
  EXPECT_TRUE(list.take_due(t0 + seconds(4), kRxmt).empty());
  EXPECT_EQ(list.take_due(t0 + seconds(5), kRxmt), std::vector<LsaKey>{key_of(header(1, 0))});
  EXPECT_EQ(list.next_due(kRxmt), t0 + seconds(7));
  EXPECT_EQ(list.take_due(t0 + seconds(7), kRxmt), std::vector<LsaKey>{key_of(header(2, 0))});
  // Both again, five seconds after each was last sent.
  EXPECT_EQ(list.take_due(t0 + seconds(12), kRxmt).size(), 2u);
  list.acknowledge(header(1, kInitialSequenceNumber));
  EXPECT_EQ(list.keys(), std::vector<LsaKey>{key_of(header(2, 0))});
  list.clear();
  EXPECT_TRUE(list.take_due(t0 + seconds(100), kRxmt).empty());
}

}  // namespace
}  // namespace ospf

#include "daemon/bfd_sessions.hpp"

#include <gtest/gtest.h>

namespace cisd {
namespace {

bfd::SavedSession session(const char* peer, bool multihop) {
  bfd::SavedSession s;
  s.key = {*net::Address::parse(peer), multihop};
  s.state = {0xdeadbeef, 7, bfd::Micros{40'000'000}, bfd::Micros{300'000}, 3, bfd::Micros{300'000},
             bfd::Micros{250'000}, 5};
  s.source_port = 49153;
  s.valid_until_ms = 1'765'000'000'000;
  return s;
}

TEST(BfdStateFile, RoundTrips) {
  const std::vector<bfd::SavedSession> saved{session("192.168.1.1", false), session("fd00::1", true)};
  EXPECT_EQ(parse_saved_sessions(format_saved_sessions(saved)), saved);
}

TEST(BfdStateFile, SkipsWhatDoesNotParse) {
  const std::string good = format_saved_sessions({session("10.0.0.1", false)});
  const std::string text = "garbage\n" + good + "bfd1 not-an-address 0 1 2 3 4 3 5 6 3 49152 9\n" +
                           "bfd2 10.0.0.2 0 1 2 3 4 3 5 6 3 49152 9\n" + "bfd1 10.0.0.3 0 1 2 3 4 0 5 6 3 49152 9\n" +
                           "bfd1 10.0.0.4 0 1 2 3\n";
  const auto parsed = parse_saved_sessions(text);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0], session("10.0.0.1", false));
}

}  // namespace
}  // namespace cisd

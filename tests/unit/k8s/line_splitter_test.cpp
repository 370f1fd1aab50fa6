// Watch stream bytes -> lines, and the cap on one line.
#include "k8s/line_splitter.hpp"

#include <gtest/gtest.h>

namespace k8s {
namespace {

using Lines = std::vector<std::string>;

Lines copy(const std::vector<std::string_view>& views) { return {views.begin(), views.end()}; }

TEST(LineSplitter, LinesAcrossChunksWithCrLfAndEmptyLinesLeftOut) {
  LineSplitter s(100);
  EXPECT_EQ(copy(s.feed("{\"a\"")), Lines{});
  EXPECT_EQ(copy(s.feed(":1}\r\n\n{\"b\":2}\n{\"c\"")), (Lines{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_EQ(s.rest(), "{\"c\"");
  EXPECT_EQ(copy(s.feed(":3}\n")), Lines{"{\"c\":3}"});
  EXPECT_EQ(s.rest(), "");
  EXPECT_FALSE(s.over_limit());
}

TEST(LineSplitter, ALineOfExactlyTheCapPasses) {
  LineSplitter s(5);
  EXPECT_EQ(copy(s.feed("12345\n")), Lines{"12345"});
  EXPECT_EQ(copy(s.feed("123")), Lines{});
  EXPECT_EQ(copy(s.feed("45\r\n")), Lines{"12345"});  // the CR is not part of the line
  EXPECT_FALSE(s.over_limit());
}

TEST(LineSplitter, ACompleteLineOverTheCapStopsEverything) {
  LineSplitter s(5);
  EXPECT_EQ(copy(s.feed("123456\nok\n")), Lines{});
  EXPECT_TRUE(s.over_limit());
  EXPECT_EQ(copy(s.feed("more\n")), Lines{});
}

TEST(LineSplitter, AnEndlessLineIsCaughtBeforeItsNewlineAndHoldsNoMoreThanTheCap) {
  // A server that sends bytes without a newline: the buffer stops at the cap, it does not grow
  // with the stream.
  LineSplitter s(1000);
  const std::string chunk(300, 'x');
  int fed = 0;
  while (!s.over_limit() && fed < 100) {
    EXPECT_EQ(copy(s.feed(chunk)), Lines{});
    ++fed;
  }
  EXPECT_TRUE(s.over_limit());
  EXPECT_EQ(fed, 4);  // 1200 bytes: over 1000 with the fourth chunk
}

}  // namespace
}  // namespace k8s

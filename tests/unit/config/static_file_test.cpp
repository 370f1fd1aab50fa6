#include "config/static_file.hpp"

#include <gtest/gtest.h>

namespace config {
namespace {

net::Prefix prefix(const char* text) { return *net::Prefix::parse(text); }

std::vector<std::string> errors_of(std::string_view text) {
  auto r = parse_static_file(text, "list.txt");
  std::vector<std::string> out;
  if (!r)
    for (const auto& e : r.error()) out.push_back(e.to_string());
  return out;
}

TEST(StaticFile, PrefixesCommentsAndBlankLines) {
  auto r = parse_static_file(
      "# ClusterIPs of the lab\n"
      "10.96.0.1/32\n"
      "\n"
      "   10.96.0.0/12   # the CIDR, indented, with a comment\n"
      "\t2001:db8::/64\r\n"
      "192.0.2.7\n"
      "   # only a comment\n"
      "198.51.100.0/24",  // no newline at the end
      "list.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (std::vector<net::Prefix>{prefix("10.96.0.1/32"), prefix("10.96.0.0/12"), prefix("2001:db8::/64"),
                                          prefix("192.0.2.7/32"), prefix("198.51.100.0/24")}));
}

TEST(StaticFile, EmptyFileIsAnEmptyList) {
  auto r = parse_static_file("", "list.txt");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(StaticFile, BadLinesNameFileLineAndText) {
  EXPECT_EQ(errors_of("10.0.0.0/8\n  bad text # comment\n10.0.0.1/8\n10.0.0.0/33\n10.0.0.0/8 10.1.0.0/16\n"),
            (std::vector<std::string>{
                "list.txt:2:3: advertise.static_file: expected a prefix like 10.96.0.0/12, got \"bad text\"",
                "list.txt:3:1: advertise.static_file: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?",
                "list.txt:4:1: advertise.static_file: expected a prefix like 10.96.0.0/12, got \"10.0.0.0/33\"",
                "list.txt:5:1: advertise.static_file: expected a prefix like 10.96.0.0/12, got \"10.0.0.0/8 "
                "10.1.0.0/16\"",
            }));
}

TEST(StaticFile, RepeatsNameTheFirstLine) {
  EXPECT_EQ(errors_of("10.1.0.7/32\n10.1.0.8/32\n10.1.0.7\nbad\n10.1.0.7/32\n10.1.0.8/32\n"),
            (std::vector<std::string>{
                "list.txt:3:1: advertise.static_file: 10.1.0.7/32 is listed twice (first on line 1)",
                "list.txt:4:1: advertise.static_file: expected a prefix like 10.96.0.0/12, got \"bad\"",
                "list.txt:5:1: advertise.static_file: 10.1.0.7/32 is listed twice (first on line 1)",
                "list.txt:6:1: advertise.static_file: 10.1.0.8/32 is listed twice (first on line 2)",
            }));
}

TEST(StaticFile, ManyLinesKeepFileOrder) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "10.2." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "/32\n";
  auto r = parse_static_file(text, "list.txt");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 5000u);
  EXPECT_EQ(r->front(), prefix("10.2.0.0/32"));
  EXPECT_EQ(r->back(), prefix("10.2.19.135/32"));
}

TEST(StaticFile, UnreadableFileHasNoLine) {
  auto r = read_static_file("/nonexistent-dir/list.txt");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].to_string(),
            "/nonexistent-dir/list.txt:0:0: advertise.static_file: cannot read: No such file or directory");
}

TEST(StaticFile, RelativePathsStartAtTheConfigFile) {
  EXPECT_EQ(static_file_path("routes.txt", "/etc/cis/config.yaml"), "/etc/cis/routes.txt");
  EXPECT_EQ(static_file_path("lists/routes.txt", "conf/config.yaml"), "conf/lists/routes.txt");
  EXPECT_EQ(static_file_path("routes.txt", "config.yaml"), "routes.txt");
  EXPECT_EQ(static_file_path("/srv/routes.txt", "/etc/cis/config.yaml"), "/srv/routes.txt");
}

}  // namespace
}  // namespace config

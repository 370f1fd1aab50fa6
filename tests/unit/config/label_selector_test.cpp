#include "config/label_selector.hpp"

#include <gtest/gtest.h>

namespace config {
namespace {

using Op = LabelRequirement::Op;
using Labels = std::map<std::string, std::string>;

LabelSelector parsed(const char* text) {
  auto s = parse_label_selector(text);
  if (!s) ADD_FAILURE() << text << ": " << s.error();
  return s ? *s : LabelSelector{};
}

TEST(LabelSelector, ParsesEveryOperator) {
  auto s = parsed("a=b, c!=d,e in (x, y),f notin (z),g,!h,i==j");
  ASSERT_EQ(s.requirements.size(), 7u);
  EXPECT_EQ(s.requirements[0], (LabelRequirement{"a", Op::equals, {"b"}}));
  EXPECT_EQ(s.requirements[1], (LabelRequirement{"c", Op::not_equals, {"d"}}));
  EXPECT_EQ(s.requirements[2], (LabelRequirement{"e", Op::in, {"x", "y"}}));
  EXPECT_EQ(s.requirements[3], (LabelRequirement{"f", Op::not_in, {"z"}}));
  EXPECT_EQ(s.requirements[4], (LabelRequirement{"g", Op::exists, {}}));
  EXPECT_EQ(s.requirements[5], (LabelRequirement{"h", Op::not_exists, {}}));
  EXPECT_EQ(s.requirements[6], (LabelRequirement{"i", Op::equals, {"j"}}));
  EXPECT_EQ(s.text, "a=b, c!=d,e in (x, y),f notin (z),g,!h,i==j");
}

TEST(LabelSelector, PrefixedKeysAndKeysStartingWithAKeyword) {
  auto s = parsed("app.kubernetes.io/name=web,index,inner in (a)");
  ASSERT_EQ(s.requirements.size(), 3u);
  EXPECT_EQ(s.requirements[0].key, "app.kubernetes.io/name");
  EXPECT_EQ(s.requirements[1], (LabelRequirement{"index", Op::exists, {}}));
  EXPECT_EQ(s.requirements[2], (LabelRequirement{"inner", Op::in, {"a"}}));
}

TEST(LabelSelector, EmptyMatchesEverything) {
  auto s = parsed("  ");
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.matches({}));
  EXPECT_TRUE(s.matches({{"a", "b"}}));
}

TEST(LabelSelector, MatchesAsTheApiDoes) {
  auto s = parsed("tier=web,env!=dev,zone in (a,b),!legacy");
  EXPECT_TRUE(s.matches({{"tier", "web"}, {"zone", "a"}}));
  EXPECT_TRUE(s.matches({{"tier", "web"}, {"zone", "b"}, {"env", "prod"}}));
  EXPECT_FALSE(s.matches({{"tier", "web"}, {"zone", "c"}}));                 // not in the set
  EXPECT_FALSE(s.matches({{"tier", "web"}, {"zone", "a"}, {"env", "dev"}}));  // != fails
  EXPECT_FALSE(s.matches({{"tier", "web"}, {"zone", "a"}, {"legacy", ""}}));  // !exists fails
  EXPECT_FALSE(s.matches({{"zone", "a"}}));                                   // equality needs the key
}

TEST(LabelSelector, NotInAndNotEqualMatchAnAbsentKey) {
  EXPECT_TRUE(parsed("a notin (x)").matches({}));
  EXPECT_TRUE(parsed("a!=x").matches({}));
  EXPECT_FALSE(parsed("a in (x)").matches({}));
  EXPECT_TRUE(parsed("a").matches({{"a", ""}}));
  EXPECT_TRUE(parsed("a=").matches({{"a", ""}}));
}

TEST(LabelSelector, ErrorsSayWhatAndWhere) {
  auto error = [](const char* text) {
    auto s = parse_label_selector(text);
    return s ? std::string("(parsed)") : s.error();
  };
  EXPECT_EQ(error("a in x"), "expected '(' to start the set of values at character 6");
  EXPECT_EQ(error("a in (x"), "expected ')' to close the set of values at character 8");
  EXPECT_EQ(error("a in ()"), "expected a value in the set at character 7");
  EXPECT_EQ(error("a=b,"), "expected a requirement after ',' at character 5");
  EXPECT_EQ(error("a=b c=d"), "expected ',' between requirements at character 5");
  EXPECT_EQ(error("a < 3"), "expected =, ==, !=, in or notin after key \"a\" at character 3");
  EXPECT_EQ(error("=b"), "expected a label key at character 1");
  EXPECT_EQ(error("!"), "expected a label key at character 2");
}

TEST(LabelSelector, NodeSelectorMapsNeedEveryLabel) {
  Labels node{{"rack", "r1"}, {"zone", "z"}};
  EXPECT_TRUE(labels_include(node, {}));
  EXPECT_TRUE(labels_include(node, {{"rack", "r1"}}));
  EXPECT_FALSE(labels_include(node, {{"rack", "r2"}}));
  EXPECT_FALSE(labels_include(node, {{"rack", "r1"}, {"row", "1"}}));
}

}  // namespace
}  // namespace config

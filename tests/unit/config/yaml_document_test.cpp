#include "config/yaml_document.hpp"

#include <gtest/gtest.h>

using namespace config;

TEST(YamlDocument, ScalarsSequencesAndMapsWithPositions) {
  YamlDocument doc("a: 1\nb:\n  - x\n  - \"y z\"\nc: { d: e }\n");
  auto root = doc.root();
  ASSERT_TRUE(root.IsMap());
  ASSERT_EQ(root.size(), 3u);
  EXPECT_EQ(root.key(0).Scalar(), "a");
  EXPECT_EQ(root.value(0).Scalar(), "1");
  EXPECT_EQ(root.value(0).Mark().line, 0);
  EXPECT_EQ(root.value(0).Mark().column, 3);
  auto b = root.value(1);
  ASSERT_TRUE(b.IsSequence());
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].Scalar(), "x");
  EXPECT_EQ(b[1].Scalar(), "y z");
  EXPECT_EQ(b[1].Mark().line, 3);
  EXPECT_EQ(b[1].Mark().column, 4);
  EXPECT_FALSE(b[2].IsDefined());
  auto c = root.value(2);
  ASSERT_TRUE(c.IsMap());
  EXPECT_EQ(c.key(0).Scalar(), "d");
  EXPECT_EQ(c.value(0).Scalar(), "e");
  EXPECT_EQ(c.Mark().line, 4);
}

TEST(YamlDocument, NullsAsYamlCppReadsThem) {
  YamlDocument doc("a:\nb: ~\nc: null\nd: \"null\"\ne: []\n");
  auto root = doc.root();
  EXPECT_TRUE(root.value(0).IsNull());
  EXPECT_TRUE(root.value(1).IsNull());
  EXPECT_TRUE(root.value(2).IsNull());
  EXPECT_TRUE(root.value(3).IsScalar());  // quoted: a string
  EXPECT_TRUE(root.value(4).IsSequence());
  EXPECT_EQ(root.value(4).size(), 0u);
  EXPECT_EQ(root.value(0).Scalar(), "");
  EXPECT_EQ(root.value(0).size(), 0u);
}

TEST(YamlDocument, AliasesShareTheAnchoredNode) {
  YamlDocument doc("a: &x [1, 2]\nb: *x\nc: &y v\nd: *y\n");
  auto root = doc.root();
  ASSERT_TRUE(root.value(1).IsSequence());
  EXPECT_EQ(root.value(1).size(), 2u);
  EXPECT_EQ(root.value(1)[1].Scalar(), "2");
  EXPECT_EQ(root.value(3).Scalar(), "v");
}

TEST(YamlDocument, EmptyTextHasNoRootAndSyntaxErrorsThrowWithTheirMark) {
  YamlDocument empty("");
  EXPECT_FALSE(empty.root().IsDefined());
  YamlDocument comments("# only a comment\n");
  EXPECT_FALSE(comments.root().IsDefined());
  try {
    YamlDocument bad("a: [1\n");
    FAIL() << "no exception";
  } catch (const YAML::Exception& e) {
    EXPECT_EQ(e.mark.line, 1);
    EXPECT_EQ(e.msg, "end of sequence flow not found");
  }
}

TEST(YamlDocument, OnlyTheFirstDocument) {
  YamlDocument doc("a: 1\n---\nb: 2\n");
  ASSERT_TRUE(doc.root().IsMap());
  EXPECT_EQ(doc.root().key(0).Scalar(), "a");
  EXPECT_EQ(doc.root().size(), 1u);
}

TEST(YamlDocument, LongListOfScalars) {
  std::string text = "static:\n";
  for (int i = 0; i < 20000; ++i) text += "  - 10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "/32\n";
  YamlDocument doc(text);
  auto list = doc.root().value(0);
  ASSERT_EQ(list.size(), 20000u);
  EXPECT_EQ(list[0].Scalar(), "10.0.0.0/32");
  EXPECT_EQ(list[19999].Scalar(), "10.0.78.31/32");
  EXPECT_EQ(list[19999].Mark().line, 20000);
  EXPECT_EQ(list[19999].Mark().column, 4);
}

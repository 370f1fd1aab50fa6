#include "config/yaml_document.hpp"

#include <istream>
#include <streambuf>

#include <yaml-cpp/eventhandler.h>

namespace config {

namespace {

// Lets yaml-cpp read the text where it is, without a copy into an istringstream.
class TextBuffer : public std::streambuf {
 public:
  explicit TextBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // only read: std::streambuf's get area is char*
    setg(begin, begin, begin + text.size());
  }
};

}  // namespace

// Appends one entry per event; a container's children are collected while it is open, then
// stored end to end in children_.
class YamlDocument::Builder : public YAML::EventHandler {
 public:
  explicit Builder(YamlDocument& doc) : doc_(doc) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { add(mark, YAML::NodeType::Null, anchor); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    // The parser has already refused an alias to an unknown anchor.
    attach(anchor < anchors_.size() ? anchors_[anchor] : 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    auto index = add(mark, YAML::NodeType::Scalar, anchor);
    auto& entry = doc_.nodes_[index];
    entry.first = static_cast<std::uint32_t>(doc_.text_.size());
    entry.count = static_cast<std::uint32_t>(value.size());
    doc_.text_ += value;
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back({add(mark, YAML::NodeType::Sequence, anchor), {}});
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back({add(mark, YAML::NodeType::Map, anchor), {}});
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    std::uint32_t index;
    std::vector<std::uint32_t> children;
  };

  std::uint32_t add(const YAML::Mark& mark, YAML::NodeType::value type, YAML::anchor_t anchor) {
    auto index = static_cast<std::uint32_t>(doc_.nodes_.size());
    Entry e;
    e.line = static_cast<std::uint32_t>(mark.line);
    e.column = static_cast<std::uint32_t>(mark.column);
    e.type = type;
    doc_.nodes_.push_back(e);
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor] = index;
    }
    attach(index);
    return index;
  }

  void attach(std::uint32_t index) {
    if (open_.empty())
      doc_.root_ = index;
    else
      open_.back().children.push_back(index);
  }

  void close() {
    auto& entry = doc_.nodes_[open_.back().index];
    const auto& children = open_.back().children;
    entry.first = static_cast<std::uint32_t>(doc_.children_.size());
    entry.count = static_cast<std::uint32_t>(children.size());
    doc_.children_.insert(doc_.children_.end(), children.begin(), children.end());
    open_.pop_back();
  }

  YamlDocument& doc_;
  std::vector<Open> open_;
  std::vector<std::uint32_t> anchors_;  // anchor number -> node
};

YamlDocument::YamlDocument(std::string_view text) {
  TextBuffer buffer(text);
  std::istream in(&buffer);
  YAML::Parser parser(in);
  Builder builder(*this);
  parser.HandleNextDocument(builder);
}

YAML::NodeType::value YamlNode::Type() const {
  return doc_ ? doc_->nodes_[index_].type : YAML::NodeType::Undefined;
}

std::string_view YamlNode::Scalar() const {
  if (!IsScalar()) return {};
  const auto& e = doc_->nodes_[index_];
  return std::string_view(doc_->text_).substr(e.first, e.count);
}

YAML::Mark YamlNode::Mark() const {
  YAML::Mark m = YAML::Mark::null_mark();
  if (!doc_) return m;
  m.line = static_cast<int>(doc_->nodes_[index_].line);
  m.column = static_cast<int>(doc_->nodes_[index_].column);
  return m;
}

std::size_t YamlNode::size() const {
  if (IsSequence()) return doc_->nodes_[index_].count;
  if (IsMap()) return doc_->nodes_[index_].count / 2;
  return 0;
}

YamlNode YamlNode::child(std::size_t i) const {
  return YamlNode(doc_, doc_->children_[doc_->nodes_[index_].first + i]);
}

YamlNode YamlNode::operator[](std::size_t i) const { return IsSequence() && i < size() ? child(i) : YamlNode(); }
YamlNode YamlNode::key(std::size_t i) const { return IsMap() && i < size() ? child(2 * i) : YamlNode(); }
YamlNode YamlNode::value(std::size_t i) const { return IsMap() && i < size() ? child(2 * i + 1) : YamlNode(); }

}  // namespace config

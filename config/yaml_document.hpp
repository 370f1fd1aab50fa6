// A YAML document read with yaml-cpp's event parser into one flat array of nodes.
// yaml-cpp's own tree (YAML::Load) costs about 500 bytes per scalar: a 100k-entry
// advertise.static list made it the daemon's memory peak (50 MB). Here a scalar costs about 35
// bytes. The node handle mirrors the part of YAML::Node the config reader uses.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace config {

class YamlDocument;

// A node of a YamlDocument; cheap to copy. The document must outlive it.
class YamlNode {
 public:
  YamlNode() = default;  // undefined: an empty document's root

  YAML::NodeType::value Type() const;
  bool IsDefined() const { return doc_ != nullptr; }
  bool IsNull() const { return Type() == YAML::NodeType::Null; }
  bool IsScalar() const { return Type() == YAML::NodeType::Scalar; }
  bool IsSequence() const { return Type() == YAML::NodeType::Sequence; }
  bool IsMap() const { return Type() == YAML::NodeType::Map; }
  // The scalar's text; empty for other nodes.
  std::string_view Scalar() const;
  YAML::Mark Mark() const;

  // Elements of a sequence, or key/value pairs of a map; 0 for other nodes.
  std::size_t size() const;
  YamlNode operator[](std::size_t i) const;  // sequence element i
  YamlNode key(std::size_t i) const;         // map pair i
  YamlNode value(std::size_t i) const;

 private:
  friend class YamlDocument;
  YamlNode(const YamlDocument* doc, std::uint32_t index) : doc_(doc), index_(index) {}
  YamlNode child(std::size_t i) const;

  const YamlDocument* doc_ = nullptr;
  std::uint32_t index_ = 0;
};

class YamlDocument {
 public:
  // Reads the first document in `text`; throws YAML::Exception (with its mark) on a syntax
  // error, as YAML::Load does.
  explicit YamlDocument(std::string_view text);
  // Nodes point back at their document: it stays where it was made.
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;

  // Undefined when the text holds no document.
  YamlNode root() const { return nodes_.empty() ? YamlNode() : YamlNode(this, root_); }

 private:
  friend class YamlNode;
  class Builder;

  struct Entry {
    std::uint32_t line = 0, column = 0;  // from 0, as YAML::Mark
    YAML::NodeType::value type = YAML::NodeType::Null;
    // Scalar: its text in text_. Sequence and map: its children in children_ (a map's as
    // key, value, key, value, ...).
    std::uint32_t first = 0, count = 0;
  };

  std::vector<Entry> nodes_;
  std::string text_;                    // every scalar's text, end to end
  std::vector<std::uint32_t> children_;
  std::uint32_t root_ = 0;
};

}  // namespace config

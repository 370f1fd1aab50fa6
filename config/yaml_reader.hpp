// Reading typed values out of a YamlDocument while collecting every problem with its position.
// Knows YAML and types; knows nothing of what the daemon's keys mean (that is loader.cpp).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/enum_names.hpp"
#include "config/yaml_document.hpp"

namespace config {

// A value found in the document: the node, its dotted key, and where an error about it points.
struct Field {
  YamlNode node;
  std::string path;  // "bgp.peers[1].hold_time"
  YAML::Mark mark;   // the value's position; the key's when the value is empty
};

// The elements of a sequence as Fields ("key[i]"), made one at a time when asked for: a list
// may hold 100k prefixes, and a Field with its path costs about 100 bytes.
class Elements {
 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;
    iterator(const Elements* elements, std::size_t i) : elements_(elements), i_(i) {}
    Field operator*() const { return (*elements_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    const Elements* elements_;
    std::size_t i_;
  };

  explicit Elements(Field list) : list_(std::move(list)) {}
  std::size_t size() const { return list_.node.size(); }
  bool empty() const { return size() == 0; }
  Field operator[](std::size_t i) const;
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  Field list_;  // a sequence, or an empty value (no elements)
};

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  void error(const YAML::Mark&, std::string key, std::string message);
  void error(const Field& f, std::string message) { error(f.mark, f.path, std::move(message)); }
  // A problem found in another file the config names (advertise.static_file).
  void error(ConfigError e) { errors_.push_back(std::move(e)); }
  const std::string& file() const { return file_; }
  bool has_errors() const { return !errors_.empty(); }
  // Sorted by position, so people read them in file order: the config file's first, then those
  // of the files it names.
  std::vector<ConfigError> take_errors();

  // The scalar's text, or nullopt after reporting that `what` was expected.
  std::optional<std::string> scalar(const Field&, std::string_view what);
  // Elements of a sequence ("key[i]"); an empty value is an empty list.
  std::optional<Elements> sequence(const Field&, std::string_view what);

  // Each reader leaves `out` alone and reports when the value is unusable.
  bool read_bool(const Field&, bool& out);
  bool read_string(const Field&, std::string& out);  // an empty value is ""
  bool read_uint(const Field&, std::uint64_t min, std::uint64_t max, std::uint64_t& out);
  template <typename T>
  bool read_uint(const Field& f, std::uint64_t min, std::uint64_t max, T& out) {
    std::uint64_t v = 0;
    if (!read_uint(f, min, max, v)) return false;
    out = static_cast<T>(v);
    return true;
  }
  bool read_duration(const Field&, Duration& out);
  bool read_address(const Field&, net::Address& out);
  bool read_prefix(const Field&, net::Prefix& out);
  template <typename E>
  bool read_enum(const Field& f, E& out) {
    auto text = scalar(f, enum_choices<E>());
    if (!text) return false;
    auto v = parse_enum<E>(*text);
    if (!v) {
      error(f, "expected " + enum_choices<E>() + ", got " + quoted(*text));
      return false;
    }
    out = *v;
    return true;
  }

  static std::string quoted(std::string_view);

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

// One mapping: reports unknown and repeated keys once, then hands out the known ones.
class MapFields {
 public:
  // An empty value (`node:` with nothing after it) reads as an empty mapping.
  MapFields(YamlReader&, const Field& map, std::initializer_list<std::string_view> known);
  std::optional<Field> get(std::string_view key) const;
  const Field& self() const { return self_; }

 private:
  struct Entry {
    std::string name;
    YAML::Mark key_mark;
    Field field;
  };
  Field self_;
  std::vector<Entry> fields_;
};

// Levenshtein distance, for "did you mean ...?".
std::size_t edit_distance(std::string_view, std::string_view);

}  // namespace config

#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "config/prefix_problem.hpp"

namespace config {

namespace {
const char* kind_of(const YamlNode& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "nothing";
  }
}

bool is_empty(const YamlNode& n) { return !n.IsDefined() || n.IsNull(); }
}  // namespace

void YamlReader::error(const YAML::Mark& mark, std::string key, std::string message) {
  // yaml-cpp counts from 0 and uses -1 for "no position".
  errors_.push_back(ConfigError{file_, mark.line < 0 ? 1 : mark.line + 1, mark.column < 0 ? 1 : mark.column + 1,
                                std::move(key), std::move(message)});
}

std::vector<ConfigError> YamlReader::take_errors() {
  std::stable_sort(errors_.begin(), errors_.end(), [this](const ConfigError& a, const ConfigError& b) {
    const bool a_other = a.file != file_, b_other = b.file != file_;
    return std::tie(a_other, a.file, a.line, a.column) < std::tie(b_other, b.file, b.line, b.column);
  });
  return std::move(errors_);
}

std::string YamlReader::quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::optional<std::string> YamlReader::scalar(const Field& f, std::string_view what) {
  if (!f.node.IsScalar()) {
    error(f, "expected " + std::string(what) + ", got " + kind_of(f.node));
    return std::nullopt;
  }
  return std::string(f.node.Scalar());
}

std::optional<Elements> YamlReader::sequence(const Field& f, std::string_view what) {
  if (!is_empty(f.node) && !f.node.IsSequence()) {
    error(f, "expected " + std::string(what) + ", got " + kind_of(f.node));
    return std::nullopt;
  }
  return Elements(f);
}

Field Elements::operator[](std::size_t i) const {
  auto element = list_.node[i];
  return Field{element, list_.path + "[" + std::to_string(i) + "]", element.Mark()};
}

bool YamlReader::read_bool(const Field& f, bool& out) {
  auto text = scalar(f, "true or false");
  if (!text) return false;
  // yaml-cpp's own reading: true/false plus the YAML 1.1 yes/no/on/off forms.
  bool v = false;
  if (!YAML::convert<bool>::decode(YAML::Node(*text), v)) {
    error(f, "expected true or false, got " + quoted(*text));
    return false;
  }
  out = v;
  return true;
}

bool YamlReader::read_string(const Field& f, std::string& out) {
  if (is_empty(f.node)) {
    out.clear();
    return true;
  }
  auto text = scalar(f, "a string");
  if (!text) return false;
  out = *text;
  return true;
}

bool YamlReader::read_uint(const Field& f, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
  auto text = scalar(f, "a number");
  if (!text) return false;
  auto range = [&] {
    if (max == min + 1) return "must be " + std::to_string(min) + " or " + std::to_string(max);
    return "must be between " + std::to_string(min) + " and " + std::to_string(max);
  };
  const std::string& s = *text;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range || (!s.empty() && s[0] == '-' && s.size() > 1 &&
                                               std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
    error(f, range() + ", got " + s);
    return false;
  }
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
    error(f, "expected a number, got " + quoted(s));
    return false;
  }
  if (v < min || v > max) {
    error(f, range() + ", got " + s);
    return false;
  }
  out = v;
  return true;
}

bool YamlReader::read_duration(const Field& f, Duration& out) {
  auto text = scalar(f, "a duration");
  if (!text) return false;
  auto d = parse_duration(*text);
  if (!d) {
    bool digits_only = !text->empty() && std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
    error(f, "expected a duration like 90s, 500ms or 1m30s, got " + quoted(*text) +
                 (digits_only ? " (add a unit)" : ""));
    return false;
  }
  out = *d;
  return true;
}

bool YamlReader::read_address(const Field& f, net::Address& out) {
  auto text = scalar(f, "an IP address");
  if (!text) return false;
  auto a = net::Address::parse(*text);
  if (!a) {
    error(f, "expected an IP address, got " + quoted(*text));
    return false;
  }
  out = *a;
  return true;
}

bool YamlReader::read_prefix(const Field& f, net::Prefix& out) {
  auto text = scalar(f, "a prefix");
  if (!text) return false;
  if (auto p = net::Prefix::parse(*text)) {
    out = *p;
    return true;
  }
  error(f, prefix_problem(*text));
  return false;
}

MapFields::MapFields(YamlReader& r, const Field& map, std::initializer_list<std::string_view> known) : self_(map) {
  if (is_empty(map.node)) return;
  if (!map.node.IsMap()) {
    r.error(map, std::string("expected a mapping, got ") + kind_of(map.node));
    return;
  }
  auto child = [&](const std::string& key) { return map.path.empty() ? key : map.path + "." + key; };
  for (std::size_t i = 0; i < map.node.size(); ++i) {
    const YamlNode key = map.node.key(i);
    if (!key.IsScalar()) {
      r.error(key.Mark(), map.path, std::string("a key must be a plain name, got ") + kind_of(key));
      continue;
    }
    const std::string name(key.Scalar());
    std::string path = child(name);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string message = "unknown key";
      std::string_view best;
      std::size_t best_distance = 3;  // suggest only within two edits
      for (auto k : known) {
        auto d = edit_distance(name, k);
        if (d < best_distance) best_distance = d, best = k;
      }
      if (!best.empty()) message += "; did you mean " + std::string(best) + "?";
      r.error(key.Mark(), path, message);
      continue;
    }
    auto first = std::find_if(fields_.begin(), fields_.end(), [&](const Entry& e) { return e.name == name; });
    if (first != fields_.end()) {
      r.error(key.Mark(), path, "duplicate key (first set on line " + std::to_string(first->key_mark.line + 1) + ")");
      continue;
    }
    const YamlNode value = map.node.value(i);
    fields_.push_back(Entry{name, key.Mark(), Field{value, path, is_empty(value) ? key.Mark() : value.Mark()}});
  }
}

std::optional<Field> MapFields::get(std::string_view key) const {
  for (const auto& e : fields_)
    if (e.name == key) return e.field;
  return std::nullopt;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace config

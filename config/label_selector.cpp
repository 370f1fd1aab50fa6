#include "config/label_selector.hpp"

#include <algorithm>
#include <cctype>

namespace config {

namespace {

// Label keys ([prefix/]name) and values: alphanumerics and - _ . /; anything else ends a token.
bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
}

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view text) : s_(text) {}

  net::Expected<LabelSelector, std::string> parse() {
    LabelSelector out;
    out.text = std::string(s_);
    skip_space();
    if (at_end()) return out;
    while (true) {
      LabelRequirement r;
      if (!requirement(r)) return net::Unexpected(error_);
      out.requirements.push_back(std::move(r));
      skip_space();
      if (at_end()) break;
      if (s_[pos_] != ',') return fail("expected ',' between requirements");
      ++pos_;
      skip_space();
      if (at_end()) return fail("expected a requirement after ','");
    }
    return out;
  }

 private:
  bool requirement(LabelRequirement& r) {
    if (s_[pos_] == '!') {
      ++pos_;
      skip_space();
      r.op = LabelRequirement::Op::not_exists;
      return key(r.key);
    }
    if (!key(r.key)) return false;
    skip_space();
    if (at_end() || s_[pos_] == ',') {
      r.op = LabelRequirement::Op::exists;
      return true;
    }
    if (consume("==") || consume("=")) {
      r.op = LabelRequirement::Op::equals;
      return single_value(r);
    }
    if (consume("!=")) {
      r.op = LabelRequirement::Op::not_equals;
      return single_value(r);
    }
    if (consume_word("notin")) {
      r.op = LabelRequirement::Op::not_in;
      return value_set(r);
    }
    if (consume_word("in")) {
      r.op = LabelRequirement::Op::in;
      return value_set(r);
    }
    fail("expected =, ==, !=, in or notin after key \"" + r.key + "\"");
    return false;
  }

  bool key(std::string& out) {
    out = token();
    if (out.empty()) return fail("expected a label key"), false;
    return true;
  }

  bool single_value(LabelRequirement& r) {
    skip_space();
    r.values.push_back(token());  // an empty value is allowed (`a=`)
    return true;
  }

  bool value_set(LabelRequirement& r) {
    skip_space();
    if (at_end() || s_[pos_] != '(') return fail("expected '(' to start the set of values"), false;
    ++pos_;
    while (true) {
      skip_space();
      std::string v = token();
      if (v.empty()) return fail("expected a value in the set"), false;
      r.values.push_back(std::move(v));
      skip_space();
      if (at_end()) return fail("expected ')' to close the set of values"), false;
      if (s_[pos_] == ')') {
        ++pos_;
        return true;
      }
      if (s_[pos_] != ',') return fail("expected ',' or ')' in the set of values"), false;
      ++pos_;
    }
  }

  std::string token() {
    std::size_t start = pos_;
    while (!at_end() && token_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  bool consume(std::string_view what) {
    if (s_.substr(pos_, what.size()) != what) return false;
    pos_ += what.size();
    return true;
  }

  // A keyword must be followed by a space or '(' (so a key named "index" is not "in" + "dex").
  bool consume_word(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    std::size_t after = pos_ + word.size();
    if (after < s_.size() && token_char(s_[after])) return false;
    pos_ = after;
    return true;
  }

  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool at_end() const { return pos_ >= s_.size(); }

  net::Unexpected<std::string> fail(const std::string& what) {
    error_ = what + " at character " + std::to_string(pos_ + 1);
    return net::Unexpected(error_);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

bool LabelRequirement::matches(const std::map<std::string, std::string>& labels) const {
  auto it = labels.find(key);
  const bool has = it != labels.end();
  auto listed = [&] { return has && std::find(values.begin(), values.end(), it->second) != values.end(); };
  switch (op) {
    case Op::equals:
    case Op::in: return listed();
    case Op::not_equals:
    case Op::not_in: return !listed();
    case Op::exists: return has;
    case Op::not_exists: return !has;
  }
  return false;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  return std::all_of(requirements.begin(), requirements.end(), [&](const auto& r) { return r.matches(labels); });
}

net::Expected<LabelSelector, std::string> parse_label_selector(std::string_view text) {
  return SelectorParser(text).parse();
}

bool labels_include(const std::map<std::string, std::string>& labels, const std::map<std::string, std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const auto& w) {
    auto it = labels.find(w.first);
    return it != labels.end() && it->second == w.second;
  });
}

}  // namespace config

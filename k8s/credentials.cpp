#include "k8s/credentials.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

namespace k8s {

net::Expected<std::string, std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return net::Unexpected("cannot read " + path.string() + ": " + std::generic_category().message(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

BearerToken BearerToken::fixed(std::string token) {
  BearerToken t;
  t.token_ = std::move(token);
  return t;
}

BearerToken BearerToken::from_file(std::filesystem::path path, std::chrono::seconds max_age) {
  BearerToken t;
  t.from_file_ = true;
  t.path_ = std::move(path);
  t.max_age_ = max_age;
  return t;
}

const std::string& BearerToken::current(std::chrono::steady_clock::time_point now) {
  if (!from_file_) return token_;
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path_, ec);  // follows the ..data symlink
  bool changed = !ec && (!mtime_ || *mtime_ != mtime);
  if (!read_once_ || changed || now - read_at_ >= max_age_) {
    auto text = read_file(path_);
    read_at_ = now;
    read_once_ = true;
    if (text) {
      std::string t = std::move(*text);
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
      token_ = std::move(t);
      error_.clear();
      if (!ec) mtime_ = mtime;
    } else {
      error_ = text.error();  // keep the last good token: it may still be valid
    }
  }
  return token_;
}

}  // namespace k8s

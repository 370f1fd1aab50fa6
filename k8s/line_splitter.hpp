// Splits a streamed body (a watch) into lines as its bytes arrive, with a cap on the length of one
// line: a server that never sends a newline, or one object far larger than any real one, is an
// error for that stream, not memory without end. Pure: bytes in, lines out.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace k8s {

class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line_bytes) : max_line_(max_line_bytes) {}

  // Adds bytes and returns the lines they completed, without their "\n" or "\r\n"; empty lines
  // are left out. The views stay valid until the next call. Once a line is longer than the cap
  // (complete or not), returns nothing more and over_limit() holds.
  const std::vector<std::string_view>& feed(std::string_view bytes);

  bool over_limit() const { return over_limit_; }
  // The bytes after the last newline: a last line the stream ended without terminating.
  std::string_view rest() const;

 private:
  std::size_t max_line_;
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already handed out as lines
  std::vector<std::string_view> lines_;
  bool over_limit_ = false;
};

}  // namespace k8s

#include "k8s/line_splitter.hpp"

namespace k8s {

const std::vector<std::string_view>& LineSplitter::feed(std::string_view bytes) {
  lines_.clear();
  if (over_limit_) return lines_;
  // The lines handed out last time are no longer needed: drop them before growing the buffer.
  buffer_.erase(0, consumed_);
  consumed_ = 0;
  buffer_.append(bytes);
  for (std::size_t nl; (nl = buffer_.find('\n', consumed_)) != std::string::npos; consumed_ = nl + 1) {
    std::string_view line(buffer_.data() + consumed_, nl - consumed_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line_) {
      over_limit_ = true;
      lines_.clear();
      return lines_;
    }
    if (!line.empty()) lines_.push_back(line);
  }
  if (buffer_.size() - consumed_ > max_line_) {
    over_limit_ = true;
    lines_.clear();
  }
  return lines_;
}

std::string_view LineSplitter::rest() const {
  return std::string_view(buffer_).substr(consumed_);
}

}  // namespace k8s

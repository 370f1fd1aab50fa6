#include "config/text_file.hpp"

#include <cerrno>
#include <cstdio>

namespace config {

int read_text_file(const std::string& path, std::string& out) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return errno;
  out.clear();
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file)) > 0) out.append(buf, n);
  int err = std::ferror(file) ? errno : 0;
  std::fclose(file);
  return err;
}

}  // namespace config

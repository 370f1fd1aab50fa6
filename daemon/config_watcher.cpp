#include "daemon/config_watcher.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace cisd {

namespace {
// Editors and the kubelet write in several steps; act once they are done.
constexpr auto kSettle = std::chrono::milliseconds(200);
}  // namespace

ConfigWatcher::ConfigWatcher(asio::io_context& io, const std::string& path, std::function<void()> changed)
    : descriptor_(io), settle_(io), path_(path), changed_(std::move(changed)) {}

ConfigWatcher::~ConfigWatcher() {
  boost::system::error_code ec;
  descriptor_.close(ec);
}

std::string ConfigWatcher::start() {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return std::string("inotify_init1: ") + std::strerror(errno);
  auto dir = std::filesystem::absolute(path_).parent_path();
  const std::uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_FROM;
  if (inotify_add_watch(fd, dir.c_str(), mask) < 0) {
    std::string err = "inotify_add_watch " + dir.string() + ": " + std::strerror(errno);
    close(fd);
    return err;
  }
  descriptor_.assign(fd);
  read_events();
  return {};
}

void ConfigWatcher::read_events() {
  descriptor_.async_read_some(asio::buffer(buffer_), [this](boost::system::error_code ec, std::size_t) {
    if (ec) return;  // closed on shutdown
    // Any change in the directory may be ours (symlink swaps change other names): settle, then report.
    settle_.expires_after(kSettle);
    settle_.async_wait([this](boost::system::error_code e) {
      if (!e) changed_();
    });
    read_events();
  });
}

}  // namespace cisd

// Notices when the config file changes, including the way Kubernetes updates a mounted
// ConfigMap (a new ..data directory swapped in by renaming a symlink): it watches the file's
// directory with inotify and reports after a short quiet period.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "io/asio.hpp"

namespace cisd {

class ConfigWatcher {
 public:
  // `changed` runs on the io_context; the caller compares contents, so spurious calls are harmless.
  ConfigWatcher(asio::io_context& io, const std::string& path, std::function<void()> changed);
  ~ConfigWatcher();
  // Empty on success, else why watching is not possible (the daemon then relies on SIGHUP).
  std::string start();

 private:
  void read_events();

  asio::posix::stream_descriptor descriptor_;
  asio::steady_timer settle_;
  std::string path_;
  std::function<void()> changed_;
  std::array<char, 4096> buffer_{};
};

}  // namespace cisd

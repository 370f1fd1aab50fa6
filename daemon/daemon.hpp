// The running daemon: one io_context, the sources, the planner, the speakers, the signals.
#pragma once
#include "config/config.hpp"

namespace cisd {

// Runs until SIGTERM/SIGINT has been handled; returns the process exit code.
int run_daemon(config::Config config, const std::string& config_path);

}  // namespace cisd

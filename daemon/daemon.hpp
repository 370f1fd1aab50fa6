// The running daemon: one io_context, the sources, the planner, the speakers, the signals.
#pragma once
#include "bgp/departure.hpp"
#include "config/config.hpp"

namespace cisd {

// Runs until SIGTERM/SIGINT has been handled; returns the process exit code. on_sigterm: how BGP
// peers are left then (`run --on-sigterm`).
int run_daemon(config::Config config, const std::string& config_path,
               bgp::OnSigterm on_sigterm = bgp::OnSigterm::automatic);

}  // namespace cisd

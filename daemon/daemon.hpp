// The running daemon: one io_context, the sources, the planner, the speakers, the signals.
#pragma once
#include "bgp/departure.hpp"
#include "config/config.hpp"
#include "daemon/privileges.hpp"

#include <string>

namespace cisd {

// Runs until SIGTERM/SIGINT has been handled; returns the process exit code. on_sigterm: how BGP
// peers are left then (`run --on-sigterm`); run_as: the user a root start switches to (`run --user`);
// state_dir: where a graceful restart hands its BFD sessions to the next instance ("" = nowhere).
int run_daemon(config::Config config, const std::string& config_path,
               bgp::OnSigterm on_sigterm = bgp::OnSigterm::automatic, std::optional<RunAs> run_as = std::nullopt,
               const std::string& state_dir = "");

}  // namespace cisd

// clusterip-speaker: the command line.
#include <CLI/CLI.hpp>
#include <malloc.h>
#include <unistd.h>

#include <iostream>

#include "config/config.hpp"
#include "daemon/daemon.hpp"
#include "daemon/logging.hpp"
#include "daemon/version.hpp"

namespace {

// Loads the config, printing every problem; nullopt when there was one.
std::optional<config::Config> load(const std::string& path) {
  auto loaded = config::load_config_file(path);
  if (!loaded) {
    for (const auto& e : loaded.error()) std::cerr << e.to_string() << "\n";
    return std::nullopt;
  }
  auto cfg = std::move(*loaded);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  cfg.node.name = config::resolve_node_name(cfg.node, std::getenv("NODE_NAME"), host);
  return cfg;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"clusterip-speaker: advertise Kubernetes Service CIDRs and ClusterIPs to your router"};
  app.require_subcommand(1);
  std::string config_path = "/etc/clusterip-speaker/config.yaml";

  auto* run = app.add_subcommand("run", "run the daemon");
  run->add_option("-c,--config", config_path, "config file")->capture_default_str();
  auto* check = app.add_subcommand("check-config", "validate a config file and print the effective config");
  check->add_option("-c,--config", config_path, "config file")->capture_default_str();
  auto* version = app.add_subcommand("version", "print the version");

  CLI11_PARSE(app, argc, argv);

  if (*version) {
    std::cout << "clusterip-speaker " << cisd::kVersion << "\n";
    return 0;
  }
  auto cfg = load(config_path);
  if (!cfg) return 1;
  if (*check) {
    std::cout << config::to_yaml(*cfg);
    return 0;
  }
  // The YAML tree of a big config is gone now: hand its memory back to the system.
  malloc_trim(0);
  cisd::setup_logging(cfg->log);
  return cisd::run_daemon(std::move(*cfg), config_path);
}

#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "bgp/asio.hpp"
#include "bgp/speaker.hpp"
#include "daemon/local_addresses.hpp"
#include "daemon/planner.hpp"
#include "daemon/version.hpp"

namespace cisd {

namespace {

// How long past the longest drain a leaving daemon waits for peers before it exits anyway.
constexpr auto kShutdownGrace = std::chrono::seconds(5);

std::optional<std::string> read_secret(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return "cannot read " + path;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return std::nullopt;
}

}  // namespace

int run_daemon(config::Config cfg, const std::string& config_path) {
  spdlog::info("clusterip-speaker {} starting with {}", kVersion, config_path);

  auto router_id = cfg.node.router_id;
  if (!router_id) router_id = first_global_ipv4();
  if (!router_id) {
    spdlog::error("node.router_id is auto but this host has no global IPv4 address; set node.router_id");
    return 1;
  }
  for (auto& peer : cfg.bgp.peers) {
    if (peer.password_file.empty()) continue;
    if (auto err = read_secret(peer.password_file, peer.password)) {
      spdlog::error("bgp peer {}: password_file: {}", peer.address.to_string(), *err);
      return 1;
    }
  }

  Facts facts;
  if (cfg.advertise.service_cidrs) facts.service_cidrs = *cfg.advertise.service_cidrs;
  if (cfg.kubernetes.enabled)
    spdlog::warn("kubernetes.enabled is true, but this build has no Kubernetes source yet: "
                 "advertising configured prefixes only");
  else if (!cfg.advertise.service_cidrs)
    spdlog::warn("advertise.service_cidrs is auto and Kubernetes is disabled: no Service CIDR to advertise");

  asio::io_context io;
  std::optional<bgp::Speaker> speaker;
  if (cfg.bgp.enabled) {
    speaker.emplace(io, cfg.bgp, router_id->v4_value());
    spdlog::info("BGP: AS {}, router id {}, {} peer(s)", cfg.bgp.asn, router_id->to_string(), cfg.bgp.peers.size());
  }

  auto planned = plan(facts, cfg.advertise);
  for (const auto& w : planned.warnings) spdlog::warn("plan: {}", w);
  if (!planned.withheld.empty()) spdlog::warn("plan: advertising nothing: {}", planned.withheld);
  for (const auto& [prefix, route] : planned.routes) spdlog::info("plan: {}", (std::ostringstream() << route).str());
  if (speaker) {
    speaker->set_routes(planned.routes);
    speaker->start();
  }

  // First SIGTERM/SIGINT: leave cleanly. A second one: leave now.
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  asio::steady_timer give_up(io);
  bool leaving = false;
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        spdlog::warn("SIGHUP: configuration reload is not implemented in this build; ignored");
        return wait_signal();
      }
      if (leaving) {
        spdlog::warn("second signal: exiting at once");
        std::_Exit(1);
      }
      leaving = true;
      spdlog::info("received {}: withdrawing routes and leaving", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      std::chrono::milliseconds longest_drain{0};
      for (auto& p : cfg.bgp.peers)
        if (p.graceful_shutdown.enabled) longest_drain = std::max(longest_drain, p.graceful_shutdown.drain_time);
      give_up.expires_after(longest_drain + kShutdownGrace);
      give_up.async_wait([&](boost::system::error_code e) {
        if (e) return;
        spdlog::warn("peers did not close in time; exiting");
        io.stop();
      });
      auto done = [&] {
        spdlog::info("all sessions closed; bye");
        io.stop();
      };
      if (speaker)
        speaker->shutdown("clusterip-speaker on " + cfg.node.name + " is shutting down", done);
      else
        done();
      wait_signal();
    });
  };
  wait_signal();
  io.run();
  return 0;
}

}  // namespace cisd

#include "daemon/bfd_sessions.hpp"

#include <spdlog/spdlog.h>

namespace cisd {

bfd::Timers to_timers(const config::BfdConfig& c) {
  return {std::chrono::duration_cast<bfd::Micros>(c.min_tx), std::chrono::duration_cast<bfd::Micros>(c.min_rx),
          c.multiplier};
}

BfdSessions::BfdSessions(asio::io_context& io, std::function<void(const bfd::SessionKey&)> on_failure)
    : io_(io), on_failure_(std::move(on_failure)) {}

void BfdSessions::sync(const config::Config& cfg, const std::vector<ospf::NeighborStatus>& ospf_neighbors) {
  std::map<bfd::SessionKey, bfd::Timers> wanted;
  if (cfg.bgp.enabled)
    for (const auto& p : cfg.bgp.peers)
      if (p.bfd.enabled) wanted.emplace(bfd::SessionKey{p.address, p.multihop > 1}, to_timers(p.bfd));
  if (cfg.ospf.enabled)
    for (const auto& n : ospf_neighbors) {
      if (!n.two_way) continue;
      for (const auto& i : cfg.ospf.interfaces)
        if (i.name == n.interface && i.bfd.enabled)
          wanted.emplace(bfd::SessionKey{net::Address::v4(n.address), false}, to_timers(i.bfd));
    }
  if (wanted == running_) return;
  if (!engine_ && !wanted.empty()) {
    if (engine_failed_) return;
    engine_.emplace(io_, [this](const bfd::StateChange& c) { on_change(c); });
    if (auto err = engine_->start(); !err.empty()) {
      spdlog::error("BFD: {}; running without BFD", err);
      engine_.reset();
      engine_failed_ = true;
      return;
    }
  }
  for (const auto& [key, timers] : running_)
    if (!wanted.count(key)) engine_->remove(key);
  for (const auto& [key, timers] : wanted) {
    auto it = running_.find(key);
    if (it == running_.end()) {
      spdlog::info("BFD {}: starting (min_tx {} us, min_rx {} us, multiplier {})", key.to_string(),
                   timers.desired_min_tx.count(), timers.required_min_rx.count(), timers.detect_multiplier);
      engine_->add(key, timers);
    } else if (it->second != timers) {
      spdlog::info("BFD {}: new timers, negotiating them (Poll Sequence)", key.to_string());
      engine_->set_timers(key, timers);
    }
  }
  running_ = std::move(wanted);
}

void BfdSessions::admin_down(std::function<void()> done) {
  if (!engine_ || running_.empty()) return done();
  engine_->admin_down_all(std::move(done));
}

std::vector<bfd::SessionStatus> BfdSessions::status() const {
  return engine_ ? engine_->status() : std::vector<bfd::SessionStatus>{};
}

void BfdSessions::on_change(const bfd::StateChange& c) {
  if (!running_.count(c.key)) return;  // a session we already stopped
  auto line = fmt::format("BFD {}: {} -> {} ({}{})", c.key.to_string(), bfd::to_string(c.from), bfd::to_string(c.to),
                          bfd::to_string(c.diagnostic), c.remote_admin_down ? ", the peer stopped it on purpose" : "");
  if (c.failure()) {
    spdlog::warn("{}", line);
    on_failure_(c.key);
  } else {
    spdlog::info("{}", line);
  }
}

}  // namespace cisd

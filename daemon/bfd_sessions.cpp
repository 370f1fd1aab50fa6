#include "daemon/bfd_sessions.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace cisd {

bfd::Timers to_timers(const config::BfdConfig& c) {
  return {std::chrono::duration_cast<bfd::Micros>(c.min_tx), std::chrono::duration_cast<bfd::Micros>(c.min_rx),
          c.multiplier};
}

BfdSessions::BfdSessions(asio::io_context& io, std::function<void(const bfd::SessionKey&)> on_failure,
                         std::string state_file)
    : io_(io), on_failure_(std::move(on_failure)), state_file_(std::move(state_file)) {
  if (state_file_.empty()) return;
  std::ifstream in(state_file_);
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  resumable_ = parse_saved_sessions(text.str());
  std::remove(state_file_.c_str());  // used once: a later start must not resume stale sessions
  if (!resumable_.empty())
    spdlog::info("BFD: {} session(s) handed over by the previous instance ({})", resumable_.size(), state_file_);
}

void BfdSessions::sync(const config::BgpConfig& bgp, const config::OspfConfig& ospf,
                       const std::vector<ospf::NeighborStatus>& ospf_neighbors,
                       const std::vector<config::PeerConfig>& leaving_peers) {
  std::map<bfd::SessionKey, bfd::Timers> wanted;
  if (bgp.enabled)
    for (const auto& p : bgp.peers)
      if (p.bfd.enabled) wanted.emplace(bfd::SessionKey{p.address, p.multihop > 1}, to_timers(p.bfd));
  for (const auto& p : leaving_peers)  // after the configured ones: a replacement's timers win
    if (p.bfd.enabled) wanted.emplace(bfd::SessionKey{p.address, p.multihop > 1}, to_timers(p.bfd));
  if (ospf.enabled)
    for (const auto& n : ospf_neighbors) {
      if (!n.two_way) continue;
      for (const auto& i : ospf.interfaces)
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
    if (!resumable_.empty()) engine_->resume_from(std::move(resumable_));
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

void BfdSessions::hand_over(const std::vector<const config::PeerConfig*>& restarting,
                            std::chrono::milliseconds window, std::function<void()> done) {
  std::vector<bfd::SessionKey> keys;
  for (const auto* p : restarting) {
    bfd::SessionKey key{p->address, p->multihop > 1};
    if (p->bfd.enabled && running_.count(key)) keys.push_back(key);
  }
  if (!engine_ || keys.empty() || state_file_.empty()) return done();
  engine_->prepare_restart(keys, std::chrono::duration_cast<bfd::Micros>(window),
                           [this, done = std::move(done)](std::vector<bfd::SavedSession> saved) {
                             const std::string tmp = state_file_ + ".tmp";
                             std::ofstream out(tmp, std::ios::trunc);
                             out << format_saved_sessions(saved);
                             out.close();
                             if (!out || std::rename(tmp.c_str(), state_file_.c_str()) != 0) {
                               spdlog::warn("BFD: cannot write {}: the router will see the sessions go down",
                                            state_file_);
                             } else {
                               for (const auto& s : saved) {
                                 handed_over_.push_back(s.key);
                                 spdlog::info("BFD {}: handed over to the next instance (the router waits {} ms)",
                                              s.key.to_string(),
                                              s.valid_until_ms - std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                     std::chrono::system_clock::now().time_since_epoch())
                                                                     .count());
                               }
                             }
                             done();
                           });
}

void BfdSessions::admin_down(std::function<void()> done) {
  std::vector<bfd::SessionKey> keys;
  for (const auto& [key, timers] : running_)
    if (std::find(handed_over_.begin(), handed_over_.end(), key) == handed_over_.end()) keys.push_back(key);
  if (!engine_ || keys.empty()) return done();
  engine_->admin_down(std::move(keys), std::move(done));
}

std::string format_saved_sessions(const std::vector<bfd::SavedSession>& sessions) {
  std::ostringstream o;
  for (const auto& s : sessions) {
    const auto& r = s.state;
    o << "bfd1 " << s.key.peer.to_string() << ' ' << (s.key.multihop ? 1 : 0) << ' ' << r.local_discriminator << ' '
      << r.remote_discriminator << ' ' << r.advertised_tx.count() << ' ' << r.advertised_rx.count() << ' '
      << unsigned{r.detect_multiplier} << ' ' << r.remote_min_rx.count() << ' ' << r.remote_desired_min_tx.count()
      << ' ' << unsigned{r.remote_multiplier} << ' ' << s.source_port << ' ' << s.valid_until_ms << '\n';
  }
  return o.str();
}

std::vector<bfd::SavedSession> parse_saved_sessions(const std::string& text) {
  std::vector<bfd::SavedSession> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string tag, peer;
    unsigned multihop = 2, mult = 0, remote_mult = 0, port = 70000;
    std::int64_t tx = -1, rx = -1, remote_rx = -1, remote_tx = -1;
    bfd::SavedSession s;
    if (!(f >> tag >> peer >> multihop >> s.state.local_discriminator >> s.state.remote_discriminator >> tx >> rx >>
          mult >> remote_rx >> remote_tx >> remote_mult >> port >> s.valid_until_ms))
      continue;
    auto address = net::Address::parse(peer);
    if (tag != "bfd1" || !address || multihop > 1 || mult < 1 || mult > 255 || remote_mult < 1 || remote_mult > 255 ||
        port > 65535 || tx <= 0 || rx < 0 || remote_rx < 0 || remote_tx < 0)
      continue;
    s.key = {*address, multihop == 1};
    s.state.advertised_tx = bfd::Micros{tx};
    s.state.advertised_rx = bfd::Micros{rx};
    s.state.detect_multiplier = static_cast<std::uint8_t>(mult);
    s.state.remote_min_rx = bfd::Micros{remote_rx};
    s.state.remote_desired_min_tx = bfd::Micros{remote_tx};
    s.state.remote_multiplier = static_cast<std::uint8_t>(remote_mult);
    s.source_port = static_cast<std::uint16_t>(port);
    out.push_back(s);
  }
  return out;
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

#include "bfd/engine.hpp"

#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

#include <spdlog/spdlog.h>

namespace bfd {

namespace {

constexpr int kRequiredTtl = 255;  // RFC 5881 §5 (GTSM): single-hop packets arrive with TTL 255
constexpr std::uint16_t kSourcePortFirst = 49152, kSourcePortLast = 65535;  // RFC 5881 §4
constexpr int kSourcePortTries = 64;
constexpr int kDscpCs6 = 0xc0;  // network control
constexpr auto kPollWait = std::chrono::seconds(1);        // for the remote's Final before a restart
constexpr auto kPollCheck = std::chrono::milliseconds(10);

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string SessionKey::to_string() const { return peer.to_string() + (multihop ? " (multihop)" : ""); }

struct Engine::Listener {
  asio::ip::udp::socket socket;
  bool multihop;
  std::array<std::uint8_t, 512> buffer{};
};

struct Engine::Session {
  Session(asio::io_context& io, SessionKey k, Timers t, std::uint32_t discriminator, SessionFsm::Random random)
      : key(std::move(k)), timers(t), fsm(discriminator, t, std::move(random)), tx_timer(io), detect_timer(io) {}
  SessionKey key;
  Timers timers;
  int refs = 0;
  SessionFsm fsm;
  asio::steady_timer tx_timer, detect_timer;
  std::uint64_t tx_generation = 0, detect_generation = 0;  // a fired timer that was re-armed is stale
  SteadyClock::time_point tx_deadline{};  // when the armed periodic packet is due
  bool in_periodic_fire = false;          // handling the transmit timer's expiry
  std::weak_ptr<Session> self;            // for timer handlers that may outlive the session
  std::optional<asio::ip::udp::socket> socket;             // our fixed source port for this session
  asio::ip::udp::endpoint remote;
  SteadyClock::time_point last_tx{};
  Micros last_tx_interval{0};
  bool last_tx_up = false;
  SessionStatus stats;
};

Engine::Engine(asio::io_context& main, OnChange on_change)
    : main_(main), on_change_(std::move(on_change)), random_state_(std::random_device{}()) {
  random_state_ = (random_state_ << 32) ^ std::random_device{}();
}

Engine::~Engine() {
  if (thread_.joinable()) {
    work_.reset();
    io_.stop();
    thread_.join();
  }
}

std::string Engine::start() {
  std::string errors;
  listen({asio::ip::address_v4::any(), kSingleHopPort}, false, errors);
  listen({asio::ip::address_v4::any(), kMultihopPort}, true, errors);
  listen({asio::ip::address_v6::any(), kSingleHopPort}, false, errors);
  listen({asio::ip::address_v6::any(), kMultihopPort}, true, errors);
  if (listeners_.empty()) return errors;
  if (!errors.empty()) spdlog::warn("BFD: {}", errors);
  work_.emplace(io_.get_executor());
  thread_ = std::thread([this] { io_.run(); });
  return {};
}

void Engine::listen(const asio::ip::udp::endpoint& endpoint, bool multihop, std::string& errors) {
  auto l = std::make_unique<Listener>(Listener{asio::ip::udp::socket(io_), multihop});
  boost::system::error_code ec;
  l->socket.open(endpoint.protocol(), ec);
  const int fd = ec ? -1 : l->socket.native_handle();
  const int on = 1;
  if (!ec && endpoint.address().is_v6()) l->socket.set_option(asio::ip::v6_only(true), ec);
  // A restarting daemon binds while the old one still says AdminDown.
  if (!ec && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
    ec.assign(errno, boost::system::system_category());
  if (!ec) {
    const bool v4 = endpoint.address().is_v4();
    if (setsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_RECVTTL : IPV6_RECVHOPLIMIT, &on, sizeof on) != 0)
      ec.assign(errno, boost::system::system_category());
  }
  if (!ec) l->socket.bind(endpoint, ec);
  if (!ec) l->socket.non_blocking(true, ec);
  if (ec) {
    if (!errors.empty()) errors += "; ";
    errors += "cannot listen on " + endpoint.address().to_string() + " port " + std::to_string(endpoint.port()) +
              ": " + ec.message();
    return;
  }
  listeners_.push_back(std::move(l));
  receive_next(*listeners_.back());
}

void Engine::receive_next(Listener& l) {
  l.socket.async_wait(asio::ip::udp::socket::wait_read, [this, &l](boost::system::error_code ec) {
    if (ec) return;
    // Drain what is queued (bounded), then wait again.
    for (int i = 0; i < 64; ++i) {
      sockaddr_storage from{};
      iovec iov{l.buffer.data(), l.buffer.size()};
      alignas(cmsghdr) std::array<char, 128> control{};
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      const ssize_t n = recvmsg(l.socket.native_handle(), &msg, MSG_DONTWAIT);
      if (n < 0) break;
      int ttl = -1;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
          std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
      }
      net::Address source;
      if (from.ss_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&from);
        source = net::Address::v4(ntohl(sin->sin_addr.s_addr));
      } else if (from.ss_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&from);
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), &sin6->sin6_addr, 16);
        source = net::Address::v6(b);
      } else {
        continue;
      }
      on_datagram(l, std::span<const std::uint8_t>(l.buffer.data(), static_cast<std::size_t>(n)), source, ttl);
    }
    receive_next(l);
  });
}

// RFC 5880 §6.8.6 demultiplexing: by Your Discriminator when set, else by the source address.
void Engine::on_datagram(Listener& l, std::span<const std::uint8_t> bytes, const net::Address& source, int ttl) {
  auto decoded = decode(bytes);
  Session* s = nullptr;
  if (decoded && decoded->your_discriminator != 0) {
    auto it = by_discriminator_.find(decoded->your_discriminator);
    if (it != by_discriminator_.end() && it->second->key.peer == source) s = it->second;
  } else {
    auto it = sessions_.find(SessionKey{source, l.multihop});
    if (it != sessions_.end()) s = it->second.get();
  }
  if (!s) return;  // not a neighbour we run BFD with
  if (!decoded || s->key.multihop != l.multihop || (!l.multihop && ttl != kRequiredTtl)) {
    ++s->stats.packets_dropped;
    publish(*s);
    return;
  }
  ++s->stats.packets_received;
  feed(*s, PacketReceived{*decoded});
}

void Engine::add(const SessionKey& key, const Timers& timers) {
  asio::post(io_, [this, key, timers] { do_add(key, timers); });
}

void Engine::remove(const SessionKey& key) {
  asio::post(io_, [this, key] { do_remove(key); });
}

void Engine::set_timers(const SessionKey& key, const Timers& timers) {
  asio::post(io_, [this, key, timers] {
    auto it = sessions_.find(key);
    if (it == sessions_.end() || it->second->timers == timers) return;
    it->second->timers = timers;
    feed(*it->second, TimersChanged{timers});
  });
}

void Engine::admin_down(std::vector<SessionKey> keys, std::function<void()> sent) {
  asio::post(io_, [this, keys = std::move(keys), sent = std::move(sent)] {
    for (const auto& key : keys)
      if (auto it = sessions_.find(key); it != sessions_.end()) feed(*it->second, AdminDown{});
    asio::post(main_, sent);
  });
}

void Engine::resume_from(std::vector<SavedSession> saved) {
  asio::post(io_, [this, saved = std::move(saved)] {
    for (const auto& s : saved) resumable_[s.key] = s;
  });
}

void Engine::prepare_restart(std::vector<SessionKey> keys, Micros window,
                             std::function<void(std::vector<SavedSession>)> done) {
  asio::post(io_, [this, keys = std::move(keys), window, done = std::move(done)]() mutable {
    for (const auto& key : keys) {
      auto it = sessions_.find(key);
      if (it == sessions_.end() || it->second->fsm.state() != State::up) continue;
      Timers slow = it->second->timers;
      slow.desired_min_tx = std::max(slow.desired_min_tx, Micros{window.count() / slow.detect_multiplier});
      feed(*it->second, TimersChanged{slow});
    }
    finish_restart(std::move(keys), SteadyClock::now() + kPollWait, std::move(done));
  });
}

// Waits (bounded) for every Poll to be answered, then hands the sessions over.
void Engine::finish_restart(std::vector<SessionKey> keys, SteadyClock::time_point deadline,
                            std::function<void(std::vector<SavedSession>)> done) {
  auto polling = [&](const SessionKey& key) {
    auto it = sessions_.find(key);
    return it != sessions_.end() && it->second->fsm.state() == State::up && it->second->fsm.snapshot().poll_in_progress;
  };
  if (std::any_of(keys.begin(), keys.end(), polling) && SteadyClock::now() < deadline) {
    if (!restart_timer_) restart_timer_.emplace(io_);
    restart_timer_->expires_after(kPollCheck);
    restart_timer_->async_wait([this, keys = std::move(keys), deadline, done = std::move(done)](
                                   boost::system::error_code ec) mutable {
      if (!ec) finish_restart(std::move(keys), deadline, std::move(done));
    });
    return;
  }
  std::vector<SavedSession> saved;
  for (const auto& key : keys) {
    auto it = sessions_.find(key);
    if (it == sessions_.end() || it->second->fsm.state() != State::up || polling(key)) continue;
    Session& s = *it->second;
    SavedSession out{key, s.fsm.resume_state(), s.socket ? s.socket->local_endpoint().port() : std::uint16_t{0}, 0};
    // How long the remote waits for us now: our multiplier times the slower of its receive
    // interval and our (new, slow) transmit interval.
    const auto detection = out.state.detect_multiplier * std::max(out.state.remote_min_rx, out.state.advertised_tx);
    out.valid_until_ms = unix_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(detection).count();
    saved.push_back(out);
  }
  asio::post(main_, [done = std::move(done), saved = std::move(saved)]() mutable { done(std::move(saved)); });
}

void Engine::do_add(const SessionKey& key, const Timers& timers) {
  auto it = sessions_.find(key);
  if (it != sessions_.end()) {
    ++it->second->refs;
    if (it->second->timers != timers) {
      it->second->timers = timers;
      feed(*it->second, TimersChanged{timers});
    }
    return;
  }
  // A session the previous instance handed over, if the remote still waits for it.
  std::optional<SavedSession> saved;
  if (auto it = resumable_.find(key); it != resumable_.end()) {
    if (it->second.valid_until_ms > unix_ms() && it->second.state.local_discriminator != 0 &&
        !by_discriminator_.count(it->second.state.local_discriminator))
      saved = it->second;
    resumable_.erase(it);
  }
  const std::uint32_t discriminator = saved ? saved->state.local_discriminator : new_discriminator();
  auto s = std::make_shared<Session>(io_, key, timers, discriminator,
                                     [this] { return static_cast<std::uint32_t>(splitmix(random_state_)); });
  s->refs = 1;
  s->self = s;
  s->remote = asio::ip::udp::endpoint(to_asio(key.peer), key.multihop ? kMultihopPort : kSingleHopPort);
  if (auto err = open_transmit_socket(*s, saved ? saved->source_port : 0); !err.empty())
    spdlog::error("BFD {}: {}; this session cannot send", key.to_string(), err);
  Session& ref = *s;
  by_discriminator_[discriminator] = s.get();
  sessions_[key] = std::move(s);
  if (saved) spdlog::info("BFD {}: continuing the session the previous instance left Up", key.to_string());
  for (const auto& a : saved ? ref.fsm.resume(saved->state) : ref.fsm.start()) execute(ref, a);
  publish(ref);
}

void Engine::do_remove(const SessionKey& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end() || --it->second->refs > 0) return;
  Session& s = *it->second;
  // Tell the remote we stop on purpose, so it does not count a failure (RFC 5882 §3.2).
  if (s.fsm.state() != State::admin_down)
    for (const auto& a : s.fsm.handle(AdminDown{}))
      if (std::holds_alternative<Transmit>(a)) execute(s, a);
  s.tx_timer.cancel();
  s.detect_timer.cancel();
  by_discriminator_.erase(s.fsm.snapshot().local_discriminator);
  sessions_.erase(it);
  std::lock_guard lock(status_mutex_);
  status_.erase(key);
}

std::string Engine::open_transmit_socket(Session& s, std::uint16_t preferred_port) {
  const bool v4 = s.key.peer.is_v4();
  asio::ip::udp::socket socket(io_);
  boost::system::error_code ec;
  socket.open(v4 ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
  if (ec) return "cannot open a socket: " + ec.message();
  const int fd = socket.native_handle();
  const int ttl = kRequiredTtl, tos = kDscpCs6;
  if (setsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TTL : IPV6_UNICAST_HOPS, &ttl, sizeof ttl) != 0)
    return std::string("cannot set TTL 255: ") + std::strerror(errno);
  setsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TOS : IPV6_TCLASS, &tos, sizeof tos);  // best effort
  // One source port for the session's life, from the dynamic range (RFC 5881 §4).
  // A resumed session keeps its port when it is free (the old instance has exited by then).
  const int span = kSourcePortLast - kSourcePortFirst + 1;
  const int first = preferred_port >= kSourcePortFirst ? preferred_port - kSourcePortFirst
                                                       : static_cast<int>(splitmix(random_state_) % span);
  for (int i = 0; i < kSourcePortTries; ++i) {
    const auto port = static_cast<std::uint16_t>(kSourcePortFirst + (first + i) % span);
    socket.bind({v4 ? asio::ip::address(asio::ip::address_v4::any()) : asio::ip::address(asio::ip::address_v6::any()), port},
                ec);
    if (!ec) break;
  }
  if (ec) return "no free source port in 49152-65535: " + ec.message();
  socket.non_blocking(true, ec);
  s.socket.emplace(std::move(socket));
  return {};
}

std::uint32_t Engine::new_discriminator() {
  for (;;) {
    const auto d = static_cast<std::uint32_t>(splitmix(random_state_));
    if (d != 0 && !by_discriminator_.count(d)) return d;
  }
}

void Engine::feed(Session& s, const Event& event) {
  for (const auto& a : s.fsm.handle(event)) execute(s, a);
  publish(s);
}

void Engine::execute(Session& s, const Action& action) {
  if (const auto* t = std::get_if<Transmit>(&action)) return transmit(s, t->packet);
  if (const auto* a = std::get_if<StartTransmitTimer>(&action)) {
    const auto generation = ++s.tx_generation;
    // A periodic re-arm counts from when the packet was due, not from when the thread woke up, so
    // one late wake-up does not push every later packet back too; but never closer to this packet
    // than 75 % of the interval (the least RFC 5880 §6.8.7 allows).
    const auto now = SteadyClock::now();
    const auto base = s.in_periodic_fire ? std::min(s.tx_deadline, now) : now;
    const auto floor = now + s.fsm.snapshot().transmit_interval * 3 / 4;
    s.tx_deadline = std::max(base + a->after, floor);
    s.tx_timer.expires_at(s.tx_deadline);
    s.tx_timer.async_wait([this, weak = s.self, generation](boost::system::error_code ec) {
      auto session = weak.lock();
      if (ec || !session || generation != session->tx_generation) return;
      session->in_periodic_fire = true;
      feed(*session, TransmitTimerExpired{});
      session->in_periodic_fire = false;
    });
    return;
  }
  if (std::holds_alternative<StopTransmitTimer>(action)) {
    ++s.tx_generation;
    s.tx_timer.cancel();
    return;
  }
  if (const auto* a = std::get_if<StartDetectionTimer>(&action)) {
    const auto generation = ++s.detect_generation;
    s.detect_timer.expires_after(a->after);
    s.detect_timer.async_wait([this, weak = s.self, generation](boost::system::error_code ec) {
      auto session = weak.lock();
      if (!ec && session && generation == session->detect_generation) feed(*session, DetectionTimerExpired{});
    });
    return;
  }
  if (std::holds_alternative<StopDetectionTimer>(action)) {
    ++s.detect_generation;
    s.detect_timer.cancel();
    return;
  }
  if (const auto* c = std::get_if<StateChanged>(&action)) {
    ++s.stats.state_changes;
    StateChange change{s.key, c->from, c->to, c->diagnostic, s.fsm.remote_admin_down(), s.fsm.resumed_unconfirmed()};
    asio::post(main_, [cb = on_change_, change] { cb(change); });
  }
}

void Engine::transmit(Session& s, const ControlPacket& packet) {
  if (!s.socket) return;
  const auto bytes = encode(packet);
  boost::system::error_code ec;
  s.socket->send_to(asio::buffer(bytes), s.remote, 0, ec);
  if (ec) return;  // unreachable now (link down): the detection timer tells the story
  ++s.stats.packets_sent;
  const auto now = SteadyClock::now();
  const Micros interval = s.fsm.snapshot().transmit_interval;
  const bool up = packet.state == State::up;
  if (up && s.last_tx_up && interval == s.last_tx_interval && s.last_tx != SteadyClock::time_point{}) {
    const auto gap = std::chrono::duration_cast<Micros>(now - s.last_tx);
    if (gap > s.stats.worst_transmit_gap) {
      s.stats.worst_transmit_gap = gap;
      s.stats.worst_gap_interval = interval;
    }
  }
  s.last_tx = now;
  s.last_tx_interval = interval;
  s.last_tx_up = up;
}

void Engine::publish(const Session& s) {
  std::lock_guard lock(status_mutex_);
  SessionStatus& st = status_[s.key];
  st = s.stats;  // the counters; the rest is the session's own state
  st.key = s.key;
  st.timers = s.timers;
  st.snapshot = s.fsm.snapshot();
}

std::vector<SessionStatus> Engine::status() const {
  std::lock_guard lock(status_mutex_);
  std::vector<SessionStatus> out;
  out.reserve(status_.size());
  for (const auto& [key, st] : status_) out.push_back(st);
  return out;
}

}  // namespace bfd

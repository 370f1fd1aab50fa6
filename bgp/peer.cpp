#include "bgp/peer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "bgp/collision.hpp"
#include "bgp/socket_options.hpp"

namespace bgp {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// How long a closing connection may take to flush its last UPDATEs and the NOTIFICATION (and,
// when leaving, for the peer to close its side).
constexpr auto kCloseTimeout = std::chrono::seconds(3);
// Unsent output one peer may hold in our memory (what the kernel has not taken yet). A full table
// encodes to about 5 octets per IPv4 /32 and 17 per IPv6 /128, so 100k prefixes are 0.5-1.7 MB:
// 16 MiB is several full tables. A peer that stops reading while we keep having news for it (route
// churn, keepalives) is dropped with Cease/Out of Resources when it would take more.
constexpr std::size_t kMaxUnsentBytes = 16 * 1024 * 1024;
// A peer can make every UPDATE carry a discarded attribute: after the first warning of a session,
// at most one line per this interval (each line says how many it left out).
constexpr auto kDiscardWarningInterval = std::chrono::minutes(1);

std::vector<wire::AfiSafi> offered_families(const config::PeerConfig& c) {
  std::vector<wire::AfiSafi> out;
  bool v6_session = c.address.is_v6();
  bool v4_hop = !v6_session || (c.next_hop && c.next_hop->is_v4());
  bool v6_hop = v6_session || (c.next_hop && c.next_hop->is_v6());
  for (auto f : c.families) {
    // Only offer a family we can give a next hop for (RFC 4760 over a session of the other family).
    if (f == net::Family::ipv4 && v4_hop) out.push_back(wire::kIpv4Unicast);
    if (f == net::Family::ipv6 && v6_hop) out.push_back(wire::kIpv6Unicast);
  }
  return out;
}

FsmConfig fsm_config(const config::PeerConfig& c, std::uint32_t local_as, std::uint32_t router_id) {
  FsmConfig f;
  f.local_as = local_as;
  f.peer_as = c.asn;
  f.router_id = router_id;
  f.hold_time = c.hold_time;
  f.keepalive_time = c.keepalive_time;
  f.connect_retry = c.connect_retry;
  f.passive = c.passive;
  f.families = offered_families(c);
  if (c.graceful_restart.enabled)
    f.graceful_restart_time =
        static_cast<std::uint16_t>(std::chrono::duration_cast<std::chrono::seconds>(c.graceful_restart.restart_time).count());
  return f;
}

std::function<double()> random_unit() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

net::Address to_address(const asio::ip::address& a) {
  if (a.is_v4()) return net::Address::v4(a.to_v4().to_uint());
  if (a.to_v6().is_v4_mapped()) return net::Address::v4(a.to_v6().to_v4().to_uint());
  return net::Address::v6(a.to_v6().to_bytes());
}

}  // namespace

Peer::Peer(asio::io_context& io, config::PeerConfig config, std::uint32_t local_as, std::uint32_t router_id,
           std::shared_ptr<const net::RouteSet> routes)
    : io_(io),
      config_(std::move(config)),
      local_as_(local_as),
      name_(config_.address.to_string()),
      fsm_(fsm_config(config_, local_as, router_id), random_unit()),
      routes_(std::move(routes)),
      timers_{asio::steady_timer(io), asio::steady_timer(io), asio::steady_timer(io), asio::steady_timer(io)},
      flush_deadline_(io),
      drain_timer_(io),
      received_(config_.max_prefixes),
      discard_warnings_(kDiscardWarningInterval) {}

void Peer::start() {
  started_ = true;
  spdlog::info("peer {}: starting (AS {}, {})", name_, config_.asn,
               config_.asn == local_as_ ? "iBGP" : "eBGP");
  const auto offered = fsm_.config().families;
  for (auto f : config_.families) {
    auto family = f == net::Family::ipv4 ? wire::kIpv4Unicast : wire::kIpv6Unicast;
    if (std::find(offered.begin(), offered.end(), family) == offered.end())
      spdlog::warn("peer {}: not offering {} routes: no {} next hop over this session; set next_hop", name_,
                   net::to_string(f), net::to_string(f));
  }
  handle(ManualStart{});
}

void Peer::handle(const Event& event) {
  const State before = fsm_.state();
  auto actions = fsm_.handle(event, Clock::now());
  for (const auto& action : actions) execute(action);
  const State after = fsm_.state();
  if (before != after) {
    std::ostringstream why;
    why << event;
    spdlog::info("peer {}: {} -> {} ({})", name_, to_string(before), to_string(after), why.str());
  }
  // A connection from the peer parked during OpenSent: resolve the collision now that we know
  // the peer's identifier, or use it if our own connection has gone (Idle included: the peer is
  // there and wants a session).
  if (incoming_ && after != State::open_sent && after != State::established) {
    auto socket = std::move(*incoming_);
    incoming_.reset();
    accept(std::move(socket));
  }
}

void Peer::execute(const Action& action) {
  std::visit(
      [this](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, Connect>) {
          connect();
        } else if constexpr (std::is_same_v<A, CloseConnection>) {
          close_connection();
        } else if constexpr (std::is_same_v<A, Send>) {
          if (auto* n = std::get_if<wire::Notification>(&a.message)) {
            ++counters_.notifications_sent[{static_cast<std::uint8_t>(n->code), n->subcode}];
            last_error_ = "sent " + wire::describe(*n);
            // Our own planned Cease is news, not a problem.
            spdlog::log(draining_ ? spdlog::level::info : spdlog::level::warn, "peer {}: sending NOTIFICATION {}",
                        name_, wire::describe(*n));
          }
          send(a.message);
        } else if constexpr (std::is_same_v<A, StartTimer>) {
          auto& t = timer(a.timer);
          t.expires_after(a.duration);
          TimerId id = a.timer;
          // An expiry already queued when the timer is re-armed or stopped completes without an
          // error: the generation tells it from the expiry of the arm now in force.
          const auto arm = ++timer_arms_[static_cast<std::size_t>(id)];
          t.async_wait(alive_([this, id, arm](boost::system::error_code ec) {
            if (!ec && arm == timer_arms_[static_cast<std::size_t>(id)]) handle(TimerExpired{id});
          }));
        } else if constexpr (std::is_same_v<A, StopTimer>) {
          ++timer_arms_[static_cast<std::size_t>(a.timer)];
          timer(a.timer).cancel();
        } else if constexpr (std::is_same_v<A, SessionUp>) {
          on_session_up(a.negotiated);
        } else if constexpr (std::is_same_v<A, SessionDown>) {
          spdlog::log(draining_ || restarting_ ? spdlog::level::info : spdlog::level::warn,
                      "peer {}: session down: {}", name_, a.reason);
          last_error_ = a.reason;
          established_since_.reset();
          adj_rib_out_.clear();
          received_.clear();
        } else if constexpr (std::is_same_v<A, RefreshRequested>) {
          spdlog::info("peer {}: route refresh requested for {}", name_, (std::ostringstream() << a.family).str());
          adj_rib_out_.forget(a.family);
          sync_routes();
        }
      },
      action);
}

// ---- connections ---------------------------------------------------------------------------

std::string Peer::prepare_socket(asio::ip::tcp::socket& socket) {
  const int fd = socket.native_handle();
  // Each flush is one write of whole messages: Nagle would only hold an UPDATE back until the
  // router's delayed ACK of the previous write (up to 40 ms on Linux).
  boost::system::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  const auto family = config_.address.family();
  std::string err;
  if (!config_.password.empty()) err = set_tcp_md5(fd, config_.address, config_.password);
  const bool ebgp = config_.asn != local_as_;
  if (err.empty() && config_.ttl_security) {
    // RFC 5082: send with 255, accept only what arrives within `multihop` hops.
    err = set_ttl(fd, family, 255);
    if (err.empty()) err = set_min_ttl(fd, family, 256 - config_.multihop);
  } else if (err.empty() && ebgp) {
    err = set_ttl(fd, family, config_.multihop);
  }
  return err;
}

void Peer::connect() {
  if (incoming_) {  // a connection from the peer is already waiting: use it
    auto s = std::move(*incoming_);
    incoming_.reset();
    adopt(std::move(s));
    socket_is_outgoing_ = false;
    asio::post(io_, alive_([this, gen = generation_] {
      if (gen == generation_) handle(TcpConnectionConfirmed{});
    }));
    return;
  }
  close_now();
  asio::ip::tcp::endpoint remote(to_asio(config_.address), config_.port);
  socket_.emplace(io_);
  boost::system::error_code ec;
  socket_->open(remote.protocol(), ec);
  if (!ec) {
    if (auto err = prepare_socket(*socket_); !err.empty()) {
      spdlog::error("peer {}: {}", name_, err);
      last_error_ = err;
    }
  }
  socket_is_outgoing_ = true;
  const auto gen = generation_;
  spdlog::debug("peer {}: connecting to port {}", name_, config_.port);
  socket_->async_connect(remote, alive_([this, gen](boost::system::error_code ec) {
    if (gen != generation_) return;
    if (ec) {
      last_error_ = "connect: " + ec.message();
      spdlog::debug("peer {}: {}", name_, last_error_);
      close_now();
      handle(TcpConnectionFails{});
      return;
    }
    start_read();
    handle(TcpConnectionConfirmed{});
  }));
}

void Peer::adopt(asio::ip::tcp::socket socket) {
  close_now();
  socket_.emplace(std::move(socket));
  start_read();
}

void Peer::accept(asio::ip::tcp::socket socket) {
  // Not started yet: the speaker holds this peer back until its predecessor (removed by a reload)
  // has closed, so that the router never sees two of our connections at once.
  if (!started_) return;
  if (auto err = prepare_socket(socket); !err.empty()) spdlog::warn("peer {}: {}", name_, err);
  CollisionFacts facts;
  facts.state = fsm_.state();
  facts.leaving = draining_ || restarting_;
  facts.current_is_outgoing = socket_is_outgoing_;
  facts.local_id = fsm_.config().router_id;
  if (fsm_.negotiated()) facts.remote_id = fsm_.negotiated()->peer_router_id;
  const wire::Notification collision{wire::ErrorCode::cease, wire::subcode::connection_collision_resolution, {}};
  switch (decide_incoming(facts)) {
    case IncomingDecision::refuse:
      return;  // the socket closes as it goes out of scope
    case IncomingDecision::start_with_it:
      incoming_.emplace(std::move(socket));
      handle(AutomaticStart{});
      return;
    case IncomingDecision::replace_attempt:
      spdlog::info("peer {}: the peer connected first; using its connection", name_);
      adopt(std::move(socket));
      socket_is_outgoing_ = false;
      handle(TcpConnectionConfirmed{});
      return;
    case IncomingDecision::park:
      incoming_.emplace(std::move(socket));
      return;
    case IncomingDecision::keep_current: {
      auto bytes = wire::encode(collision, {});
      boost::system::error_code ec;
      asio::write(socket, asio::buffer(bytes), ec);
      socket.close(ec);
      spdlog::info("peer {}: connection collision, keeping the existing session", name_);
      return;
    }
    case IncomingDecision::peer_wins:
      spdlog::info("peer {}: connection collision, the peer's connection wins", name_);
      incoming_.emplace(std::move(socket));
      handle(ManualStop{collision});  // in Idle, handle() starts again on the parked connection
      return;
  }
}

void Peer::start_read() {
  if (read_buffer_.size() < read_used_ + kReadChunk) read_buffer_.resize(read_used_ + kReadChunk);
  const auto gen = generation_;
  socket_->async_read_some(asio::buffer(read_buffer_.data() + read_used_, kReadChunk),
                           alive_([this, gen](boost::system::error_code ec, std::size_t n) {
                             if (gen != generation_) return;
                             if (closing_) {
                               // Leaving: the peer closing its side means it has read our Cease.
                               if (ec) return close_now();
                               return start_read();
                             }
                             if (ec) {
                               last_error_ = ec == asio::error::eof ? "connection closed by peer" : ec.message();
                               close_now();
                               handle(TcpConnectionFails{});
                               return;
                             }
                             read_used_ += n;
                             on_bytes();
                             if (gen == generation_) start_read();
                           }));
}

void Peer::on_bytes() {
  const auto gen = generation_;
  std::size_t offset = 0;
  while (gen == generation_) {
    std::span<const std::uint8_t> pending(read_buffer_.data() + offset, read_used_ - offset);
    auto length = wire::frame_length(pending);
    if (!length) {
      spdlog::warn("peer {}: bad message header: {}", name_, length.error().description);
      handle(MessageDecodeFailed{length.error()});
      return;
    }
    if (*length == 0 || pending.size() < *length) break;
    auto decoded = wire::decode_with_discards(pending.first(*length), decode_ctx_);
    offset += *length;
    if (!decoded) {
      const auto& e = decoded.error();
      spdlog::warn("peer {}: malformed message: {}", name_, e.description);
      if (e.reaction != wire::Reaction::session_reset) {
        ++counters_.malformed_updates;
        ++counters_.updates_received;
        // RFC 7606 treat-as-withdraw: none of the UPDATE's prefixes is announced any more.
        if (fsm_.state() == State::established) received_.withdraw(e.withdrawn);
      }
      handle(MessageDecodeFailed{e});
      continue;
    }
    std::visit(
        [this, &decoded](auto&& m) {
          using M = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<M, wire::Open>) {
            handle(OpenReceived{m});
          } else if constexpr (std::is_same_v<M, wire::Update>) {
            on_update(m, decoded->discarded);
          } else if constexpr (std::is_same_v<M, wire::Notification>) {
            ++counters_.notifications_received;
            last_error_ = "received " + wire::describe(m);
            spdlog::warn("peer {}: received NOTIFICATION {}", name_, wire::describe(m));
            handle(NotificationReceived{m});
          } else if constexpr (std::is_same_v<M, wire::Keepalive>) {
            handle(KeepaliveReceived{});
          } else if constexpr (std::is_same_v<M, wire::RouteRefresh>) {
            // RFC 7313 §4: BoRR/EoRR (1, 2) frame the peer's own re-advertisement and ask nothing of
            // us; §5: other non-zero subtypes are ignored. Only subtype 0 requests our routes.
            if (m.subtype == 0 || fsm_.state() != State::established) {
              handle(RouteRefreshReceived{m.family});
            } else {
              spdlog::debug("peer {}: ignoring ROUTE-REFRESH subtype {}", name_, m.subtype);
            }
          }
        },
        decoded->message);
  }
  if (gen != generation_) return;
  // Keep the unconsumed tail at the front of the buffer.
  std::copy(read_buffer_.begin() + offset, read_buffer_.begin() + read_used_, read_buffer_.begin());
  read_used_ -= offset;
}

void Peer::on_update(const wire::Update& update, const std::vector<wire::DiscardedAttribute>& discarded) {
  ++counters_.updates_received;
  counters_.prefixes_received +=
      update.nlri.size() + (update.attributes.mp_reach ? update.attributes.mp_reach->nlri.size() : 0);
  for (const auto& attribute : discarded) {
    ++counters_.attributes_discarded;
    if (auto suppressed = discard_warnings_.allow(WarningLimiter::Clock::now()))
      spdlog::warn("peer {}: discarded path attribute {} from an UPDATE, the rest of it stands (RFC 7606): {}{}",
                   name_, unsigned{attribute.type}, attribute.reason,
                   *suppressed ? fmt::format(" ({} more discarded since the last such line)", *suppressed) : "");
  }
  // Counted only in Established: anywhere else UpdateReceived is an FSM error that resets the session.
  std::optional<net::Family> over_limit;
  if (fsm_.state() == State::established) over_limit = received_.apply(update);
  handle(UpdateReceived{});
  if (!over_limit || fsm_.state() != State::established) return;
  spdlog::warn("peer {}: announces more than max_prefixes ({}) {} prefixes; dropping the session", name_,
               received_.limit(), net::to_string(*over_limit));
  // RFC 4486: the NOTIFICATION, the close and the restart backoff are the FSM's, as after any error.
  const auto cease = received_.cease(*over_limit);
  wire::DecodeError error;
  error.code = cease.code;
  error.subcode = cease.subcode;
  error.data = cease.data;
  error.description =
      "more than " + std::to_string(received_.limit()) + " " + std::string(net::to_string(*over_limit)) + " prefixes";
  handle(MessageDecodeFailed{std::move(error)});
}

void Peer::send(const wire::Message& message) {
  // Once closing, the NOTIFICATION is the last thing the peer gets from this connection.
  if (!socket_ || closing_) return;
  net::ByteWriter w(out_);
  wire::encode(message, encode_ctx_, w);
  if (std::holds_alternative<wire::Update>(message)) ++counters_.updates_sent;
  if (out_.size() + inflight_.size() > kMaxUnsentBytes) {
    spdlog::warn("peer {}: {} octets waiting to be sent (the peer is not reading); dropping the session", name_,
                 out_.size() + inflight_.size());
    // What the kernel has not taken is dropped, so the Cease comes right after the write in
    // flight if the peer ever reads again. The FSM sends it, closes and restarts as after any
    // error (a MessageDecodeFailed carries exactly that: a NOTIFICATION to send, then reset).
    out_.clear();
    wire::DecodeError error;
    error.code = wire::ErrorCode::cease;
    error.subcode = wire::subcode::out_of_resources;
    error.description = "more than " + std::to_string(kMaxUnsentBytes) + " octets unsent";
    handle(MessageDecodeFailed{std::move(error)});
    return;
  }
  flush();
}

void Peer::flush() {
  if (writing_ || !socket_) return;
  if (out_.empty()) {
    if (closing_) finish_close();
    return;
  }
  std::swap(out_, inflight_);
  out_.clear();
  writing_ = true;
  const auto gen = generation_;
  asio::async_write(*socket_, asio::buffer(inflight_), alive_([this, gen](boost::system::error_code ec, std::size_t) {
    if (gen != generation_) return;
    writing_ = false;
    if (ec) {
      last_error_ = "write: " + ec.message();
      bool closing = closing_;
      close_now();
      if (!closing) handle(TcpConnectionFails{});
      return;
    }
    flush();
  }));
}

void Peer::close_connection() {
  if (!socket_) return close_now();
  // The FSM's NOTIFICATION (if any) is already queued: let it and earlier UPDATEs reach the
  // peer before the FIN, but never wait on a stuck peer for long.
  closing_ = true;
  flush_deadline_.expires_after(kCloseTimeout);
  flush_deadline_.async_wait(alive_([this, gen = generation_](boost::system::error_code ec) {
    if (!ec && gen == generation_) close_now();
  }));
  flush();
}

void Peer::finish_close() {
  if (!draining_) return close_now();
  // Leaving for good: half-close and wait for the router to close its side, which BIRD, FRR
  // and GoBGP do only after processing everything we sent before the Cease. Then the
  // withdrawal has certainly been seen before this process exits.
  boost::system::error_code ec;
  socket_->shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) close_now();
}

void Peer::close_now() {
  ++generation_;
  if (socket_) {
    boost::system::error_code ec;
    socket_->shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_->close(ec);
    socket_.reset();
  }
  flush_deadline_.cancel();
  read_used_ = 0;
  out_.clear();
  inflight_.clear();
  writing_ = false;
  closing_ = false;
  if (on_closed_ && fsm_.state() == State::idle) std::exchange(on_closed_, nullptr)();
}

// ---- routes --------------------------------------------------------------------------------

OutboundPolicy Peer::make_policy() const {
  OutboundPolicy p;
  p.local_as = local_as_;
  p.ibgp = config_.asn == local_as_;
  p.communities = config_.communities;
  p.large_communities = config_.large_communities;
  p.local_pref = config_.local_pref;
  p.med = config_.med;
  p.graceful_shutdown = draining_;
  std::optional<net::Address> local;
  if (socket_) {
    boost::system::error_code ec;
    auto ep = socket_->local_endpoint(ec);
    if (!ec) local = to_address(ep.address());
  }
  // Next hop: the configured one for its family, else our end of the session.
  if (config_.next_hop && config_.next_hop->is_v4())
    p.next_hop_v4 = config_.next_hop;
  else if (local && local->is_v4())
    p.next_hop_v4 = local;
  if (config_.next_hop && config_.next_hop->is_v6())
    p.next_hops_v6 = {*config_.next_hop};
  else if (local && local->is_v6())
    p.next_hops_v6 = {*local};
  return p;
}

void Peer::on_session_up(const Negotiated& negotiated) {
  ++counters_.established_transitions;
  established_since_ = Clock::now();
  last_error_.clear();
  encode_ctx_.four_octet_as = negotiated.four_octet_as;
  decode_ctx_.four_octet_as = negotiated.four_octet_as;
  received_.clear();
  discard_warnings_ = WarningLimiter(kDiscardWarningInterval);  // each session's first discard is logged
  policy_ = make_policy();
  spdlog::info("peer {}: established, hold time {}s, keepalive {}s", name_,
               std::chrono::duration_cast<std::chrono::seconds>(negotiated.hold_time).count(),
               std::chrono::duration_cast<std::chrono::seconds>(negotiated.keepalive_time).count());
  end_of_rib_sent_ = false;
  sync_routes();
}

void Peer::bfd_down() {
  if (fsm_.state() == State::idle || fsm_.state() == State::connect || fsm_.state() == State::active) return;
  spdlog::warn("peer {}: BFD session down; closing the BGP session", name_);
  last_error_ = "BFD session down";
  handle(BfdDown{});
}

void Peer::set_routes(std::shared_ptr<const net::RouteSet> routes) {
  routes_ = std::move(routes);
  if (fsm_.state() == State::established) sync_routes();
}

void Peer::sync_routes() {
  // No plan yet (e.g. Kubernetes still listing): say nothing, and above all no End-of-RIB, which
  // would tell a graceful-restart router that our (empty) table is complete.
  if (!routes_ || fsm_.state() != State::established || !fsm_.negotiated()) return;
  for (auto family : fsm_.negotiated()->families) {
    if (!policy_.can_carry(family)) {
      spdlog::warn("peer {}: no next hop for {} routes; set next_hop to advertise them", name_,
                   (std::ostringstream() << family).str());
      continue;
    }
    auto updates = adj_rib_out_.sync(family, adj_rib_out_.desired(*routes_, policy_, family), encode_ctx_);
    for (auto& u : updates) send(u);
    if (!updates.empty())
      spdlog::debug("peer {}: sent {} UPDATEs, {} {} prefixes advertised", name_, updates.size(),
                    adj_rib_out_.size(family), (std::ostringstream() << family).str());
  }
  if (!end_of_rib_sent_) {
    // RFC 4724 §2: End-of-RIB after the initial burst, for every negotiated family.
    for (auto family : fsm_.negotiated()->families) send(wire::end_of_rib(family));
    end_of_rib_sent_ = true;
  }
}

// ---- leaving -------------------------------------------------------------------------------

void Peer::shutdown(std::string message, std::function<void()> done) {
  shutdown_message_ = std::move(message);
  draining_ = true;
  incoming_.reset();
  if (fsm_.state() != State::established) {
    on_closed_ = nullptr;
    handle(ManualStop{wire::administrative_shutdown(shutdown_message_)});
    close_now();
    done();
    return;
  }
  on_closed_ = std::move(done);
  const auto& gs = config_.graceful_shutdown;
  if (gs.enabled && gs.drain_time.count() > 0) {
    // RFC 8326: tag everything GRACEFUL_SHUTDOWN so the router moves traffic away first.
    spdlog::info("peer {}: graceful shutdown, draining for {} ms", name_, gs.drain_time.count());
    policy_.graceful_shutdown = true;
    sync_routes();
    drain_timer_.expires_after(gs.drain_time);
    drain_timer_.async_wait(alive_([this](boost::system::error_code ec) {
      if (!ec) withdraw_all_and_stop();
    }));
    return;
  }
  withdraw_all_and_stop();
}

void Peer::withdraw_all_and_stop() {
  if (fsm_.state() == State::established) {
    routes_ = std::make_shared<const net::RouteSet>();
    sync_routes();
  }
  spdlog::info("peer {}: withdrawn, closing with Cease/Administrative Shutdown", name_);
  handle(ManualStop{wire::administrative_shutdown(shutdown_message_)});
  if (!socket_ && on_closed_) std::exchange(on_closed_, nullptr)();
}

// ---- restarting ----------------------------------------------------------------------------

bool Peer::peer_helps_graceful_restart() const {
  return fsm_.state() == State::established && fsm_.negotiated() && fsm_.negotiated()->peer_graceful_restart;
}

void Peer::restart(std::function<void()> done) {
  restarting_ = true;
  incoming_.reset();
  if (fsm_.state() == State::established)
    spdlog::info("peer {}: restarting: routes kept at the router as stale for {} s (graceful restart)", name_,
                 std::chrono::duration_cast<std::chrono::seconds>(config_.graceful_restart.restart_time).count());
  // No withdrawal and no NOTIFICATION (RFC 4724 §4.2; we do not negotiate RFC 8538): what is
  // already queued still goes out whole, then the FIN. A restart is never slowed by a drain.
  on_closed_ = std::move(done);
  handle(ManualStop{std::nullopt});
  if (!socket_ && on_closed_) std::exchange(on_closed_, nullptr)();
}

PeerStatus Peer::status() const {
  PeerStatus s;
  s.address = config_.address;
  s.asn = config_.asn;
  s.state = fsm_.state();
  s.last_error = last_error_;
  for (auto f : {wire::kIpv4Unicast, wire::kIpv6Unicast}) s.advertised[f] = adj_rib_out_.size(f);
  s.received[wire::kIpv4Unicast] = received_.count(net::Family::ipv4);
  s.received[wire::kIpv6Unicast] = received_.count(net::Family::ipv6);
  s.max_prefixes = received_.limit();
  s.counters = counters_;
  s.established_since = established_since_;
  return s;
}

}  // namespace bgp

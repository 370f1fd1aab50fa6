// One BGP neighbour: the Asio adapter around SessionFsm. It owns the socket and the timers,
// frames and decodes what arrives, feeds the FSM, and carries out its actions. It keeps the
// peer's Adj-RIB-Out in step with the routes it is given.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/adj_rib_out.hpp"
#include "io/alive_guard.hpp"
#include "io/asio.hpp"
#include "bgp/received_prefixes.hpp"
#include "bgp/session_fsm.hpp"
#include "bgp/warning_limiter.hpp"
#include "config/config.hpp"
#include "net/route_set.hpp"

namespace bgp {

struct PeerCounters {
  std::uint64_t updates_sent = 0;
  std::uint64_t updates_received = 0;
  std::uint64_t prefixes_received = 0;   // validated and counted, never installed
  std::uint64_t malformed_updates = 0;   // RFC 7606 treat-as-withdraw / attribute-discard
  std::uint64_t attributes_discarded = 0;  // RFC 7606 attribute-discard and repeats, from UPDATEs that stood
  std::uint64_t notifications_received = 0;
  std::uint64_t established_transitions = 0;
  std::map<std::pair<std::uint8_t, std::uint8_t>, std::uint64_t> notifications_sent;  // (code, subcode)
};

struct PeerStatus {
  net::Address address;
  std::uint32_t asn = 0;
  State state = State::idle;
  std::string last_error;
  std::map<wire::AfiSafi, std::size_t> advertised;
  std::map<wire::AfiSafi, std::size_t> received;  // prefixes the peer announces now (Established only)
  std::uint32_t max_prefixes = 0;                 // per family; 0 = no limit
  PeerCounters counters;
  std::optional<Clock::time_point> established_since;  // for the status view's uptime
};

class Peer {
 public:
  Peer(asio::io_context& io, config::PeerConfig config, std::uint32_t local_as, std::uint32_t router_id,
       std::shared_ptr<const net::RouteSet> routes);
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  void start();
  bool started() const { return started_; }
  // New desired routes: sends the difference when Established. Until the first call (routes
  // null) an Established session gets nothing, not even End-of-RIB.
  void set_routes(std::shared_ptr<const net::RouteSet> routes);
  // A TCP connection from this peer's address arrived on our listener.
  void accept(asio::ip::tcp::socket socket);
  // RFC 8326 drain (when enabled), withdraw all, Cease with `message`, close; then `done`.
  void shutdown(std::string message, std::function<void()> done);
  // Graceful restart (RFC 4724): close the connection without withdrawing or a NOTIFICATION, so
  // a helper router keeps our routes as stale until the next instance's End-of-RIB; then `done`.
  void restart(std::function<void()> done);
  // The BFD session protecting this peer failed: drop the session now (RFC 5882 §4.3).
  void bfd_down();
  // New BFD settings from a reload: they do not touch the BGP session.
  void set_bfd_config(const config::BfdConfig& bfd) { config_.bfd = bfd; }
  // The peer advertised the Graceful Restart capability on the current session (it will help).
  bool peer_helps_graceful_restart() const;

  const config::PeerConfig& config() const { return config_; }
  PeerStatus status() const;

 private:
  void handle(const Event& event);
  void execute(const Action& action);
  void connect();
  void adopt(asio::ip::tcp::socket socket);
  void start_read();
  void on_bytes();
  void on_update(const wire::Update& update, const std::vector<wire::DiscardedAttribute>& discarded);
  void send(const wire::Message& message);
  void flush();
  void close_connection();
  void finish_close();
  void close_now();
  void on_session_up(const Negotiated& negotiated);
  void sync_routes();
  void withdraw_all_and_stop();
  std::string prepare_socket(asio::ip::tcp::socket& socket);
  OutboundPolicy make_policy() const;
  asio::steady_timer& timer(TimerId id) { return timers_[static_cast<std::size_t>(id)]; }

  asio::io_context& io_;
  config::PeerConfig config_;
  std::uint32_t local_as_;
  std::string name_;  // "192.168.1.1" for log lines
  SessionFsm fsm_;
  std::shared_ptr<const net::RouteSet> routes_;
  AdjRibOut adj_rib_out_;
  OutboundPolicy policy_;
  bool draining_ = false;
  bool restarting_ = false;  // restart() called: closing quietly, refusing new connections
  bool end_of_rib_sent_ = false;  // this session's initial burst is complete

  std::optional<asio::ip::tcp::socket> socket_;
  bool socket_is_outgoing_ = false;
  std::optional<asio::ip::tcp::socket> incoming_;  // accepted, waiting for the FSM (or collision)
  std::uint64_t generation_ = 0;                    // bumps on every close: stale callbacks bail
  std::vector<std::uint8_t> read_buffer_;
  std::size_t read_used_ = 0;
  std::vector<std::uint8_t> out_, inflight_;
  bool writing_ = false;
  bool closing_ = false;  // CloseConnection taken: flushing, then closing
  wire::EncodeContext encode_ctx_;
  wire::DecodeContext decode_ctx_;

  std::array<asio::steady_timer, 4> timers_;
  std::array<std::uint64_t, 4> timer_arms_{};  // per timer: bumped by every start and stop
  asio::steady_timer flush_deadline_;
  asio::steady_timer drain_timer_;
  std::function<void()> on_closed_;
  std::string shutdown_message_;
  std::string last_error_;
  PeerCounters counters_;
  ReceivedPrefixes received_;        // what the peer announces, counted against max_prefixes
  WarningLimiter discard_warnings_;  // "discarded path attribute" lines
  std::optional<Clock::time_point> established_since_;
  bool started_ = false;
  AliveGuard alive_;  // every completion handler goes through it: a destroyed peer's do nothing
};

}  // namespace bgp

// The BFD sessions of this node and their sockets (RFC 5881 single-hop, RFC 5883 multihop), run
// on a thread of their own: a packet is never late because the daemon's event loop is busy with a
// replan, a reload or a flood of Kubernetes events. Everything below runs on that thread; the
// daemon talks to it only by posting (add, remove, admin_down...) and hears back through a
// callback posted to its own io_context. The only shared state is the status table, under a mutex.
#pragma once
#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bfd/session_fsm.hpp"
#include "io/asio.hpp"
#include "net/address.hpp"

namespace bfd {

using SteadyClock = std::chrono::steady_clock;

inline constexpr std::uint16_t kSingleHopPort = 3784;  // RFC 5881
inline constexpr std::uint16_t kMultihopPort = 4784;   // RFC 5883

// One session per remote address and kind; BGP and OSPF asking for the same one share it.
struct SessionKey {
  net::Address peer;
  bool multihop = false;
  auto operator<=>(const SessionKey&) const = default;
  std::string to_string() const;  // "192.168.1.1" or "192.168.1.1 (multihop)"
};

// A state change, as the daemon hears it.
struct StateChange {
  SessionKey key;
  State from;
  State to;
  Diagnostic diagnostic;
  // RFC 5882 §3.2: the remote took the session down on purpose; its clients must not fail.
  bool remote_admin_down = false;
  // A session handed over by the previous instance that the remote did not know any more.
  bool resumed_unconfirmed = false;
  // An Up session went Down for any other reason: the path failed, take the clients down.
  bool failure() const {
    return from == State::up && to == State::down && !remote_admin_down && !resumed_unconfirmed;
  }
};

struct SessionStatus {
  SessionKey key;
  Timers timers;  // configured
  SessionSnapshot snapshot;
  std::uint64_t state_changes = 0;
  std::uint64_t packets_sent = 0;
  std::uint64_t packets_received = 0;
  std::uint64_t packets_dropped = 0;  // failed the §6.8.6 checks or the TTL rule
  // The longest time between two periodic packets sent at the same negotiated interval while Up,
  // and that interval: the proof that the transmitter is never late.
  Micros worst_transmit_gap{0};
  Micros worst_gap_interval{0};
};

// A session handed from one instance of the daemon to the next over a planned restart.
struct SavedSession {
  SessionKey key;
  ResumeState state;
  std::uint16_t source_port = 0;
  std::int64_t valid_until_ms = 0;  // Unix time: the remote's detection time for us ends then
  bool operator==(const SavedSession&) const = default;
};

class Engine {
 public:
  using OnChange = std::function<void(const StateChange&)>;
  // on_change runs on `main` (the daemon's io_context).
  Engine(asio::io_context& main, OnChange on_change);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Binds the listening sockets (before privileges are dropped) and starts the thread. Empty on
  // success, else why not.
  std::string start();
  // Reference-counted per key: the session lives while anyone wants it. Timers of a later add
  // replace the earlier ones (negotiated with a Poll Sequence when Up).
  void add(const SessionKey& key, const Timers& timers);
  void remove(const SessionKey& key);
  void set_timers(const SessionKey& key, const Timers& timers);
  // A planned stop: these sessions send AdminDown (diag 7) and stop; `sent` runs on `main` once
  // those packets are out.
  void admin_down(std::vector<SessionKey> keys, std::function<void()> sent);
  // A planned restart: each of these Up sessions asks the remote, by a Poll Sequence, to wait
  // `window` before declaring it down (our Desired Min TX becomes window / multiplier), then is
  // handed to `done` (on `main`) to be saved for the next instance. Sessions not Up, or whose Poll
  // is not answered within a second, are left out.
  void prepare_restart(std::vector<SessionKey> keys, Micros window,
                       std::function<void(std::vector<SavedSession>)> done);
  // Before add(): sessions saved by the previous instance; an add() of the same key continues it.
  void resume_from(std::vector<SavedSession> saved);

  std::vector<SessionStatus> status() const;

 private:
  struct Session;
  struct Listener;

  void listen(const asio::ip::udp::endpoint& endpoint, bool multihop, std::string& errors);
  void receive_next(Listener& listener);
  void on_datagram(Listener& listener, std::span<const std::uint8_t> bytes, const net::Address& source, int ttl);
  void do_add(const SessionKey& key, const Timers& timers);
  void do_remove(const SessionKey& key);
  void feed(Session& s, const Event& event);
  void execute(Session& s, const Action& action);
  void transmit(Session& s, const ControlPacket& packet);
  void publish(const Session& s);
  std::string open_transmit_socket(Session& s, std::uint16_t preferred_port);
  void finish_restart(std::vector<SessionKey> keys, SteadyClock::time_point deadline,
                      std::function<void(std::vector<SavedSession>)> done);
  std::uint32_t new_discriminator();

  asio::io_context& main_;
  OnChange on_change_;
  asio::io_context io_;  // the BFD thread's own
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  // Shared so that a timer's handler already queued when its session is removed can tell.
  std::map<SessionKey, std::shared_ptr<Session>> sessions_;
  std::map<std::uint32_t, Session*> by_discriminator_;
  std::map<SessionKey, SavedSession> resumable_;
  std::optional<asio::steady_timer> restart_timer_;
  std::uint64_t random_state_;

  mutable std::mutex status_mutex_;
  std::map<SessionKey, SessionStatus> status_;
};

}  // namespace bfd

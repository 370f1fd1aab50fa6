// The OSPF side of the daemon (the counterpart of bgp::Speaker): one ospf::Instance driven on the
// daemon's io_context, one raw socket per configured interface that is up, the interfaces' kernel
// state re-read every second, and a timer at the instance's next deadline. The planner hands it
// the routes; on leaving it flushes our LSAs and waits (briefly) for the neighbours to acknowledge.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/asio.hpp"
#include "kernel/netlink.hpp"
#include "config/config.hpp"
#include "net/route_set.hpp"
#include "ospf/instance.hpp"
#include "ospf/raw_socket.hpp"

namespace ospf {

class Speaker {
 public:
  // router_id: the daemon's; config.router_id, when set, wins. Keys must already be resolved
  // (auth.key_file read into auth.key).
  Speaker(asio::io_context& io, const config::OspfConfig& config, std::uint32_t router_id);
  ~Speaker();
  Speaker(const Speaker&) = delete;
  Speaker& operator=(const Speaker&) = delete;

  void start();
  void set_routes(const net::RouteSet& routes);
  // Flushes our LSAs (premature aging); `done` once every neighbour acknowledged them, or after
  // kShutdownLimit, whichever comes first. Called once.
  void shutdown(std::function<void()> done);

  std::uint32_t router_id() const { return router_id_; }
  std::vector<NeighborStatus> neighbors() const { return instance_.neighbors(); }
  // Called after any neighbour changed state (the daemon keeps BFD sessions with them).
  void on_neighbors_changed(std::function<void()> listener) { neighbors_changed_ = std::move(listener); }
  // The BFD session to this neighbour address failed: the neighbour goes down at once.
  void bfd_down(std::uint32_t address);
  const InstanceCounters& counters() const { return instance_.counters(); }

  // Interfaces are re-read on the kernel's link and address events; this long after a failure
  // to open a socket (or always, when events are unavailable) they are read again.
  static constexpr std::chrono::milliseconds kInterfaceRetryInterval{1000};
  static constexpr std::chrono::milliseconds kShutdownLimit{2000};

 private:
  struct Interface {
    std::string name;
    std::optional<InterfaceInfo> up;  // what the instance was told
    std::unique_ptr<RawSocket> socket;
    std::string last_reading;         // why it is not usable, last logged
    std::string last_socket_error;
  };

  void read_interfaces();
  void watch_interfaces();
  void retry_later();
  void bring_up(Interface& i, const InterfaceInfo& info);
  void bring_down(Interface& i, const std::string& why);
  void on_packet(const std::string& name, std::uint32_t source, std::uint32_t destination,
                 std::span<const std::uint8_t> payload);
  void on_socket_error(const std::string& name, const std::string& error);
  // After every input: send what the instance produced, follow its groups, log, re-arm the timer.
  void flush();
  void arm_timer();
  void log_neighbor_changes();
  void warn_rate_limited(const std::string& key, const std::string& message);
  void finish_shutdown(const char* how);
  Interface* find(const std::string& name);

  asio::io_context& io_;
  config::OspfConfig config_;  // before instance_: the instance may keep a reference
  std::uint32_t router_id_;
  Instance instance_;
  std::vector<Interface> interfaces_;
  asio::steady_timer wakeup_timer_;
  std::optional<Clock::time_point> armed_at_;
  asio::steady_timer retry_timer_;
  std::unique_ptr<netlink::InterfaceWatcher> interface_watcher_;
  asio::steady_timer shutdown_timer_;
  std::function<void()> shutdown_done_;
  std::function<void()> neighbors_changed_;
  bool shutting_down_ = false;
  bool started_ = false;
  std::map<std::pair<std::string, std::uint32_t>, std::string> neighbor_states_;  // (interface, router id)
  std::map<std::string, std::uint64_t> warnings_;                                // rate limiting
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ospf

#include "ospf/speaker.hpp"

#include <spdlog/spdlog.h>

#include <bit>

#include "net/address.hpp"
#include "ospf/interface_state.hpp"

namespace ospf {

namespace {

std::uint32_t choose_router_id(const config::OspfConfig& config, std::uint32_t daemon_router_id) {
  return config.router_id && config.router_id->is_v4() ? config.router_id->v4_value() : daemon_router_id;
}

}  // namespace

Speaker::Speaker(asio::io_context& io, const config::OspfConfig& config, std::uint32_t router_id)
    : io_(io),
      config_(config),
      router_id_(choose_router_id(config, router_id)),
      instance_(config_, router_id_),
      wakeup_timer_(io),
      retry_timer_(io),
      shutdown_timer_(io) {
  for (const auto& i : config_.interfaces) interfaces_.push_back(Interface{i.name, std::nullopt, nullptr, {}, {}});
}

Speaker::~Speaker() {
  *alive_ = false;
  // Sockets close before the instance goes: no packet reaches a dead instance.
  for (auto& i : interfaces_) i.socket.reset();
}

void Speaker::start() {
  if (started_) return;
  started_ = true;
  spdlog::info("OSPF: router id {}, area {}, {} interface(s)", net::dotted(router_id_), config_.area.to_string(),
               interfaces_.size());
  watch_interfaces();
  read_interfaces();
}

Speaker::Interface* Speaker::find(const std::string& name) {
  for (auto& i : interfaces_)
    if (i.name == name) return &i;
  return nullptr;
}

// Kernel events: an interface came up, went down or changed (address, ifindex, MTU).
void Speaker::watch_interfaces() {
  auto watcher = netlink::InterfaceWatcher::create(io_.get_executor(), [this, alive = alive_](const auto&) {
    if (*alive) read_interfaces();
  });
  if (watcher) {
    interface_watcher_ = std::move(*watcher);
    return;
  }
  spdlog::warn("OSPF: no interface events from the kernel ({}); reading the interfaces every {} ms",
               watcher.error().message, kInterfaceRetryInterval.count());
}

void Speaker::read_interfaces() {
  bool retry = !interface_watcher_;
  for (auto& i : interfaces_) {
    auto reading = read_interface(i.name);
    if (reading.info) {
      i.last_reading.clear();
      if (i.up && *i.up == *reading.info && i.socket) continue;
      if (i.up) bring_down(i, "changed");
      bring_up(i, *reading.info);
      retry = retry || !i.socket;
    } else {
      if (i.up) {
        bring_down(i, reading.why_not);
      } else if (reading.why_not != i.last_reading) {
        spdlog::warn("OSPF: interface {} is not usable yet: {}", i.name, reading.why_not);
      }
      i.last_reading = reading.why_not;
    }
  }
  flush();
  if (retry) retry_later();
}

void Speaker::retry_later() {
  retry_timer_.expires_after(kInterfaceRetryInterval);
  retry_timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (ec || !*alive) return;
    read_interfaces();
  });
}

void Speaker::bring_up(Interface& i, const InterfaceInfo& info) {
  const std::string name = i.name;
  auto socket = RawSocket::open(
      io_, name, info.ifindex, info.address,
      [this, name](std::uint32_t source, std::uint32_t destination, std::span<const std::uint8_t> payload) {
        on_packet(name, source, destination, payload);
      },
      [this, name, alive = alive_](const std::string& error) {
        // Not from inside the socket's own handler chain: closing it there is fine, but keep it simple.
        asio::post(io_, [this, name, error, alive] {
          if (*alive) on_socket_error(name, error);
        });
      });
  if (!socket) {
    if (socket.error() != i.last_socket_error) spdlog::error("OSPF: {}", socket.error());
    i.last_socket_error = socket.error();
    return;  // read_interfaces() retries later
  }
  i.last_socket_error.clear();
  i.socket = std::move(*socket);
  i.up = info;
  spdlog::info("OSPF: interface {} up: ifindex {}, {}/{}, MTU {}", name, info.ifindex, net::dotted(info.address),
               info.prefix_length, info.mtu);
  instance_.interface_up(name, info, Clock::now());
}

void Speaker::bring_down(Interface& i, const std::string& why) {
  spdlog::info("OSPF: interface {} down: {}", i.name, why);
  i.socket.reset();
  i.up.reset();
  instance_.interface_down(i.name, Clock::now());
}

void Speaker::on_packet(const std::string& name, std::uint32_t source, std::uint32_t destination,
                        std::span<const std::uint8_t> payload) {
  instance_.packet_received(name, source, destination, payload, Clock::now());
  flush();
}

void Speaker::on_socket_error(const std::string& name, const std::string& error) {
  auto* i = find(name);
  if (!i || !i->up) return;
  spdlog::error("OSPF: interface {}: {}; reopening", name, error);
  bring_down(*i, "socket error");
  flush();
  retry_later();  // opens it again
}

void Speaker::set_routes(const net::RouteSet& routes) {
  instance_.set_routes(routes, Clock::now());
  flush();
}

void Speaker::flush() {
  for (auto& packet : instance_.take_outgoing()) {
    auto* i = find(packet.interface);
    if (!i || !i->socket) continue;  // the interface went down meanwhile: OSPF copes with the loss
    if (auto err = i->socket->send(packet.destination, packet.bytes); !err.empty())
      warn_rate_limited("send " + packet.interface, "OSPF: interface " + packet.interface + ": " + err);
  }
  for (auto& i : interfaces_) {
    if (!i.socket) continue;
    for (const auto& problem : i.socket->set_groups(instance_.groups(i.name)))
      warn_rate_limited("groups " + i.name, "OSPF: " + problem);
  }
  for (const auto& line : instance_.take_log()) spdlog::warn("OSPF: {}", line);
  log_neighbor_changes();
  if (shutdown_done_ && instance_.shutdown_complete()) finish_shutdown("every neighbour acknowledged the flush");
  arm_timer();
}

void Speaker::arm_timer() {
  auto next = instance_.next_wakeup();
  if (!next) {
    if (armed_at_) wakeup_timer_.cancel();
    armed_at_.reset();
    return;
  }
  // Never a busy loop, whatever the instance says.
  auto at = std::max(*next, Clock::now() + std::chrono::milliseconds(1));
  if (armed_at_ && *armed_at_ <= at && *armed_at_ >= *next) return;  // the armed wait still serves
  armed_at_ = at;
  wakeup_timer_.expires_at(at);
  wakeup_timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (ec || !*alive) return;
    armed_at_.reset();
    instance_.tick(Clock::now());
    flush();
  });
}

void Speaker::log_neighbor_changes() {
  std::map<std::pair<std::string, std::uint32_t>, std::string> now;
  for (const auto& n : instance_.neighbors()) {
    auto key = std::make_pair(n.interface, n.router_id);
    auto it = neighbor_states_.find(key);
    const std::string before = it == neighbor_states_.end() ? "Down" : it->second;
    if (before != n.state)
      spdlog::info("OSPF: neighbour {} ({}) on {}: {} -> {}", net::dotted(n.router_id), net::dotted(n.address),
                   n.interface, before, n.state);
    now[key] = n.state;
  }
  for (const auto& [key, state] : neighbor_states_)
    if (!now.count(key))
      spdlog::info("OSPF: neighbour {} on {}: {} -> gone", net::dotted(key.second), key.first, state);
  const bool changed = now != neighbor_states_;
  neighbor_states_ = std::move(now);
  if (changed && neighbors_changed_) neighbors_changed_();
}

void Speaker::bfd_down(std::uint32_t address) {
  spdlog::warn("OSPF: BFD session to {} down; the neighbour goes down", net::dotted(address));
  instance_.kill_neighbor(address, Clock::now());
  flush();
}

// The first occurrence, then every power of two: a broken interface does not flood the log.
void Speaker::warn_rate_limited(const std::string& key, const std::string& message) {
  auto n = ++warnings_[key];
  if (std::has_single_bit(n)) spdlog::warn("{}{}", message, n > 1 ? fmt::format(" ({} times)", n) : "");
}

void Speaker::shutdown(std::function<void()> done) {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  spdlog::info("OSPF: flushing our LSAs");
  shutdown_timer_.expires_after(kShutdownLimit);
  shutdown_timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (ec || !*alive) return;
    finish_shutdown("gave up waiting for acknowledgements");
  });
  instance_.shutdown(Clock::now());
  flush();
}

void Speaker::finish_shutdown(const char* how) {
  if (!shutdown_done_) return;
  auto done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  shutdown_timer_.cancel();
  retry_timer_.cancel();
  interface_watcher_.reset();
  spdlog::info("OSPF: left: {}", how);
  // Not from inside flush(): the caller may stop the io_context or destroy us.
  asio::post(io_, [done = std::move(done)] { done(); });
}

}  // namespace ospf

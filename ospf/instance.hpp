// One OSPFv2 area instance: the interface and neighbor machines, the LSDB, flooding and our
// LSA origination glued together. Pure: packets and time in, packets out. Timers are deadlines
// kept as data; the socket adapter calls tick() at next_wakeup().
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "net/route_set.hpp"
#include "ospf/architectural_constants.hpp"

namespace ospf {

// What the kernel says about an OSPF interface (the adapter reads it with netlink).
struct InterfaceInfo {
  int ifindex = 0;
  std::uint32_t address = 0;     // primary IPv4 address, host order
  unsigned prefix_length = 0;
  std::uint32_t mtu = 1500;
  bool operator==(const InterfaceInfo&) const = default;
};

// A packet to put on the wire: the OSPF packet bytes (the IP header is the kernel's).
struct OutgoingPacket {
  std::string interface;
  std::uint32_t destination = 0;  // 224.0.0.5 (AllSPFRouters), 224.0.0.6 (AllDRouters) or a neighbor
  std::vector<std::uint8_t> bytes;
  bool operator==(const OutgoingPacket&) const = default;
};

// For status, metrics and logs.
struct NeighborStatus {
  std::string interface;
  std::uint32_t router_id = 0;
  std::uint32_t address = 0;
  std::string state;  // RFC 2328 name: "Full", "2-Way", ...
  bool two_way = false;  // 2-Way or beyond: we hear each other
};

struct InstanceCounters {
  std::uint64_t packets_received = 0;
  std::uint64_t packets_sent = 0;
  std::map<std::string, std::uint64_t> dropped;  // by reason: "bad checksum", "area mismatch", ...
  std::uint64_t lsas_originated = 0;
};

class Instance {
 public:
  Instance(const config::OspfConfig& config, std::uint32_t router_id);
  ~Instance();

  // Interface state from the kernel; names are those of config.interfaces.
  void interface_up(const std::string& name, const InterfaceInfo& info, Clock::time_point now);
  void interface_down(const std::string& name, Clock::time_point now);

  // One OSPF packet as received on `name` (IP payload; source and destination from the IP header).
  void packet_received(const std::string& name, std::uint32_t source, std::uint32_t destination,
                       std::span<const std::uint8_t> bytes, Clock::time_point now);

  // The routes to advertise (IPv4 prefixes become AS-external LSAs; IPv6 is ignored).
  void set_routes(const net::RouteSet& routes, Clock::time_point now);

  // Runs every timer that is due.
  void tick(Clock::time_point now);
  std::optional<Clock::time_point> next_wakeup() const;

  // Leaving: flush all our LSAs (MaxAge) and flood them.
  void shutdown(Clock::time_point now);
  // Every neighbor acknowledged our flushed LSAs (or none is left to tell).
  bool shutdown_complete() const;

  // Packets produced since the last call.
  std::vector<OutgoingPacket> take_outgoing();
  // Multicast groups each interface should be in right now (224.0.0.5, plus .6 when DR/BDR).
  std::vector<std::uint32_t> groups(const std::string& name) const;

  std::vector<NeighborStatus> neighbors() const;
  // BFD says the path to this neighbour failed (RFC 5882 §4.1): KillNbr, on every interface.
  void kill_neighbor(std::uint32_t address, Clock::time_point now);
  const InstanceCounters& counters() const;
  // Rate-limited problems for the log ("dropped Hello from 10.0.1.1 on eth0: hello interval mismatch").
  std::vector<std::string> take_log();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ospf

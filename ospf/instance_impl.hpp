// The inside of ospf::Instance, shared by its sources (instance.cpp: interfaces, timers and
// origination; packet_intake.cpp: §8.2 and the Hello, DD and LS Request packets; flooding.cpp:
// §13 LS Updates, acks and retransmission). Private: nothing outside ospf_core includes it.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "ospf/instance.hpp"
#include "ospf/instance_log.hpp"
#include "ospf/interface_fsm.hpp"
#include "ospf/lsa_origination.hpp"
#include "ospf/lsdb.hpp"
#include "ospf/neighbor_fsm.hpp"
#include "ospf/retransmission_list.hpp"
#include "ospf/wire/auth.hpp"
#include "ospf/wire/packet.hpp"

namespace ospf {

constexpr std::uint32_t kAllSpfRouters = 0xe0000005;  // 224.0.0.5
constexpr std::uint32_t kAllDRouters = 0xe0000006;    // 224.0.0.6
// How often LSDB aging (§14) looks for LSAs that reached MaxAge or can be removed.
constexpr std::chrono::seconds kAgingInterval{1};

// The machines' timers as deadlines (timer_id.hpp); nullopt = not running.
using Deadlines = std::array<std::optional<Clock::time_point>, kTimerCount>;

struct Neighbor {
  explicit Neighbor(NeighborFsm f) : fsm(std::move(f)) {}
  NeighborFsm fsm;
  Deadlines deadlines;
  RetransmissionList retransmission;  // §13.3: flooded to it, not yet acknowledged
  std::optional<std::uint32_t> crypto_sequence;  // the highest it sent us (D.3: never decreases)
};

struct Interface {
  config::OspfInterfaceConfig config;
  wire::AuthConfig auth;
  InterfaceInfo info;
  std::optional<InterfaceFsm> fsm;  // built at interface_up, from the kernel's address and MTU
  Deadlines deadlines;
  // §10.5: neighbors are told apart by Router ID on point-to-point links and by IP source address
  // on broadcast networks. std::map keeps references stable while others are added.
  std::map<std::uint32_t, Neighbor> neighbors;

  bool broadcast() const { return config.network == config::OspfNetwork::broadcast; }
  InterfaceState state() const { return fsm ? fsm->state() : InterfaceState::down; }
  bool up() const { return state() != InterfaceState::down && state() != InterfaceState::loopback; }
  bool designated() const { return state() == InterfaceState::dr || state() == InterfaceState::backup; }
  std::size_t packet_budget() const;
};

struct Instance::Impl {
  Impl(const config::OspfConfig& config, std::uint32_t router_id);

  // ---- instance.cpp: interfaces, machines, timers, origination --------------------------------
  // Every public entry point starts here: the time of the input in hand.
  void enter(Clock::time_point now) {
    if (!started) started = now;
    current = now;
  }
  Interface* find_interface(const std::string& name);
  void update_interface_addresses();
  void start_interface(Interface& itf, Clock::time_point now);
  void stop_interface(Interface& itf, Clock::time_point now);
  void interface_event(Interface& itf, const InterfaceEvent& event, Clock::time_point now);
  void neighbor_event(Interface& itf, Neighbor& nbr, const NeighborEvent& event, Clock::time_point now);
  void sync_neighbor_list(Interface& itf, Clock::time_point now);
  NeighborSnapshots snapshots(const Interface& itf) const;
  // After every input: drop neighbors that went Down, redo the router-LSA's view of the
  // interfaces, originate what is due.
  void settle(Clock::time_point now);
  void originate(Clock::time_point now);
  void install_own(const LsaOriginator::Result& result, Clock::time_point now);
  void aging(Clock::time_point now);
  void fire_timers(Clock::time_point now);
  std::optional<Clock::time_point> next_wakeup() const;
  bool exchange_in_progress() const;  // some neighbor in Exchange or Loading (§13 step 4, §14)

  // Packets out.
  void send(Interface& itf, std::uint32_t destination, wire::PacketBody body);
  // Where flooded LS Updates and delayed acks go (§13.3 step 5, §13.5).
  std::uint32_t flood_destination(const Interface& itf) const;
  // Where packets for one neighbor go: its address on broadcast networks, AllSPFRouters on
  // point-to-point links (whose neighbor may be unnumbered).
  std::uint32_t direct_destination(const Interface& itf, const Neighbor& nbr) const;
  // Counts the drop under `reason` and logs it (rate-limited) with `detail` when given.
  void drop(const Interface& itf, std::uint32_t source, const char* what, const std::string& reason,
            const std::string& detail, Clock::time_point now);

  // ---- packet_intake.cpp: §8.2 and the Database Exchange packets ------------------------------
  void receive(Interface& itf, std::uint32_t source, std::uint32_t destination, std::span<const std::uint8_t> bytes,
               Clock::time_point now);
  void hello_received(Interface& itf, std::uint32_t source, const wire::Packet& packet, Clock::time_point now);
  void dd_received(Interface& itf, Neighbor& nbr, const wire::DatabaseDescription& dd, Clock::time_point now);
  void ls_request_received(Interface& itf, Neighbor& nbr, const wire::LinkStateRequest& request,
                           Clock::time_point now);

  // ---- flooding.cpp: §13 ----------------------------------------------------------------------
  void ls_update_received(Interface& itf, Neighbor& nbr, const wire::LinkStateUpdate& update, Clock::time_point now);
  void ls_ack_received(Neighbor& nbr, const wire::LinkStateAck& ack);
  // §13.3: floods `lsa` (current age) to every adjacency but the sender's; returns whether it
  // went back out of the receiving interface (which then needs no ack, §13.5).
  bool flood(const wire::Lsa& lsa, Interface* from_itf, Neighbor* from, Clock::time_point now);
  void send_updates(Interface& itf, std::uint32_t destination, std::vector<wire::Lsa> lsas);
  void send_acks(Interface& itf, std::uint32_t destination, const std::vector<wire::LsaHeader>& headers);
  void retransmit(Interface& itf, Neighbor& nbr, Clock::time_point now);
  void remove_from_retransmission_lists(const LsaKey& key);

  config::OspfConfig config;
  std::uint32_t router_id;
  std::uint32_t area_id;
  std::map<std::string, Interface> interfaces;
  Lsdb lsdb;
  LsaOriginator originator;
  std::vector<InterfaceLinkState> link_states;  // last given to the originator
  std::optional<Clock::time_point> origination_due;
  std::optional<Clock::time_point> aging_due;
  bool warned_left_out = false;
  bool shutting_down = false;
  std::set<LsaKey> flushed_at_shutdown;
  std::uint32_t crypto_epoch = 0;         // wall-clock seconds at construction
  std::uint32_t crypto_sequence_out = 0;  // D.3: increases with every packet we send
  std::optional<Clock::time_point> started;  // the first input's time, to map `now` onto the epoch
  Clock::time_point current;                 // the time of the input being handled
  std::uint32_t next_dd_sequence;     // §10.8: a unique start for each neighbor's DD sequence
  std::vector<OutgoingPacket> outgoing;
  InstanceCounters counters;
  InstanceLog log;
};

using net::dotted;

}  // namespace ospf

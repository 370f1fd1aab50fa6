// ospf::Instance: the public face, the interfaces and their machines, timers as deadlines, and
// our own LSAs (RFC 2328 §9, §10, §12.4, §14). Packets are taken apart in packet_intake.cpp and
// LS Updates, acks and retransmissions handled in flooding.cpp.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "ospf/instance_impl.hpp"
#include "ospf/packet_packing.hpp"
#include "ospf/wire/packet_codec.hpp"
#include "net/overloaded.hpp"

namespace ospf {

namespace {

using net::Overloaded;

std::size_t slot(TimerId timer) { return static_cast<std::size_t>(timer); }

void keep_earliest(std::optional<Clock::time_point>& next, std::optional<Clock::time_point> at) {
  if (at && (!next || *at < *next)) next = at;
}

wire::AuthConfig::Type auth_type(config::OspfAuthType type) {
  switch (type) {
    case config::OspfAuthType::none: return wire::AuthConfig::Type::none;
    case config::OspfAuthType::simple: return wire::AuthConfig::Type::simple;
    case config::OspfAuthType::md5: return wire::AuthConfig::Type::md5;
    case config::OspfAuthType::hmac_sha256: return wire::AuthConfig::Type::hmac_sha256;
  }
  return wire::AuthConfig::Type::none;
}

// The key comes from the config, or from key_file when the key is empty (so it can live in a
// Kubernetes Secret). An unreadable file leaves the key empty: our packets then fail the
// neighbor's check, which the log line explains.
wire::AuthConfig auth_config(const config::OspfInterfaceConfig& itf, InstanceLog& log) {
  wire::AuthConfig auth;
  auth.type = auth_type(itf.auth.type);
  auth.key_id = itf.auth.key_id;
  auth.key = itf.auth.key;
  if (auth.key.empty() && !itf.auth.key_file.empty() && auth.type != wire::AuthConfig::Type::none) {
    std::ifstream in(itf.auth.key_file, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in) {
      log.event("interface " + itf.name + ": cannot read OSPF key file " + itf.auth.key_file);
    } else {
      auth.key = text.str();
      while (!auth.key.empty() && (auth.key.back() == '\n' || auth.key.back() == '\r')) auth.key.pop_back();
    }
  }
  return auth;
}

}  // namespace

std::size_t Interface::packet_budget() const { return ospf_packet_budget(info.mtu, auth.type); }

// ---- Construction ------------------------------------------------------------------------------

Instance::Impl::Impl(const config::OspfConfig& cfg, std::uint32_t id)
    : config(cfg),
      router_id(id),
      area_id(cfg.area.is_v4() ? cfg.area.v4_value() : 0),
      lsdb(id),
      originator(id, ExternalPolicy{cfg.external.metric, cfg.external.metric_type, cfg.external.tag,
                                    cfg.max_external_lsas}) {
  // Our first router-LSA waits for the first adjacency, so that the instance naming it is not
  // held back by MinLSInterval behind a stub-only one nobody could use (lsa_origination.hpp).
  originator.set_hold_first_router_lsa(true);
  // The one wall-clock read: cryptographic sequence numbers must keep growing across restarts
  // (D.3), and DD sequence numbers should be unique (§10.8). Seconds since the epoch do both.
  const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  crypto_epoch = static_cast<std::uint32_t>(epoch);
  next_dd_sequence = static_cast<std::uint32_t>(epoch);
  for (const auto& c : cfg.interfaces) {
    Interface itf;
    itf.config = c;
    itf.auth = auth_config(c, log);
    interfaces.emplace(c.name, std::move(itf));
  }
}

Interface* Instance::Impl::find_interface(const std::string& name) {
  auto it = interfaces.find(name);
  return it == interfaces.end() ? nullptr : &it->second;
}

// ---- Interfaces ----------------------------------------------------------------------------------

void Instance::Impl::start_interface(Interface& itf, Clock::time_point now) {
  InterfaceConfig c;
  c.type = itf.broadcast() ? InterfaceType::broadcast : InterfaceType::point_to_point;
  c.router_id = router_id;
  c.address = itf.info.address;
  c.mask = net::v4_mask(itf.info.prefix_length);
  c.priority = itf.config.priority;
  c.hello_interval = itf.config.hello_interval;
  c.dead_interval = itf.config.dead_interval;
  c.rxmt_interval = itf.config.retransmit_interval;
  c.options = wire::option::e;  // we originate AS-external-LSAs: a normal area
  c.mtu = static_cast<std::uint16_t>(std::min<std::uint32_t>(itf.info.mtu, 0xffff));
  itf.fsm.emplace(c);
  itf.deadlines = {};
  interface_event(itf, InterfaceUp{}, now);
  update_interface_addresses();
}

void Instance::Impl::stop_interface(Interface& itf, Clock::time_point now) {
  if (!itf.fsm) return;
  interface_event(itf, InterfaceDown{}, now);  // KillAllNeighbors: every neighbor goes Down
  itf.neighbors.clear();
  itf.deadlines = {};
  itf.fsm.reset();
  update_interface_addresses();
}

void Instance::Impl::update_interface_addresses() {
  std::vector<std::uint32_t> addresses;
  for (const auto& [name, itf] : interfaces)
    if (itf.fsm) addresses.push_back(itf.info.address);
  lsdb.set_interface_addresses(std::move(addresses));
}

NeighborSnapshots Instance::Impl::snapshots(const Interface& itf) const {
  NeighborSnapshots out;
  // §9.5: everyone heard from recently, i.e. Init or higher.
  for (const auto& [key, nbr] : itf.neighbors)
    if (nbr.fsm.state() >= NeighborState::init) out.push_back(nbr.fsm.snapshot());
  return out;
}

void Instance::Impl::sync_neighbor_list(Interface& itf, Clock::time_point now) {
  if (!itf.up()) return;
  auto fresh = snapshots(itf);
  if (fresh != itf.fsm->neighbors()) interface_event(itf, NeighborsUpdated{std::move(fresh)}, now);
}

void Instance::Impl::interface_event(Interface& itf, const InterfaceEvent& event, Clock::time_point now) {
  for (const auto& action : itf.fsm->handle(event, now)) {
    std::visit(Overloaded{
                   [&](const SendHello& a) { send(itf, kAllSpfRouters, a.hello); },
                   [&](const StartTimer& a) { itf.deadlines[slot(a.timer)] = now + a.duration; },
                   [&](const StopTimer& a) { itf.deadlines[slot(a.timer)].reset(); },
                   // groups() reads the state; the adapter joins and leaves from it.
                   [&](const JoinAllDRouters&) {},
                   [&](const LeaveAllDRouters&) {},
                   [&](const DrChanged& a) {
                     // §9.4 step 7: AdjOK? on every bidirectional neighbor. The router-LSA follows
                     // in settle(), which sees the new DR in the interface's link state.
                     for (auto& [key, nbr] : itf.neighbors)
                       if (nbr.fsm.state() >= NeighborState::two_way)
                         neighbor_event(itf, nbr, AdjOk{{a.designated_router, a.backup_designated_router}}, now);
                   },
                   [&](const KillAllNeighbors&) {
                     for (auto& [key, nbr] : itf.neighbors) neighbor_event(itf, nbr, KillNbr{}, now);
                   },
                   [&](const InterfaceStateChanged& a) {
                     log.event("interface " + itf.config.name + ": " + to_string(a.from) + " -> " + to_string(a.to));
                   },
               },
               action);
  }
}

void Instance::Impl::neighbor_event(Interface& itf, Neighbor& nbr, const NeighborEvent& event, Clock::time_point now) {
  for (const auto& action : nbr.fsm.handle(event, now)) {
    std::visit(Overloaded{
                   [&](const SendDd& a) { send(itf, direct_destination(itf, nbr), a.dd); },
                   [&](const SendLsRequest& a) { send(itf, direct_destination(itf, nbr), a.request); },
                   [&](const StartTimer& a) { nbr.deadlines[slot(a.timer)] = now + a.duration; },
                   [&](const StopTimer& a) { nbr.deadlines[slot(a.timer)].reset(); },
                   [&](const ScheduleInterfaceEvent& a) {
                     if (!itf.up()) return;
                     if (a.event == InterfaceEventKind::neighbor_change)
                       interface_event(itf, NeighborChange{snapshots(itf)}, now);
                     else
                       interface_event(itf, BackupSeen{snapshots(itf)}, now);
                   },
                   [&](const ClearLsRetransmissionList&) { nbr.retransmission.clear(); },
                   [&](const DdRejected& a) {
                     drop(itf, nbr.fsm.address(), "Database Description", "DD rejected", a.reason, now);
                   },
                   [&](const NeighborStateChanged& a) {
                     log.event("neighbor " + dotted(nbr.fsm.router_id()) + " at " + dotted(nbr.fsm.address()) +
                               " on " + itf.config.name + ": " + to_string(a.from) + " -> " + to_string(a.to) +
                               " (" + a.event + ")");
                   },
               },
               action);
  }
  sync_neighbor_list(itf, now);
}

bool Instance::Impl::exchange_in_progress() const {
  for (const auto& [name, itf] : interfaces)
    for (const auto& [key, nbr] : itf.neighbors)
      if (nbr.fsm.state() == NeighborState::exchange || nbr.fsm.state() == NeighborState::loading) return true;
  return false;
}

// ---- Settling after each input -------------------------------------------------------------------

void Instance::Impl::settle(Clock::time_point now) {
  // A neighbor in Down is forgotten (§10.3: "the neighbor data structure may be deleted").
  for (auto& [name, itf] : interfaces) {
    const auto before = itf.neighbors.size();
    std::erase_if(itf.neighbors, [](const auto& entry) { return entry.second.fsm.state() == NeighborState::down; });
    if (itf.neighbors.size() != before) sync_neighbor_list(itf, now);
  }

  // The router-LSA describes the interfaces (§12.4.1): redo it when what it says would change.
  std::vector<InterfaceLinkState> states;
  for (const auto& [name, itf] : interfaces) {
    if (!itf.up()) continue;
    InterfaceLinkState s;
    s.network = itf.broadcast() ? InterfaceLinkState::Network::broadcast : InterfaceLinkState::Network::point_to_point;
    s.address = itf.info.address;
    s.mask = net::v4_mask(itf.info.prefix_length);
    s.cost = itf.config.cost;
    if (itf.broadcast()) {
      s.dr_address = itf.fsm->designated_router();
      for (const auto& [key, nbr] : itf.neighbors) {
        if (nbr.fsm.state() != NeighborState::full) continue;
        // Full with the DR, or the DR ourselves with some Full neighbor (§12.4.1.2).
        if (s.dr_address == itf.info.address || nbr.fsm.address() == s.dr_address) s.adjacent_to_dr = true;
        s.full_neighbors.push_back(nbr.fsm.router_id());
      }
      std::sort(s.full_neighbors.begin(), s.full_neighbors.end());
    } else {
      for (const auto& [key, nbr] : itf.neighbors)
        if (nbr.fsm.state() == NeighborState::full) s.full_neighbor = nbr.fsm.router_id();
    }
    states.push_back(s);
  }
  if (states != link_states) {
    link_states = states;
    originator.set_interfaces(std::move(states));
    keep_earliest(origination_due, now);
  }
  if (origination_due && *origination_due <= now) originate(now);
  if (!aging_due) aging_due = now + kAgingInterval;
}

void Instance::Impl::originate(Clock::time_point now) {
  auto result = originator.update(now);
  origination_due = result.next_update;
  install_own(result, now);
  if (result.externals_left_out > 0 && !warned_left_out) {
    log.event(std::to_string(result.externals_left_out) +
              " IPv4 prefixes not advertised in OSPF: over max_external_lsas (" +
              std::to_string(config.max_external_lsas) + ") or no free Link State ID");
  }
  warned_left_out = result.externals_left_out > 0;
}

void Instance::Impl::install_own(const LsaOriginator::Result& result, Clock::time_point now) {
  for (const auto& lsa : result.lsas) {
    // A flush while leaving (also one of a stale instance a neighbor showed us) must be acked
    // before shutdown_complete().
    if (shutting_down && lsa.header.age >= wire::kMaxAge) flushed_at_shutdown.insert(key_of(lsa.header));
    lsdb.install(lsa, now);
    remove_from_retransmission_lists(key_of(lsa.header));  // the older instance needs no more acks
    flood(lsa, nullptr, nullptr, now);
  }
  counters.lsas_originated = originator.originated_count();
}

// §14: LSAs that aged out are flooded once at MaxAge, then removed when nobody needs them.
void Instance::Impl::aging(Clock::time_point now) {
  aging_due = now + kAgingInterval;
  for (const auto& key : lsdb.reached_max_age(now))
    if (auto lsa = lsdb.get(key, now)) flood(*lsa, nullptr, nullptr, now);
  auto in_use = [this](const LsaKey& key) {
    for (const auto& [name, itf] : interfaces)
      for (const auto& [k, nbr] : itf.neighbors)
        if (nbr.retransmission.contains(key)) return true;
    return false;
  };
  std::vector<LsaKey> ours;
  for (const auto& lsa : lsdb.expire(now, exchange_in_progress(), in_use))
    if (lsa.header.advertising_router == router_id) ours.push_back(key_of(lsa.header));
  if (!ours.empty()) install_own(originator.removed_from_database(ours, now), now);
}

// ---- Timers ---------------------------------------------------------------------------------------

void Instance::Impl::fire_timers(Clock::time_point now) {
  for (auto& [name, itf] : interfaces) {
    if (!itf.fsm) continue;
    for (std::size_t i = 0; i < kTimerCount; ++i) {
      if (!itf.deadlines[i] || *itf.deadlines[i] > now) continue;
      itf.deadlines[i].reset();
      interface_event(itf, TimerExpired{static_cast<TimerId>(i)}, now);
    }
    for (auto& [key, nbr] : itf.neighbors) {
      for (std::size_t i = 0; i < kTimerCount; ++i) {
        if (!nbr.deadlines[i] || *nbr.deadlines[i] > now) continue;
        nbr.deadlines[i].reset();
        neighbor_event(itf, nbr, TimerExpired{static_cast<TimerId>(i)}, now);
      }
      if (nbr.fsm.state() >= NeighborState::exchange) retransmit(itf, nbr, now);
    }
  }
  if (aging_due && *aging_due <= now) aging(now);
}

std::optional<Clock::time_point> Instance::Impl::next_wakeup() const {
  std::optional<Clock::time_point> next;
  for (const auto& [name, itf] : interfaces) {
    for (const auto& d : itf.deadlines) keep_earliest(next, d);
    for (const auto& [key, nbr] : itf.neighbors) {
      for (const auto& d : nbr.deadlines) keep_earliest(next, d);
      if (nbr.fsm.state() >= NeighborState::exchange)
        keep_earliest(next, nbr.retransmission.next_due(itf.config.retransmit_interval));
    }
  }
  keep_earliest(next, origination_due);
  keep_earliest(next, aging_due);
  return next;
}

// ---- Packets out ----------------------------------------------------------------------------------

void Instance::Impl::send(Interface& itf, std::uint32_t destination, wire::PacketBody body) {
  wire::Packet packet{router_id, area_id, std::move(body), std::nullopt};
  std::uint32_t sequence = 0;
  if (itf.auth.type == wire::AuthConfig::Type::md5 || itf.auth.type == wire::AuthConfig::Type::hmac_sha256) {
    // Seconds since the epoch, but always more than the last one sent (D.3).
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(current - *started).count();
    const auto wall = crypto_epoch + static_cast<std::uint32_t>(std::max<std::int64_t>(elapsed, 0));
    crypto_sequence_out = std::max(wall, crypto_sequence_out + 1);
    sequence = crypto_sequence_out;
  }
  outgoing.push_back(OutgoingPacket{itf.config.name, destination, wire::encode_packet(packet, itf.auth, sequence)});
  ++counters.packets_sent;
}

std::uint32_t Instance::Impl::flood_destination(const Interface& itf) const {
  if (!itf.broadcast()) return kAllSpfRouters;
  return itf.designated() ? kAllSpfRouters : kAllDRouters;  // §13.3 step 5
}

std::uint32_t Instance::Impl::direct_destination(const Interface& itf, const Neighbor& nbr) const {
  return itf.broadcast() ? nbr.fsm.address() : kAllSpfRouters;
}

void Instance::Impl::drop(const Interface& itf, std::uint32_t source, const char* what, const std::string& reason,
                          const std::string& detail, Clock::time_point now) {
  ++counters.dropped[reason];
  std::string line = "dropped " + std::string(what) + " from " + dotted(source) + " on " + itf.config.name + ": " +
                     (detail.empty() ? reason : detail);
  log.problem(itf.config.name + ' ' + dotted(source) + ' ' + reason, std::move(line), now);
}

// ---- The public face ------------------------------------------------------------------------------

Instance::Instance(const config::OspfConfig& config, std::uint32_t router_id)
    : impl_(std::make_unique<Impl>(config, router_id)) {}

Instance::~Instance() = default;

void Instance::interface_up(const std::string& name, const InterfaceInfo& info, Clock::time_point now) {
  impl_->enter(now);
  Interface* itf = impl_->find_interface(name);
  if (!itf) {
    impl_->log.problem("unknown " + name, "interface " + name + " is not in ospf.interfaces; ignored", now);
    return;
  }
  if (itf->fsm && itf->info == info) return;
  impl_->stop_interface(*itf, now);  // a new address or MTU: start over with it
  itf->info = info;
  impl_->start_interface(*itf, now);
  impl_->settle(now);
}

void Instance::interface_down(const std::string& name, Clock::time_point now) {
  impl_->enter(now);
  Interface* itf = impl_->find_interface(name);
  if (!itf) return;
  impl_->stop_interface(*itf, now);
  impl_->settle(now);
}

void Instance::packet_received(const std::string& name, std::uint32_t source, std::uint32_t destination,
                               std::span<const std::uint8_t> bytes, Clock::time_point now) {
  impl_->enter(now);
  ++impl_->counters.packets_received;
  Interface* itf = impl_->find_interface(name);
  if (!itf || !itf->up()) {
    ++impl_->counters.dropped["interface down"];
    return;
  }
  impl_->receive(*itf, source, destination, bytes, now);
  impl_->settle(now);
}

void Instance::set_routes(const net::RouteSet& routes, Clock::time_point now) {
  impl_->enter(now);
  impl_->originator.set_routes(routes);
  if (!impl_->shutting_down) keep_earliest(impl_->origination_due, now);
  impl_->settle(now);
}

void Instance::tick(Clock::time_point now) {
  impl_->enter(now);
  impl_->fire_timers(now);
  impl_->settle(now);
}

std::optional<Clock::time_point> Instance::next_wakeup() const { return impl_->next_wakeup(); }

void Instance::shutdown(Clock::time_point now) {
  impl_->enter(now);
  if (impl_->shutting_down) return;
  impl_->shutting_down = true;
  impl_->install_own(impl_->originator.flush_all(now), now);  // §14.1: premature aging of all ours
  impl_->origination_due.reset();
  impl_->settle(now);
}

bool Instance::shutdown_complete() const {
  if (!impl_->shutting_down) return false;
  for (const auto& [name, itf] : impl_->interfaces) {
    for (const auto& [key, nbr] : itf.neighbors) {
      if (nbr.fsm.state() < NeighborState::exchange) continue;  // nobody there to tell
      for (const auto& flushed : impl_->flushed_at_shutdown)
        if (nbr.retransmission.contains(flushed)) return false;
    }
  }
  return true;
}

std::vector<OutgoingPacket> Instance::take_outgoing() { return std::exchange(impl_->outgoing, {}); }

std::vector<std::uint32_t> Instance::groups(const std::string& name) const {
  auto it = impl_->interfaces.find(name);
  if (it == impl_->interfaces.end() || !it->second.up()) return {};
  std::vector<std::uint32_t> out{kAllSpfRouters};
  if (it->second.designated()) out.push_back(kAllDRouters);
  return out;
}

std::vector<NeighborStatus> Instance::neighbors() const {
  std::vector<NeighborStatus> out;
  for (const auto& [name, itf] : impl_->interfaces)
    for (const auto& [key, nbr] : itf.neighbors)
      if (nbr.fsm.state() != NeighborState::down)
        out.push_back({name, nbr.fsm.router_id(), nbr.fsm.address(), to_string(nbr.fsm.state()),
                       nbr.fsm.state() >= NeighborState::two_way});
  return out;
}

void Instance::kill_neighbor(std::uint32_t address, Clock::time_point now) {
  for (auto& [name, itf] : impl_->interfaces)
    for (auto& [key, nbr] : itf.neighbors)
      if (nbr.fsm.address() == address && nbr.fsm.state() != NeighborState::down)
        impl_->neighbor_event(itf, nbr, KillNbr{}, now);
}

const InstanceCounters& Instance::counters() const { return impl_->counters; }

std::vector<std::string> Instance::take_log() { return impl_->log.take(); }

}  // namespace ospf

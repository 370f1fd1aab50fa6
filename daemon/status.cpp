#include "daemon/status.hpp"

#include <array>

namespace cisd {

namespace {

const char* family_name(const bgp::wire::AfiSafi& f) {
  return f.afi == bgp::wire::Afi::ipv4 ? "ipv4" : "ipv6";
}

// Unix seconds, or null for "never" (a zero time_point).
nlohmann::json unix_seconds(std::chrono::system_clock::time_point t) {
  if (t == std::chrono::system_clock::time_point{}) return nullptr;
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

nlohmann::json optional_bool(const std::optional<bool>& b) { return b ? nlohmann::json(*b) : nlohmann::json(); }

nlohmann::json peer_json(const bgp::PeerStatus& p, std::chrono::steady_clock::time_point now) {
  nlohmann::json advertised = nlohmann::json::object();
  for (const auto& [family, count] : p.advertised) advertised[family_name(family)] = count;
  nlohmann::json received = nlohmann::json::object();  // announced by the peer now; never installed
  for (const auto& [family, count] : p.received) received[family_name(family)] = count;
  nlohmann::json notifications_sent = nlohmann::json::array();
  for (const auto& [code, count] : p.counters.notifications_sent)
    notifications_sent.push_back({{"code", code.first}, {"subcode", code.second}, {"count", count}});
  nlohmann::json j = {
      {"address", p.address.to_string()},
      {"asn", p.asn},
      {"state", to_string(p.state)},
      {"uptime_seconds", nullptr},
      {"last_error", p.last_error},
      {"advertised", advertised},
      {"received_prefixes", received},
      {"max_prefixes", p.max_prefixes},
      {"counters",
       {{"updates_sent", p.counters.updates_sent},
        {"updates_received", p.counters.updates_received},
        {"prefixes_received", p.counters.prefixes_received},
        {"malformed_updates", p.counters.malformed_updates},
        {"attributes_discarded", p.counters.attributes_discarded},
        {"notifications_received", p.counters.notifications_received},
        {"notifications_sent", notifications_sent},
        {"established_transitions", p.counters.established_transitions}}},
  };
  if (p.state == bgp::State::established && p.established_since)
    j["uptime_seconds"] = std::chrono::duration<double>(now - *p.established_since).count();
  return j;
}

double milliseconds(bfd::Micros us) { return static_cast<double>(us.count()) / 1000.0; }

nlohmann::json bfd_json(const std::vector<bfd::SessionStatus>& sessions) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& b : sessions)
    out.push_back({{"peer", b.key.peer.to_string()},
                   {"multihop", b.key.multihop},
                   {"state", bfd::to_string(b.snapshot.state)},
                   {"remote_state", bfd::to_string(b.snapshot.remote_state)},
                   {"diagnostic", bfd::to_string(b.snapshot.local_diagnostic)},
                   {"local_discriminator", b.snapshot.local_discriminator},
                   {"remote_discriminator", b.snapshot.remote_discriminator},
                   {"configured", {{"min_tx_ms", milliseconds(b.timers.desired_min_tx)},
                                   {"min_rx_ms", milliseconds(b.timers.required_min_rx)},
                                   {"multiplier", b.timers.detect_multiplier}}},
                   {"transmit_interval_ms", milliseconds(b.snapshot.transmit_interval)},
                   {"detection_time_ms", milliseconds(b.snapshot.detection_time)},
                   {"remote_multiplier", b.snapshot.remote_multiplier},
                   {"poll_in_progress", b.snapshot.poll_in_progress},
                   {"state_changes", b.state_changes},
                   {"packets_sent", b.packets_sent},
                   {"packets_received", b.packets_received},
                   {"packets_dropped", b.packets_dropped},
                   {"worst_transmit_gap_ms", milliseconds(b.worst_transmit_gap)},
                   {"worst_gap_interval_ms", milliseconds(b.worst_gap_interval)}});
  return out;
}

}  // namespace

void set_advertised(Status& s, const net::RouteSet& routes, RoutePage page) {
  for (auto kind : {net::RouteKind::service_cidr, net::RouteKind::cluster_ip, net::RouteKind::external_ip,
                    net::RouteKind::load_balancer_ip, net::RouteKind::static_prefix})
    s.advertised_by_kind[kind] = 0;
  s.advertised.clear();
  std::size_t index = 0;
  for (const auto& [prefix, route] : routes) {
    ++s.advertised_by_kind[route.kind];
    if (index >= page.offset && s.advertised.size() < page.limit) s.advertised.push_back(route);
    ++index;
  }
  s.advertised_total = routes.size();
  s.routes_offset = page.offset;
  s.routes_truncated = page.offset + s.advertised.size() < routes.size();
}

int ospf_state_rank(const std::string& state) {
  static constexpr std::array<const char*, 8> kOrder = {"Down",     "Attempt", "Init",    "2-Way",
                                                         "ExStart", "Exchange", "Loading", "Full"};
  for (std::size_t i = 0; i < kOrder.size(); ++i)
    if (state == kOrder[i]) return static_cast<int>(i) + 1;
  return 0;
}

std::string not_ready_reason(const Status& s) {
  if (!s.planned) return s.waiting_for.empty() ? "no plan computed yet" : "no plan yet: waiting for " + s.waiting_for;
  for (const auto& p : s.peers)
    if (p.state == bgp::State::established) return {};
  for (const auto& n : s.ospf_neighbors)
    if (n.state == "Full") return {};
  return "no BGP session Established and no OSPF adjacency Full";
}

bool ready(const Status& s) { return not_ready_reason(s).empty(); }

nlohmann::json to_json(const Status& s) {
  nlohmann::json cidrs = nlohmann::json::array();
  for (const auto& c : s.service_cidrs) cidrs.push_back(c.to_string());
  nlohmann::json by_kind = nlohmann::json::object();
  for (const auto& [kind, count] : s.advertised_by_kind) by_kind[net::to_string(kind)] = count;
  nlohmann::json routes = nlohmann::json::array();
  for (const auto& r : s.advertised)
    routes.push_back({{"prefix", r.prefix.to_string()}, {"kind", net::to_string(r.kind)}, {"reason", r.reason}});

  nlohmann::json j = {
      {"version", s.version},
      {"node", s.node},
      {"router_id", net::Address::v4(s.router_id).to_string()},
      {"ready", ready(s)},
      {"service_cidrs", {{"cidrs", cidrs}, {"source", s.service_cidr_source}}},
      {"plan",
       {{"computed", s.planned},
        {"waiting_for", s.waiting_for},
        {"withheld", s.withheld},
        {"excluded_addresses", s.excluded}}},
      {"advertised", {{"total", s.advertised_total}, {"by_kind", by_kind}, {"routes", routes},
                      {"offset", s.routes_offset}, {"truncated", s.routes_truncated},
                      {"next_offset", s.routes_truncated ? nlohmann::json(s.routes_offset + s.advertised.size())
                                                         : nlohmann::json()}}},
      {"bgp", nullptr},
      {"ospf", nullptr},
      {"bfd", bfd_json(s.bfd_sessions)},
      {"kubernetes", nullptr},
  };
  if (s.bgp_enabled) {
    nlohmann::json peers = nlohmann::json::array();
    for (const auto& p : s.peers) peers.push_back(peer_json(p, s.taken_at));
    j["bgp"] = {{"peers", peers}, {"peer_selection", s.peer_selection}};
  }
  if (s.ospf_enabled) {
    nlohmann::json neighbors = nlohmann::json::array();
    for (const auto& n : s.ospf_neighbors)
      neighbors.push_back({{"interface", n.interface},
                           {"router_id", net::Address::v4(n.router_id).to_string()},
                           {"address", net::Address::v4(n.address).to_string()},
                           {"state", n.state}});
    j["ospf"] = {{"router_id", net::Address::v4(s.ospf_router_id).to_string()},
                 {"neighbors", neighbors},
                 {"lsas_originated", s.ospf_lsas_originated},
                 {"packets_received", s.ospf_packets_received},
                 {"packets_dropped", s.ospf_dropped}};
  }
  if (s.kubernetes_enabled) {
    nlohmann::json resources = nlohmann::json::object();
    for (const auto& [name, st] : s.kubernetes)
      resources[name] = {{"synced", st.synced},
                         {"resource_version", st.resource_version},
                         {"last_sync", unix_seconds(st.last_sync)},
                         {"lists", st.lists},
                         {"relists_after_gone", st.relists_after_gone},
                         {"watches", st.watches},
                         {"watch_restarts", st.watch_restarts},
                         {"failures", st.failures},
                         {"decode_errors", st.decode_errors},
                         {"events", st.events},
                         {"last_error", st.last_error}};
    j["kubernetes"] = {{"kube_proxy_healthy", optional_bool(s.kube_proxy_healthy)},
                       {"node_ready", optional_bool(s.node_ready)},
                       {"node_cordoned", s.node_cordoned},
                       {"resources", resources}};
  }
  return j;
}

}  // namespace cisd

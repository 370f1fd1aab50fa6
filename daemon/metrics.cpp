#include "daemon/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "daemon/version.hpp"

namespace cisd {

namespace {

std::string name(const char* suffix) { return std::string(kMetricPrefix) + suffix; }

prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& r, const char* suffix, const char* help) {
  return prometheus::BuildGauge().Name(name(suffix)).Help(help).Register(r);
}

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& r, const char* suffix, const char* help) {
  return prometheus::BuildCounter().Name(name(suffix)).Help(help).Register(r);
}

// Our sources keep running totals; a Prometheus counter only goes up by increments.
void advance(prometheus::Counter& c, double total) {
  if (total > c.Value()) c.Increment(total - c.Value());
}

const char* family_label(const bgp::wire::AfiSafi& f) { return f.afi == bgp::wire::Afi::ipv4 ? "ipv4" : "ipv6"; }

// Plan computation: microseconds for a few routes, up to a second or so for 100k Services.
const prometheus::Histogram::BucketBoundaries kPlanBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                              0.01,   0.025,   0.05,   0.1,   0.25,   0.5, 1, 2.5};
// Change to advertisement: milliseconds normally, longer while the first sync is under way.
const prometheus::Histogram::BucketBoundaries kEventBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10, 30};

}  // namespace

Metrics::Metrics()
    : bgp_session_up_(gauge(*registry_, "bgp_session_up", "1 if the BGP session with the peer is Established")),
      bgp_session_state_(gauge(*registry_, "bgp_session_state",
                               "1 for the BGP session's current RFC 4271 state, 0 for the others")),
      bgp_updates_sent_(counter(*registry_, "bgp_updates_sent_total", "BGP UPDATE messages sent to the peer")),
      bgp_updates_received_(
          counter(*registry_, "bgp_updates_received_total", "BGP UPDATE messages received from the peer")),
      bgp_notifications_sent_(counter(*registry_, "bgp_notifications_sent_total",
                                      "BGP NOTIFICATION messages sent to the peer, by error code and subcode")),
      bgp_advertised_prefixes_(
          gauge(*registry_, "bgp_advertised_prefixes", "Prefixes in the peer's Adj-RIB-Out, by address family")),
      ospf_neighbor_state_(gauge(*registry_, "ospf_neighbor_state",
                                 "OSPF neighbor state in RFC 2328 order: 1 Down, 2 Attempt, 3 Init, 4 2-Way, "
                                 "5 ExStart, 6 Exchange, 7 Loading, 8 Full")),
      ospf_lsas_originated_(counter(*registry_, "ospf_lsas_originated", "OSPF LSAs originated (new instances)")),
      bfd_session_up_(gauge(*registry_, "bfd_session_up", "1 if the BFD session with the peer is Up")),
      bfd_state_changes_(
          counter(*registry_, "bfd_session_state_changes_total", "BFD session state changes (RFC 5880 states)")),
      bfd_worst_transmit_gap_(gauge(*registry_, "bfd_worst_transmit_gap_seconds",
                                    "Longest time between two BFD packets sent at the same interval while Up")),
      advertised_routes_(gauge(*registry_, "advertised_routes", "Routes this node advertises, by planner rule")),
      kube_proxy_healthy_(gauge(*registry_, "kube_proxy_healthy", "1 if kube-proxy on this node answers healthy")),
      node_ready_(gauge(*registry_, "node_ready", "1 if this node's Node object is Ready")),
      k8s_watch_restarts_(counter(*registry_, "k8s_watch_restarts_total",
                                  "Kubernetes watches that ended and were restarted, by resource")),
      k8s_last_sync_(gauge(*registry_, "k8s_last_sync_timestamp_seconds",
                           "Unix time of the last complete list of the resource (0: never)")) {
  plan_duration_ = &prometheus::BuildHistogram()
                        .Name(name("plan_duration_seconds"))
                        .Help("Time to compute the plan from the facts")
                        .Register(*registry_)
                        .Add({}, kPlanBuckets);
  event_to_advertisement_ = &prometheus::BuildHistogram()
                                 .Name(name("event_to_advertisement_seconds"))
                                 .Help("Time from the first change that asked for a replan to the routes "
                                       "being handed to the speakers")
                                 .Register(*registry_)
                                 .Add({}, kEventBuckets);
  gauge(*registry_, "build_info", "Always 1; the version is the label").Add({{"version", kVersion}}).Set(1);
  auto& refused = counter(*registry_, "advertise_refused_total",
                          "Addresses and communities Services asked for that the operator does not allow, by reason");
  for (auto reason : kRefusalReasons) advertise_refused_[reason] = &refused.Add({{"reason", to_string(reason)}});
  auto& events = counter(*registry_, "kubernetes_events_total",
                         "Kubernetes Events on Services (kubernetes.events), by what became of them");
  for (const char* result : kEventResults) kubernetes_events_[result] = &events.Add({{"result", result}});
}

void Metrics::count_refused(RefusalReason reason) { advertise_refused_.at(reason)->Increment(); }

void Metrics::count_event(const std::string& result) { kubernetes_events_.at(result)->Increment(); }

void Metrics::observe_plan(std::chrono::duration<double> d) { plan_duration_->Observe(d.count()); }

void Metrics::observe_event_to_advertisement(std::chrono::duration<double> d) {
  event_to_advertisement_->Observe(d.count());
}

void Metrics::collect(const Status& s) {
  for (auto* series : {&bgp_session_up_, &bgp_session_state_, &bgp_advertised_prefixes_, &ospf_neighbor_state_,
                       &bfd_session_up_, &bfd_worst_transmit_gap_, &advertised_routes_, &kube_proxy_healthy_,
                       &node_ready_, &k8s_last_sync_})
    series->begin();
  for (auto* series : {&bgp_updates_sent_, &bgp_updates_received_, &bgp_notifications_sent_, &ospf_lsas_originated_,
                       &bfd_state_changes_, &k8s_watch_restarts_})
    series->begin();

  for (const auto& p : s.peers) {
    const std::string peer = p.address.to_string();
    bgp_session_up_.at({{"peer", peer}}).Set(p.state == bgp::State::established ? 1 : 0);
    for (auto state : {bgp::State::idle, bgp::State::connect, bgp::State::active, bgp::State::open_sent,
                       bgp::State::open_confirm, bgp::State::established})
      bgp_session_state_.at({{"peer", peer}, {"state", to_string(state)}}).Set(p.state == state ? 1 : 0);
    advance(bgp_updates_sent_.at({{"peer", peer}}), static_cast<double>(p.counters.updates_sent));
    advance(bgp_updates_received_.at({{"peer", peer}}), static_cast<double>(p.counters.updates_received));
    for (const auto& [code, count] : p.counters.notifications_sent)
      advance(bgp_notifications_sent_.at(
                  {{"peer", peer}, {"code", std::to_string(code.first)}, {"subcode", std::to_string(code.second)}}),
              static_cast<double>(count));
    for (const auto& [family, count] : p.advertised)
      bgp_advertised_prefixes_.at({{"peer", peer}, {"family", family_label(family)}}).Set(static_cast<double>(count));
  }

  for (const auto& b : s.bfd_sessions) {
    const prometheus::Labels peer{{"peer", b.key.peer.to_string()}};
    bfd_session_up_.at(peer).Set(b.snapshot.state == bfd::State::up ? 1 : 0);
    advance(bfd_state_changes_.at(peer), static_cast<double>(b.state_changes));
    bfd_worst_transmit_gap_.at(peer).Set(static_cast<double>(b.worst_transmit_gap.count()) / 1e6);
  }

  if (s.ospf_enabled) {
    for (const auto& n : s.ospf_neighbors)
      ospf_neighbor_state_.at({{"interface", n.interface}, {"neighbor", net::Address::v4(n.router_id).to_string()}})
          .Set(ospf_state_rank(n.state));
    advance(ospf_lsas_originated_.at({}), static_cast<double>(s.ospf_lsas_originated));
  }

  for (auto kind : {net::RouteKind::service_cidr, net::RouteKind::cluster_ip, net::RouteKind::external_ip,
                    net::RouteKind::load_balancer_ip, net::RouteKind::static_prefix}) {
    auto it = s.advertised_by_kind.find(kind);
    advertised_routes_.at({{"kind", net::to_string(kind)}})
        .Set(it == s.advertised_by_kind.end() ? 0 : static_cast<double>(it->second));
  }

  // Without Kubernetes these are unknown, not 0: they are left out.
  if (s.kubernetes_enabled) {
    if (s.kube_proxy_healthy) kube_proxy_healthy_.at({}).Set(*s.kube_proxy_healthy ? 1 : 0);
    node_ready_.at({}).Set(s.node_ready.value_or(false) ? 1 : 0);
    for (const auto& [resource, st] : s.kubernetes) {
      advance(k8s_watch_restarts_.at({{"resource", resource}}), static_cast<double>(st.watch_restarts));
      k8s_last_sync_.at({{"resource", resource}})
          .Set(st.last_sync == std::chrono::system_clock::time_point{}
                   ? 0
                   : std::chrono::duration<double>(st.last_sync.time_since_epoch()).count());
    }
  }

  for (auto* series : {&bgp_session_up_, &bgp_session_state_, &bgp_advertised_prefixes_, &ospf_neighbor_state_,
                       &bfd_session_up_, &bfd_worst_transmit_gap_, &advertised_routes_, &kube_proxy_healthy_,
                       &node_ready_, &k8s_last_sync_})
    series->end();
  for (auto* series : {&bgp_updates_sent_, &bgp_updates_received_, &bgp_notifications_sent_, &ospf_lsas_originated_,
                       &bfd_state_changes_, &k8s_watch_restarts_})
    series->end();
}

std::string Metrics::text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace cisd

// The Prometheus metrics (prefix clusterip_speaker_, listed in docs/metrics.md). Gauges and counters
// are set from a Status snapshot at scrape time (collect), so no protocol code knows about
// Prometheus; only the two latency histograms are observed by the daemon as things happen.
// Used on the io_context only.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "daemon/planner.hpp"
#include "daemon/status.hpp"

namespace cisd {

inline constexpr const char* kMetricPrefix = "clusterip_speaker_";

// One labelled family whose label sets come and go (peers, neighbours): a collect marks what it
// touches, and what it did not touch this time is removed, so a vanished neighbour stops reporting.
template <typename T>
class Series {
 public:
  explicit Series(prometheus::Family<T>& family) : family_(&family) {}
  void begin() { touched_.clear(); }
  template <typename... Args>
  T& at(const prometheus::Labels& labels, Args&&... args) {
    auto [it, added] = metrics_.try_emplace(labels, nullptr);
    if (added) it->second = &family_->Add(labels, std::forward<Args>(args)...);
    touched_.insert(labels);
    return *it->second;
  }
  void end() {
    for (auto it = metrics_.begin(); it != metrics_.end();) {
      if (touched_.count(it->first)) {
        ++it;
        continue;
      }
      family_->Remove(it->second);
      it = metrics_.erase(it);
    }
  }

 private:
  prometheus::Family<T>* family_;
  std::map<prometheus::Labels, T*> metrics_;
  std::set<prometheus::Labels> touched_;
};

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // In replan(): how long plan() took, and how long from the first change that asked for the
  // replan until the speakers were handed the routes.
  void observe_plan(std::chrono::duration<double> d);
  void observe_event_to_advertisement(std::chrono::duration<double> d);
  // A Service asked for something the operator does not allow (advertise_refused_total{reason}).
  void count_refused(RefusalReason reason);
  // What became of a Kubernetes Event on a Service (kubernetes_events_total{result}): one of
  // kEventResults.
  void count_event(const std::string& result);
  static constexpr const char* kEventResults[] = {"sent", "failed", "rate_limited", "queue_full"};

  // Brings every gauge and counter up to the snapshot.
  void collect(const Status& status);
  // The Prometheus text exposition format (version 0.0.4).
  std::string text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  Series<prometheus::Gauge> bgp_session_up_;
  Series<prometheus::Gauge> bgp_session_state_;
  Series<prometheus::Counter> bgp_updates_sent_;
  Series<prometheus::Counter> bgp_updates_received_;
  Series<prometheus::Counter> bgp_notifications_sent_;
  Series<prometheus::Gauge> bgp_advertised_prefixes_;
  Series<prometheus::Gauge> ospf_neighbor_state_;
  Series<prometheus::Counter> ospf_lsas_originated_;
  Series<prometheus::Gauge> bfd_session_up_;
  Series<prometheus::Counter> bfd_state_changes_;
  Series<prometheus::Gauge> bfd_worst_transmit_gap_;
  Series<prometheus::Gauge> advertised_routes_;
  Series<prometheus::Gauge> kube_proxy_healthy_;
  Series<prometheus::Gauge> node_ready_;
  Series<prometheus::Counter> k8s_watch_restarts_;
  Series<prometheus::Gauge> k8s_last_sync_;
  std::map<RefusalReason, prometheus::Counter*> advertise_refused_;  // every reason from the start, at 0
  std::map<std::string, prometheus::Counter*> kubernetes_events_;     // every result from the start, at 0
  prometheus::Histogram* plan_duration_;
  prometheus::Histogram* event_to_advertisement_;
};

}  // namespace cisd

// Kubernetes Events on Services (kubernetes.events: true): "Advertised" when this node starts
// advertising one of a Service's addresses, "Withdrawn" when it stops, so that `kubectl
// describe service` shows where the Service is reachable from. events.k8s.io/v1, POSTed in the
// background: record() only queues (bounded; rate-limited per Service) and never waits on the
// API server; one request is in flight at a time, paced.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/asio.hpp"
#include "daemon/event_rate_limiter.hpp"
#include "daemon/service_events.hpp"
#include "k8s/http_client.hpp"
#include "k8s/objects.hpp"

namespace cisd {

inline constexpr const char* kReportingController = "clusterip-speaker";

// The events.k8s.io/v1 Event for one ServiceEvent, as POSTed. `uid`: the Service's, if known;
// `now`: the event time; `name_suffix` makes the object's name unique (a hex timestamp, as
// client-go does).
nlohmann::json event_object(const ServiceEvent& event, const std::string& uid, const std::string& node,
                            std::chrono::system_clock::time_point now, const std::string& name_suffix);

class EventRecorder {
 public:
  struct Options {
    std::size_t max_queue = 256;                    // events waiting; more are dropped and counted
    std::chrono::milliseconds pace{50};             // between two requests
    EventRateLimiter::Limits per_service;
    // Told what became of each event: "sent", "failed", "rate_limited" or "queue_full".
    std::function<void(const char* result)> on_result;
  };
  struct Counters {
    std::uint64_t sent = 0, failed = 0, rate_limited = 0, queue_full = 0;
  };

  EventRecorder(asio::io_context& io, std::shared_ptr<k8s::HttpClient> client, std::string node, Options options);
  EventRecorder(asio::io_context& io, std::shared_ptr<k8s::HttpClient> client, std::string node)
      : EventRecorder(io, std::move(client), std::move(node), Options{}) {}
  ~EventRecorder();

  // Queues an Event per item (those the limits allow) and returns at once.
  void record(const std::vector<ServiceEvent>& events, const std::map<std::string, k8s::Service>& services);
  const Counters& counters() const { return counters_; }

 private:
  struct Pending {
    std::string namespace_;
    std::string body;
  };
  void send_next();
  void count(std::uint64_t& counter, const char* result);

  asio::io_context& io_;
  std::shared_ptr<k8s::HttpClient> client_;
  std::string node_;
  Options options_;
  EventRateLimiter limiter_;
  std::deque<Pending> queue_;
  bool sending_ = false;
  asio::steady_timer pace_timer_;
  Counters counters_;
  std::uint64_t sequence_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cisd

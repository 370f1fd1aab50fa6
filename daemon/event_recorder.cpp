#include "daemon/event_recorder.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>

namespace cisd {

namespace {

// RFC 3339 with microseconds (the API's MicroTime), in UTC.
std::string micro_time(std::chrono::system_clock::time_point t) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros % 1'000'000));
  return buf;
}

const char* address_kind(net::RouteKind kind) {
  switch (kind) {
    case net::RouteKind::cluster_ip: return "ClusterIP";
    case net::RouteKind::external_ip: return "external IP";
    case net::RouteKind::load_balancer_ip: return "LoadBalancer IP";
    default: return "address";
  }
}

}  // namespace

nlohmann::json event_object(const ServiceEvent& event, const std::string& uid, const std::string& node,
                            std::chrono::system_clock::time_point now, const std::string& name_suffix) {
  const auto slash = event.service.find('/');
  const std::string ns = event.service.substr(0, slash);
  const std::string name = slash == std::string::npos ? event.service : event.service.substr(slash + 1);
  const bool advertised = event.kind == ServiceEvent::Kind::advertised;
  const std::string address = event.prefix.address().to_string();
  nlohmann::json regarding = {{"kind", "Service"}, {"apiVersion", "v1"}, {"namespace", ns}, {"name", name}};
  if (!uid.empty()) regarding["uid"] = uid;
  return {
      {"apiVersion", "events.k8s.io/v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name + "." + name_suffix}, {"namespace", ns}}},
      {"eventTime", micro_time(now)},
      {"reportingController", kReportingController},
      {"reportingInstance", node},
      {"action", advertised ? "Advertise" : "Withdraw"},
      {"reason", advertised ? "Advertised" : "Withdrawn"},
      {"type", "Normal"},
      {"regarding", regarding},
      {"note", std::string("Node ") + node + (advertised ? " advertises " : " no longer advertises ") + address + " (" +
                   address_kind(event.route_kind) + ")"},
  };
}

EventRecorder::EventRecorder(asio::io_context& io, std::shared_ptr<k8s::HttpClient> client, std::string node,
                             Options options)
    : io_(io),
      client_(std::move(client)),
      node_(std::move(node)),
      options_(options),
      limiter_(options.per_service),
      pace_timer_(io) {}

EventRecorder::~EventRecorder() {
  *alive_ = false;
  pace_timer_.cancel();
}

void EventRecorder::record(const std::vector<ServiceEvent>& events, const std::map<std::string, k8s::Service>& services) {
  const auto now = std::chrono::system_clock::now();
  const auto steady = EventRateLimiter::Clock::now();
  for (const auto& e : events) {
    if (!limiter_.admit(e.service, steady)) {
      count(counters_.rate_limited, "rate_limited");
      continue;
    }
    if (queue_.size() >= options_.max_queue) {
      count(counters_.queue_full, "queue_full");
      continue;
    }
    auto svc = services.find(e.service);
    const std::string uid = svc == services.end() ? std::string() : svc->second.meta.uid;
    // Unique per process and time: a hex of the wall clock in nanoseconds, then a sequence.
    char suffix[48];
    std::snprintf(suffix, sizeof suffix, "%llx%llx",
                  static_cast<unsigned long long>(now.time_since_epoch().count()),
                  static_cast<unsigned long long>(++sequence_ & 0xfff));
    auto object = event_object(e, uid, node_, now, suffix);
    queue_.push_back({object["metadata"]["namespace"].get<std::string>(), object.dump()});
  }
  if (!sending_ && !queue_.empty()) send_next();
}

void EventRecorder::count(std::uint64_t& counter, const char* result) {
  ++counter;
  if (options_.on_result) options_.on_result(result);
}

void EventRecorder::send_next() {
  if (queue_.empty()) {
    sending_ = false;
    return;
  }
  sending_ = true;
  Pending next = std::move(queue_.front());
  queue_.pop_front();
  auto alive = alive_;
  const std::string target = "/apis/events.k8s.io/v1/namespaces/" + next.namespace_ + "/events";
  asio::co_spawn(
      io_,
      [this, alive, client = client_, target, body = std::move(next.body)]() -> asio::awaitable<void> {
        auto result = co_await client->post(target, body);
        if (!*alive) co_return;
        if (result && result->status / 100 == 2) {
          count(counters_.sent, "sent");
        } else {
          // Logged at debug: without RBAC for events every one fails the same way; the counter shows it.
          count(counters_.failed, "failed");
          if (counters_.failed == 1)
            spdlog::warn("events: POST {} failed ({}); is `create events` allowed (deploy/rbac-events.yaml)?", target,
                         result ? "HTTP " + std::to_string(result->status) + " " + result->body.substr(0, 200)
                                : result.error());
          else
            spdlog::debug("events: POST {} failed", target);
        }
        pace_timer_.expires_after(options_.pace);
        pace_timer_.async_wait([this, alive](boost::system::error_code ec) {
          if (!ec && *alive) send_next();
        });
      },
      asio::detached);
}

}  // namespace cisd

#include "daemon/endpoints.hpp"

#include <charconv>
#include <cstdint>

namespace cisd {

namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain; charset=utf-8";

HttpResponse json(unsigned status, const nlohmann::json& body) { return {status, kJson, body.dump(2) + "\n"}; }

HttpResponse json_error(unsigned status, const std::string& message) {
  return json(status, {{"error", message}});
}

}  // namespace

HttpResponse serve(const DaemonView& daemon, Metrics& metrics, const HttpRequest& request) {
  const auto& path = request.path;
  if (path == "/healthz") return {200, kText, "ok\n"};  // the event loop answered: alive
  if (path == "/readyz") {
    auto why = not_ready_reason(daemon.status(0));
    return why.empty() ? HttpResponse{200, kText, "ready\n"} : HttpResponse{503, kText, "not ready: " + why + "\n"};
  }
  if (path == "/metrics") {
    metrics.collect(daemon.status(0));
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics.text()};
  }
  if (path == "/status") {
    std::size_t max_routes = kStatusRoutes;
    if (auto it = request.query.find("routes"); it != request.query.end()) {
      const auto& v = it->second;
      if (v == "all") return json(200, to_json(daemon.status(SIZE_MAX)));
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), max_routes);
      if (ec != std::errc() || end != v.data() + v.size()) return json_error(400, "routes: expected a number or all");
    }
    return json(200, to_json(daemon.status(max_routes)));
  }
  if (path == "/explain") {
    auto it = request.query.find("ip");
    if (it == request.query.end()) return json_error(400, "missing ?ip=ADDRESS");
    auto ip = net::Address::parse(it->second);
    if (!ip) return json_error(400, "not an IP address: " + it->second);
    return json(200, to_json(daemon.explain(*ip)));
  }
  return {404, kText, "not found; try /metrics /healthz /readyz /status /explain?ip=ADDRESS\n"};
}

}  // namespace cisd

#include "daemon/endpoints.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
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
    auto why = not_ready_reason(daemon.status(RoutePage{}));
    return why.empty() ? HttpResponse{200, kText, "ready\n"} : HttpResponse{503, kText, "not ready: " + why + "\n"};
  }
  if (path == "/metrics") {
    metrics.collect(daemon.status(RoutePage{}));
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics.text()};
  }
  if (path == "/status") {
    RoutePage page{0, kStatusRoutes};
    auto number = [&](const char* key, std::size_t& out) {
      auto it = request.query.find(key);
      if (it == request.query.end()) return true;
      const auto& v = it->second;
      if (std::string_view(key) == "routes" && v == "all") {
        out = kMaxStatusRoutes;
        return true;
      }
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      return ec == std::errc() && end == v.data() + v.size();
    };
    if (!number("routes", page.limit)) return json_error(400, "routes: expected a number or all");
    if (!number("offset", page.offset)) return json_error(400, "offset: expected a number");
    page.limit = std::min(page.limit, kMaxStatusRoutes);
    return json(200, to_json(daemon.status(page)));
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

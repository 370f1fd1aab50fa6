// What each path of the daemon's HTTP endpoint answers: /metrics /healthz /readyz /status
// /explain?ip=. The daemon is seen only through DaemonView, so this is testable without sockets.
#pragma once
#include <cstddef>
#include <optional>

#include "daemon/explain.hpp"
#include "daemon/http_server.hpp"
#include "daemon/metrics.hpp"
#include "daemon/status.hpp"

namespace cisd {

// The daemon as the endpoint sees it (called on the io_context).
class DaemonView {
 public:
  virtual ~DaemonView() = default;
  // max_routes: list at most this many advertised routes (the counts are always complete).
  virtual Status status(std::size_t max_routes) const = 0;
  virtual Explanation explain(const net::Address& ip) const = 0;
};

// Default number of routes /status lists; `?routes=N` or `?routes=all` asks for another number.
inline constexpr std::size_t kStatusRoutes = 1000;

HttpResponse serve(const DaemonView& daemon, Metrics& metrics, const HttpRequest& request);

}  // namespace cisd

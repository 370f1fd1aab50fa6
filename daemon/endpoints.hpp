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
  // List the advertised routes of `page` only (the counts are always complete).
  virtual Status status(RoutePage page) const = 0;
  virtual Explanation explain(const net::Address& ip) const = 0;
};

// /status lists kStatusRoutes advertised routes unless `?routes=N` asks for another number; at
// most kMaxStatusRoutes whatever is asked (`?routes=all` included), so that one request costs the
// event loop a bounded amount of work and memory. `&offset=K` pages on: the document says
// `next_offset` while routes follow.
inline constexpr std::size_t kStatusRoutes = 1000;
inline constexpr std::size_t kMaxStatusRoutes = 5000;

HttpResponse serve(const DaemonView& daemon, Metrics& metrics, const HttpRequest& request);

}  // namespace cisd

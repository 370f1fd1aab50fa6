// The daemon's local HTTP endpoint (http.listen): a thin Boost.Beast adapter on the daemon's
// io_context. It accepts, reads one small GET request, asks the handler for the response, writes
// it and closes. It knows nothing of metrics or status: the handler does.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "io/asio.hpp"
#include "daemon/http_server_work_budget.hpp"

namespace cisd {

struct HttpRequest {
  std::string path;                           // "/explain"
  std::map<std::string, std::string> query;   // percent-decoded
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// "/explain?ip=10.96.0.10" -> path and decoded query; nullopt on a bad percent escape.
std::optional<HttpRequest> parse_target(std::string_view target);

// How many connections the endpoint holds open, and for how long (docs/security.md). A client
// address cannot take more than its share, so a LAN host that floods the port starves only itself:
// the kubelet's probes (from this host), Prometheus and the BGP sessions carry on.
struct HttpLimits {
  std::size_t per_address = 4;             // open at once from one remote address
  std::size_t same_host_per_address = 16;  // from this host (loopback, or the node's own address)
  std::size_t remote_total = 64;           // from other hosts, all their addresses together
  std::size_t same_host_total = 256;       // from this host, all of 127.0.0.0/8 and the node's addresses
  std::chrono::milliseconds header_deadline{5000};  // the whole request head, however slowly it trickles
  std::chrono::milliseconds write_deadline{10000};  // the response, however slowly it is read
  // Event-loop time one remote address may spend on requests: a fifth of the loop, with a burst
  // that lets `clusterip-speaker status --json` page through 100k routes. This host is exempt.
  std::chrono::milliseconds remote_work_per_second{200};
  std::chrono::milliseconds remote_work_burst{2000};
};

// The connections open now, by client address, and the remote addresses' work budget; shared by
// the acceptor and its connections.
class ConnectionCounts {
 public:
  explicit ConnectionCounts(HttpLimits limits)
      : limits_(limits), budget_(limits.remote_work_per_second, limits.remote_work_burst) {}
  // Counts a new connection from `client` (`same_host`: from this host) and says whether it may
  // stay; a refused one is not counted.
  bool admit(const asio::ip::address& client, bool same_host,
             WorkBudget::Clock::time_point now = WorkBudget::Clock::now());
  void release(const asio::ip::address& client, bool same_host);
  // A request from `client` kept the event loop busy for `work`.
  void charge(const asio::ip::address& client, bool same_host, WorkBudget::Clock::duration work,
              WorkBudget::Clock::time_point now = WorkBudget::Clock::now());
  std::size_t open_from(const asio::ip::address& client) const;
  const HttpLimits& limits() const { return limits_; }

 private:
  HttpLimits limits_;
  WorkBudget budget_;
  std::map<asio::ip::address, std::size_t> by_address_;
  std::size_t remote_ = 0;
  std::size_t same_host_ = 0;
};

class HttpServer {
 public:
  static constexpr std::size_t kMaxRequestBytes = 8192;  // headers; GET has no body

  HttpServer(asio::io_context& io, HttpHandler handler, HttpLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Empty on success, else why it cannot listen (the daemon logs it and carries on).
  std::string listen(const std::string& address);
  void stop();
  asio::ip::tcp::endpoint local_endpoint() const;

 private:
  class Connection;
  void accept_next();
  void note_refusal(const asio::ip::address& client);

  asio::io_context& io_;
  std::shared_ptr<const HttpHandler> handler_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::shared_ptr<ConnectionCounts> counts_;  // shared: connections may outlive the server
  std::chrono::steady_clock::time_point last_refusal_warning_{};
  std::uint64_t refused_since_warning_ = 0;
};

}  // namespace cisd

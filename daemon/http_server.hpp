// The daemon's local HTTP endpoint (http.listen): a thin Boost.Beast adapter on the daemon's
// io_context. It accepts, reads one small GET request, asks the handler for the response, writes
// it and closes. It knows nothing of metrics or status: the handler does.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bgp/asio.hpp"

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

// "127.0.0.1:9474", "[::1]:9474" -> endpoint; nullopt if malformed. Port 0 picks a free port.
std::optional<asio::ip::tcp::endpoint> parse_listen(std::string_view text);
// "/explain?ip=10.96.0.10" -> path and decoded query; nullopt on a bad percent escape.
std::optional<HttpRequest> parse_target(std::string_view target);

class HttpServer {
 public:
  // Small on purpose: a scraper, a probe and an operator at a time.
  static constexpr std::size_t kMaxConnections = 8;
  static constexpr std::size_t kMaxRequestBytes = 8192;  // headers; GET has no body
  static constexpr std::chrono::seconds kTimeout{10};

  HttpServer(asio::io_context& io, HttpHandler handler);
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

  asio::io_context& io_;
  std::shared_ptr<const HttpHandler> handler_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::shared_ptr<std::size_t> open_ = std::make_shared<std::size_t>(0);  // outlives us in callbacks
};

}  // namespace cisd

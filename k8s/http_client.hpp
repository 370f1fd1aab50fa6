// HTTP/1.1 over TLS (or plain, for kube-proxy) to one server, as C++20 coroutines on the
// caller's io_context: no threads. The server certificate is checked against the configured CA
// and the host name or IP, unless insecure_skip_verify.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "k8s/kubeconfig.hpp"
#include "net/expected.hpp"

namespace k8s {

struct HttpResponse {
  unsigned status = 0;
  std::string body;  // for stream(): the body only when the status is not 2xx
  bool line_over_limit = false;  // stream(): ended at a line longer than max_line_bytes
};

// The longest watch line stream() takes by default. An object is at most 1.5 MiB in etcd (the
// apiserver's default request limit); its JSON in a watch event stays well below this.
constexpr std::size_t kDefaultMaxLineBytes = 8u << 20;
// The error is a transport failure (connect, TLS, timeout, broken framing), said for people.
using HttpResult = net::Expected<HttpResponse, std::string>;

struct HttpTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds request{60'000};  // a whole GET/POST exchange
};

// Lets the owner of a request abort it from outside (stop()): closes its socket.
class RequestCanceller {
 public:
  void cancel();
  bool cancelled() const { return cancelled_; }
  void reset() { cancelled_ = false; }
  // Used by HttpClient while a request is in flight.
  void set_closer(std::function<void()> close) { close_ = std::move(close); }

 private:
  bool cancelled_ = false;
  std::function<void()> close_;  // set while a request is in flight
};

// "path?k=v&k2=v2" with the values percent-encoded.
std::string make_target(std::string_view path, const std::vector<std::pair<std::string, std::string>>& query);

class HttpClient {
 public:
  // Complete lines of a streamed body, all those one read brought; return false to stop.
  using LinesHandler = std::function<bool(const std::vector<std::string_view>& lines)>;

  // Fails on unusable TLS material (bad PEM), naming it.
  static net::Expected<std::shared_ptr<HttpClient>, std::string> create(boost::asio::any_io_executor executor,
                                                                        ClusterConfig config, HttpTimeouts timeouts = {});
  ~HttpClient();

  // target: path and query, without the server's base path.
  boost::asio::awaitable<HttpResult> get(std::string target, RequestCanceller* cancel = nullptr);
  boost::asio::awaitable<HttpResult> post(std::string target, std::string json_body, RequestCanceller* cancel = nullptr);
  // A GET whose body is read as it arrives and handed over line by line (watch streams).
  // idle_timeout bounds the wait for each read. Ends when the server ends the body, on error,
  // when on_lines returns false, or at a line longer than max_line_bytes (line_over_limit).
  boost::asio::awaitable<HttpResult> stream(std::string target, LinesHandler on_lines,
                                            std::chrono::milliseconds idle_timeout, RequestCanceller* cancel = nullptr,
                                            std::size_t max_line_bytes = kDefaultMaxLineBytes);

  const ClusterConfig& config() const;
  boost::asio::any_io_executor executor() const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl>);
  boost::asio::awaitable<HttpResult> exchange(std::string method, std::string target, std::string body,
                                              LinesHandler* on_lines, std::chrono::milliseconds idle,
                                              RequestCanceller* cancel, std::size_t max_line_bytes = 0);
  std::unique_ptr<Impl> impl_;
};

}  // namespace k8s

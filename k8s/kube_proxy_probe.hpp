// Is kube-proxy on this node working? Polls its /healthz (port 10256) and /proxyMode (metrics
// port 10249) over plain HTTP on the io_context. Healthy until `failure_threshold` polls in a
// row fail, so one slow answer does not withdraw the node's routes.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "k8s/http_client.hpp"

namespace k8s {

struct KubeProxyProbeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t healthz_port = 10256;
  std::uint16_t metrics_port = 10249;
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds timeout{1000};
  unsigned failure_threshold = 3;
};

struct KubeProxyStatus {
  bool healthy = false;          // false until the first successful poll
  std::string mode;              // "iptables" | "ipvs" | "nftables" | "" (unknown)
  unsigned consecutive_failures = 0;
  std::string last_error;
  std::uint64_t polls = 0;
  bool operator==(const KubeProxyStatus&) const = default;
};

// The pure part: one poll's outcome folded into the status.
KubeProxyStatus fold_probe_result(KubeProxyStatus status, bool ok, std::string error, unsigned failure_threshold);

class KubeProxyProbe : public std::enable_shared_from_this<KubeProxyProbe> {
 public:
  // on_change: when healthy or mode changes (not on every poll).
  static std::shared_ptr<KubeProxyProbe> create(boost::asio::any_io_executor executor, KubeProxyProbeOptions options,
                                                std::function<void(const KubeProxyStatus&)> on_change);
  void start();
  void stop();
  const KubeProxyStatus& status() const { return status_; }

 private:
  KubeProxyProbe(boost::asio::any_io_executor executor, KubeProxyProbeOptions options,
                 std::function<void(const KubeProxyStatus&)> on_change);
  boost::asio::awaitable<void> run();

  KubeProxyProbeOptions options_;
  std::function<void(const KubeProxyStatus&)> on_change_;
  std::shared_ptr<HttpClient> healthz_, metrics_;
  KubeProxyStatus status_;
  RequestCanceller canceller_;
  boost::asio::steady_timer timer_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace k8s

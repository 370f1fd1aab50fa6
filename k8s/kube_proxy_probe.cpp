#include "k8s/kube_proxy_probe.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace k8s {

namespace asio = boost::asio;

KubeProxyStatus fold_probe_result(KubeProxyStatus status, bool ok, std::string error, unsigned failure_threshold) {
  ++status.polls;
  if (ok) {
    status.consecutive_failures = 0;
    status.healthy = true;
    status.last_error.clear();
  } else {
    ++status.consecutive_failures;
    status.last_error = std::move(error);
    if (status.consecutive_failures >= failure_threshold) status.healthy = false;
  }
  return status;
}

namespace {
std::shared_ptr<HttpClient> plain_client(asio::any_io_executor ex, const std::string& host, std::uint16_t port,
                                         std::chrono::milliseconds timeout) {
  ClusterConfig cfg;
  cfg.server.scheme = "http";
  cfg.server.host = host;
  cfg.server.port = port;
  cfg.source = "kube-proxy";
  return *HttpClient::create(ex, std::move(cfg), HttpTimeouts{timeout, timeout});  // plain HTTP cannot fail here
}
}  // namespace

std::shared_ptr<KubeProxyProbe> KubeProxyProbe::create(asio::any_io_executor executor, KubeProxyProbeOptions options,
                                                       std::function<void(const KubeProxyStatus&)> on_change) {
  return std::shared_ptr<KubeProxyProbe>(new KubeProxyProbe(executor, std::move(options), std::move(on_change)));
}

KubeProxyProbe::KubeProxyProbe(asio::any_io_executor executor, KubeProxyProbeOptions options,
                               std::function<void(const KubeProxyStatus&)> on_change)
    : options_(std::move(options)),
      on_change_(std::move(on_change)),
      healthz_(plain_client(executor, options_.host, options_.healthz_port, options_.timeout)),
      metrics_(plain_client(executor, options_.host, options_.metrics_port, options_.timeout)),
      timer_(executor) {}

void KubeProxyProbe::start() {
  if (started_) return;
  started_ = true;
  asio::co_spawn(timer_.get_executor(), [self = shared_from_this()] { return self->run(); },
                 [](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     spdlog::error("kube-proxy probe stopped by an exception: {}", ex.what());
                   }
                 });
}

void KubeProxyProbe::stop() {
  stopped_ = true;
  canceller_.cancel();
  timer_.cancel();
}

asio::awaitable<void> KubeProxyProbe::run() {
  while (!stopped_) {
    bool ok = false;
    std::string error;
    auto res = co_await healthz_->get("/healthz", &canceller_);
    if (stopped_) break;
    if (!res) error = "healthz: " + res.error();
    else if (res->status != 200) error = "healthz: HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 200);
    else ok = true;

    std::string mode = status_.mode;
    if (ok) {
      // The mode rarely changes; a failure here does not make kube-proxy unhealthy.
      auto m = co_await metrics_->get("/proxyMode", &canceller_);
      if (stopped_) break;
      if (m && m->status == 200) {
        mode = m->body;
        while (!mode.empty() && (mode.back() == '\n' || mode.back() == ' ' || mode.back() == '\r')) mode.pop_back();
      }
    }
    KubeProxyStatus next = fold_probe_result(status_, ok, std::move(error), options_.failure_threshold);
    next.mode = mode;
    bool changed = next.healthy != status_.healthy || next.mode != status_.mode || status_.polls == 0;
    if (next.healthy != status_.healthy || (!ok && next.consecutive_failures == 1))
      spdlog::log(next.healthy ? spdlog::level::info : spdlog::level::warn, "kube-proxy: {}{}",
                  next.healthy ? "healthy" : "failing", next.last_error.empty() ? "" : ": " + next.last_error);
    status_ = std::move(next);
    if (changed && on_change_) on_change_(status_);
    if (stopped_) break;
    boost::system::error_code ec;
    timer_.expires_after(options_.interval);
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace k8s

// Everything the daemon learns from Kubernetes and the local kube-proxy, kept in the planner's
// Facts: Services, EndpointSlices, this Node, the Service CIDRs and kube-proxy's health.
// Runs on the daemon's io_context; tells the daemon when the facts changed.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "io/asio.hpp"
#include "config/config.hpp"
#include "daemon/kube_proxy_programmed.hpp"
#include "daemon/planner.hpp"
#include "k8s/http_client.hpp"
#include "k8s/kube_proxy_probe.hpp"
#include "k8s/reflector.hpp"

namespace cisd {

class KubernetesSource {
 public:
  // `facts` outlives this object; `changed` is called (on the io_context) after every update.
  // The source keeps its own copy of `config`: a reload that changes what it uses makes a new one.
  KubernetesSource(asio::io_context& io, const config::Config& config, Facts& facts, std::function<void()> changed);
  ~KubernetesSource();

  // Empty on success, else why the API cannot be reached at all (bad kubeconfig, ...).
  std::string start();
  void stop();
  // Every source has reported once: the first plan may go out.
  bool synced() const;
  // For status and logs: what still holds the first plan back.
  std::string waiting_for() const;
  // For status and metrics: each reflector's counters, by resource ("services", ...).
  std::map<std::string, k8s::ReflectorStats> stats() const;
  // The API server's client once started (for Events); null before.
  std::shared_ptr<k8s::HttpClient> client() const { return client_; }

 private:
  void discover_cidrs();
  // After discovery found ServiceCIDR objects: keep following them (a cluster grows its Service
  // range by adding one), version "v1" or "v1beta1".
  void watch_service_cidrs(const std::string& version);

  asio::io_context& io_;
  const config::Config config_;  // a copy: a reload replaces the daemon's (the static lists are shared)
  Facts& facts_;
  std::function<void()> changed_;
  std::shared_ptr<k8s::HttpClient> client_;
  std::shared_ptr<k8s::Reflector<k8s::Service>> services_;
  std::shared_ptr<k8s::Reflector<k8s::EndpointSlice>> slices_;
  std::shared_ptr<k8s::Reflector<k8s::Node>> node_;
  std::shared_ptr<k8s::Reflector<k8s::ServiceCidr>> service_cidrs_;  // only when discovered from them
  std::shared_ptr<k8s::KubeProxyProbe> kube_proxy_;
  std::shared_ptr<KubeProxyProgrammed> programmed_;  // only with advertise.require_programmed
  bool programmed_known_ = false;
  asio::steady_timer cidr_retry_;
  bool cidrs_known_ = false;
  bool services_synced_ = false, slices_synced_ = false, node_synced_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards callbacks after stop()
};

}  // namespace cisd

#include "daemon/kubernetes_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "k8s/kubeconfig.hpp"
#include "k8s/service_cidr_discovery.hpp"

namespace cisd {

namespace {

constexpr auto kCidrRetry = std::chrono::seconds(5);

// Applies one batch of reflector changes to a keyed map of the facts; `record` notes each key
// for the planner, which then replans only what changed.
template <typename T, typename Record>
void apply(std::map<std::string, T>& into, const std::vector<k8s::Change<T>>& changes, Record record) {
  for (const auto& c : changes) {
    if (c.type == k8s::ChangeType::deleted)
      into.erase(c.key);
    else
      into[c.key] = c.object;
    record(c.key);
  }
}

std::string join(const std::vector<net::Prefix>& prefixes) {
  std::string out;
  for (const auto& p : prefixes) out += (out.empty() ? "" : ", ") + p.to_string();
  return out;
}

}  // namespace

KubernetesSource::KubernetesSource(asio::io_context& io, const config::Config& config, Facts& facts,
                                   std::function<void()> changed)
    : io_(io), config_(config), facts_(facts), changed_(std::move(changed)), cidr_retry_(io) {}

KubernetesSource::~KubernetesSource() { stop(); }

std::string KubernetesSource::start() {
  facts_.kubernetes = true;
  facts_.node_name = config_.node.name;

  auto cluster = k8s::load_cluster_config(config_.kubernetes.kubeconfig, [](const char* n) { return std::getenv(n); });
  if (!cluster) return cluster.error();
  auto client = k8s::HttpClient::create(io_.get_executor(), std::move(*cluster));
  if (!client) return client.error();
  client_ = *client;

  auto alive = alive_;
  services_ = k8s::Reflector<k8s::Service>::create(
      client_, k8s::resources::services(),
      {.on_change = [this, alive](const auto& changes) {
         if (!*alive) return;
         apply(facts_.services, changes, [this](const std::string& key) { facts_.changes.service(key); });
         changed_();
       },
       .on_synced = [this, alive] {
         if (!*alive) return;
         services_synced_ = true;
         changed_();
       }});
  slices_ = k8s::Reflector<k8s::EndpointSlice>::create(
      client_, k8s::resources::endpoint_slices(),
      {.on_change = [this, alive](const auto& changes) {
         if (!*alive) return;
         apply(facts_.endpoint_slices, changes, [this](const std::string& key) { facts_.changes.endpoint_slice(key); });
         changed_();
       },
       .on_synced = [this, alive] {
         if (!*alive) return;
         slices_synced_ = true;
         changed_();
       }});
  node_ = k8s::Reflector<k8s::Node>::create(
      client_, k8s::resources::node(config_.node.name),
      {.on_change = [this, alive](const auto& changes) {
         if (!*alive) return;
         for (const auto& c : changes) {
           if (c.type == k8s::ChangeType::deleted)
             facts_.node.reset();
           else
             facts_.node = c.object;
         }
         changed_();
       },
       .on_synced = [this, alive] {
         if (!*alive) return;
         node_synced_ = true;
         if (!facts_.node) spdlog::warn("kubernetes: Node {} does not exist (yet); set node.name or NODE_NAME",
                                        config_.node.name);
         changed_();
       }});
  services_->start();
  slices_->start();
  node_->start();

  if (config_.advertise.service_cidrs) {
    cidrs_known_ = true;
  } else {
    discover_cidrs();
  }

  k8s::KubeProxyProbeOptions probe;
  if (auto url = k8s::parse_server_url(config_.kubernetes.kube_proxy_healthz)) {
    probe.host = url->host;
    probe.healthz_port = url->port;
  }
  if (auto url = k8s::parse_server_url(config_.kubernetes.kube_proxy_metrics)) probe.metrics_port = url->port;
  if (config_.advertise.require_programmed) {
    // Which ClusterIPs kube-proxy has really programmed here; the probe tells it the proxy mode.
    programmed_ = KubeProxyProgrammed::create(io_.get_executor(), {}, [this, alive](const Programmed& p) {
      if (!*alive) return;
      facts_.programmed = p;
      // A read in a known proxy mode; in unknown mode the probe decides (below).
      if (programmed_->mode() != ProxyMode::unknown) programmed_known_ = true;
      changed_();
    });
    programmed_->start();
  }
  kube_proxy_ = k8s::KubeProxyProbe::create(io_.get_executor(), probe, [this, alive](const k8s::KubeProxyStatus& s) {
    if (!*alive) return;
    facts_.kube_proxy_healthy = s.healthy;
    if (programmed_) {
      programmed_->set_mode(parse_proxy_mode(s.mode));
      // kube-proxy answered without a mode we can read: there is nothing to wait for (the plan
      // then does not filter on programmed state, and the reader has warned).
      if (programmed_->mode() == ProxyMode::unknown) programmed_known_ = true;
    }
    changed_();
  });
  kube_proxy_->start();
  spdlog::info("kubernetes: watching Services, EndpointSlices and Node {}", config_.node.name);
  return {};
}

void KubernetesSource::discover_cidrs() {
  auto alive = alive_;
  k8s::discover_service_cidrs(client_, [this, alive](net::Expected<k8s::ServiceCidrDiscovery, std::string> r) {
    if (!*alive) return;
    if (!r || r->cidrs.empty()) {
      spdlog::warn("kubernetes: Service CIDR discovery failed ({}); retrying in {}s",
                   r ? std::string("no CIDR found") : r.error(), kCidrRetry.count());
      cidr_retry_.expires_after(kCidrRetry);
      cidr_retry_.async_wait([this, alive](boost::system::error_code ec) {
        if (!ec && *alive) discover_cidrs();
      });
      return;
    }
    spdlog::info("kubernetes: Service CIDRs {} (from {})", join(r->cidrs), r->method);
    facts_.service_cidrs = r->cidrs;
    facts_.service_cidr_source = r->method;
    cidrs_known_ = true;
    changed_();
    const std::string from_objects = "ServiceCIDR networking.k8s.io/";
    if (r->method.starts_with(from_objects)) watch_service_cidrs(r->method.substr(from_objects.size()));
  });
}

void KubernetesSource::watch_service_cidrs(const std::string& version) {
  auto alive = alive_;
  auto update = [this, alive] {
    if (!*alive) return;
    std::vector<net::Prefix> cidrs;
    for (const auto& [key, object] : service_cidrs_->items())
      for (const auto& p : object.cidrs)
        if (std::find(cidrs.begin(), cidrs.end(), p) == cidrs.end()) cidrs.push_back(p);
    // None at all is not a cluster state (the API server keeps its default one): keep the last.
    if (cidrs.empty() || cidrs == facts_.service_cidrs) return;
    spdlog::info("kubernetes: Service CIDRs now {} (ServiceCIDR objects changed)", join(cidrs));
    facts_.service_cidrs = std::move(cidrs);
    changed_();
  };
  service_cidrs_ = k8s::Reflector<k8s::ServiceCidr>::create(
      client_, k8s::resources::service_cidrs(version),
      {.on_change = [update](const auto&) { update(); }, .on_synced = [update] { update(); }});
  service_cidrs_->start();
}

void KubernetesSource::stop() {
  if (!*alive_) return;
  *alive_ = false;
  cidr_retry_.cancel();
  if (services_) services_->stop();
  if (slices_) slices_->stop();
  if (node_) node_->stop();
  if (service_cidrs_) service_cidrs_->stop();
  if (kube_proxy_) kube_proxy_->stop();
  if (programmed_) programmed_->stop();
}

bool KubernetesSource::synced() const { return waiting_for().empty(); }

std::string KubernetesSource::waiting_for() const {
  std::string w;
  auto add = [&](bool done, const char* what) {
    if (!done) w += (w.empty() ? "" : ", ") + std::string(what);
  };
  add(services_synced_, "Services");
  add(slices_synced_, "EndpointSlices");
  add(node_synced_, "Node");
  add(cidrs_known_, "Service CIDRs");
  add(!config_.advertise.require_kube_proxy || facts_.kube_proxy_healthy.has_value(), "kube-proxy");
  add(!programmed_ || programmed_known_, "kube-proxy's programmed ClusterIPs");
  return w;
}

std::map<std::string, k8s::ReflectorStats> KubernetesSource::stats() const {
  std::map<std::string, k8s::ReflectorStats> out;
  if (services_) out["services"] = services_->stats();
  if (slices_) out["endpointslices"] = slices_->stats();
  if (node_) out["node"] = node_->stats();
  if (service_cidrs_) out["servicecidrs"] = service_cidrs_->stats();
  return out;
}

}  // namespace cisd

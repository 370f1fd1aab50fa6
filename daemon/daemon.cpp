#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstring>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "io/asio.hpp"
#include "bgp/speaker.hpp"
#include "daemon/bfd_sessions.hpp"
#include "daemon/endpoints.hpp"
#include "daemon/event_recorder.hpp"
#include "daemon/http_server.hpp"
#include "daemon/metrics.hpp"
#include "daemon/config_watcher.hpp"
#include "daemon/kubernetes_source.hpp"
#include "daemon/logging.hpp"
#include "kernel/local_addresses.hpp"
#include "daemon/plan_warnings.hpp"
#include "kernel/netlink.hpp"
#include "daemon/peer_selection.hpp"
#include "daemon/planner.hpp"
#include "daemon/planner_refusals.hpp"
#include "daemon/privileges.hpp"
#include "daemon/version.hpp"
#include "daemon/withdraw_damper.hpp"
#include "config/static_file.hpp"
#include "ospf/speaker.hpp"

namespace cisd {

namespace {

// How long past the longest drain a leaving daemon waits for peers before it exits anyway.
constexpr auto kShutdownGrace = std::chrono::seconds(5);

std::optional<std::string> read_secret(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return "cannot read " + path;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return std::nullopt;
}

// The sources -> planner -> speakers pipeline, on one io_context.
class Daemon : public DaemonView {  // the HTTP endpoint sees it as a DaemonView
 public:
  Daemon(asio::io_context& io, config::Config cfg, std::uint32_t router_id, const std::string& bfd_state_file)
      : io_(io),
        cfg_(std::move(cfg)),
        bfd_(io_, [this](const bfd::SessionKey& key) { on_bfd_failure(key); }, bfd_state_file),
        damper_(cfg_.advertise.withdraw_delay),
        damper_timer_(io) {
    if (cfg_.advertise.service_cidrs) facts_.service_cidrs = *cfg_.advertise.service_cidrs;
    if (cfg_.bgp.enabled) {
      read_gateways();
      peers_ = select_peers(cfg_.bgp, node_labels(), gateways_);
      for (const auto& note : peers_.notes) spdlog::info("BGP: {}", note);
      speaker_.emplace(io_, peers_.bgp, router_id);
      spdlog::info("BGP: AS {}, router id {}, {} peer(s) of {} configured", cfg_.bgp.asn,
                   net::Address::v4(router_id).to_string(), peers_.bgp.peers.size(), cfg_.bgp.peers.size());
    }
    if (cfg_.ospf.enabled) ospf_.emplace(io_, cfg_.ospf, router_id);
    router_id_ = router_id;
  }

  // Empty on success, else why the daemon cannot start.
  std::string start() {
    watch_own_addresses();
    watch_gateways();
    if (cfg_.kubernetes.enabled) {
      kubernetes_.emplace(io_, cfg_, facts_, [this] { request_replan(); });
      if (auto err = kubernetes_->start(); !err.empty()) return "kubernetes: " + err;
      start_events();
    } else if (!cfg_.advertise.service_cidrs) {
      spdlog::warn("advertise.service_cidrs is auto and Kubernetes is disabled: no Service CIDR to advertise");
    }
    if (speaker_) {
      speaker_->on_retired([this] { sync_bfd(); });  // a peer removed by a reload has left
      speaker_->start();
    }
    if (ospf_) {
      ospf_->on_neighbors_changed([this] { sync_bfd(); });
      ospf_->start();
    }
    sync_bfd();
    start_http();
    request_replan();
    return {};
  }

  // What /status, /metrics and /readyz read; see daemon/endpoints.hpp.
  Status status(RoutePage page) const override {
    Status s;
    s.taken_at = std::chrono::steady_clock::now();
    s.version = kVersion;
    s.node = cfg_.node.name;
    s.router_id = router_id_;
    s.service_cidrs = facts_.service_cidrs;
    s.service_cidr_source = facts_.service_cidr_source;
    s.planned = planned_;
    if (kubernetes_) s.waiting_for = kubernetes_->waiting_for();
    s.withheld = withheld_;
    s.excluded = last_plan_.excluded.size();
    set_advertised(s, advertised_, page);
    s.bgp_enabled = speaker_.has_value();
    if (speaker_) s.peers = speaker_->status();
    s.peer_selection = peers_.notes;
    s.bfd_sessions = bfd_.status();
    s.ospf_enabled = ospf_.has_value();
    if (ospf_) {
      s.ospf_router_id = ospf_->router_id();
      s.ospf_neighbors = ospf_->neighbors();
      s.ospf_lsas_originated = ospf_->counters().lsas_originated;
      s.ospf_packets_received = ospf_->counters().packets_received;
      s.ospf_dropped = ospf_->counters().dropped;
    }
    s.kubernetes_enabled = kubernetes_.has_value();
    if (kubernetes_) {
      s.kube_proxy_healthy = facts_.kube_proxy_healthy;
      if (facts_.node) s.node_ready = facts_.node->ready;
      s.node_cordoned = facts_.node && facts_.node->unschedulable;
      s.kubernetes = kubernetes_->stats();
    }
    return s;
  }

  Explanation explain(const net::Address& ip) const override {
    if (planned_) {
      auto e = cisd::explain(last_plan_, facts_, advertised_, ip);
      e.sessions = carrying_sessions();
      return e;
    }
    Plan none;
    none.withheld = "no plan computed yet" +
                    (kubernetes_ ? " (waiting for " + kubernetes_->waiting_for() + ")" : std::string());
    return cisd::explain(none, facts_, advertised_, ip);
  }

  // on_sigterm picks, per BGP peer, between leaving and a graceful restart (bgp/departure.hpp).
  void shutdown(bgp::OnSigterm on_sigterm, std::function<void()> done) {
    if (kubernetes_) kubernetes_->stop();
    damper_timer_.cancel();
    replan_timer_.cancel();
    // BFD must not make a planned stop look like a failure. Routers (BIRD 2.0, FRR 8) take BGP
    // down on any BFD Down, AdminDown included and even while a graceful restart is under way.
    // So: the sessions of peers we restart are handed to the next instance (the router is asked
    // to wait for it, and sees no Down); the others say AdminDown only after BGP and OSPF have
    // left in order.
    const auto restarting = speaker_ ? speaker_->restarting_peers(on_sigterm, withheld_.empty())
                                     : std::vector<const config::PeerConfig*>{};
    std::chrono::milliseconds window{0};
    for (const auto* p : restarting)
      window = window.count() ? std::min(window, p->graceful_restart.restart_time) : p->graceful_restart.restart_time;
    bfd_.hand_over(restarting, window, [this, on_sigterm, done = std::move(done)]() mutable {
      depart(on_sigterm, [this, done = std::move(done)]() mutable { bfd_.admin_down(std::move(done)); });
    });
  }

  void depart(bgp::OnSigterm on_sigterm, std::function<void()> done) {
    // Both speakers leave at once; `done` when the last one has finished.
    auto pending = std::make_shared<int>((speaker_ ? 1 : 0) + (ospf_ ? 1 : 0));
    if (*pending == 0) return done();
    auto finished = [pending, done = std::move(done)] {
      if (--*pending == 0) done();
    };
    // A withheld plan (kube-proxy unhealthy, node NotReady or cordoned...) means this node should
    // not draw traffic: then the automatic choice leaves rather than have its routes kept as stale.
    if (speaker_)
      speaker_->shutdown("clusterip-speaker on " + cfg_.node.name + " is shutting down", on_sigterm,
                         withheld_.empty(), finished);
    if (ospf_) ospf_->shutdown(finished);
  }

  // A new, valid configuration: apply what changed, keep what did not (sessions included).
  void reload(config::Config next) {
    if (next == cfg_) {
      spdlog::info("reload: configuration unchanged");
      return;
    }
    const config::Config old = cfg_;
    cfg_ = std::move(next);
    // What this build cannot change while running keeps its old value, said out loud.
    auto keep = [&](bool changed, const char* what, auto& field, const auto& old_value) {
      if (!changed) return;
      spdlog::warn("reload: {} changed; restart the daemon to apply it", what);
      field = old_value;
    };
    keep(cfg_.node.router_id != old.node.router_id, "node.router_id", cfg_.node.router_id, old.node.router_id);
    keep(cfg_.bgp.enabled != old.bgp.enabled, "bgp.enabled", cfg_.bgp.enabled, old.bgp.enabled);
    keep(!(cfg_.ospf == old.ospf), "the ospf section", cfg_.ospf, old.ospf);
    // A new privileged bind or use fails after the drop; say so, not just "EACCES".
    for (const auto& p : reload_privilege_problems(old, cfg_, held_capabilities(), unprivileged_port_start()))
      spdlog::error("reload: {}", p);

    if (!(cfg_.log == old.log)) setup_logging(cfg_.log);
    damper_.set_delay(cfg_.advertise.withdraw_delay);
    if (cfg_.advertise.service_cidrs) facts_.service_cidrs = *cfg_.advertise.service_cidrs;

    const bool kubernetes_changed = !(cfg_.kubernetes == old.kubernetes) || cfg_.node.name != old.node.name ||
                                    cfg_.advertise.service_cidrs.has_value() != old.advertise.service_cidrs.has_value() ||
                                    cfg_.advertise.require_programmed != old.advertise.require_programmed ||
                                    cfg_.advertise.require_kube_proxy != old.advertise.require_kube_proxy;
    if (kubernetes_changed) {
      // Start over: nothing new is advertised until the new source has synced; the routes
      // already advertised stay meanwhile.
      spdlog::info("reload: Kubernetes settings changed; listing again");
      kubernetes_.reset();
      facts_ = Facts{};
      if (cfg_.advertise.service_cidrs) facts_.service_cidrs = *cfg_.advertise.service_cidrs;
      if (cfg_.kubernetes.enabled) {
        kubernetes_.emplace(io_, cfg_, facts_, [this] { request_replan(); });
        if (auto err = kubernetes_->start(); !err.empty()) spdlog::error("reload: kubernetes: {}", err);
      }
    }
    if (kubernetes_changed || cfg_.kubernetes.events != old.kubernetes.events) start_events();
    if (speaker_ && !(cfg_.bgp == old.bgp)) {
      peers_ = select_peers(cfg_.bgp, node_labels(), gateways_);
      speaker_->reconfigure(peers_.bgp);
    }
    sync_bfd();
    refresh_protected_addresses();  // the peers may have changed
    if (!(cfg_.http == old.http)) {
      http_.reset();
      start_http();
    }
    spdlog::info("reload: applied");
    request_replan();
  }

  std::chrono::milliseconds longest_drain() const {
    std::chrono::milliseconds longest{0};
    for (auto& p : cfg_.bgp.peers)
      if (p.graceful_shutdown.enabled) longest = std::max(longest, p.graceful_shutdown.drain_time);
    return longest;
  }

 private:
  // Each BGP peer and OSPF neighbour with its state and, where it runs, its BFD session's.
  std::vector<std::string> carrying_sessions() const {
    std::map<bfd::SessionKey, bfd::State> bfd_states;
    for (const auto& b : bfd_.status()) bfd_states[b.key] = b.snapshot.state;
    auto with_bfd = [&](const bfd::SessionKey& key) {
      auto it = bfd_states.find(key);
      return it == bfd_states.end() ? std::string() : std::string(", BFD ") + bfd::to_string(it->second);
    };
    std::vector<std::string> out;
    if (speaker_)
      for (const auto& p : speaker_->status()) {
        const bool multihop = std::any_of(peers_.bgp.peers.begin(), peers_.bgp.peers.end(), [&](const auto& c) {
          return c.address == p.address && c.multihop > 1;
        });
        out.push_back("BGP " + p.address.to_string() + ": " + bgp::to_string(p.state) +
                      with_bfd({p.address, multihop}));
      }
    if (ospf_)
      for (const auto& n : ospf_->neighbors())
        out.push_back("OSPF " + net::Address::v4(n.address).to_string() + " on " + n.interface + ": " + n.state +
                      with_bfd({net::Address::v4(n.address), false}));
    return out;
  }

  // kubernetes.events: an Event on a Service each time this node starts or stops advertising one
  // of its addresses.
  void start_events() {
    events_.reset();
    if (!cfg_.kubernetes.events || !kubernetes_ || !kubernetes_->client()) return;
    EventRecorder::Options options;
    options.on_result = [this](const char* result) { metrics_.count_event(result); };
    events_.emplace(io_, kubernetes_->client(), cfg_.node.name, options);
    spdlog::info("events: Kubernetes Events on Services are on (reportingController {})", kReportingController);
  }

  void sync_bfd() {
    bfd_.sync(peers_.bgp, cfg_.ospf, ospf_ ? ospf_->neighbors() : std::vector<ospf::NeighborStatus>{},
              speaker_ ? speaker_->retiring_peers() : std::vector<config::PeerConfig>{});
  }

  // This Node's labels once the Node has been seen; nullopt before (and without Kubernetes).
  // The last labels seen are kept across a reload that lists the API again, so that the peers
  // chosen by them do not flap meanwhile.
  std::optional<std::map<std::string, std::string>> node_labels() {
    if (kubernetes_ && facts_.node) node_labels_ = facts_.node->meta.labels;
    return node_labels_;
  }

  // The peers to talk to follow the Node's labels and the default gateways: a peer whose
  // node_selector starts or stops matching is added or removed, a gateway that moves is a new
  // peer (the old session closes). Like a reload, without touching anything else.
  void apply_peer_selection() {
    if (!speaker_) return;
    auto next = select_peers(cfg_.bgp, node_labels(), gateways_);
    if (next == peers_) return;
    for (const auto& note : next.notes)
      if (std::find(peers_.notes.begin(), peers_.notes.end(), note) == peers_.notes.end()) spdlog::info("BGP: {}", note);
    peers_ = std::move(next);
    speaker_->reconfigure(peers_.bgp);
    sync_bfd();
    refresh_protected_addresses();
  }

  bool wants_gateway() const {
    return std::any_of(cfg_.bgp.peers.begin(), cfg_.bgp.peers.end(), [](const auto& p) { return p.gateway; });
  }

  void read_gateways() {
    if (!wants_gateway()) return;
    auto read = [](net::Family family) -> std::optional<net::Address> {
      auto gateway = netlink::default_gateway(family);
      if (gateway) return *gateway;
      spdlog::warn("cannot read the default gateway: {}", gateway.error().message);
      return std::nullopt;
    };
    gateways_ = DefaultGateways{read(net::Family::ipv4), read(net::Family::ipv6)};
  }

  // `address: gateway` follows the routing table: any route change re-reads the gateways.
  void watch_gateways() {
    if (!speaker_) return;
    auto watcher = netlink::InterfaceWatcher::create_for_routes(io_.get_executor(), [this](const auto&) {
      if (!wants_gateway()) return;
      read_gateways();
      apply_peer_selection();
    });
    if (watcher)
      route_watcher_ = std::move(*watcher);
    else
      spdlog::warn("not watching the routing table ({}); a new default gateway is used after a restart",
                   watcher.error().message);
  }

  // RFC 5882 §4.3 and §4.1: the protected BGP session or OSPF neighbour goes down at once.
  void on_bfd_failure(const bfd::SessionKey& key) {
    if (speaker_) speaker_->bfd_down(key.peer);
    if (ospf_ && key.peer.is_v4() && !key.multihop) ospf_->bfd_down(key.peer.v4_value());
  }

  // A burst of watch events posts one replan: everything queued before it runs first. Under a
  // steady stream of events, replans are paced so that planning takes at most half the loop
  // (the next one waits as long as the last one took): an idle daemon reacts at once, a busy one
  // folds many events into each plan instead of falling behind one full replan per event.
  void request_replan() {
    if (!changed_at_) changed_at_ = std::chrono::steady_clock::now();
    if (replan_posted_) return;
    replan_posted_ = true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_replan_allowed_) {
      asio::post(io_, [this] { run_replan(); });
    } else {
      replan_timer_.expires_at(next_replan_allowed_);
      replan_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) run_replan();
      });
    }
  }

  void run_replan() {
    replan_posted_ = false;
    const auto start = std::chrono::steady_clock::now();
    replan();
    const auto end = std::chrono::steady_clock::now();
    next_replan_allowed_ = end + (end - start);
  }

  void replan() {
    apply_peer_selection();  // the Node's labels may have changed
    if (kubernetes_ && !kubernetes_->synced()) {
      spdlog::debug("plan: waiting for {}", kubernetes_->waiting_for());
      return;
    }
    const auto plan_start = std::chrono::steady_clock::now();
    // Only the Services and EndpointSlices that changed are replanned (see Planner).
    Plan planned = planner_.update(facts_, cfg_.advertise, facts_.take_changes());
    metrics_.observe_plan(std::chrono::steady_clock::now() - plan_start);
    for (const auto& w : plan_warnings_.newly_seen(planned.warnings)) spdlog::warn("plan: {}", w);
    if (planned.withheld != withheld_) {
      if (!planned.withheld.empty())
        spdlog::warn("plan: advertising nothing: {}", planned.withheld);
      else if (!withheld_.empty())
        spdlog::info("plan: advertising again ({} no longer holds)", withheld_);
      withheld_ = planned.withheld;
    }
    // Each new refusal counted once, logged (rate-limited) naming the Service.
    auto refusals = refusals_.update(planned.refused, RefusalReporter::Clock::now());
    for (const auto& r : refusals.added) metrics_.count_refused(r.reason);
    for (const auto& line : refusals.lines) spdlog::warn("plan: {}", line);
    auto routes = routes_to_advertise(damper_, planned, WithdrawDamper::Clock::now());
    log_changes(routes);
    if (events_) events_->record(service_events(advertised_, routes), facts_.services);
    if (speaker_) speaker_->set_routes(routes);
    if (ospf_) ospf_->set_routes(routes);
    // From the first change that asked for this replan to the speakers.
    if (changed_at_) metrics_.observe_event_to_advertisement(std::chrono::steady_clock::now() - *changed_at_);
    changed_at_.reset();
    last_plan_ = std::move(planned);
    planned_ = true;
    advertised_ = std::move(routes);
    if (auto next = damper_.next_expiry()) {
      damper_timer_.expires_at(*next);
      damper_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) request_replan();
      });
    }
  }

  // Addresses no Service may attract (this host's and the BGP peers'), kept
  // current by netlink address events.
  void refresh_protected_addresses() {
    std::map<net::Address, std::string> addresses;
    for (const auto& a : own_addresses()) addresses.emplace(a, "an address of this node");
    for (const auto& p : peers_.bgp.peers) addresses.emplace(p.address, "the address of BGP peer " + p.address.to_string());
    if (addresses == facts_.protected_addresses) return;
    facts_.protected_addresses = std::move(addresses);
    request_replan();
  }

  void watch_own_addresses() {
    refresh_protected_addresses();
    auto watcher = netlink::InterfaceWatcher::create(io_.get_executor(),
                                                     [this](const auto&) { refresh_protected_addresses(); });
    if (watcher)
      address_watcher_ = std::move(*watcher);
    else
      spdlog::warn("not watching this host's addresses ({}); a new one is protected from hijack after a restart",
                   watcher.error().message);
  }

  // http.listen "" disables the endpoint; a bind failure is logged, not fatal.
  void start_http() {
    if (cfg_.http.listen.empty()) return;
    http_.emplace(io_, [this](const HttpRequest& request) { return serve(*this, metrics_, request); });
    if (auto err = http_->listen(cfg_.http.listen); !err.empty()) {
      spdlog::error("http: {}; continuing without /metrics, /status and the CLI's status and explain", err);
      http_.reset();
      return;
    }
    spdlog::info("http: serving /metrics /healthz /readyz /status /explain on {}", cfg_.http.listen);
  }

  void log_changes(const net::RouteSet& routes) {
    // Route by route while the change is small; a count when a big list arrives (counted, not
    // copied: a first plan of 100k routes would otherwise copy them all).
    constexpr std::size_t kDetail = 20;
    if (auto counts = net::RouteSet::count_changes(advertised_, routes); counts.total() > kDetail) {
      spdlog::info("plan: {} routes (+{} -{} ~{})", routes.size(), counts.added, counts.removed, counts.changed);
      return;
    }
    auto diff = net::RouteSet::diff(advertised_, routes);
    for (const auto& r : diff.added) spdlog::info("plan: + {}", (std::ostringstream() << r).str());
    for (const auto& p : diff.removed) spdlog::info("plan: - {}", p.to_string());
    for (const auto& r : diff.changed) spdlog::info("plan: ~ {}", (std::ostringstream() << r).str());
  }

  asio::io_context& io_;
  config::Config cfg_;
  BfdSessions bfd_;
  Facts facts_;
  DefaultGateways gateways_;  // only read while a peer has `address: gateway`
  std::optional<std::map<std::string, std::string>> node_labels_;  // this Node's, once seen
  PeerSelection peers_;        // the configured peers that apply to this node, as the speaker has them
  std::unique_ptr<netlink::InterfaceWatcher> route_watcher_;
  std::optional<bgp::Speaker> speaker_;
  std::optional<ospf::Speaker> ospf_;
  std::optional<KubernetesSource> kubernetes_;
  std::optional<EventRecorder> events_;  // only with kubernetes.events
  Planner planner_;  // keeps the last plan, to replan only what changed
  WithdrawDamper damper_;
  asio::steady_timer damper_timer_;
  net::RouteSet advertised_;
  std::string withheld_;
  PlanWarnings plan_warnings_;  // logged once while they hold
  RefusalReporter refusals_;
  std::unique_ptr<netlink::InterfaceWatcher> address_watcher_;
  bool replan_posted_ = false;
  asio::steady_timer replan_timer_{io_};
  std::chrono::steady_clock::time_point next_replan_allowed_{};
  // For status, explain and metrics:
  std::uint32_t router_id_ = 0;
  Plan last_plan_;   // routes, exclusions and reasons, for explain
  bool planned_ = false;
  std::optional<std::chrono::steady_clock::time_point> changed_at_;  // first change not yet advertised
  Metrics metrics_;
  std::optional<HttpServer> http_;  // last: its handler uses the members above
};

// Reads password_file and key_file into the config; the first problem, if any.
std::optional<std::string> resolve_secrets(config::Config& cfg) {
  for (auto& peer : cfg.bgp.peers) {
    if (peer.password_file.empty()) continue;
    if (auto err = read_secret(peer.password_file, peer.password))
      return "bgp peer " + config::peer_name(peer) + ": password_file: " + *err;
  }
  for (auto& interface : cfg.ospf.interfaces) {
    if (interface.auth.key_file.empty()) continue;
    if (auto err = read_secret(interface.auth.key_file, interface.auth.key))
      return "ospf interface " + interface.name + ": auth.key_file: " + *err;
  }
  return std::nullopt;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int run_daemon(config::Config cfg, const std::string& config_path, bgp::OnSigterm on_sigterm,
               std::optional<RunAs> run_as, const std::string& state_dir) {
  spdlog::info("clusterip-speaker {} starting with {} on node {}", kVersion, config_path, cfg.node.name);

  auto router_id = cfg.node.router_id;
  // router_id: auto = our address toward the first IPv4 peer (the one the router sees), else
  // the lowest global IPv4 address that is this node's own.
  for (const auto& peer : cfg.bgp.peers) {
    if (router_id) break;
    if (peer.gateway && config::gateway_family(peer) == net::Family::ipv4)
      if (auto gateway = netlink::default_gateway(net::Family::ipv4); gateway && *gateway)
        router_id = source_address_toward(**gateway);
    if (!peer.gateway && peer.address.is_v4()) router_id = source_address_toward(peer.address);
  }
  if (!router_id) router_id = cfg.ospf.enabled ? cfg.ospf.router_id : std::nullopt;
  if (!router_id) router_id = first_global_ipv4();
  if (!cfg.node.router_id && router_id) spdlog::info("router id {} (auto)", router_id->to_string());
  if (!router_id) {
    spdlog::error("node.router_id is auto but this host has no global IPv4 address; set node.router_id");
    return 1;
  }
  if (auto err = resolve_secrets(cfg)) {
    spdlog::error("{}", *err);
    return 1;
  }

  asio::io_context io;
  const CapabilityMask still_needed = capabilities_needed(cfg);
  std::string bfd_state_file;
  if (!state_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    if (ec)
      spdlog::warn("--state-dir {}: {}; BFD sessions will not survive a graceful restart", state_dir, ec.message());
    else
      bfd_state_file = state_dir + "/bfd-sessions-" + cfg.node.name;
    // The user a root start switches to must be able to write it at shutdown.
    if (!ec && run_as && geteuid() == 0 && chown(state_dir.c_str(), run_as->uid, run_as->gid) != 0)
      spdlog::warn("--state-dir {}: cannot hand it to uid {}: {}", state_dir, run_as->uid, std::strerror(errno));
  }
  const std::string cfg_static_file = cfg.advertise.static_file;
  Daemon daemon(io, std::move(cfg), router_id->v4_value(), bfd_state_file);
  if (auto err = daemon.start(); !err.empty()) {
    spdlog::error("{}", err);
    return 1;
  }
  drop_privileges(still_needed, run_as);  // the listeners are bound: now only what is still needed

  // Reload on SIGHUP and when the file changes. A bad file is refused with its errors and the
  // running configuration stays. advertise.static_file is part of the config: an edit to it
  // reloads too (noticed when it sits in the config's directory, as a ConfigMap's keys do; SIGHUP
  // otherwise).
  // A hash, not the text: a config with 100k static routes is megabytes.
  auto fingerprint = [&config_path](const std::string& text, const std::string& static_file) {
    std::size_t hash = std::hash<std::string>{}(text);
    if (!static_file.empty())
      hash ^= std::hash<std::string>{}(read_text(config::static_file_path(static_file, config_path))) * 31;
    return hash;
  };
  std::string static_file = cfg_static_file;
  std::size_t loaded_hash = fingerprint(read_text(config_path), static_file);
  auto reload = [&](bool forced) {
    std::string text = read_text(config_path);
    const std::size_t hash = fingerprint(text, static_file);
    if (!forced && hash == loaded_hash) return;
    loaded_hash = hash;
    auto next = config::load_config_string(text, config_path);
    if (!next) {
      for (const auto& e : next.error()) spdlog::error("reload: {}", e.to_string());
      spdlog::error("reload: {} is invalid; keeping the running configuration", config_path);
      return;
    }
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    next->node.name = config::resolve_node_name(next->node, std::getenv("NODE_NAME"), host);
    if (auto err = resolve_secrets(*next)) {
      spdlog::error("reload: {}; keeping the running configuration", *err);
      return;
    }
    // The file the new config names is the one to follow; the fingerprint covers what it read.
    static_file = next->advertise.static_file;
    loaded_hash = fingerprint(text, static_file);
    daemon.reload(std::move(*next));
  };
  ConfigWatcher watcher(io, config_path, [&] { reload(false); });
  if (auto err = watcher.start(); !err.empty())
    spdlog::warn("not watching {} for changes ({}); reload with SIGHUP", config_path, err);

  // First SIGTERM/SIGINT: leave cleanly, or restart gracefully where on_sigterm allows. A second
  // one: leave now.
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  asio::steady_timer give_up(io);
  bool leaving = false;
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        if (!leaving) {
          spdlog::info("SIGHUP: reloading {}", config_path);
          reload(true);
        }
        return wait_signal();
      }
      if (leaving) {
        spdlog::warn("second signal: exiting at once");
        std::_Exit(1);
      }
      leaving = true;
      spdlog::info("received {}: stopping (--on-sigterm {})", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                   bgp::to_string(on_sigterm));
      give_up.expires_after(daemon.longest_drain() + kShutdownGrace);
      give_up.async_wait([&](boost::system::error_code e) {
        if (e) return;
        spdlog::warn("peers did not close in time; exiting");
        io.stop();
      });
      daemon.shutdown(on_sigterm, [&] {
        spdlog::info("all sessions closed; bye");
        io.stop();
      });
      wait_signal();
    });
  };
  wait_signal();
  io.run();
  return 0;
}

}  // namespace cisd

// Planner::update (which replans only the Services and EndpointSlices that changed) must give
// exactly what plan() gives from scratch, whatever the sequence of changes: random sequences
// with fixed seeds, over a small world where addresses are shared and every rule comes up.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "daemon/planner.hpp"

using namespace cisd;
using net::Address;
using net::Prefix;

namespace {

Address A(const std::string& s) { return *Address::parse(s); }
Prefix P(const char* s) { return *Prefix::parse(s); }

class World {
 public:
  explicit World(unsigned seed) : rng_(seed) {
    facts_.kubernetes = true;
    facts_.node_name = "node1";
    facts_.node = k8s::Node{};
    facts_.node->ready = true;
    facts_.kube_proxy_healthy = true;
    facts_.service_cidrs = {P("10.96.0.0/12")};
    advertise_.cluster_ips = config::ClusterIpMode::all;
    advertise_.external_ips = kSomeExternal;
    advertise_.load_balancer_ips = config::AddressRanges::all();
  }

  Facts& facts() { return facts_; }
  const config::AdvertiseConfig& advertise() const { return advertise_; }

  // One random change, recorded the way KubernetesSource records it.
  void change() {
    const int what = pick(100);
    if (what < 45)
      change_service();
    else if (what < 85)
      change_slice();
    else
      change_global();
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }
  std::string service_name() { return "svc" + std::to_string(pick(12)); }
  std::string ns() { return chance(80) ? "default" : "other"; }
  // Small pools, so that Services share addresses (and a CIDR or static /32) often.
  Address cluster_ip() { return A("10.96.0." + std::to_string(1 + pick(20))); }
  Address external_ip() { return A("192.0.2." + std::to_string(1 + pick(4))); }

  void change_service() {
    const std::string name = service_name(), space = ns(), key = space + "/" + name;
    facts_.changes.service(key);
    if (chance(15)) {
      facts_.services.erase(key);
      return;
    }
    k8s::Service s;
    s.meta.namespace_ = space;
    s.meta.name = name;
    for (int i = pick(3); i > 0; --i) s.cluster_ips.push_back(cluster_ip());
    if (chance(20)) s.cluster_ips.push_back(A("fd00:10:96::" + std::to_string(1 + pick(5))));
    for (int i = pick(3); i > 0; --i) s.external_ips.push_back(chance(20) ? cluster_ip() : external_ip());
    if (chance(30)) s.load_balancer_ips.push_back(external_ip());
    if (chance(25)) s.internal_traffic_policy = k8s::TrafficPolicy::local;
    if (chance(25)) s.external_traffic_policy = k8s::TrafficPolicy::local;
    if (chance(5)) s.headless = true;
    if (chance(5)) s.type = "ExternalName";
    if (chance(25)) s.meta.annotations[kAdvertiseAnnotation] = chance(50) ? "true" : "false";
    if (chance(25))
      s.meta.annotations[kCommunitiesAnnotation] =
          std::vector<std::string>{"65000:1", "65000:2, 64513:7:9", "no-export", "bad!"}[pick(4)];
    facts_.services[key] = std::move(s);
  }

  void change_slice() {
    const std::string service = service_name(), space = ns();
    const std::string key = space + "/" + service + "-" + std::to_string(pick(3));
    facts_.changes.endpoint_slice(key);
    if (chance(20)) {
      facts_.endpoint_slices.erase(key);
      return;
    }
    k8s::EndpointSlice e;
    e.meta.namespace_ = space;
    e.meta.name = key.substr(space.size() + 1);
    e.service_name = chance(90) ? service : service_name();  // the label may point elsewhere
    for (int i = pick(3); i > 0; --i) {
      k8s::EndpointSlice::Endpoint ep;
      ep.addresses = {A("10.244.0." + std::to_string(1 + pick(50)))};
      ep.ready = chance(70);
      ep.node_name = chance(50) ? "node1" : "node2";
      e.endpoints.push_back(std::move(ep));
    }
    facts_.endpoint_slices[key] = std::move(e);
  }

  // Rare changes that every Service depends on; none is recorded, the planner notices them.
  void change_global() {
    switch (pick(9)) {
      case 0:
        advertise_.cluster_ips = std::vector<config::ClusterIpMode>{
            config::ClusterIpMode::all, config::ClusterIpMode::annotated, config::ClusterIpMode::none}[pick(3)];
        break;
      case 1:
        advertise_.external_ips = advertise_.external_ips.allows_some() ? config::AddressRanges::none() : kSomeExternal;
        break;
      case 2:
        advertise_.static_prefixes = chance(50) ? std::vector<Prefix>{P("10.96.0.3/32"), P("198.51.100.0/24")}
                                                : std::vector<Prefix>{};
        break;
      case 3:
        facts_.service_cidrs = chance(50) ? std::vector<Prefix>{P("10.96.0.0/12"), P("10.96.0.5/32")}
                                          : std::vector<Prefix>{P("10.96.0.0/12")};
        break;
      case 4: {
        advertise_.require_programmed = chance(50);
        std::set<Address> programmed;
        for (int i = 0; i < 20; ++i)
          if (chance(60)) programmed.insert(A("10.96.0." + std::to_string(1 + i)));
        facts_.programmed = chance(80) ? std::optional(programmed) : std::nullopt;
        break;
      }
      case 5: facts_.node->ready = chance(80); break;
      case 6: facts_.node_name = chance(80) ? "node1" : "node2"; break;
      case 7:  // a Service address that is one of this host's, or a peer's: refused
        facts_.protected_addresses.clear();
        if (chance(50)) facts_.protected_addresses.emplace(A("192.0.2.2"), "an address of this node");
        break;
      case 8:
        advertise_.annotation_communities.clear();
        if (chance(50)) advertise_.annotation_communities.push_back(*config::parse_community_pattern("65000:*"));
        break;
    }
  }

  // Three of the four external addresses the Services use.
  inline static const config::AddressRanges kSomeExternal = config::AddressRanges::within({P("192.0.2.0/30")});

  std::mt19937 rng_;
  Facts facts_;
  config::AdvertiseConfig advertise_;
};

std::string show(const Plan& p) {
  std::ostringstream out;
  out << "withheld: " << p.withheld << "\n";
  for (const auto& [prefix, route] : p.routes) out << "  " << net::Route(route) << "\n";
  for (const auto& x : p.excluded)
    out << "  excluded " << x.address.to_string() << " " << x.service << ": " << x.reason << "\n";
  for (const auto& w : p.warnings) out << "  warning " << w << "\n";
  return out.str();
}

}  // namespace

TEST(PlannerIncremental, EqualsAFullPlanAfterEveryRandomChange) {
  constexpr int kSteps = 1500;
  for (unsigned seed : {1u, 2u, 3u}) {
    World world(seed);
    Planner planner;
    std::size_t nonempty = 0;
    for (int step = 0; step < kSteps; ++step) {
      for (int i = 1 + step % 3; i > 0; --i) world.change();  // one to three changes per plan
      const Plan& incremental = planner.update(world.facts(), world.advertise(), world.facts().take_changes());
      const Plan full = plan(world.facts(), world.advertise());
      ASSERT_EQ(incremental, full) << "seed " << seed << ", step " << step << "\nincremental:\n"
                                   << show(incremental) << "full:\n" << show(full);
      nonempty += full.routes.size() > 1;
    }
    // The test means something only if most updates took the incremental path, on plans with
    // Service routes in them.
    EXPECT_LT(planner.full_plans(), kSteps / 4) << "seed " << seed;
    EXPECT_GT(nonempty, kSteps / 2) << "seed " << seed;
  }
}

TEST(PlannerIncremental, ReplansOnlyWhatTheChangesName) {
  World world(7);
  Planner planner;
  planner.update(world.facts(), world.advertise(), world.facts().take_changes());
  const auto fulls = planner.full_plans();
  // A Service the sources did not report stays as planned; reported, it is replanned.
  k8s::Service s;
  s.meta.namespace_ = "default";
  s.meta.name = "unreported";
  s.cluster_ips = {A("10.96.7.7")};
  world.facts().services["default/unreported"] = s;
  EXPECT_FALSE(planner.update(world.facts(), world.advertise(), world.facts().take_changes()).routes.contains(
      P("10.96.7.7/32")));
  world.facts().changes.service("default/unreported");
  EXPECT_TRUE(planner.update(world.facts(), world.advertise(), world.facts().take_changes()).routes.contains(
      P("10.96.7.7/32")));
  EXPECT_EQ(planner.full_plans(), fulls);
}

TEST(PlannerIncremental, FreshFactsMeanEverything) {
  Facts facts;
  EXPECT_TRUE(facts.changes.everything);
  facts.changes.service("default/a");
  EXPECT_TRUE(facts.changes.services.empty());  // nothing to record: all is replanned anyway
  EXPECT_TRUE(facts.take_changes().everything);
  facts.changes.service("default/a");
  auto taken = facts.take_changes();
  EXPECT_FALSE(taken.everything);
  EXPECT_EQ(taken.services, std::set<std::string>{"default/a"});
}

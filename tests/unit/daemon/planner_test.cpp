#include "daemon/planner.hpp"

#include <gtest/gtest.h>

using namespace cisd;
using net::Address;
using net::Prefix;

namespace {

Address A(const char* s) { return *Address::parse(s); }
Prefix P(const char* s) { return *Prefix::parse(s); }

k8s::Service service(const char* ns, const char* name, std::vector<const char*> cluster_ips,
                     std::map<std::string, std::string> annotations = {}) {
  k8s::Service s;
  s.meta.namespace_ = ns;
  s.meta.name = name;
  s.meta.annotations = std::move(annotations);
  for (auto ip : cluster_ips) s.cluster_ips.push_back(A(ip));
  return s;
}

k8s::EndpointSlice slice(const char* ns, const char* svc, const char* node, bool ready) {
  k8s::EndpointSlice e;
  e.meta.namespace_ = ns;
  e.meta.name = std::string(svc) + "-abcde";
  e.service_name = svc;
  e.endpoints.push_back({{A("10.244.1.5")}, ready, ready, false, node});
  return e;
}

struct Fixture {
  Facts facts;
  config::AdvertiseConfig advertise;
  Fixture() {
    facts.kubernetes = true;
    facts.node_name = "node1";
    facts.node = k8s::Node{};
    facts.node->meta.name = "node1";
    facts.node->ready = true;
    facts.kube_proxy_healthy = true;
    facts.service_cidrs = {P("10.96.0.0/12")};
    facts.service_cidr_source = "ServiceCIDR API";
  }
  void add(k8s::Service s) { facts.services[s.meta.namespace_ + "/" + s.meta.name] = std::move(s); }
  void add(k8s::EndpointSlice e) { facts.endpoint_slices[e.meta.namespace_ + "/" + e.meta.name] = std::move(e); }
  Plan run() const { return plan(facts, advertise); }
};

std::vector<Prefix> prefixes(const Plan& p) {
  std::vector<Prefix> out;
  for (const auto& [prefix, route] : p.routes) out.push_back(prefix);
  return out;
}

const std::string* exclusion(const Plan& p, const char* ip) {
  for (auto& e : p.excluded)
    if (e.address == A(ip)) return &e.reason;
  return nullptr;
}

}  // namespace

TEST(Planner, WithoutKubernetesAdvertisesCidrsAndStatic) {
  Facts facts;
  facts.service_cidrs = {P("10.96.0.0/12"), P("fd00:10:96::/112")};
  config::AdvertiseConfig advertise;
  advertise.static_prefixes = {P("192.0.2.0/24"), P("10.96.0.0/12")};
  auto p = plan(facts, advertise);
  EXPECT_EQ(prefixes(p), (std::vector<Prefix>{P("10.96.0.0/12"), P("192.0.2.0/24"), P("fd00:10:96::/112")}));
  EXPECT_EQ(p.routes.find(P("10.96.0.0/12"))->kind, net::RouteKind::service_cidr);  // CIDR reason wins
  EXPECT_EQ(p.routes.find(P("192.0.2.0/24"))->kind, net::RouteKind::static_prefix);
  EXPECT_TRUE(p.withheld.empty());
}

TEST(Planner, CidrRouteSaysWhereTheCidrCameFrom) {
  Fixture f;
  auto p = f.run();
  EXPECT_EQ(p.routes.find(P("10.96.0.0/12"))->reason, "Service CIDR (ServiceCIDR API)");
}

struct ClusterIpCase {
  const char* name;
  config::ClusterIpMode mode;
  std::map<std::string, std::string> annotations;
  bool advertised;
};

void PrintTo(const ClusterIpCase& c, std::ostream* os) { *os << c.name; }

class ClusterIpModes : public ::testing::TestWithParam<ClusterIpCase> {};

TEST_P(ClusterIpModes, FollowModeAndAnnotation) {
  const auto& c = GetParam();
  Fixture f;
  f.advertise.cluster_ips = c.mode;
  f.add(service("default", "web", {"10.96.0.20"}, c.annotations));
  auto p = f.run();
  EXPECT_EQ(p.routes.contains(P("10.96.0.20/32")), c.advertised);
  EXPECT_EQ(exclusion(p, "10.96.0.20") == nullptr, c.advertised);
  if (c.advertised) {
    EXPECT_EQ(p.routes.find(P("10.96.0.20/32"))->kind, net::RouteKind::cluster_ip);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ClusterIpModes,
    ::testing::Values(
        ClusterIpCase{"none_annotated_true", config::ClusterIpMode::none, {{kAdvertiseAnnotation, "true"}}, false},
        ClusterIpCase{"annotated_without", config::ClusterIpMode::annotated, {}, false},
        ClusterIpCase{"annotated_true", config::ClusterIpMode::annotated, {{kAdvertiseAnnotation, "true"}}, true},
        ClusterIpCase{"annotated_other_value", config::ClusterIpMode::annotated, {{kAdvertiseAnnotation, "yes"}}, false},
        ClusterIpCase{"annotated_false", config::ClusterIpMode::annotated, {{kAdvertiseAnnotation, "false"}}, false},
        ClusterIpCase{"all_without", config::ClusterIpMode::all, {}, true},
        ClusterIpCase{"all_but_false", config::ClusterIpMode::all, {{kAdvertiseAnnotation, "false"}}, false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Planner, HeadlessAndExternalNameNever) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  auto headless = service("default", "db", {});
  headless.headless = true;
  f.add(headless);
  auto external = service("default", "ext", {});
  external.type = "ExternalName";
  f.add(external);
  auto p = f.run();
  EXPECT_EQ(prefixes(p), std::vector<Prefix>{P("10.96.0.0/12")});
}

TEST(Planner, DualStackServiceGetsBothHostRoutes) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  f.add(service("default", "web", {"10.96.0.20", "fd00:10:96::20"}));
  auto p = f.run();
  EXPECT_TRUE(p.routes.contains(P("10.96.0.20/32")));
  EXPECT_TRUE(p.routes.contains(P("fd00:10:96::20/128")));
}

TEST(Planner, InternalTrafficPolicyLocalNeedsAReadyEndpointHere) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  auto svc = service("default", "web", {"10.96.0.20"});
  svc.internal_traffic_policy = k8s::TrafficPolicy::local;
  f.add(svc);
  // No endpoints at all.
  EXPECT_FALSE(f.run().routes.contains(P("10.96.0.20/32")));
  EXPECT_EQ(*exclusion(f.run(), "10.96.0.20"), "internalTrafficPolicy is Local and no ready endpoint is on this node");
  // An endpoint on another node.
  f.add(slice("default", "web", "node2", true));
  EXPECT_FALSE(f.run().routes.contains(P("10.96.0.20/32")));
  // An endpoint here that is not ready.
  auto here = slice("default", "web", "node1", false);
  here.meta.name = "web-local";
  f.add(here);
  EXPECT_FALSE(f.run().routes.contains(P("10.96.0.20/32")));
  // Ready here.
  f.facts.endpoint_slices["default/web-local"].endpoints[0].ready = true;
  EXPECT_TRUE(f.run().routes.contains(P("10.96.0.20/32")));
}

TEST(Planner, EndpointOfSameNamedServiceInOtherNamespaceDoesNotCount) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  auto svc = service("default", "web", {"10.96.0.20"});
  svc.internal_traffic_policy = k8s::TrafficPolicy::local;
  f.add(svc);
  f.add(slice("other", "web", "node1", true));
  EXPECT_FALSE(f.run().routes.contains(P("10.96.0.20/32")));
}

TEST(Planner, ExternalAndLoadBalancerIpsFollowTheirSwitchesAndExternalPolicy) {
  Fixture f;
  auto svc = service("default", "lb", {"10.96.0.30"});
  svc.type = "LoadBalancer";
  svc.external_ips = {A("192.0.2.10")};
  svc.load_balancer_ips = {A("198.51.100.7")};
  svc.internal_traffic_policy = k8s::TrafficPolicy::local;  // must not affect external addresses
  f.add(svc);
  auto p = f.run();
  EXPECT_FALSE(p.routes.contains(P("192.0.2.10/32")));
  EXPECT_EQ(*exclusion(p, "192.0.2.10"), "advertise.external_ips is false");
  EXPECT_FALSE(p.routes.contains(P("198.51.100.7/32")));

  f.advertise.external_ips = config::AddressRanges::within({P("192.0.2.0/24")});
  f.advertise.load_balancer_ips = config::AddressRanges::all();
  p = f.run();
  EXPECT_EQ(p.routes.find(P("192.0.2.10/32"))->kind, net::RouteKind::external_ip);
  EXPECT_EQ(p.routes.find(P("198.51.100.7/32"))->kind, net::RouteKind::load_balancer_ip);

  f.facts.services["default/lb"].external_traffic_policy = k8s::TrafficPolicy::local;
  p = f.run();
  EXPECT_FALSE(p.routes.contains(P("192.0.2.10/32")));
  EXPECT_FALSE(p.routes.contains(P("198.51.100.7/32")));
  f.add(slice("default", "lb", "node1", true));
  p = f.run();
  EXPECT_TRUE(p.routes.contains(P("192.0.2.10/32")));
  EXPECT_TRUE(p.routes.contains(P("198.51.100.7/32")));
}

TEST(Planner, AdvertiseFalseAlsoKeepsExternalAddressesBack) {
  Fixture f;
  f.advertise.external_ips = config::AddressRanges::within({P("192.0.2.0/24")});
  auto svc = service("default", "web", {"10.96.0.20"}, {{kAdvertiseAnnotation, "false"}});
  svc.external_ips = {A("192.0.2.10")};
  f.add(svc);
  EXPECT_FALSE(f.run().routes.contains(P("192.0.2.10/32")));
}

TEST(Planner, CommunitiesAnnotationTagsTheServiceRoutes) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  f.advertise.annotation_communities = {*config::parse_community_pattern("65000:*"),
                                        *config::parse_community_pattern("no-export"),
                                        *config::parse_community_pattern("64513:*:*")};
  f.add(service("default", "web", {"10.96.0.20"}, {{kCommunitiesAnnotation, "65000:1, no-export,64513:7:9"}}));
  auto p = f.run();
  auto r = p.routes.find(P("10.96.0.20/32"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attributes.communities, (std::vector<net::Community>{(65000u << 16) | 1, 0xffffff01}));
  EXPECT_EQ(r->attributes.large_communities, (std::vector<net::LargeCommunity>{{64513, 7, 9}}));
  EXPECT_TRUE(p.routes.find(P("10.96.0.0/12"))->attributes.communities.empty());
}

TEST(Planner, BadCommunitiesAnnotationIsIgnoredWithAWarning) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  f.add(service("default", "web", {"10.96.0.20"}, {{kCommunitiesAnnotation, "65000:1,banana"}}));
  auto p = f.run();
  ASSERT_TRUE(p.routes.contains(P("10.96.0.20/32")));
  EXPECT_TRUE(p.routes.find(P("10.96.0.20/32"))->attributes.communities.empty());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("default/web"), std::string::npos);
}

TEST(Planner, SharedExternalIpIsAdvertisedOnceWithBothTags) {
  Fixture f;
  f.advertise.external_ips = config::AddressRanges::within({P("192.0.2.0/24")});
  f.advertise.annotation_communities = {*config::parse_community_pattern("65000:*")};
  auto a = service("default", "a", {"10.96.0.20"}, {{kCommunitiesAnnotation, "65000:1"}});
  a.external_ips = {A("192.0.2.10")};
  auto b = service("default", "b", {"10.96.0.21"}, {{kCommunitiesAnnotation, "65000:2"}});
  b.external_ips = {A("192.0.2.10")};
  f.add(a);
  f.add(b);
  auto r = f.run().routes.find(P("192.0.2.10/32"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attributes.communities.size(), 2u);
}

// ---- Abuse resistance: what a tenant may ask for (product.md "What it must do" 4) ----

std::vector<std::pair<RefusalReason, std::string>> refusals(const Plan& p) {
  std::vector<std::pair<RefusalReason, std::string>> out;
  for (const auto& r : p.refused) out.emplace_back(r.reason, r.address ? r.address->to_string() : r.detail);
  return out;
}

TEST(Planner, ExternalIpsOnlyInsideTheOperatorsRanges) {
  Fixture f;
  f.advertise.external_ips = config::AddressRanges::within({P("198.51.100.0/24"), P("2001:db8:1::/64")});
  auto svc = service("tenant", "web", {"10.96.0.30"});
  svc.external_ips = {A("198.51.100.7"), A("203.0.113.53"), A("2001:db8:1::7"), A("2001:db8:2::7")};
  f.add(svc);
  auto p = f.run();
  EXPECT_TRUE(p.routes.contains(P("198.51.100.7/32")));
  EXPECT_TRUE(p.routes.contains(P("2001:db8:1::7/128")));
  EXPECT_FALSE(p.routes.contains(P("203.0.113.53/32")));
  EXPECT_FALSE(p.routes.contains(P("2001:db8:2::7/128")));
  EXPECT_EQ(refusals(p), (std::vector<std::pair<RefusalReason, std::string>>{
                             {RefusalReason::external_ip_not_allowed, "203.0.113.53"},
                             {RefusalReason::external_ip_not_allowed, "2001:db8:2::7"}}));
  EXPECT_EQ(p.refused[0].service, "tenant/web");
  EXPECT_EQ(*exclusion(p, "203.0.113.53"), "203.0.113.53 is outside advertise.external_ips (refused)");
}

TEST(Planner, LoadBalancerIpsFalseTrueOrRanges) {
  Fixture f;
  auto svc = service("tenant", "lb", {"10.96.0.30"});
  svc.type = "LoadBalancer";
  svc.load_balancer_ips = {A("198.51.100.7"), A("192.0.2.9")};
  f.add(svc);
  EXPECT_FALSE(f.run().routes.contains(P("198.51.100.7/32")));
  EXPECT_TRUE(f.run().refused.empty());  // switched off: nothing asked for is refused
  f.advertise.load_balancer_ips = config::AddressRanges::all();
  EXPECT_TRUE(f.run().routes.contains(P("192.0.2.9/32")));
  f.advertise.load_balancer_ips = config::AddressRanges::within({P("198.51.100.0/24")});
  auto p = f.run();
  EXPECT_TRUE(p.routes.contains(P("198.51.100.7/32")));
  EXPECT_FALSE(p.routes.contains(P("192.0.2.9/32")));
  EXPECT_EQ(refusals(p), (std::vector<std::pair<RefusalReason, std::string>>{
                             {RefusalReason::load_balancer_ip_not_allowed, "192.0.2.9"}}));
}

TEST(Planner, NeverANodeOrPeerAddress) {
  Fixture f;
  f.advertise.external_ips = config::AddressRanges::within({P("192.168.1.0/24")});
  f.advertise.load_balancer_ips = config::AddressRanges::all();
  f.facts.node->internal_ips = {A("192.168.1.10")};
  f.facts.protected_addresses = {{A("192.168.1.1"), "the address of BGP peer 192.168.1.1"},
                                 {A("192.168.1.11"), "an address of this node"}};
  auto svc = service("tenant", "evil", {"10.96.0.30"});
  svc.external_ips = {A("192.168.1.1"), A("192.168.1.10"), A("192.168.1.50")};
  svc.load_balancer_ips = {A("192.168.1.11")};
  f.add(svc);
  auto p = f.run();
  EXPECT_TRUE(p.routes.contains(P("192.168.1.50/32")));
  for (auto ip : {"192.168.1.1/32", "192.168.1.10/32", "192.168.1.11/32"}) EXPECT_FALSE(p.routes.contains(P(ip))) << ip;
  EXPECT_EQ(refusals(p), (std::vector<std::pair<RefusalReason, std::string>>{
                             {RefusalReason::hijack, "192.168.1.1"},
                             {RefusalReason::hijack, "192.168.1.10"},
                             {RefusalReason::hijack, "192.168.1.11"}}));
  EXPECT_NE(exclusion(p, "192.168.1.10")->find("an InternalIP of Node node1"), std::string::npos);
  EXPECT_NE(exclusion(p, "192.168.1.1")->find("BGP peer 192.168.1.1"), std::string::npos);
}

TEST(Planner, ADiscoveredServiceCidrCoveringAPeerIsRefused) {
  Fixture f;
  f.facts.service_cidrs = {P("192.168.0.0/16"), P("10.96.0.0/12")};
  f.facts.protected_addresses = {{A("192.168.1.1"), "the address of BGP peer 192.168.1.1"}};
  auto p = f.run();
  EXPECT_EQ(prefixes(p), std::vector<Prefix>{P("10.96.0.0/12")});
  ASSERT_EQ(p.refused.size(), 1u);
  EXPECT_EQ(p.refused[0].reason, RefusalReason::hijack);
  EXPECT_EQ(p.refused[0].service, "ServiceCIDR");
  // The operator's own list is taken as written.
  f.facts.service_cidr_source = "config";
  EXPECT_TRUE(f.run().routes.contains(P("192.168.0.0/16")));
}

TEST(Planner, CommunitiesOnlyFromTheAllowList) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  f.add(service("tenant", "web", {"10.96.0.20"}, {{kCommunitiesAnnotation, "blackhole, 65535:666, 65000:7, 64513:1:2"}}));
  auto p = f.run();  // default: none allowed
  auto r = p.routes.find(P("10.96.0.20/32"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->attributes.communities.empty());
  EXPECT_TRUE(r->attributes.large_communities.empty());
  EXPECT_EQ(p.refused.size(), 4u);
  f.advertise.annotation_communities = {*config::parse_community_pattern("65000:*"),
                                        *config::parse_community_pattern("64513:1:*")};
  p = f.run();
  r = p.routes.find(P("10.96.0.20/32"));
  EXPECT_EQ(r->attributes.communities, (std::vector<net::Community>{(65000u << 16) | 7}));
  EXPECT_EQ(r->attributes.large_communities, (std::vector<net::LargeCommunity>{{64513, 1, 2}}));
  ASSERT_EQ(p.refused.size(), 2u);  // blackhole written both ways
  for (const auto& x : p.refused) {
    EXPECT_EQ(x.reason, RefusalReason::community_not_allowed);
    EXPECT_FALSE(x.address);
    EXPECT_NE(x.detail.find("blackhole"), std::string::npos) << x.detail;
  }
}

// The incremental planner notices when the protected addresses change.
TEST(Planner, IncrementalReplansWhenProtectedAddressesChange) {
  Fixture f;
  f.advertise.external_ips = config::AddressRanges::within({P("192.168.1.0/24")});
  auto svc = service("tenant", "web", {"10.96.0.30"});
  svc.external_ips = {A("192.168.1.20")};
  f.add(svc);
  Planner planner;
  EXPECT_TRUE(planner.update(f.facts, f.advertise, FactsChanges{}).routes.contains(P("192.168.1.20/32")));
  f.facts.protected_addresses = {{A("192.168.1.20"), "an address of this node"}};
  FactsChanges none{.everything = false, .services = {}, .endpoint_slices = {}};
  const auto& p = planner.update(f.facts, f.advertise, none);
  EXPECT_FALSE(p.routes.contains(P("192.168.1.20/32")));
  EXPECT_EQ(p, plan(f.facts, f.advertise));
}

struct WithheldCase {
  const char* name;
  std::function<void(Fixture&)> setup;
  const char* reason;  // "" = not withheld
};

void PrintTo(const WithheldCase& c, std::ostream* os) { *os << c.name; }

class Withheld : public ::testing::TestWithParam<WithheldCase> {};

TEST_P(Withheld, EverythingOrNothing) {
  const auto& c = GetParam();
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  f.advertise.static_prefixes = {P("192.0.2.0/24")};
  f.add(service("default", "web", {"10.96.0.20"}));
  c.setup(f);
  auto p = f.run();
  EXPECT_EQ(p.withheld, c.reason);
  EXPECT_EQ(p.routes.empty(), std::string(c.reason) != "");
}

INSTANTIATE_TEST_SUITE_P(
    Table, Withheld,
    ::testing::Values(
        WithheldCase{"healthy", [](Fixture&) {}, ""},
        WithheldCase{"kube_proxy_unhealthy", [](Fixture& f) { f.facts.kube_proxy_healthy = false; },
                     "kube-proxy on this node is unhealthy"},
        WithheldCase{"kube_proxy_unhealthy_not_required",
                     [](Fixture& f) {
                       f.facts.kube_proxy_healthy = false;
                       f.advertise.require_kube_proxy = false;
                     },
                     ""},
        WithheldCase{"kube_proxy_not_probed_yet", [](Fixture& f) { f.facts.kube_proxy_healthy.reset(); }, ""},
        WithheldCase{"node_not_ready", [](Fixture& f) { f.facts.node->ready = false; }, "Node node1 is NotReady"},
        WithheldCase{"node_cordoned", [](Fixture& f) { f.facts.node->unschedulable = true; }, "Node node1 is cordoned"},
        WithheldCase{"node_cordoned_not_required",
                     [](Fixture& f) {
                       f.facts.node->unschedulable = true;
                       f.advertise.require_node_ready = false;
                     },
                     ""},
        WithheldCase{"node_unknown", [](Fixture& f) { f.facts.node.reset(); }, "Node node1 not seen yet"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Planner, RequireProgrammedWaitsForKubeProxy) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  f.advertise.require_programmed = true;
  f.add(service("default", "web", {"10.96.0.20"}));
  f.add(service("default", "api", {"10.96.0.21"}));
  f.facts.programmed = std::set<Address>{A("10.96.0.21")};
  auto p = f.run();
  EXPECT_FALSE(p.routes.contains(P("10.96.0.20/32")));
  EXPECT_EQ(*exclusion(p, "10.96.0.20"), "kube-proxy has not programmed it on this node yet");
  EXPECT_TRUE(p.routes.contains(P("10.96.0.21/32")));
  // The CIDR aggregate does not wait.
  EXPECT_TRUE(p.routes.contains(P("10.96.0.0/12")));
}

// --- advertise.service_selector and the Node label exclude-from-external-load-balancers --------

TEST(Planner, ServiceSelectorLimitsThePerServiceRoutes) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  f.advertise.external_ips = config::AddressRanges::within({P("192.0.2.0/24")});
  f.advertise.service_selector = *config::parse_label_selector("expose=yes,tier notin (internal)");
  auto web = service("default", "web", {"10.96.0.20"});
  web.meta.labels = {{"expose", "yes"}, {"tier", "web"}};
  auto internal = service("default", "internal", {"10.96.0.21"});
  internal.meta.labels = {{"expose", "yes"}, {"tier", "internal"}};
  internal.external_ips = {A("192.0.2.21")};
  auto unlabelled = service("default", "plain", {"10.96.0.22"});
  f.add(web);
  f.add(internal);
  f.add(unlabelled);
  auto p = f.run();
  EXPECT_EQ(prefixes(p), (std::vector<Prefix>{P("10.96.0.0/12"), P("10.96.0.20/32")}));
  const std::string why = "its labels do not match advertise.service_selector \"expose=yes,tier notin (internal)\"";
  ASSERT_NE(exclusion(p, "10.96.0.21"), nullptr);
  EXPECT_EQ(*exclusion(p, "10.96.0.21"), why);
  EXPECT_EQ(*exclusion(p, "192.0.2.21"), why);
  EXPECT_EQ(*exclusion(p, "10.96.0.22"), why);
}

TEST(Planner, NodeExcludedFromExternalLoadBalancersKeepsClusterIps) {
  Fixture f;
  f.advertise.cluster_ips = config::ClusterIpMode::all;
  f.advertise.external_ips = config::AddressRanges::within({P("192.0.2.0/24")});
  f.advertise.load_balancer_ips = config::AddressRanges::all();
  auto svc = service("default", "web", {"10.96.0.20"});
  svc.external_ips = {A("192.0.2.10")};
  svc.load_balancer_ips = {A("198.51.100.7")};
  f.add(svc);
  f.facts.node->meta.labels[kExcludeFromExternalLbLabel] = "";
  auto p = f.run();
  EXPECT_EQ(prefixes(p), (std::vector<Prefix>{P("10.96.0.0/12"), P("10.96.0.20/32")}));
  const std::string why = "Node node1 has the label node.kubernetes.io/exclude-from-external-load-balancers";
  ASSERT_NE(exclusion(p, "192.0.2.10"), nullptr);
  EXPECT_EQ(*exclusion(p, "192.0.2.10"), why);
  EXPECT_EQ(*exclusion(p, "198.51.100.7"), why);
}

TEST(Planner, RemovingTheExcludeLabelReplansEverything) {
  Fixture f;
  f.advertise.load_balancer_ips = config::AddressRanges::all();
  auto svc = service("default", "web", {"10.96.0.20"});
  svc.load_balancer_ips = {A("198.51.100.7")};
  f.add(svc);
  f.facts.node->meta.labels[kExcludeFromExternalLbLabel] = "true";
  Planner planner;
  EXPECT_FALSE(planner.update(f.facts, f.advertise, f.facts.take_changes()).routes.contains(P("198.51.100.7/32")));
  f.facts.node->meta.labels.clear();  // only the Node changed: no Service is named as changed
  const auto& p = planner.update(f.facts, f.advertise, f.facts.take_changes());
  EXPECT_TRUE(p.routes.contains(P("198.51.100.7/32")));
  EXPECT_EQ(p, plan(f.facts, f.advertise));
}

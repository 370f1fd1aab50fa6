#include "daemon/explain.hpp"

#include <gtest/gtest.h>

using namespace cisd;
using net::Address;
using net::Prefix;

namespace {

Address A(const char* s) { return *Address::parse(s); }
Prefix P(const char* s) { return *Prefix::parse(s); }

// A node that can deliver, the default Service CIDR, and Services added per case.
struct World {
  Facts facts;
  config::AdvertiseConfig advertise;
  World() {
    facts.kubernetes = true;
    facts.node_name = "node1";
    facts.node = k8s::Node{};
    facts.node->ready = true;
    facts.kube_proxy_healthy = true;
    facts.service_cidrs = {P("10.96.0.0/12")};
    facts.service_cidr_source = "ServiceCIDR API";
  }
  k8s::Service& service(const char* ns, const char* name, const char* cluster_ip,
                        std::map<std::string, std::string> annotations = {}) {
    auto& s = facts.services[std::string(ns) + "/" + name];
    s.meta.namespace_ = ns;
    s.meta.name = name;
    s.meta.annotations = std::move(annotations);
    s.cluster_ips = {A(cluster_ip)};
    return s;
  }
  Explanation run(const char* ip) const { return explain(plan(facts, advertise), facts, A(ip)); }
};

const std::map<std::string, std::string> kAnnotated = {{kAdvertiseAnnotation, "true"}};

}  // namespace

TEST(Explain, CoveredByTheServiceCidrOnly) {
  World w;
  w.service("kube-system", "kube-dns", "10.96.0.10");
  auto e = w.run("10.96.0.10");
  ASSERT_TRUE(e.advertised());
  ASSERT_EQ(e.covering.size(), 1u);
  EXPECT_EQ(e.covering[0].prefix, P("10.96.0.0/12"));
  EXPECT_EQ(e.covering[0].kind, net::RouteKind::service_cidr);
  EXPECT_EQ(e.owners, (std::vector<Explanation::Owner>{{"kube-system/kube-dns", "clusterIP"}}));
  // advertise.cluster_ips defaults to annotated: the /32 is left out, and the verdict says why.
  ASSERT_EQ(e.exclusions.size(), 1u);
  EXPECT_NE(e.verdict.find("covered by 10.96.0.0/12 (Service CIDR (ServiceCIDR API))"), std::string::npos) << e.verdict;
  EXPECT_NE(e.verdict.find("no /32 of its own: not annotated"), std::string::npos) << e.verdict;
}

TEST(Explain, AnnotatedClusterIpHasItsOwnSlash32FirstThenTheCidr) {
  World w;
  w.service("default", "web", "10.96.5.5", kAnnotated);
  auto e = w.run("10.96.5.5");
  ASSERT_EQ(e.covering.size(), 2u);
  EXPECT_EQ(e.covering[0].prefix, P("10.96.5.5/32"));  // most specific first
  EXPECT_EQ(e.covering[0].kind, net::RouteKind::cluster_ip);
  EXPECT_EQ(e.covering[0].reason, "cluster_ip of Service default/web");
  EXPECT_EQ(e.covering[1].prefix, P("10.96.0.0/12"));
  EXPECT_TRUE(e.exclusions.empty());
  EXPECT_EQ(e.verdict, "advertised: covered by 10.96.5.5/32 (cluster_ip of Service default/web)");
}

TEST(Explain, ExternalIpWithoutAnnotationOrRuleIsNotAdvertised) {
  World w;
  w.service("default", "web", "10.96.5.5").external_ips = {A("198.51.100.7")};
  auto e = w.run("198.51.100.7");
  EXPECT_FALSE(e.advertised());
  EXPECT_EQ(e.owners, (std::vector<Explanation::Owner>{{"default/web", "externalIP"}}));
  EXPECT_EQ(e.verdict, "not advertised: Service default/web: advertise.external_ips is false");
}

TEST(Explain, OptedOutByAnnotation) {
  World w;
  w.advertise.cluster_ips = config::ClusterIpMode::all;
  w.facts.service_cidrs.clear();  // so that nothing covers it
  w.service("default", "secret", "10.96.7.7", {{kAdvertiseAnnotation, "false"}});
  auto e = w.run("10.96.7.7");
  EXPECT_FALSE(e.advertised());
  EXPECT_EQ(e.verdict, "not advertised: Service default/secret: annotated clusterip-speaker.io/advertise: \"false\"");
}

TEST(Explain, LocalPolicyWithoutEndpointOnThisNode) {
  World w;
  w.facts.service_cidrs.clear();  // so that nothing covers it
  auto& s = w.service("default", "local", "10.96.8.8", kAnnotated);
  s.internal_traffic_policy = k8s::TrafficPolicy::local;
  auto e = w.run("10.96.8.8");
  EXPECT_FALSE(e.advertised());
  ASSERT_EQ(e.exclusions.size(), 1u);
  EXPECT_EQ(e.exclusions[0].reason, "internalTrafficPolicy is Local and no ready endpoint is on this node");
  EXPECT_EQ(e.verdict,
            "not advertised: Service default/local: internalTrafficPolicy is Local and no ready endpoint is on this node");
}

TEST(Explain, WithheldBecauseKubeProxyIsUnhealthy) {
  World w;
  w.facts.kube_proxy_healthy = false;
  w.service("kube-system", "kube-dns", "10.96.0.10", kAnnotated);
  auto e = w.run("10.96.0.10");
  EXPECT_FALSE(e.advertised());
  EXPECT_EQ(e.withheld, "kube-proxy on this node is unhealthy");
  EXPECT_EQ(e.verdict, "not advertised: this node advertises nothing: kube-proxy on this node is unhealthy");
}

TEST(Explain, WithheldBecauseTheNodeIsCordoned) {
  World w;
  w.facts.node->unschedulable = true;
  auto e = w.run("10.96.0.10");
  EXPECT_FALSE(e.advertised());
  EXPECT_EQ(e.verdict, "not advertised: this node advertises nothing: Node node1 is cordoned");
}

TEST(Explain, UnknownAddress) {
  World w;
  auto e = w.run("192.0.2.1");
  EXPECT_FALSE(e.advertised());
  EXPECT_TRUE(e.owners.empty());
  EXPECT_EQ(e.verdict, "not advertised: not a Service address and outside every advertised prefix");
}

TEST(Explain, RouteHeldByWithdrawDelayIsMarked) {
  World w;
  auto planned = plan(w.facts, w.advertise);
  net::RouteSet advertised = planned.routes;
  advertised.insert({P("10.96.9.9/32"), {}, net::RouteKind::cluster_ip, "cluster_ip of Service default/gone"});
  auto e = explain(planned, w.facts, advertised, A("10.96.9.9"));
  ASSERT_EQ(e.held, (std::vector<bool>{true, false}));
  EXPECT_NE(e.verdict.find("still advertised for advertise.withdraw_delay"), std::string::npos) << e.verdict;
}

TEST(Explain, IPv6AddressIsNotCoveredByAnIPv4Prefix) {
  World w;
  w.advertise.static_prefixes = {P("0.0.0.0/0")};
  auto e = w.run("fd00::1");
  EXPECT_FALSE(e.advertised());
}

TEST(Explain, JsonShape) {
  World w;
  w.service("default", "web", "10.96.5.5", kAnnotated);
  auto j = to_json(w.run("10.96.5.5"));
  EXPECT_EQ(j["ip"], "10.96.5.5");
  EXPECT_EQ(j["advertised"], true);
  EXPECT_EQ(j["covering"][0]["prefix"], "10.96.5.5/32");
  EXPECT_EQ(j["covering"][0]["kind"], "cluster_ip");
  EXPECT_EQ(j["covering"][1]["reason"], "Service CIDR (ServiceCIDR API)");
  EXPECT_EQ(j["services"][0]["service"], "default/web");
  EXPECT_EQ(j["services"][0]["role"], "clusterIP");
  EXPECT_TRUE(j["excluded"].is_array());
  EXPECT_EQ(j["withheld"], "");
}

// Abuse resistance: explain says why a tenant's address or community was refused.
TEST(Explain, SaysWhyAnExternalIpWasRefused) {
  World w;
  w.advertise.external_ips = config::AddressRanges::within({P("198.51.100.0/24")});
  w.facts.protected_addresses = {{A("198.51.100.1"), "the address of BGP peer 198.51.100.1"}};
  w.service("tenant", "web", "10.96.5.5").external_ips = {A("203.0.113.9"), A("198.51.100.1")};
  auto outside = w.run("203.0.113.9");
  EXPECT_FALSE(outside.advertised());
  ASSERT_EQ(outside.refusals.size(), 1u);
  EXPECT_EQ(outside.refusals[0].reason, RefusalReason::external_ip_not_allowed);
  EXPECT_EQ(outside.verdict,
            "not advertised: Service tenant/web: 203.0.113.9 is outside advertise.external_ips (refused)");
  auto router = w.run("198.51.100.1");
  ASSERT_EQ(router.refusals.size(), 1u);
  EXPECT_EQ(router.refusals[0].reason, RefusalReason::hijack);
  EXPECT_NE(router.verdict.find("BGP peer 198.51.100.1"), std::string::npos) << router.verdict;
  EXPECT_EQ(to_json(router)["refused"][0]["reason"], "hijack");
}

TEST(Explain, SaysWhichCommunitiesWereRefused) {
  World w;
  w.advertise.annotation_communities = {*config::parse_community_pattern("65000:*")};
  w.service("tenant", "web", "10.96.5.5", {{kAdvertiseAnnotation, "true"}, {kCommunitiesAnnotation, "65000:1,blackhole"}});
  auto e = w.run("10.96.5.5");
  EXPECT_TRUE(e.advertised());
  ASSERT_EQ(e.refusals.size(), 1u);
  EXPECT_EQ(e.refusals[0].reason, RefusalReason::community_not_allowed);
  EXPECT_NE(e.verdict.find("refused: community blackhole"), std::string::npos) << e.verdict;
}

TEST(Explain, SaysWhenTheServiceCidrItselfWasRefused) {
  World w;
  w.facts.service_cidrs = {P("10.0.0.0/8")};  // discovered, and it covers the router
  w.facts.protected_addresses = {{A("10.0.1.1"), "the address of BGP peer 10.0.1.1"}};
  w.service("default", "web", "10.0.5.5");
  auto e = w.run("10.0.5.5");
  EXPECT_FALSE(e.advertised());
  ASSERT_EQ(e.refusals.size(), 1u);
  EXPECT_EQ(e.refusals[0].reason, RefusalReason::hijack);
  EXPECT_NE(e.verdict.find("refused: Service CIDR 10.0.0.0/8 (ServiceCIDR API) covers 10.0.1.1"), std::string::npos)
      << e.verdict;
}

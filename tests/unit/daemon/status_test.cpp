#include "daemon/status.hpp"

#include <gtest/gtest.h>

#include "cli/status_client.hpp"
#include "status_fixture.hpp"

using namespace cisd;

TEST(Status, JsonShape) {
  auto j = to_json(fixture::synthetic_status());
  EXPECT_EQ(j["node"], "node1");
  EXPECT_EQ(j["router_id"], "10.0.1.2");
  EXPECT_EQ(j["ready"], true);
  EXPECT_EQ(j["service_cidrs"]["cidrs"], nlohmann::json::array({"10.96.0.0/12"}));
  EXPECT_EQ(j["service_cidrs"]["source"], "ServiceCIDR API");
  EXPECT_EQ(j["plan"]["computed"], true);
  EXPECT_EQ(j["plan"]["withheld"], "");
  EXPECT_EQ(j["plan"]["excluded_addresses"], 3);
  EXPECT_EQ(j["advertised"]["total"], 2);
  EXPECT_EQ(j["advertised"]["by_kind"]["service_cidr"], 1);
  EXPECT_EQ(j["advertised"]["by_kind"]["static"], 0);
  EXPECT_EQ(j["advertised"]["routes"][0],
            (nlohmann::json{{"prefix", "10.96.0.0/12"}, {"kind", "service_cidr"}, {"reason", "Service CIDR (ServiceCIDR API)"}}));

  const auto& peer = j["bgp"]["peers"][0];
  EXPECT_EQ(peer["address"], "10.0.1.1");
  EXPECT_EQ(peer["asn"], 64512);
  EXPECT_EQ(peer["state"], "Established");
  EXPECT_NEAR(peer["uptime_seconds"].get<double>(), 65.0, 0.5);
  EXPECT_EQ(peer["advertised"]["ipv4"], 2);
  EXPECT_EQ(peer["advertised"]["ipv6"], 0);
  EXPECT_EQ(peer["counters"]["updates_sent"], 3);
  EXPECT_EQ(peer["counters"]["notifications_sent"][0],
            (nlohmann::json{{"code", 6}, {"subcode", 2}, {"count", 1}}));
  const auto& down = j["bgp"]["peers"][1];
  EXPECT_EQ(down["state"], "Active");
  EXPECT_TRUE(down["uptime_seconds"].is_null());
  EXPECT_EQ(down["last_error"], "connect: Connection refused");

  EXPECT_EQ(j["ospf"]["neighbors"][0],
            (nlohmann::json{{"interface", "eth0"}, {"router_id", "10.0.1.1"}, {"address", "10.0.1.1"}, {"state", "Full"}}));
  EXPECT_EQ(j["ospf"]["lsas_originated"], 4);
  EXPECT_EQ(j["ospf"]["packets_received"], 120);
  EXPECT_EQ(j["ospf"]["packets_dropped"], (nlohmann::json{{"area mismatch", 1}, {"bad checksum", 2}}));

  EXPECT_EQ(j["kubernetes"]["kube_proxy_healthy"], true);
  EXPECT_EQ(j["kubernetes"]["node_ready"], true);
  EXPECT_EQ(j["kubernetes"]["resources"]["services"]["synced"], true);
  EXPECT_EQ(j["kubernetes"]["resources"]["services"]["last_sync"], 1700000000.0);
  EXPECT_EQ(j["kubernetes"]["resources"]["services"]["watch_restarts"], 2);
}

TEST(Status, DisabledPartsAreNull) {
  auto s = fixture::synthetic_status();
  s.bgp_enabled = s.ospf_enabled = s.kubernetes_enabled = false;
  s.peers.clear();
  s.ospf_neighbors.clear();
  auto j = to_json(s);
  EXPECT_TRUE(j["bgp"].is_null());
  EXPECT_TRUE(j["ospf"].is_null());
  EXPECT_TRUE(j["kubernetes"].is_null());
  EXPECT_EQ(j["ready"], false);
}

TEST(Status, ReadyNeedsAPlanAndOneSessionOrAdjacency) {
  auto s = fixture::synthetic_status();
  EXPECT_TRUE(ready(s));
  s.ospf_neighbors[0].state = "2-Way";
  EXPECT_TRUE(ready(s));  // the BGP session is enough
  s.peers[0].state = bgp::State::open_confirm;
  EXPECT_EQ(not_ready_reason(s), "no BGP session Established and no OSPF adjacency Full");
  s.ospf_neighbors[0].state = "Full";
  EXPECT_TRUE(ready(s));  // the adjacency is enough
  s.planned = false;
  s.waiting_for = "Services, Node";
  EXPECT_EQ(not_ready_reason(s), "no plan yet: waiting for Services, Node");
}

TEST(Status, RoutesListCanBeCutButCountsStayWhole) {
  Status s;
  net::RouteSet routes{{*net::Prefix::parse("10.96.0.0/12"), {}, net::RouteKind::service_cidr, "x"},
                       {*net::Prefix::parse("192.0.2.0/24"), {}, net::RouteKind::static_prefix, "y"}};
  set_advertised(s, routes, RoutePage{0, 1});
  EXPECT_EQ(s.advertised.size(), 1u);
  EXPECT_TRUE(s.routes_truncated);
  EXPECT_EQ(s.advertised_total, 2u);
  EXPECT_EQ(s.advertised_by_kind[net::RouteKind::static_prefix], 1u);
  EXPECT_EQ(s.advertised_by_kind[net::RouteKind::external_ip], 0u);
}

// Abuse resistance: /status lists one page of routes; the next page starts where it says.
TEST(Status, RoutesComeInPages) {
  Status s;
  net::RouteSet routes{{*net::Prefix::parse("10.96.0.0/12"), {}, net::RouteKind::service_cidr, "x"},
                       {*net::Prefix::parse("192.0.2.0/24"), {}, net::RouteKind::static_prefix, "y"},
                       {*net::Prefix::parse("198.51.100.0/24"), {}, net::RouteKind::static_prefix, "z"}};
  set_advertised(s, routes, RoutePage{1, 1});
  ASSERT_EQ(s.advertised.size(), 1u);
  EXPECT_EQ(s.advertised[0].reason, "y");
  auto j = to_json(s);
  EXPECT_EQ(j["advertised"]["offset"], 1);
  EXPECT_EQ(j["advertised"]["next_offset"], 2);
  set_advertised(s, routes, RoutePage{2, 5});
  j = to_json(s);
  EXPECT_EQ(j["advertised"]["routes"].size(), 1u);
  EXPECT_FALSE(s.routes_truncated);
  EXPECT_TRUE(j["advertised"]["next_offset"].is_null());
  EXPECT_EQ(s.advertised_by_kind[net::RouteKind::static_prefix], 2u);  // counts stay whole
}

TEST(Status, TableForPeople) {
  auto text = format_status(to_json(fixture::synthetic_status()), 1700000010.0);
  EXPECT_NE(text.find("clusterip-speaker 0.1.0 on node1, router id 10.0.1.2: ready"), std::string::npos) << text;
  EXPECT_NE(text.find("Service CIDRs: 10.96.0.0/12 (from ServiceCIDR API)"), std::string::npos) << text;
  EXPECT_NE(text.find("Name"), std::string::npos) << text;
  EXPECT_NE(text.find("10.0.1.1       BGP    Established  00:01:05  AS64512"), std::string::npos) << text;
  EXPECT_NE(text.find("fd00:1::1      BGP    Active"), std::string::npos) << text;
  EXPECT_NE(text.find("eth0/10.0.1.1  OSPF   Full"), std::string::npos) << text;
  EXPECT_NE(text.find("services        yes     00:00:10 ago"), std::string::npos) << text;
  EXPECT_NE(text.find("10.96.0.10/32  cluster_ip    cluster_ip of Service kube-system/kube-dns"), std::string::npos)
      << text;
}

// A synthetic daemon snapshot with one of everything, for the status, metrics and endpoint tests.
#pragma once
#include "daemon/status.hpp"

namespace cisd::fixture {

inline Status synthetic_status() {
  Status s;
  s.taken_at = std::chrono::steady_clock::now();
  s.version = "0.1.0";
  s.node = "node1";
  s.router_id = net::Address::parse("10.0.1.2")->v4_value();
  s.service_cidrs = {*net::Prefix::parse("10.96.0.0/12")};
  s.service_cidr_source = "ServiceCIDR API";
  s.planned = true;
  s.excluded = 3;
  net::RouteSet routes{{*net::Prefix::parse("10.96.0.0/12"), {}, net::RouteKind::service_cidr, "Service CIDR (ServiceCIDR API)"},
                       {*net::Prefix::parse("10.96.0.10/32"), {}, net::RouteKind::cluster_ip,
                        "cluster_ip of Service kube-system/kube-dns"}};
  set_advertised(s, routes, RoutePage{0, 100});

  s.bgp_enabled = true;
  bgp::PeerStatus up;
  up.address = *net::Address::parse("10.0.1.1");
  up.asn = 64512;
  up.state = bgp::State::established;
  up.established_since = s.taken_at - std::chrono::seconds(65);
  up.advertised = {{bgp::wire::kIpv4Unicast, 2}, {bgp::wire::kIpv6Unicast, 0}};
  up.counters.updates_sent = 3;
  up.counters.updates_received = 1;
  up.counters.notifications_sent[{6, 2}] = 1;
  bgp::PeerStatus down;
  down.address = *net::Address::parse("fd00:1::1");
  down.asn = 64512;
  down.state = bgp::State::active;
  down.last_error = "connect: Connection refused";
  s.peers = {up, down};

  s.ospf_enabled = true;
  s.ospf_router_id = s.router_id;
  s.ospf_neighbors = {{"eth0", net::Address::parse("10.0.1.1")->v4_value(), net::Address::parse("10.0.1.1")->v4_value(),
                       "Full"}};
  s.ospf_lsas_originated = 4;
  s.ospf_packets_received = 120;
  s.ospf_dropped = {{"bad checksum", 2}, {"area mismatch", 1}};

  s.kubernetes_enabled = true;
  s.kube_proxy_healthy = true;
  s.node_ready = true;
  k8s::ReflectorStats services;
  services.synced = true;
  services.watch_restarts = 2;
  services.last_sync = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  s.kubernetes = {{"services", services}, {"endpointslices", services}, {"node", services}};
  return s;
}

}  // namespace cisd::fixture

#include "daemon/metrics.hpp"

#include <gtest/gtest.h>

#include "status_fixture.hpp"

using namespace cisd;

namespace {

// The sample line for `series` (name with labels, in prometheus-cpp's order), or "" if absent.
std::string sample(const std::string& text, const std::string& series) {
  const std::string full = std::string(kMetricPrefix) + series + " ";
  for (std::size_t pos = 0; (pos = text.find(full, pos)) != std::string::npos; ++pos)
    if (pos == 0 || text[pos - 1] == '\n') return text.substr(pos, text.find('\n', pos) - pos);
  return "";
}

bool has_family(const std::string& text, const std::string& name) {
  return text.find("# TYPE " + std::string(kMetricPrefix) + name + " ") != std::string::npos;
}

}  // namespace

TEST(Metrics, EveryProductMetricWithItsLabelsAfterACollect) {
  Metrics m;
  m.observe_plan(std::chrono::microseconds(150));
  m.observe_event_to_advertisement(std::chrono::milliseconds(3));
  m.collect(fixture::synthetic_status());
  const auto text = m.text();

  // Every metric docs/metrics.md promises, name by name.
  for (const char* name : {"bgp_session_up", "bgp_session_state", "bgp_updates_sent_total",
                           "bgp_updates_received_total", "bgp_notifications_sent_total", "bgp_advertised_prefixes",
                           "ospf_neighbor_state", "ospf_lsas_originated", "advertised_routes", "kube_proxy_healthy",
                           "node_ready", "k8s_watch_restarts_total", "k8s_last_sync_timestamp_seconds",
                           "plan_duration_seconds", "event_to_advertisement_seconds", "build_info"})
    EXPECT_TRUE(has_family(text, name)) << name << " missing in\n" << text;

  EXPECT_EQ(sample(text, "bgp_session_up{peer=\"10.0.1.1\"}"), "clusterip_speaker_bgp_session_up{peer=\"10.0.1.1\"} 1");
  EXPECT_EQ(sample(text, "bgp_session_up{peer=\"fd00:1::1\"}"), "clusterip_speaker_bgp_session_up{peer=\"fd00:1::1\"} 0");
  EXPECT_NE(sample(text, "bgp_session_state{peer=\"10.0.1.1\",state=\"Established\"}"), "");
  EXPECT_TRUE(sample(text, "bgp_session_state{peer=\"10.0.1.1\",state=\"Established\"}").ends_with(" 1"));
  EXPECT_TRUE(sample(text, "bgp_session_state{peer=\"10.0.1.1\",state=\"Idle\"}").ends_with(" 0"));
  EXPECT_TRUE(sample(text, "bgp_session_state{peer=\"fd00:1::1\",state=\"Active\"}").ends_with(" 1"));
  EXPECT_TRUE(sample(text, "bgp_updates_sent_total{peer=\"10.0.1.1\"}").ends_with(" 3"));
  EXPECT_TRUE(sample(text, "bgp_updates_received_total{peer=\"10.0.1.1\"}").ends_with(" 1"));
  EXPECT_TRUE(
      sample(text, "bgp_notifications_sent_total{code=\"6\",peer=\"10.0.1.1\",subcode=\"2\"}").ends_with(" 1"))
      << text;
  EXPECT_TRUE(sample(text, "bgp_advertised_prefixes{family=\"ipv4\",peer=\"10.0.1.1\"}").ends_with(" 2"));
  EXPECT_TRUE(sample(text, "bgp_advertised_prefixes{family=\"ipv6\",peer=\"10.0.1.1\"}").ends_with(" 0"));
  EXPECT_TRUE(sample(text, "ospf_neighbor_state{interface=\"eth0\",neighbor=\"10.0.1.1\"}").ends_with(" 8"));
  EXPECT_TRUE(sample(text, "ospf_lsas_originated").ends_with(" 4"));
  EXPECT_TRUE(sample(text, "advertised_routes{kind=\"service_cidr\"}").ends_with(" 1"));
  EXPECT_TRUE(sample(text, "advertised_routes{kind=\"cluster_ip\"}").ends_with(" 1"));
  for (const char* kind : {"external_ip", "load_balancer_ip", "static"})
    EXPECT_TRUE(sample(text, std::string("advertised_routes{kind=\"") + kind + "\"}").ends_with(" 0")) << kind;
  EXPECT_TRUE(sample(text, "kube_proxy_healthy").ends_with(" 1"));
  EXPECT_TRUE(sample(text, "node_ready").ends_with(" 1"));
  for (const char* r : {"services", "endpointslices", "node"}) {
    EXPECT_TRUE(sample(text, std::string("k8s_watch_restarts_total{resource=\"") + r + "\"}").ends_with(" 2")) << r;
    EXPECT_TRUE(
        sample(text, std::string("k8s_last_sync_timestamp_seconds{resource=\"") + r + "\"}").ends_with(" 1700000000"))
        << text;
  }
  EXPECT_TRUE(sample(text, "plan_duration_seconds_count").ends_with(" 1"));
  EXPECT_TRUE(sample(text, "event_to_advertisement_seconds_bucket{le=\"0.005\"}").ends_with(" 1"));
  EXPECT_TRUE(sample(text, "event_to_advertisement_seconds_bucket{le=\"0.0025\"}").ends_with(" 0"));
  EXPECT_TRUE(sample(text, "build_info{version=\"" CIS_VERSION "\"}").ends_with(" 1"));
}

TEST(Metrics, CountersFollowTheSourcesTotalsAndVanishedNeighboursGo) {
  Metrics m;
  auto s = fixture::synthetic_status();
  m.collect(s);
  s.peers[0].counters.updates_sent = 10;
  s.ospf_neighbors.clear();
  m.collect(s);
  const auto text = m.text();
  EXPECT_TRUE(sample(text, "bgp_updates_sent_total{peer=\"10.0.1.1\"}").ends_with(" 10"));
  EXPECT_EQ(sample(text, "ospf_neighbor_state{interface=\"eth0\",neighbor=\"10.0.1.1\"}"), "");
}

TEST(Metrics, WithoutKubernetesTheNodeGaugesAreLeftOut) {
  Metrics m;
  auto s = fixture::synthetic_status();
  s.kubernetes_enabled = false;
  s.ospf_enabled = false;
  m.collect(s);
  const auto text = m.text();
  EXPECT_EQ(sample(text, "kube_proxy_healthy"), "");
  EXPECT_EQ(sample(text, "node_ready"), "");
  EXPECT_EQ(sample(text, "ospf_lsas_originated"), "");
  EXPECT_TRUE(sample(text, "advertised_routes{kind=\"service_cidr\"}").ends_with(" 1"));
}

TEST(Metrics, KubernetesEventsByResultFromZero) {
  Metrics m;
  m.count_event("sent");
  m.count_event("sent");
  m.count_event("rate_limited");
  const auto text = m.text();
  EXPECT_EQ(sample(text, "kubernetes_events_total{result=\"sent\"}"),
            "clusterip_speaker_kubernetes_events_total{result=\"sent\"} 2");
  EXPECT_EQ(sample(text, "kubernetes_events_total{result=\"rate_limited\"}"),
            "clusterip_speaker_kubernetes_events_total{result=\"rate_limited\"} 1");
  // Every result is there from the start, so a rate() has a series to work on.
  EXPECT_EQ(sample(text, "kubernetes_events_total{result=\"failed\"}"),
            "clusterip_speaker_kubernetes_events_total{result=\"failed\"} 0");
  EXPECT_EQ(sample(text, "kubernetes_events_total{result=\"queue_full\"}"),
            "clusterip_speaker_kubernetes_events_total{result=\"queue_full\"} 0");
}

#include "k8s/service_cidr_discovery.hpp"

#include <gtest/gtest.h>

#include "k8s/kube_proxy_probe.hpp"
#include "k8s/object_decoder.hpp"

namespace k8s {
namespace {

net::Prefix pfx(const char* s) { return *net::Prefix::parse(s); }

TEST(ServiceCidrDiscovery, KubeadmServiceSubnet) {
  auto one = parse_kubeadm_service_subnet(R"(apiServer:
  timeoutForControlPlane: 4m0s
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/12
)");
  ASSERT_TRUE(one) << one.error();
  EXPECT_EQ(*one, std::vector<net::Prefix>{pfx("10.96.0.0/12")});
  auto dual = parse_kubeadm_service_subnet("networking:\n  serviceSubnet: 10.96.0.0/16, fd00:10:96::/112\n");
  ASSERT_TRUE(dual) << dual.error();
  EXPECT_EQ(*dual, (std::vector<net::Prefix>{pfx("10.96.0.0/16"), pfx("fd00:10:96::/112")}));
  EXPECT_FALSE(parse_kubeadm_service_subnet("networking:\n  podSubnet: 10.244.0.0/16\n"));
  EXPECT_FALSE(parse_kubeadm_service_subnet("networking:\n  serviceSubnet: banana\n"));
}

TEST(ServiceCidrDiscovery, ValidRangeMessage) {
  EXPECT_EQ(parse_valid_range_message(
                "Service \"clusterip-speaker-range-probe\" is invalid: spec.clusterIPs: Invalid value: "
                "[]string{\"203.0.113.254\"}: failed to allocate IP 203.0.113.254: provided IP (203.0.113.254) is "
                "not in the valid range. The range of valid IPs is 10.96.0.0/12"),
            std::vector<net::Prefix>{pfx("10.96.0.0/12")});
  // kube-apiserver 1.36.3, word for word (tests/e2e/test_real_cluster.py): the value as JSON.
  EXPECT_EQ(parse_valid_range_message(
                "Service \"clusterip-speaker-range-probe\" is invalid: spec.clusterIPs: Invalid value: "
                "[\"203.0.113.254\"]: failed to allocate IP 203.0.113.254: the provided IP (203.0.113.254) is not "
                "in the valid range. The range of valid IPs is 10.96.0.0/12"),
            std::vector<net::Prefix>{pfx("10.96.0.0/12")});
  EXPECT_EQ(parse_valid_range_message("... The range of valid IPs is fd00:10:96::/108."),
            std::vector<net::Prefix>{pfx("fd00:10:96::/108")});
  EXPECT_EQ(parse_valid_range_message("The range of valid IPs are 10.96.0.0/16, 10.97.0.0/16"),
            (std::vector<net::Prefix>{pfx("10.96.0.0/16"), pfx("10.97.0.0/16")}));
  EXPECT_TRUE(parse_valid_range_message("spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster").empty());
}

TEST(ServiceCidrDiscovery, ProbeBodyIsAValidService) {
  auto body = probe_service_json("203.0.113.254", false);
  auto s = decode_service(body);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->meta.namespace_, "default");
  EXPECT_EQ(s->cluster_ips, std::vector<net::Address>{*net::Address::parse("203.0.113.254")});
  EXPECT_NE(probe_service_json("2001:db8::1", true).find("\"IPv6\""), std::string::npos);
}

TEST(KubeProxyProbe, UnhealthyOnlyAfterThresholdFailures) {
  KubeProxyStatus s;
  EXPECT_FALSE(s.healthy);
  s = fold_probe_result(s, true, "", 3);
  EXPECT_TRUE(s.healthy);
  s = fold_probe_result(s, false, "timed out", 3);
  s = fold_probe_result(s, false, "timed out", 3);
  EXPECT_TRUE(s.healthy);
  EXPECT_EQ(s.consecutive_failures, 2u);
  s = fold_probe_result(s, false, "refused", 3);
  EXPECT_FALSE(s.healthy);
  EXPECT_EQ(s.last_error, "refused");
  s = fold_probe_result(s, true, "", 3);
  EXPECT_TRUE(s.healthy);
  EXPECT_EQ(s.consecutive_failures, 0u);
  EXPECT_EQ(s.polls, 5u);
}

}  // namespace
}  // namespace k8s

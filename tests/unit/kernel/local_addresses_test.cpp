#include "kernel/local_addresses.hpp"

#include <gtest/gtest.h>

using namespace cisd;

TEST(LocalAddresses, SharedInterfacesAreNotTheNodesIdentity) {
  for (const char* name : {"kube-ipvs0", "docker0", "cni0", "flannel.1", "cali1234", "cilium_host", "vxlan.calico",
                           "tunl0", "kube-bridge"})
    EXPECT_TRUE(is_shared_interface(name)) << name;
  for (const char* name : {"eth0", "ens3", "enp1s0", "bond0", "br0", "wlan0"}) EXPECT_FALSE(is_shared_interface(name)) << name;
}

TEST(LocalAddresses, SourceTowardLoopbackIsLoopback) {
  // A route lookup only: connect() on UDP sends nothing.
  EXPECT_EQ(source_address_toward(*net::Address::parse("127.0.0.1")), net::Address::parse("127.0.0.1"));
}

TEST(LocalAddresses, FirstGlobalIpv4IsNeverLoopbackOrLinkLocal) {
  if (auto a = first_global_ipv4()) {
    EXPECT_NE(a->bytes()[0], 127);
    EXPECT_FALSE(a->is_link_local());
  }
}

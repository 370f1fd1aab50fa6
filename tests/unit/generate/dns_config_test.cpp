#include "generate/dns_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace cisd;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

net::Prefix P(const char* s) { return *net::Prefix::parse(s); }

DnsConfigRequest request() {
  DnsConfigRequest r;
  r.dns_ip = *net::Address::parse("10.96.0.10");
  r.service_cidrs = {P("10.96.0.0/12"), P("fd00:10:96::/112")};
  return r;
}

std::string generate(const DnsConfigRequest& r, Resolver res) {
  auto text = generate_dns_config(r, res);
  EXPECT_TRUE(text.has_value());
  return text ? *text : "";
}

}  // namespace

TEST(ReverseZones, OctetBoundariesAreOneZone) {
  EXPECT_THAT(reverse_zones(P("10.0.0.0/8")), ElementsAre("10.in-addr.arpa"));
  EXPECT_THAT(reverse_zones(P("10.96.0.0/16")), ElementsAre("96.10.in-addr.arpa"));
  EXPECT_THAT(reverse_zones(P("192.168.5.0/24")), ElementsAre("5.168.192.in-addr.arpa"));
}

TEST(ReverseZones, SlashTwelveIsSixteenSlashSixteens) {
  auto zones = reverse_zones(P("10.96.0.0/12"));
  ASSERT_EQ(zones.size(), 16u);
  EXPECT_EQ(zones.front(), "96.10.in-addr.arpa");
  EXPECT_EQ(zones.back(), "111.10.in-addr.arpa");
  EXPECT_THAT(reverse_zones(P("10.43.0.0/23")), ElementsAre("0.43.10.in-addr.arpa", "1.43.10.in-addr.arpa"));
}

TEST(ReverseZones, Ipv6Nibbles) {
  // fd00:0010:0096:0000:0000:0000:0000::/112 is 28 nibbles: sixteen zeros, then 6.9.0.0, 0.1.0.0, 0.0.d.f.
  EXPECT_THAT(reverse_zones(P("fd00:10:96::/112")),
              ElementsAre("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa"));
  auto zones = reverse_zones(P("fd00:10:96::/110"));  // 2 bits short of a nibble: 4 zones
  ASSERT_EQ(zones.size(), 4u);
  EXPECT_EQ(zones[3], "3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa");
}

TEST(DnsConfig, Dnsmasq) {
  auto text = generate(request(), Resolver::dnsmasq);
  EXPECT_THAT(text, HasSubstr("server=/cluster.local/10.96.0.10\n"));
  EXPECT_THAT(text, HasSubstr("server=/96.10.in-addr.arpa/10.96.0.10\n"));
  EXPECT_THAT(text, HasSubstr("server=/111.10.in-addr.arpa/10.96.0.10\n"));
  EXPECT_THAT(text, HasSubstr("server=/0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa/10.96.0.10\n"));
  EXPECT_THAT(text, HasSubstr("rebind-domain-ok=/cluster.local/\n"));
}

TEST(DnsConfig, Unbound) {
  auto text = generate(request(), Resolver::unbound);
  EXPECT_THAT(text, HasSubstr("forward-zone:\n    name: \"cluster.local.\"\n    forward-addr: 10.96.0.10\n"));
  EXPECT_THAT(text, HasSubstr("    domain-insecure: \"cluster.local\"\n"));
  EXPECT_THAT(text, HasSubstr("    private-domain: \"cluster.local\"\n"));
  EXPECT_THAT(text, HasSubstr("    local-zone: \"100.10.in-addr.arpa.\" transparent\n"));
  EXPECT_THAT(text, HasSubstr("name: \"100.10.in-addr.arpa.\""));
}

TEST(DnsConfig, SystemdResolved) {
  auto text = generate(request(), Resolver::systemd_resolved);
  EXPECT_THAT(text, HasSubstr("[Resolve]\nDNS=10.96.0.10\nDomains=~cluster.local ~96.10.in-addr.arpa ~97.10"));
  EXPECT_THAT(text, HasSubstr("/etc/systemd/resolved.conf.d/"));
}

TEST(DnsConfig, MacOsResolverFile) {
  auto r = request();
  r.domain = "k8s.example";
  auto text = generate(r, Resolver::macos);
  EXPECT_THAT(text, HasSubstr("# macOS: save as /etc/resolver/k8s.example"));
  EXPECT_THAT(text, HasSubstr("\nnameserver 10.96.0.10\n"));
  EXPECT_THAT(text, HasSubstr("96.10.in-addr.arpa"));
}

TEST(DnsConfig, WithoutServiceCidrsOnlyTheDomain) {
  auto r = request();
  r.service_cidrs.clear();
  auto text = generate(r, Resolver::dnsmasq);
  EXPECT_THAT(text, HasSubstr("server=/cluster.local/10.96.0.10\n"));
  EXPECT_THAT(text, Not(HasSubstr("in-addr.arpa/")));
  r.domain = "bad domain";
  EXPECT_FALSE(generate_dns_config(r, Resolver::dnsmasq).has_value());
}

// Conditional forwarding of the cluster domain (and the reverse zones of the Service CIDRs) to
// kube-dns, for the resolvers on the LAN: `clusterip-speaker dns-config`. Pure.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.hpp"
#include "net/expected.hpp"
#include "net/prefix.hpp"

namespace cisd {

enum class Resolver { dnsmasq, unbound, systemd_resolved, macos };
std::optional<Resolver> parse_resolver(std::string_view);
const char* to_string(Resolver);

struct DnsConfigRequest {
  net::Address dns_ip;                     // kube-dns's ClusterIP
  std::string domain = "cluster.local";    // the cluster domain (kubelet --cluster-domain)
  std::vector<net::Prefix> service_cidrs;  // their reverse zones go to kube-dns too
};

// The reverse DNS zones that exactly cover a prefix: in-addr.arpa on octet boundaries (a /12 is
// the sixteen /16 zones), ip6.arpa on nibble boundaries. Names without the trailing dot.
std::vector<std::string> reverse_zones(const net::Prefix&);

net::Expected<std::string, std::string> generate_dns_config(const DnsConfigRequest&, Resolver);

}  // namespace cisd

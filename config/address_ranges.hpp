// Which addresses an operator lets Services advertise (advertise.external_ips and
// load_balancer_ips): none, any, or those inside a list of ranges.
#pragma once
#include <vector>

#include "net/address.hpp"
#include "net/prefix.hpp"

namespace config {

struct AddressRanges {
  bool any = false;                  // every address (load_balancer_ips: true)
  std::vector<net::Prefix> ranges;   // else only addresses inside one of these

  static AddressRanges none() { return {}; }
  static AddressRanges all() { return {true, {}}; }
  static AddressRanges within(std::vector<net::Prefix> ranges) { return {false, std::move(ranges)}; }

  bool allows_some() const { return any || !ranges.empty(); }
  bool allows(const net::Address& ip) const {
    if (any) return true;
    for (const auto& r : ranges)
      if (r.family() == ip.family() && r.contains(ip)) return true;
    return false;
  }
  bool operator==(const AddressRanges&) const = default;
};

}  // namespace config

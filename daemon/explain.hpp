// `explain IP`: why this node advertises a route for an address, or why not. A pure function of the last plan, the facts it was made from and what the
// speakers were handed (the plan plus routes held back by advertise.withdraw_delay).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/planner.hpp"

namespace cisd {

struct Explanation {
  // A Service that has this address, and as what.
  struct Owner {
    std::string service;  // "namespace/name"
    std::string role;     // "clusterIP" | "externalIP" | "loadBalancerIP"
    bool operator==(const Owner&) const = default;
  };
  net::Address ip;
  std::vector<net::Route> covering;  // advertised prefixes containing ip, most specific first
  std::vector<bool> held;            // per covering route: out of the plan, kept by withdraw_delay
  std::vector<Owner> owners;
  std::vector<Exclusion> exclusions;  // the plan's reasons for not advertising ip itself
  std::vector<Refusal> refusals;      // what the operator's policy refused: ip itself, or its Services' communities
  std::string withheld;               // everything is withheld, and why
  std::string verdict;                // one line for people
  // The sessions that carry the routes, with their BFD state ("BGP 192.168.1.1: Established, BFD
  // Up"); filled by the running daemon, not by explain().
  std::vector<std::string> sessions;
  bool advertised() const { return !covering.empty(); }
};

Explanation explain(const Plan& plan, const Facts& facts, const net::RouteSet& advertised, const net::Address& ip);
// Without withdraw_delay, what is advertised is the plan.
inline Explanation explain(const Plan& plan, const Facts& facts, const net::Address& ip) {
  return explain(plan, facts, plan.routes, ip);
}

nlohmann::json to_json(const Explanation& e);

}  // namespace cisd

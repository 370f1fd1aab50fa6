#include "daemon/explain.hpp"

#include <algorithm>

namespace cisd {

namespace {

std::string describe(const net::Route& r) { return r.prefix.to_string() + " (" + r.reason + ")"; }

}  // namespace

Explanation explain(const Plan& plan, const Facts& facts, const net::RouteSet& advertised, const net::Address& ip) {
  Explanation e;
  e.ip = ip;
  e.withheld = plan.withheld;

  // A linear walk: explain is rare, and a RouteSet has no longest-match index.
  for (const auto& [prefix, route] : advertised)
    if (prefix.family() == ip.family() && prefix.contains(ip)) e.covering.push_back(route);
  std::stable_sort(e.covering.begin(), e.covering.end(),
                   [](const net::Route& a, const net::Route& b) { return a.prefix.length() > b.prefix.length(); });
  for (const auto& r : e.covering) e.held.push_back(!plan.routes.contains(r.prefix));

  for (const auto& [key, svc] : facts.services) {
    auto owns = [&](const std::vector<net::Address>& ips, const char* role) {
      if (std::find(ips.begin(), ips.end(), ip) != ips.end()) e.owners.push_back({key, role});
    };
    owns(svc.cluster_ips, "clusterIP");
    owns(svc.external_ips, "externalIP");
    owns(svc.load_balancer_ips, "loadBalancerIP");
  }
  for (const auto& x : plan.excluded)
    if (x.address == ip) e.exclusions.push_back(x);
  for (const auto& r : plan.refused) {
    const bool owner = std::any_of(e.owners.begin(), e.owners.end(), [&](const auto& o) { return o.service == r.service; });
    const bool inside_refused_cidr = r.prefix && r.prefix->family() == ip.family() && r.prefix->contains(ip);
    if (r.address == ip || (!r.address && !r.prefix && owner) || inside_refused_cidr) e.refusals.push_back(r);
  }

  // The verdict: the route the router would use first, then what keeps a more specific one away.
  if (!e.covering.empty()) {
    e.verdict = "advertised: covered by " + describe(e.covering.front());
    if (e.held.front()) e.verdict += ", no longer planned, still advertised for advertise.withdraw_delay";
    if (e.covering.front().prefix.length() < ip.bits() && !e.exclusions.empty())
      e.verdict += "; no /" + std::to_string(ip.bits()) + " of its own: " + e.exclusions.front().reason;
  } else if (!e.withheld.empty()) {
    e.verdict = "not advertised: this node advertises nothing: " + e.withheld;
  } else if (!e.exclusions.empty()) {
    e.verdict = "not advertised: Service " + e.exclusions.front().service + ": " + e.exclusions.front().reason;
  } else if (!e.owners.empty()) {
    e.verdict = "not advertised: Service " + e.owners.front().service + " has it as " + e.owners.front().role +
                ", but no rule advertises it and no advertised prefix covers it";
  } else {
    e.verdict = "not advertised: not a Service address and outside every advertised prefix";
  }
  for (const auto& r : e.refusals)
    if (!r.address) e.verdict += "; refused: " + r.detail;  // communities, and a CIDR that would cover ip
  return e;
}

nlohmann::json to_json(const Explanation& e) {
  nlohmann::json covering = nlohmann::json::array();
  for (std::size_t i = 0; i < e.covering.size(); ++i) {
    const auto& r = e.covering[i];
    covering.push_back({{"prefix", r.prefix.to_string()},
                        {"kind", net::to_string(r.kind)},
                        {"reason", r.reason},
                        {"held_by_withdraw_delay", e.held[i]}});
  }
  nlohmann::json owners = nlohmann::json::array();
  for (const auto& o : e.owners) owners.push_back({{"service", o.service}, {"role", o.role}});
  nlohmann::json exclusions = nlohmann::json::array();
  for (const auto& x : e.exclusions) exclusions.push_back({{"service", x.service}, {"reason", x.reason}});
  nlohmann::json refused = nlohmann::json::array();
  for (const auto& r : e.refusals)
    refused.push_back({{"service", r.service}, {"reason", to_string(r.reason)}, {"detail", r.detail}});
  return {{"ip", e.ip.to_string()},   {"advertised", e.advertised()}, {"verdict", e.verdict},
          {"covering", covering},     {"services", owners},           {"excluded", exclusions},
          {"refused", refused},       {"withheld", e.withheld},   {"sessions", e.sessions}};
}

}  // namespace cisd

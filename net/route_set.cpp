#include "net/route_set.hpp"

namespace net {

const char* to_string(RouteKind k) {
  switch (k) {
    case RouteKind::service_cidr: return "service_cidr";
    case RouteKind::cluster_ip: return "cluster_ip";
    case RouteKind::external_ip: return "external_ip";
    case RouteKind::load_balancer_ip: return "load_balancer_ip";
    case RouteKind::static_prefix: return "static";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const Route& r) {
  os << r.prefix << " [" << to_string(r.kind) << "]";
  for (auto c : r.attributes.communities) os << " " << (c >> 16) << ":" << (c & 0xffff);
  for (auto& l : r.attributes.large_communities) os << " " << l.global_admin << ":" << l.local1 << ":" << l.local2;
  if (!r.reason.empty()) os << " (" << r.reason << ")";
  return os;
}

RouteSet::RouteSet(std::initializer_list<Route> routes) {
  for (auto& r : routes) insert(r);
}

void RouteSet::insert(Route route) {
  auto prefix = route.prefix;
  routes_.insert_or_assign(prefix, std::move(route));
}

bool RouteSet::erase(const Prefix& prefix) { return routes_.erase(prefix) > 0; }

const Route* RouteSet::find(const Prefix& prefix) const {
  auto it = routes_.find(prefix);
  return it == routes_.end() ? nullptr : &it->second;
}

RouteDiff RouteSet::diff(const RouteSet& from, const RouteSet& to) {
  // One merge walk over both sorted maps.
  RouteDiff d;
  auto a = from.routes_.begin(), b = to.routes_.begin();
  while (a != from.routes_.end() || b != to.routes_.end()) {
    if (b == to.routes_.end() || (a != from.routes_.end() && a->first < b->first)) {
      d.removed.push_back(a->first);
      ++a;
    } else if (a == from.routes_.end() || b->first < a->first) {
      d.added.push_back(b->second);
      ++b;
    } else {
      if (a->second.attributes != b->second.attributes) d.changed.push_back(b->second);
      ++a;
      ++b;
    }
  }
  return d;
}

}  // namespace net

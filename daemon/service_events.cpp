#include "daemon/service_events.hpp"

#include <algorithm>

namespace cisd {

namespace {

bool per_service(net::RouteKind kind) {
  return kind == net::RouteKind::cluster_ip || kind == net::RouteKind::external_ip ||
         kind == net::RouteKind::load_balancer_ip;
}

}  // namespace

std::vector<std::string> services_named_in(const std::string& reason) {
  static const std::string kMarker = " of Service ";
  std::vector<std::string> out;
  for (auto at = reason.find(kMarker); at != std::string::npos; at = reason.find(kMarker, at + 1)) {
    const auto start = at + kMarker.size();
    const auto end = reason.find_first_of(" ;", start);
    std::string name = reason.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  return out;
}

std::vector<ServiceEvent> service_events(const net::RouteSet& before, const net::RouteSet& after) {
  std::vector<ServiceEvent> out;
  auto emit = [&](ServiceEvent::Kind kind, const net::RouteView& r, const std::vector<std::string>& services) {
    for (const auto& s : services) out.push_back({kind, s, r.prefix, r.kind});
  };
  auto owners = [](const net::RouteView& r) {
    return per_service(r.kind) ? services_named_in(r.reason) : std::vector<std::string>{};
  };
  // One merge walk over both sorted sets. RouteSet::diff would skip a route whose attributes
  // stay while the Services behind it change (one external IP shared by two Services).
  auto a = before.begin(), b = after.begin();
  while (a != before.end() || b != after.end()) {
    if (b == after.end() || (a != before.end() && (*a).first < (*b).first)) {
      const net::RouteView old = (*a).second;
      emit(ServiceEvent::Kind::withdrawn, old, owners(old));
      ++a;
    } else if (a == before.end() || (*b).first < (*a).first) {
      const net::RouteView now = (*b).second;
      emit(ServiceEvent::Kind::advertised, now, owners(now));
      ++b;
    } else {
      const net::RouteView old = (*a).second, now = (*b).second;
      if (old.reason != now.reason) {
        const auto was = owners(old), is = owners(now);
        for (const auto& s : is)
          if (std::find(was.begin(), was.end(), s) == was.end()) emit(ServiceEvent::Kind::advertised, now, {s});
        for (const auto& s : was)
          if (std::find(is.begin(), is.end(), s) == is.end()) emit(ServiceEvent::Kind::withdrawn, old, {s});
      }
      ++a;
      ++b;
    }
  }
  return out;
}

}  // namespace cisd

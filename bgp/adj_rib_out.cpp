#include "bgp/adj_rib_out.hpp"

#include "bgp/update_packer.hpp"

namespace bgp {

namespace {
bool same(const AdjRibOut::Attributes& a, const AdjRibOut::Attributes& b) { return a == b || *a == *b; }

net::Family family_of(wire::AfiSafi f) { return f.afi == wire::Afi::ipv4 ? net::Family::ipv4 : net::Family::ipv6; }
}  // namespace

AdjRibOut::Table AdjRibOut::desired(const net::RouteSet& routes, const OutboundPolicy& policy,
                                    wire::AfiSafi family) {
  auto& cache = interned_[family];
  if (!(cache.policy == policy)) cache = Interned{policy, {}};
  Table table;
  const net::RouteAttributes* last_key = nullptr;  // runs of equal tags are the common case
  Attributes last;
  for (const auto& [prefix, route] : routes) {
    if (prefix.family() != family_of(family)) continue;
    if (!last_key || !(*last_key == route.attributes)) {
      last.reset();
      for (auto& [key, value] : cache.attributes)
        if (key == route.attributes) last = value;
      if (!last) {
        last = std::make_shared<const wire::PathAttributes>(policy.attributes(route.attributes, family));
        cache.attributes.emplace_back(route.attributes, last);
      }
      last_key = &route.attributes;
    }
    table.emplace_hint(table.end(), prefix, last);
  }
  return table;
}

std::vector<wire::Update> AdjRibOut::sync(wire::AfiSafi family, Table target, const wire::EncodeContext& ctx) {
  Table& held = tables_[family];
  std::vector<net::Prefix> withdrawn;
  std::vector<std::pair<Attributes, std::vector<net::Prefix>>> announced;  // grouped by attributes
  auto announce = [&](const net::Prefix& p, const Attributes& a) {
    for (auto& [attrs, prefixes] : announced)
      if (same(attrs, a)) return prefixes.push_back(p);
    announced.push_back({a, {p}});
  };

  auto h = held.begin(), t = target.begin();
  while (h != held.end() || t != target.end()) {
    if (t == target.end() || (h != held.end() && h->first < t->first)) {
      withdrawn.push_back(h->first);
      ++h;
    } else if (h == held.end() || t->first < h->first) {
      announce(t->first, t->second);
      ++t;
    } else {
      if (!same(h->second, t->second)) announce(t->first, t->second);  // implicit withdraw
      ++h;
      ++t;
    }
  }

  std::vector<wire::Update> updates = pack_withdrawals(family, withdrawn);
  for (auto& [attrs, prefixes] : announced) {
    auto packed = pack_announcements(*attrs, family, prefixes, ctx);
    updates.insert(updates.end(), std::make_move_iterator(packed.begin()), std::make_move_iterator(packed.end()));
  }
  held = std::move(target);
  return updates;
}

std::size_t AdjRibOut::size(wire::AfiSafi family) const {
  auto it = tables_.find(family);
  return it == tables_.end() ? 0 : it->second.size();
}

}  // namespace bgp

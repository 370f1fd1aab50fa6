#include "bgp/adj_rib_out.hpp"

#include <algorithm>
#include <stdexcept>

#include "bgp/update_packer.hpp"

namespace bgp {

namespace {
bool same(const AdjRibOut::Attributes& a, const AdjRibOut::Attributes& b) { return a == b || *a == *b; }

net::Family family_of(wire::AfiSafi f) { return f.afi == wire::Afi::ipv4 ? net::Family::ipv4 : net::Family::ipv6; }
}  // namespace

const AdjRibOut::Attributes& AdjRibOut::Table::at(const net::Prefix& prefix) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), prefix,
                             [](const Entry& e, const net::Prefix& p) { return e.first < p; });
  if (it == entries_.end() || it->first != prefix) throw std::out_of_range("AdjRibOut::Table: no " + prefix.to_string());
  return it->second;
}

AdjRibOut::Table AdjRibOut::desired(const net::RouteSet& routes, const OutboundPolicy& policy,
                                    wire::AfiSafi family) {
  auto& cache = interned_[family];
  if (!(cache.policy == policy)) cache = Interned{policy, {}};
  // What this call uses becomes the cache: attribute sets no route carries any more (a Service's
  // communities annotation edited again and again) are let go instead of kept for good.
  decltype(cache.attributes) used;
  const auto net_family = family_of(family);
  std::size_t count = 0;  // exactly: a growing vector would peak at up to twice the table
  for (const auto& [prefix, route] : routes) count += prefix.family() == net_family;
  Table table;
  table.entries_.reserve(count);
  const net::RouteAttributes* last_key = nullptr;  // runs of equal tags are the common case
  Attributes last;
  for (const auto& [prefix, route] : routes) {
    if (prefix.family() != net_family) continue;
    // Routes of a RouteSet that share their tags share one object: compare addresses first.
    if (!last_key || (last_key != &route.attributes && !(*last_key == route.attributes))) {
      last.reset();
      for (auto& [key, value] : used)
        if (key == route.attributes) last = value;
      if (!last) {
        for (auto& [key, value] : cache.attributes)
          if (key == route.attributes) last = value;
        if (!last) last = std::make_shared<const wire::PathAttributes>(policy.attributes(route.attributes, family));
        used.emplace_back(route.attributes, last);
      }
    }
    last_key = &route.attributes;
    table.entries_.emplace_back(prefix, last);
  }
  cache.attributes = std::move(used);
  return table;
}

std::vector<wire::Update> AdjRibOut::sync(wire::AfiSafi family, Table target, const wire::EncodeContext& ctx) {
  Table& held = tables_[family];
  const auto& target_entries = target.entries_;
  const auto& held_entries = held.entries_;
  std::vector<net::Prefix> withdrawn;
  // Groups of announced prefixes, by attributes: each group's entries as positions in target
  // (4 bytes each); its prefixes are copied out only while it is packed.
  std::vector<std::pair<Attributes, std::vector<std::uint32_t>>> announced;
  auto announce = [&](std::vector<Table::Entry>::const_iterator entry) {
    auto position = static_cast<std::uint32_t>(entry - target_entries.begin());
    for (auto& [attrs, positions] : announced)
      if (same(attrs, entry->second)) return positions.push_back(position);
    announced.push_back({entry->second, {position}});
  };

  auto h = held_entries.begin(), t = target_entries.begin();
  while (h != held_entries.end() || t != target_entries.end()) {
    if (t == target_entries.end() || (h != held_entries.end() && h->first < t->first)) {
      withdrawn.push_back(h->first);
      ++h;
    } else if (h == held_entries.end() || t->first < h->first) {
      announce(t);
      ++t;
    } else {
      if (!same(h->second, t->second)) announce(t);  // implicit withdraw
      ++h;
      ++t;
    }
  }

  std::vector<wire::Update> updates = pack_withdrawals(family, withdrawn);
  for (auto& [attrs, positions] : announced) {
    std::vector<net::Prefix> prefixes;
    prefixes.reserve(positions.size());
    for (auto i : positions) prefixes.push_back(target_entries[i].first);
    std::vector<std::uint32_t>().swap(positions);
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

#include "bgp/adj_rib_out.hpp"

#include <utility>

#include "bgp/update_packer.hpp"

namespace bgp {

namespace {

net::Family family_of(wire::AfiSafi f) { return f.afi == wire::Afi::ipv4 ? net::Family::ipv4 : net::Family::ipv6; }

// Announced prefixes grouped by the tags they carry: each group becomes UPDATEs with one set of
// path attributes. Routes of a RouteSet that share their tags share one object, so a run of
// them costs a pointer compare.
class Announcements {
 public:
  void add(const net::Prefix& prefix, const net::RouteAttributes& tags) {
    if (!last_ || (last_->tags != &tags && !(*last_->tags == tags))) {
      last_ = nullptr;
      for (auto& g : groups_)
        if (g.tags == &tags || *g.tags == tags) last_ = &g;
      if (!last_) last_ = &groups_.emplace_back(Group{&tags, {}});
    }
    last_->prefixes.push_back(prefix);
  }

  void pack(const OutboundPolicy& policy, wire::AfiSafi family, const wire::EncodeContext& ctx,
            std::vector<wire::Update>& out) {
    for (auto& g : groups_) {
      auto packed = pack_announcements(policy.attributes(*g.tags, family), family, g.prefixes, ctx);
      std::vector<net::Prefix>().swap(g.prefixes);
      out.insert(out.end(), std::make_move_iterator(packed.begin()), std::make_move_iterator(packed.end()));
    }
  }

 private:
  struct Group {
    const net::RouteAttributes* tags;  // points into the route set being synced
    std::vector<net::Prefix> prefixes;
  };
  std::vector<Group> groups_;
  Group* last_ = nullptr;  // the group added to last; set again whenever groups_ grows
};

}  // namespace

std::vector<wire::Update> AdjRibOut::sync(wire::AfiSafi family, const net::RouteSet& routes,
                                          const OutboundPolicy& policy, const wire::EncodeContext& ctx) {
  const auto net_family = family_of(family);
  auto it = told_.find(family);
  const bool known = it != told_.end();
  const bool same_policy = known && it->second.policy == policy;
  static const net::RouteSet kNothing;
  const net::RouteSet& before = known ? it->second.routes : kNothing;
  std::size_t count = known ? it->second.count : 0;

  std::vector<net::Prefix> withdrawn;
  Announcements announced;
  net::RouteSet::for_each_change(before, routes, [&](const net::Prefix& prefix, const net::RouteAttributes* tags) {
    if (prefix.family() != net_family) return;
    if (!tags) {
      withdrawn.push_back(prefix);
      --count;
      return;
    }
    if (!before.contains(prefix)) ++count;
    if (same_policy) announced.add(prefix, *tags);  // else: announced below with every other prefix
  });
  if (!same_policy) {
    // Nothing told yet, or new attributes for every prefix (e.g. GRACEFUL_SHUTDOWN while
    // draining): announce all; an announcement replaces what the peer held for the prefix.
    for (const auto& [prefix, route] : routes)
      if (prefix.family() == net_family) announced.add(prefix, route.attributes);
  }

  std::vector<wire::Update> updates = pack_withdrawals(family, withdrawn);
  std::vector<net::Prefix>().swap(withdrawn);
  announced.pack(policy, family, ctx, updates);
  told_[family] = Told{routes, policy, count};
  return updates;
}

std::size_t AdjRibOut::size(wire::AfiSafi family) const {
  auto it = told_.find(family);
  return it == told_.end() ? 0 : it->second.count;
}

}  // namespace bgp

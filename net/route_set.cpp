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

const RouteSet::Table& RouteSet::table() const {
  static const Table kEmpty;
  return shared_ ? shared_->table : kEmpty;
}

RouteSet::Shared& RouteSet::writable() {
  if (!shared_)
    shared_ = std::make_shared<Shared>();
  else if (shared_.use_count() > 1)
    shared_ = std::make_shared<Shared>(*shared_);  // copies the map; the details stay shared
  return *shared_;
}

void RouteSet::insert(Route route) {
  Shared& s = writable();
  Details details{route.kind, std::move(route.attributes), std::move(route.reason)};
  auto [it, added] = s.table.try_emplace(route.prefix);
  // Share the details with the last insert or a neighbour when they are the same: lists of
  // prefixes arrive in runs with the same kind, tags and reason.
  std::shared_ptr<const Details> same;
  auto equal = [&](const std::shared_ptr<const Details>& d) { return d && *d == details; };
  if (equal(s.last))
    same = s.last;
  else if (it != s.table.begin() && equal(std::prev(it)->second))
    same = std::prev(it)->second;
  else if (std::next(it) != s.table.end() && equal(std::next(it)->second))
    same = std::next(it)->second;
  else
    same = std::make_shared<const Details>(std::move(details));
  it->second = same;
  s.last = std::move(same);
}

bool RouteSet::erase(const Prefix& prefix) {
  if (!contains(prefix)) return false;  // no copy of a shared table for nothing
  return writable().table.erase(prefix) > 0;
}

std::optional<Route> RouteSet::find(const Prefix& prefix) const {
  auto it = table().find(prefix);
  if (it == table().end()) return std::nullopt;
  return Route{it->first, it->second->attributes, it->second->kind, it->second->reason};
}

bool RouteSet::contains(const Prefix& prefix) const { return table().count(prefix) > 0; }

bool RouteSet::operator==(const RouteSet& o) const {
  if (shared_ == o.shared_) return true;
  const Table &a = table(), &b = o.table();
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
    if (i->first != j->first || (i->second != j->second && !(*i->second == *j->second))) return false;
  return true;
}

// One merge walk over both sorted tables: visit(from_entry, to_entry), either null when the
// prefix is only in the other set; entries whose attributes are the same are skipped.
template <typename Visit>
void RouteSet::walk_diff(const RouteSet& from, const RouteSet& to, Visit visit) {
  if (from.shared_ == to.shared_) return;
  const Table &f = from.table(), &t = to.table();
  auto a = f.begin(), b = t.begin();
  while (a != f.end() || b != t.end()) {
    if (b == t.end() || (a != f.end() && a->first < b->first)) {
      visit(&*a, nullptr);
      ++a;
    } else if (a == f.end() || b->first < a->first) {
      visit(nullptr, &*b);
      ++b;
    } else {
      if (a->second != b->second && a->second->attributes != b->second->attributes) visit(&*a, &*b);
      ++a;
      ++b;
    }
  }
}

RouteDiff RouteSet::diff(const RouteSet& from, const RouteSet& to) {
  RouteDiff d;
  auto route = [](const Table::value_type& e) {
    return Route{e.first, e.second->attributes, e.second->kind, e.second->reason};
  };
  walk_diff(from, to, [&](const Table::value_type* a, const Table::value_type* b) {
    if (!b)
      d.removed.push_back(a->first);
    else if (!a)
      d.added.push_back(route(*b));
    else
      d.changed.push_back(route(*b));
  });
  return d;
}

RouteDiffCounts RouteSet::count_changes(const RouteSet& from, const RouteSet& to) {
  RouteDiffCounts c;
  walk_diff(from, to, [&](const Table::value_type* a, const Table::value_type* b) {
    ++(!b ? c.removed : !a ? c.added : c.changed);
  });
  return c;
}

}  // namespace net

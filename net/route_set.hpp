// The set of routes one node advertises, keyed by prefix, and the difference between two sets.
#pragma once
#include <map>
#include <vector>

#include "net/route.hpp"

namespace net {

struct RouteDiff {
  std::vector<Route> added;
  std::vector<Prefix> removed;
  std::vector<Route> changed;  // same prefix, different attributes (new value)
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
  bool operator==(const RouteDiff&) const = default;
};

class RouteSet {
 public:
  using Map = std::map<Prefix, Route>;

  RouteSet() = default;
  RouteSet(std::initializer_list<Route> routes);

  // Inserts or replaces the route for its prefix.
  void insert(Route route);
  bool erase(const Prefix& prefix);
  const Route* find(const Prefix& prefix) const;
  bool contains(const Prefix& prefix) const { return find(prefix) != nullptr; }
  std::size_t size() const { return routes_.size(); }
  bool empty() const { return routes_.empty(); }
  Map::const_iterator begin() const { return routes_.begin(); }
  Map::const_iterator end() const { return routes_.end(); }

  // What it takes to go from `from` to `to`. Kind and reason changes alone are not a change:
  // peers do not see them.
  static RouteDiff diff(const RouteSet& from, const RouteSet& to);

  bool operator==(const RouteSet&) const = default;

 private:
  Map routes_;
};

}  // namespace net

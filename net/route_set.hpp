// The set of routes one node advertises, keyed by prefix, and the difference between two sets.
#pragma once
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <utility>
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

// How many routes a RouteDiff would list, without copying them.
struct RouteDiffCounts {
  std::size_t added = 0, removed = 0, changed = 0;
  std::size_t total() const { return added + removed + changed; }
};

// Memory matters here: a node may advertise 100k static /32s, and the plan, the damper, the
// daemon and every BGP speaker hold the set. So copies share one table until one of them
// changes (copy on write; single-threaded use, like any value), and routes that carry the same
// kind, attributes and reason share one copy of them: a route costs one 80-byte map node.
class RouteSet {
  struct Details;  // what routes share: all but the prefix
  using Table = std::map<Prefix, std::shared_ptr<const Details>>;

 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::pair<const Prefix&, RouteView>;
    using reference = value_type;
    using pointer = void;
    using difference_type = std::ptrdiff_t;

    const_iterator() = default;
    reference operator*() const;
    const_iterator& operator++() {
      ++it_;
      return *this;
    }
    const_iterator operator++(int) {
      auto old = *this;
      ++it_;
      return old;
    }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }

   private:
    friend class RouteSet;
    explicit const_iterator(Table::const_iterator it) : it_(it) {}
    Table::const_iterator it_;
  };

  RouteSet() = default;
  RouteSet(std::initializer_list<Route> routes);

  // Inserts or replaces the route for its prefix.
  void insert(Route route);
  bool erase(const Prefix& prefix);
  std::optional<Route> find(const Prefix& prefix) const;
  bool contains(const Prefix& prefix) const;
  std::size_t size() const { return table().size(); }
  bool empty() const { return table().empty(); }
  const_iterator begin() const { return const_iterator(table().begin()); }
  const_iterator end() const { return const_iterator(table().end()); }

  // What it takes to go from `from` to `to`. Kind and reason changes alone are not a change:
  // peers do not see them.
  static RouteDiff diff(const RouteSet& from, const RouteSet& to);
  static RouteDiffCounts count_changes(const RouteSet& from, const RouteSet& to);

  bool operator==(const RouteSet&) const;

 private:
  struct Shared {
    Table table;
    std::shared_ptr<const Details> last;  // the details inserted last: a list often repeats them
  };

  const Table& table() const;
  Shared& writable();  // this set's own table, copied first if another set shares it
  template <typename Visit>
  static void walk_diff(const RouteSet& from, const RouteSet& to, Visit visit);

  std::shared_ptr<Shared> shared_;  // null: empty
};

struct RouteSet::Details {
  RouteKind kind;
  RouteAttributes attributes;
  std::string reason;
  bool operator==(const Details&) const = default;
};

inline RouteSet::const_iterator::reference RouteSet::const_iterator::operator*() const {
  const Details& d = *it_->second;
  return {it_->first, RouteView{it_->first, d.kind, d.attributes, d.reason}};
}

}  // namespace net

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

// Memory and time matter here: a node may advertise 100k static /32s or Services, and the plan,
// the damper, the daemon and every BGP speaker hold the set, while one Kubernetes event changes a
// route or two. So the table is a sorted run of chunks of at most kChunk routes, each chunk
// shared between sets until one of them writes to it (copy on write; single-threaded use, like
// any value): a copy of the set costs nothing, a change copies one chunk, and diff() skips the
// chunks two sets share, so its cost follows the change, not the table. Routes that carry the
// same kind, attributes and reason share one copy of them: a route costs a 40-byte entry.
class RouteSet {
  struct Details;  // what routes share: all but the prefix
  struct Entry {
    Prefix prefix;
    std::shared_ptr<const Details> details;
  };
  using Chunk = std::vector<Entry>;  // sorted by prefix, never empty
  using Chunks = std::vector<std::shared_ptr<Chunk>>;

 public:
  // Routes per chunk: a change copies at most this many entries; a copy of the whole set copies
  // size / kChunk pointers.
  static constexpr std::size_t kChunk = 128;

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
      if (++entry_ == (*chunks_)[chunk_]->size()) {
        ++chunk_;
        entry_ = 0;
      }
      return *this;
    }
    const_iterator operator++(int) {
      auto old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return chunk_ == o.chunk_ && entry_ == o.entry_; }

   private:
    friend class RouteSet;
    const_iterator(const Chunks* chunks, std::size_t chunk, std::size_t entry)
        : chunks_(chunks), chunk_(chunk), entry_(entry) {}
    const Chunks* chunks_ = nullptr;
    std::size_t chunk_ = 0, entry_ = 0;
  };

  RouteSet() = default;
  RouteSet(std::initializer_list<Route> routes);

  // Inserts or replaces the route for its prefix.
  void insert(Route route);
  bool erase(const Prefix& prefix);
  std::optional<Route> find(const Prefix& prefix) const;
  bool contains(const Prefix& prefix) const;
  std::size_t size() const { return shared_ ? shared_->size : 0; }
  bool empty() const { return size() == 0; }
  const_iterator begin() const { return const_iterator(&chunks(), 0, 0); }
  const_iterator end() const { return const_iterator(&chunks(), chunks().size(), 0); }

  // What it takes to go from `from` to `to`. Kind and reason changes alone are not a change:
  // peers do not see them. Chunks both sets share are skipped unread.
  static RouteDiff diff(const RouteSet& from, const RouteSet& to);
  static RouteDiffCounts count_changes(const RouteSet& from, const RouteSet& to);
  // Calls visit(prefix, route) for each route of `to` that is new or whose attributes changed
  // and visit(prefix, nullptr) for each prefix only `from` has, in prefix order, without copying.
  template <typename Visit>
  static void for_each_change(const RouteSet& from, const RouteSet& to, Visit visit);

  // How many chunks the table has (for tests of the layout).
  std::size_t chunk_count() const { return chunks().size(); }

  bool operator==(const RouteSet&) const;

 private:
  struct Shared {
    Chunks chunks;
    std::size_t size = 0;
    std::shared_ptr<const Details> last;  // the details inserted last: a list often repeats them
  };

  const Chunks& chunks() const;
  Shared& writable();                          // this set's own chunk list, copied first if shared
  Chunk& writable_chunk(Shared& s, std::size_t c);  // chunk c, copied first if another set has it
  // The chunk that holds `prefix`, or where it belongs (chunks().size() when the set is empty).
  std::size_t chunk_for(const Prefix& prefix) const;
  const Entry* locate(const Prefix& prefix) const;
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
  const Entry& e = (*(*chunks_)[chunk_])[entry_];
  const Details& d = *e.details;
  return {e.prefix, RouteView{e.prefix, d.kind, d.attributes, d.reason}};
}

// One merge walk over both sorted tables: visit(from_entry, to_entry), either null when the
// prefix is only in the other set; entries whose attributes are the same are skipped, and so
// are whole chunks that both sets share (a chunk starts with the same prefix in both, so the
// two walks reach it together).
template <typename Visit>
void RouteSet::walk_diff(const RouteSet& from, const RouteSet& to, Visit visit) {
  if (from.shared_ == to.shared_) return;
  const Chunks &f = from.chunks(), &t = to.chunks();
  std::size_t fc = 0, fi = 0, tc = 0, ti = 0;
  auto next = [](const Chunks& chunks, std::size_t& c, std::size_t& i) {
    if (++i == chunks[c]->size()) {
      ++c;
      i = 0;
    }
  };
  while (fc < f.size() || tc < t.size()) {
    if (fi == 0 && ti == 0 && fc < f.size() && tc < t.size() && f[fc] == t[tc]) {
      ++fc;
      ++tc;
      continue;
    }
    const Entry* a = fc < f.size() ? &(*f[fc])[fi] : nullptr;
    const Entry* b = tc < t.size() ? &(*t[tc])[ti] : nullptr;
    if (!b || (a && a->prefix < b->prefix)) {
      visit(a, nullptr);
      next(f, fc, fi);
    } else if (!a || b->prefix < a->prefix) {
      visit(nullptr, b);
      next(t, tc, ti);
    } else {
      if (a->details != b->details && a->details->attributes != b->details->attributes) visit(a, b);
      next(f, fc, fi);
      next(t, tc, ti);
    }
  }
}

template <typename Visit>
void RouteSet::for_each_change(const RouteSet& from, const RouteSet& to, Visit visit) {
  walk_diff(from, to, [&](const Entry* a, const Entry* b) {
    if (b) {
      const Details& d = *b->details;
      visit(b->prefix, &d.attributes);
    } else {
      visit(a->prefix, static_cast<const RouteAttributes*>(nullptr));
    }
  });
}

}  // namespace net

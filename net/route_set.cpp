#include "net/route_set.hpp"

#include <algorithm>

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

const RouteSet::Chunks& RouteSet::chunks() const {
  static const Chunks kEmpty;
  return shared_ ? shared_->chunks : kEmpty;
}

RouteSet::Shared& RouteSet::writable() {
  if (!shared_)
    shared_ = std::make_shared<Shared>();
  else if (shared_.use_count() > 1)
    shared_ = std::make_shared<Shared>(*shared_);  // copies the chunk pointers; the chunks stay shared
  return *shared_;
}

RouteSet::Chunk& RouteSet::writable_chunk(Shared& s, std::size_t c) {
  auto& chunk = s.chunks[c];
  if (chunk.use_count() > 1) {
    auto own = std::make_shared<Chunk>();
    own->reserve(kChunk);
    own->assign(chunk->begin(), chunk->end());
    chunk = std::move(own);
  }
  return *chunk;
}

std::size_t RouteSet::chunk_for(const Prefix& prefix) const {
  const Chunks& c = chunks();
  if (c.empty()) return 0;
  // Past the end, the last chunk: checked first, as lists read in order append.
  if (c.back()->back().prefix < prefix) return c.size() - 1;
  // The first chunk whose last prefix is not below `prefix`.
  auto it = std::lower_bound(c.begin(), c.end(), prefix,
                             [](const std::shared_ptr<Chunk>& chunk, const Prefix& p) { return chunk->back().prefix < p; });
  return it == c.end() ? c.size() - 1 : static_cast<std::size_t>(it - c.begin());
}

namespace {
template <typename Entries>
auto entry_at_or_after(Entries& entries, const Prefix& prefix) {
  if (entries.empty() || entries.back().prefix < prefix) return entries.end();  // appending, as above
  return std::lower_bound(entries.begin(), entries.end(), prefix,
                          [](const auto& e, const Prefix& p) { return e.prefix < p; });
}
}  // namespace

const RouteSet::Entry* RouteSet::locate(const Prefix& prefix) const {
  const Chunks& c = chunks();
  if (c.empty()) return nullptr;
  const Chunk& chunk = *c[chunk_for(prefix)];
  auto it = entry_at_or_after(chunk, prefix);
  return it != chunk.end() && it->prefix == prefix ? &*it : nullptr;
}

void RouteSet::insert(Route route) {
  Shared& s = writable();
  Details details{route.kind, std::move(route.attributes), std::move(route.reason)};
  std::size_t c = 0;
  if (s.chunks.empty()) {  // the first route: chunk_for() needs chunks that are not empty
    s.chunks.push_back(std::make_shared<Chunk>());
    s.chunks.back()->reserve(kChunk);
  } else {
    c = chunk_for(route.prefix);
  }
  Chunk* chunk = &writable_chunk(s, c);
  auto it = entry_at_or_after(*chunk, route.prefix);
  const bool replace = it != chunk->end() && it->prefix == route.prefix;
  if (!replace && chunk->size() >= kChunk) {
    if (it == chunk->end() && c + 1 == s.chunks.size()) {
      // Appending past the end (a list read in order): start a new chunk and leave this one full.
      s.chunks.push_back(std::make_shared<Chunk>());
      ++c;
    } else {
      // Split in halves; the new prefix goes into the half it belongs to.
      auto upper = std::make_shared<Chunk>();
      upper->reserve(kChunk);
      upper->assign(std::make_move_iterator(chunk->begin() + kChunk / 2), std::make_move_iterator(chunk->end()));
      chunk->erase(chunk->begin() + kChunk / 2, chunk->end());
      s.chunks.insert(s.chunks.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::move(upper));
      if (!(route.prefix < s.chunks[c + 1]->front().prefix)) ++c;
    }
    chunk = s.chunks[c].get();
    chunk->reserve(kChunk);
    it = entry_at_or_after(*chunk, route.prefix);
  }
  if (!replace) {
    it = chunk->insert(it, Entry{route.prefix, nullptr});
    ++s.size;
  }
  // Share the details with the last insert or a neighbour when they are the same: lists of
  // prefixes arrive in runs with the same kind, tags and reason.
  std::shared_ptr<const Details> same;
  auto equal = [&](const std::shared_ptr<const Details>& d) { return d && *d == details; };
  if (equal(s.last))
    same = s.last;
  else if (it != chunk->begin() && equal(std::prev(it)->details))
    same = std::prev(it)->details;
  else if (std::next(it) != chunk->end() && equal(std::next(it)->details))
    same = std::next(it)->details;
  else
    same = std::make_shared<const Details>(std::move(details));
  it->details = same;
  s.last = std::move(same);
}

bool RouteSet::erase(const Prefix& prefix) {
  if (!contains(prefix)) return false;  // no copy of a shared table for nothing
  Shared& s = writable();
  const std::size_t c = chunk_for(prefix);
  Chunk& chunk = writable_chunk(s, c);
  chunk.erase(entry_at_or_after(chunk, prefix));
  --s.size;
  if (chunk.empty()) s.chunks.erase(s.chunks.begin() + static_cast<std::ptrdiff_t>(c));
  return true;
}

std::optional<Route> RouteSet::find(const Prefix& prefix) const {
  const Entry* e = locate(prefix);
  if (!e) return std::nullopt;
  return Route{e->prefix, e->details->attributes, e->details->kind, e->details->reason};
}

bool RouteSet::contains(const Prefix& prefix) const { return locate(prefix) != nullptr; }

bool RouteSet::operator==(const RouteSet& o) const {
  if (shared_ == o.shared_) return true;
  if (size() != o.size()) return false;
  for (auto i = begin(), j = o.begin(); i != end(); ++i, ++j) {
    auto [p, a] = *i;
    auto [q, b] = *j;
    if (p != q || a.kind != b.kind || a.attributes != b.attributes || a.reason != b.reason) return false;
  }
  return true;
}

RouteDiff RouteSet::diff(const RouteSet& from, const RouteSet& to) {
  RouteDiff d;
  auto route = [](const Entry& e) { return Route{e.prefix, e.details->attributes, e.details->kind, e.details->reason}; };
  walk_diff(from, to, [&](const Entry* a, const Entry* b) {
    if (!b)
      d.removed.push_back(a->prefix);
    else if (!a)
      d.added.push_back(route(*b));
    else
      d.changed.push_back(route(*b));
  });
  return d;
}

RouteDiffCounts RouteSet::count_changes(const RouteSet& from, const RouteSet& to) {
  RouteDiffCounts c;
  walk_diff(from, to, [&](const Entry* a, const Entry* b) { ++(!b ? c.removed : !a ? c.added : c.changed); });
  return c;
}

}  // namespace net

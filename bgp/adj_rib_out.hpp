// What we have told one peer, per address family, and the UPDATEs that change it: only the
// difference is ever sent.
#pragma once
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "bgp/outbound_policy.hpp"
#include "bgp/wire/codec.hpp"
#include "net/route_set.hpp"

namespace bgp {

class AdjRibOut {
 public:
  // Attribute sets are shared: thousands of prefixes usually carry a handful of distinct ones.
  using Attributes = std::shared_ptr<const wire::PathAttributes>;

  // Prefix -> the attributes it goes with, sorted by prefix, in one array: 40 bytes an entry
  // (100k prefixes: 4 MB, where a std::map took 8).
  class Table {
   public:
    using Entry = std::pair<net::Prefix, Attributes>;
    const Attributes& at(const net::Prefix& prefix) const;  // throws std::out_of_range
    std::size_t size() const { return entries_.size(); }
    std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
    std::vector<Entry>::const_iterator end() const { return entries_.end(); }

   private:
    friend class AdjRibOut;
    std::vector<Entry> entries_;
  };

  // The table a peer should hold for `family`, given the routes and the peer's policy. Equal
  // attribute sets come out as the same shared object from call to call, so sync() compares
  // pointers, not attributes, for the (usual) prefixes that did not change.
  Table desired(const net::RouteSet& routes, const OutboundPolicy& policy, wire::AfiSafi family);

  // The UPDATEs that take the peer from what it holds to `target`; then it holds `target`.
  std::vector<wire::Update> sync(wire::AfiSafi family, Table target, const wire::EncodeContext& ctx);

  std::size_t size(wire::AfiSafi family) const;
  void clear() { tables_.clear(); }
  // Forget what a family was told, so the next sync re-sends it all (route refresh).
  void forget(wire::AfiSafi family) { tables_.erase(family); }

 private:
  struct Interned {
    OutboundPolicy policy;  // the cache holds only while the policy is the same
    std::vector<std::pair<net::RouteAttributes, Attributes>> attributes;
  };
  std::map<wire::AfiSafi, Table> tables_;
  std::map<wire::AfiSafi, Interned> interned_;
};

}  // namespace bgp

// One adjacency's link state retransmission list (RFC 2328 §10, §13.3, §13.6, §13.7): the LSA
// instances flooded to that neighbour and not yet acknowledged, with when each was last sent.
// Pure data: the instance owns one per neighbour, adds what it floods, feeds it the acks, and
// asks at its retransmission timer what is due; the LSAs themselves come from the Lsdb
// (Lsdb::get(key, now)), so a retransmission always carries the current age.
//
//   flood (§13.3):          list.add(header, now) for each neighbour it is flooded to
//   newer copy installed:   list.remove(key) on every list (§13 step 5 (b))
//   LS Ack / implied ack:   list.acknowledge(header) (§13.7, only the same instance counts)
//   RxmtInterval timer:     for (key : list.take_due(now, rxmt_interval)) send lsdb.get(key, now)
//                           and re-arm at list.next_due(rxmt_interval)
//   neighbour goes down:    list.clear()
//   Lsdb::expire predicate: [&](const LsaKey& k) { return any list contains(k); }
#pragma once
#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "ospf/architectural_constants.hpp"
#include "ospf/lsa_key.hpp"
#include "ospf/wire/lsa.hpp"

namespace ospf {

class RetransmissionList {
 public:
  // Adds (or replaces: one instance per LSA) the instance `header` describes, sent at `now`.
  void add(const wire::LsaHeader& header, Clock::time_point now);
  // Removes the key whatever the instance; false when absent.
  bool remove(const LsaKey& key);
  // §13.7: an ack removes the entry only when it names the instance we sent (sequence number,
  // checksum, MaxAge or not);
  // an ack for another instance is ignored (returns false), as the RFC says.
  bool acknowledge(const wire::LsaHeader& ack);

  bool contains(const LsaKey& key) const { return entries_.contains(key); }
  const wire::LsaHeader* find(const LsaKey& key) const;
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }
  std::vector<LsaKey> keys() const;

  // The keys last sent at least `interval` ago, marked as sent at `now` (the caller sends them).
  std::vector<LsaKey> take_due(Clock::time_point now, Clock::duration interval);
  // When take_due next has something; nullopt when the list is empty.
  std::optional<Clock::time_point> next_due(Clock::duration interval) const;

 private:
  struct Entry {
    wire::LsaHeader header;  // the instance sent (its age when added: only identity matters)
    Clock::time_point last_sent;
  };
  std::map<LsaKey, Entry> entries_;
};

}  // namespace ospf

#include "ospf/retransmission_list.hpp"


namespace ospf {

void RetransmissionList::add(const wire::LsaHeader& header, Clock::time_point now) {
  entries_[key_of(header)] = Entry{header, now};
}

bool RetransmissionList::remove(const LsaKey& key) { return entries_.erase(key) > 0; }

bool RetransmissionList::acknowledge(const wire::LsaHeader& ack) {
  auto it = entries_.find(key_of(ack));
  if (it == entries_.end()) return false;
  // Same instance: sequence number, checksum and MaxAge-ness (so an ack of the old instance
  // doesn't acknowledge our flush). The age itself is left out: we retransmit with the current
  // age and the ack carries whichever copy the neighbour got, possibly > MaxAgeDiff later.
  const auto& sent = it->second.header;
  if (ack.sequence_number != sent.sequence_number || ack.checksum != sent.checksum ||
      (ack.age >= wire::kMaxAge) != (sent.age >= wire::kMaxAge))
    return false;
  entries_.erase(it);
  return true;
}

const wire::LsaHeader* RetransmissionList::find(const LsaKey& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second.header;
}

std::vector<LsaKey> RetransmissionList::keys() const {
  std::vector<LsaKey> out;
  out.reserve(entries_.size());
  for (const auto& [k, e] : entries_) out.push_back(k);
  return out;
}

std::vector<LsaKey> RetransmissionList::take_due(Clock::time_point now, Clock::duration interval) {
  std::vector<LsaKey> out;
  for (auto& [k, e] : entries_) {
    if (now - e.last_sent < interval) continue;
    e.last_sent = now;
    out.push_back(k);
  }
  return out;
}

std::optional<Clock::time_point> RetransmissionList::next_due(Clock::duration interval) const {
  std::optional<Clock::time_point> next;
  for (const auto& [k, e] : entries_) {
    const auto at = e.last_sent + interval;
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace ospf

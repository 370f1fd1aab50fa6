#include "ospf/lsdb.hpp"

#include <algorithm>

namespace ospf {

const char* to_string(ReceiveOutcome o) {
  switch (o) {
    case ReceiveOutcome::newer_installed: return "newer_installed";
    case ReceiveOutcome::self_originated_newer: return "self_originated_newer";
    case ReceiveOutcome::duplicate: return "duplicate";
    case ReceiveOutcome::older: return "older";
    case ReceiveOutcome::less_recent_within_min_ls_arrival: return "less_recent_within_min_ls_arrival";
    case ReceiveOutcome::max_age_not_in_database: return "max_age_not_in_database";
    case ReceiveOutcome::discarded: return "discarded";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, ReceiveOutcome o) { return os << to_string(o); }

bool known_ls_type(std::uint8_t type) { return type >= wire::lsa_type::router && type <= wire::lsa_type::as_external; }

void Lsdb::set_interface_addresses(std::vector<std::uint32_t> addresses) {
  interface_addresses_ = std::set<std::uint32_t>(addresses.begin(), addresses.end());
}

bool Lsdb::is_self_originated(const wire::LsaHeader& h) const {
  if (h.advertising_router == router_id_) return true;
  // A network-LSA we originated as DR under an earlier router ID still names our interface.
  return h.type == wire::lsa_type::network && interface_addresses_.contains(h.ls_id);
}

std::uint16_t Lsdb::age_of(const Entry& e, Clock::time_point now) {
  const auto elapsed = now > e.installed ? std::chrono::duration_cast<std::chrono::seconds>(now - e.installed).count() : 0;
  const auto age = std::int64_t{e.lsa.header.age} + elapsed;
  return static_cast<std::uint16_t>(std::min<std::int64_t>(age, wire::kMaxAge));
}

bool Lsdb::install(wire::Lsa lsa, Clock::time_point now, bool from_flooding) {
  lsa.header.age = std::min(lsa.header.age, wire::kMaxAge);
  const bool at_max_age = lsa.header.age == wire::kMaxAge;
  const auto key = key_of(lsa.header);
  bool changed = true;
  if (auto it = entries_.find(key); it != entries_.end()) {
    const auto& old = it->second;
    const bool old_max = age_of(old, now) == wire::kMaxAge;
    changed = old.lsa.header.options != lsa.header.options || old.lsa.body != lsa.body || old_max != at_max_age ||
              old.lsa.header.length != lsa.header.length;
  }
  entries_[key] = Entry{std::move(lsa), now, from_flooding, at_max_age};
  return changed;
}

bool Lsdb::erase(const LsaKey& key) { return entries_.erase(key) > 0; }

const Lsdb::Entry* Lsdb::find(const LsaKey& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::optional<std::uint16_t> Lsdb::age(const LsaKey& key, Clock::time_point now) const {
  const auto* e = find(key);
  if (!e) return std::nullopt;
  return age_of(*e, now);
}

std::optional<wire::LsaHeader> Lsdb::header_at(const LsaKey& key, Clock::time_point now) const {
  const auto* e = find(key);
  if (!e) return std::nullopt;
  auto h = e->lsa.header;
  h.age = age_of(*e, now);
  return h;
}

std::optional<wire::Lsa> Lsdb::get(const LsaKey& key, Clock::time_point now) const {
  const auto* e = find(key);
  if (!e) return std::nullopt;
  auto lsa = e->lsa;
  lsa.header.age = age_of(*e, now);
  return lsa;
}

std::vector<LsaKey> Lsdb::keys() const {
  std::vector<LsaKey> out;
  out.reserve(entries_.size());
  for (const auto& [k, e] : entries_) out.push_back(k);
  return out;
}

ReceiveOutcome Lsdb::receive(const wire::Lsa& lsa, Clock::time_point now, bool exchange_in_progress) {
  if (!known_ls_type(lsa.header.type)) return ReceiveOutcome::discarded;  // step 2
  const auto key = key_of(lsa.header);
  const Entry* ours = find(key);
  // Step 4: a flush of something we never had; nobody needs it, but the sender wants an ack.
  if (lsa.header.age >= wire::kMaxAge && !ours && !exchange_in_progress) return ReceiveOutcome::max_age_not_in_database;

  auto ours_now = ours ? std::optional(*header_at(key, now)) : std::nullopt;
  const Recency r = ours ? compare(lsa.header, *ours_now) : Recency::newer;
  if (r == Recency::newer) {  // step 5
    // (a): a neighbour re-flooding faster than MinLSArrival is not allowed to churn the database.
    if (ours && ours->from_flooding && now - ours->installed < kMinLsArrival)
      return ReceiveOutcome::less_recent_within_min_ls_arrival;
    install(lsa, now, /*from_flooding=*/true);
    return is_self_originated(lsa.header) ? ReceiveOutcome::self_originated_newer : ReceiveOutcome::newer_installed;
  }
  if (r == Recency::same) return ReceiveOutcome::duplicate;  // step 7
  // Step 8. Our copy being flushed at MaxSequenceNumber means a sequence wrap is under way: it
  // must leave every database before the next instance, so neither ack nor answer.
  if (ours_now->age >= wire::kMaxAge && ours_now->sequence_number == kMaxSequenceNumber) return ReceiveOutcome::discarded;
  return ReceiveOutcome::older;
}

Lsdb::DatabaseSummary Lsdb::database_summary(Clock::time_point now) const {
  DatabaseSummary s;
  for (const auto& [key, e] : entries_) {
    auto h = e.lsa.header;
    h.age = age_of(e, now);
    if (h.age >= wire::kMaxAge)
      s.max_age.push_back(key);
    else
      s.headers.push_back(h);
  }
  return s;
}

std::optional<std::vector<wire::LsaHeader>> Lsdb::requests_for(std::span<const wire::LsaHeader> dd_headers,
                                                               Clock::time_point now) const {
  std::vector<wire::LsaHeader> out;
  for (const auto& h : dd_headers) {
    if (!known_ls_type(h.type)) return std::nullopt;
    auto ours = header_at(key_of(h), now);
    if (!ours || compare(h, *ours) == Recency::newer) out.push_back(h);
  }
  return out;
}

std::vector<LsaKey> Lsdb::reached_max_age(Clock::time_point now) {
  std::vector<LsaKey> out;
  for (auto& [key, e] : entries_) {
    if (e.max_age_reported || age_of(e, now) < wire::kMaxAge) continue;
    e.max_age_reported = true;
    out.push_back(key);
  }
  return out;
}

std::vector<wire::Lsa> Lsdb::expire(Clock::time_point now, bool exchange_in_progress,
                                    const std::function<bool(const LsaKey&)>& in_use) {
  std::vector<wire::Lsa> out;
  if (exchange_in_progress) return out;  // §14: a neighbour in Exchange/Loading may still ask for it
  for (auto it = entries_.begin(); it != entries_.end();) {
    const auto& [key, e] = *it;
    // Not yet reported means not yet flooded: keep it until reached_max_age has handed it out.
    if (e.max_age_reported && age_of(e, now) >= wire::kMaxAge && !(in_use && in_use(key))) {
      auto lsa = e.lsa;
      lsa.header.age = wire::kMaxAge;
      out.push_back(std::move(lsa));
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::optional<Clock::time_point> Lsdb::next_max_age(Clock::time_point now) const {
  std::optional<Clock::time_point> next;
  for (const auto& [key, e] : entries_) {
    if (age_of(e, now) >= wire::kMaxAge) continue;
    const auto at = e.installed + std::chrono::seconds(wire::kMaxAge - e.lsa.header.age);
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace ospf

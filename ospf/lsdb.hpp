// The link-state database of one area plus the AS-external LSAs (RFC 2328 §12, §13, §14): a
// pure class. It holds LSAs with the time they were installed, works out their current age from
// an injected `now`, decides what a received LSA means (§13 steps 2-8) and which LSAs have aged
// out. It sends nothing: the instance floods, acks and retransmits from its answers, with one
// RetransmissionList per adjacency (retransmission_list.hpp).
//
// How the instance uses it:
//   - an LS Update arrives: for each LSA, outcome = receive(lsa, now, exchange_in_progress), then
//     newer_installed / self_originated_newer -> remove the key from every retransmission list,
//       flood lsa (header_at for the age) to the other neighbours (adding it to their lists),
//       ack per §13.5; for self_originated_newer also hand it to LsaOriginator (§13.4);
//     duplicate -> implied ack: RetransmissionList::acknowledge on the sender's list, else ack;
//     older -> send our copy (get(key, now)) back to the sender, unless the key is on its
//       request list (then BadLSReq, §13 step 6);
//     max_age_not_in_database -> ack it directly to the sender, nothing else;
//     less_recent_within_min_ls_arrival / discarded -> drop without ack.
//   - our own LSAs (from LsaOriginator) go in with install(lsa, now) and are flooded.
//   - Database Exchange: database_summary(now) when a neighbour enters Exchange (§10.3);
//     requests_for(headers, now) for each DD received (§10.6).
//   - once a second or so: reached_max_age(now) -> flood those; expire(now, in_use) -> removed
//     (tell LsaOriginator::removed_from_database about our own).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <span>
#include <vector>

#include "ospf/architectural_constants.hpp"
#include "ospf/lsa_compare.hpp"
#include "ospf/lsa_key.hpp"
#include "ospf/wire/lsa.hpp"

namespace ospf {

// What a received LSA means for the database (RFC 2328 §13).
enum class ReceiveOutcome {
  newer_installed,                    // step 5: installed; flood it on, ack it
  self_originated_newer,              // step 5 (f): installed like the above, then §13.4 (bump or flush)
  duplicate,                          // step 7: same instance; an implied ack, or ack it
  older,                              // step 8: ours is newer; send ours back
  less_recent_within_min_ls_arrival,  // step 5 (a): our copy came by flooding < MinLSArrival ago; drop
  max_age_not_in_database,            // step 4: MaxAge, unknown to us, nobody exchanging: ack and drop
  discarded,                          // step 2 (LS type we don't know) or step 8's MaxAge+MaxSequenceNumber
};
const char* to_string(ReceiveOutcome);
std::ostream& operator<<(std::ostream&, ReceiveOutcome);

// LS types this router understands (§13 step 2; §10.6 for DD headers): 1-5.
bool known_ls_type(std::uint8_t type);

class Lsdb {
 public:
  struct Entry {
    wire::Lsa lsa;                 // as installed: header.age is the age at install time
    Clock::time_point installed;
    bool from_flooding = false;    // received from a neighbour (MinLSArrival applies) vs our own
    bool max_age_reported = false; // reached_max_age() already returned it (or it came in at MaxAge)
  };

  struct DatabaseSummary {
    std::vector<wire::LsaHeader> headers;  // for the DD packets, ages current
    std::vector<LsaKey> max_age;           // §10.3: these go on the retransmission list instead
  };

  explicit Lsdb(std::uint32_t router_id) : router_id_(router_id) {}

  // Our interface addresses: a network-LSA whose Link State ID is one of them is ours (§13.4).
  void set_interface_addresses(std::vector<std::uint32_t> addresses);
  std::uint32_t router_id() const { return router_id_; }
  bool is_self_originated(const wire::LsaHeader&) const;

  // Puts `lsa` in the database, replacing any instance; its header age is its age now. Returns
  // whether the contents changed from the previous instance (§13.2: options, body, MaxAge-ness),
  // which is what a routing calculation would care about.
  bool install(wire::Lsa lsa, Clock::time_point now, bool from_flooding = false);
  bool erase(const LsaKey& key);

  const Entry* find(const LsaKey& key) const;
  bool contains(const LsaKey& key) const { return find(key) != nullptr; }
  // Current age in seconds (capped at MaxAge); nullopt when absent.
  std::optional<std::uint16_t> age(const LsaKey& key, Clock::time_point now) const;
  // The header / whole LSA with its current age, ready to be sent or compared.
  std::optional<wire::LsaHeader> header_at(const LsaKey& key, Clock::time_point now) const;
  std::optional<wire::Lsa> get(const LsaKey& key, Clock::time_point now) const;

  std::size_t size() const { return entries_.size(); }
  std::vector<LsaKey> keys() const;

  // §13 steps 2, 4, 5, 7 and 8 for one LSA from a neighbour's LS Update (step 1, the checksum,
  // is the codec's; step 3, externals in a stub area, doesn't arise: we are in one non-stub
  // area; step 6, BadLSReq, needs the neighbour's request list: the instance checks it on
  // duplicate/older). exchange_in_progress: some neighbour is in Exchange or Loading.
  ReceiveOutcome receive(const wire::Lsa& lsa, Clock::time_point now, bool exchange_in_progress);

  // §10.3: what to describe to a neighbour entering Exchange.
  DatabaseSummary database_summary(Clock::time_point now) const;

  // §10.6: the headers of a neighbour's DD packet that we must request: not in the database,
  // or theirs is newer. nullopt when a header has an LS type we don't know (the instance then
  // raises SeqNumberMismatch).
  std::optional<std::vector<wire::LsaHeader>> requests_for(std::span<const wire::LsaHeader> dd_headers,
                                                           Clock::time_point now) const;

  // §14: LSAs that have aged to MaxAge since the last call; each is returned once, to be flooded.
  // LSAs installed already at MaxAge (a flush) are the installer's to flood and aren't returned.
  std::vector<LsaKey> reached_max_age(Clock::time_point now);

  // §14: removes and returns the LSAs at MaxAge that nothing holds any more. in_use(key) says
  // whether the key is still on some neighbour's retransmission list; while exchange_in_progress
  // (a neighbour in Exchange or Loading) nothing is removed.
  std::vector<wire::Lsa> expire(Clock::time_point now, bool exchange_in_progress,
                                const std::function<bool(const LsaKey&)>& in_use);

  // When the next LSA reaches MaxAge by aging alone (a wake-up for reached_max_age).
  std::optional<Clock::time_point> next_max_age(Clock::time_point now) const;

 private:
  static std::uint16_t age_of(const Entry& e, Clock::time_point now);

  std::uint32_t router_id_;
  std::set<std::uint32_t> interface_addresses_;
  std::map<LsaKey, Entry> entries_;
};

}  // namespace ospf

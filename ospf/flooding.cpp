// The flooding procedure (RFC 2328 §13): LS Updates in (with the LSDB's verdict on each LSA),
// flooding out (§13.3), acknowledgments both ways (§13.5, §13.7) and retransmission (§13.6).
#include <algorithm>

#include "ospf/instance_impl.hpp"
#include "ospf/lsa_compare.hpp"
#include "ospf/packet_packing.hpp"

namespace ospf {

namespace {

// The instance of `key` on the neighbor's Link state request list, if any.
const wire::LsaHeader* requested(const Neighbor& nbr, const LsaKey& key) {
  for (const auto& h : nbr.fsm.request_list())
    if (key_of(h) == key) return &h;
  return nullptr;
}

wire::LsaRequest request_of(const LsaKey& key) { return {key.type, key.ls_id, key.advertising_router}; }

}  // namespace

void Instance::Impl::ls_update_received(Interface& itf, Neighbor& nbr, const wire::LinkStateUpdate& update,
                                        Clock::time_point now) {
  const bool exchanging = exchange_in_progress();
  // §13.5: a Backup acks only what the DR sent it (the DR floods it on to everyone).
  const bool from_dr = itf.broadcast() && nbr.fsm.address() == itf.fsm->designated_router();
  const bool backup = itf.state() == InterfaceState::backup;
  std::vector<wire::LsaHeader> delayed_acks;  // sent at once: the RFC allows acks to go early
  std::vector<wire::LsaHeader> direct_acks;
  std::vector<wire::Lsa> ours_is_newer;
  std::vector<wire::LsaRequest> answered;
  bool bad_request = false;

  for (const auto& lsa : update.lsas) {
    const LsaKey key = key_of(lsa.header);
    const ReceiveOutcome outcome = lsdb.receive(lsa, now, exchanging);
    switch (outcome) {
      case ReceiveOutcome::newer_installed:
      case ReceiveOutcome::self_originated_newer: {
        remove_from_retransmission_lists(key);  // step 5 (b): the old instance needs no acks
        // §10.9: as recent as what we asked this neighbor for: that request is answered.
        if (const auto* want = requested(nbr, key); want && compare(lsa.header, *want) != Recency::older)
          answered.push_back(request_of(key));
        const bool flooded_back = flood(lsa, &itf, &nbr, now);
        if (!flooded_back && (!backup || from_dr)) delayed_acks.push_back(lsa.header);
        // §13.4: someone holds a newer instance of one of ours: outdo it, or flush it.
        if (outcome == ReceiveOutcome::self_originated_newer)
          install_own(originator.on_self_originated(lsa, now), now);
        break;
      }
      case ReceiveOutcome::duplicate:
        if (requested(nbr, key)) {  // step 6
          bad_request = true;
          break;
        }
        // Step 7: on its retransmission list it is an implied acknowledgment.
        if (nbr.retransmission.acknowledge(lsa.header)) {
          if (backup && from_dr) delayed_acks.push_back(lsa.header);
        } else {
          direct_acks.push_back(lsa.header);
        }
        break;
      case ReceiveOutcome::older:
        if (requested(nbr, key)) {  // step 6
          bad_request = true;
          break;
        }
        // Step 8: the neighbor is behind; send it our copy, not to be acked or retransmitted.
        if (auto ours = lsdb.get(key, now)) ours_is_newer.push_back(std::move(*ours));
        break;
      case ReceiveOutcome::max_age_not_in_database:
        direct_acks.push_back(lsa.header);  // step 4
        break;
      case ReceiveOutcome::less_recent_within_min_ls_arrival:
      case ReceiveOutcome::discarded: break;
    }
    if (bad_request) break;  // step 6: "stop processing the Link State Update packet"
  }

  send_acks(itf, flood_destination(itf), delayed_acks);
  send_acks(itf, direct_destination(itf, nbr), direct_acks);
  send_updates(itf, direct_destination(itf, nbr), std::move(ours_is_newer));
  if (!answered.empty()) neighbor_event(itf, nbr, RequestedLsasReceived{std::move(answered)}, now);
  if (bad_request) {
    drop(itf, nbr.fsm.address(), "Link State Update", "BadLSReq",
         "BadLSReq: sent an LSA no newer than one on our request list", now);
    neighbor_event(itf, nbr, BadLsReq{}, now);
  }
}

void Instance::Impl::ls_ack_received(Neighbor& nbr, const wire::LinkStateAck& ack) {
  for (const auto& header : ack.lsa_headers) nbr.retransmission.acknowledge(header);  // §13.7
}

bool Instance::Impl::flood(const wire::Lsa& lsa, Interface* from_itf, Neighbor* from, Clock::time_point now) {
  const LsaKey key = key_of(lsa.header);
  bool flooded_back = false;
  for (auto& [name, itf] : interfaces) {
    if (!itf.up()) continue;
    bool added = false;
    for (auto& [k, nbr] : itf.neighbors) {
      // Step 1 (a): only adjacencies in Exchange or higher take part.
      if (nbr.fsm.state() < NeighborState::exchange) continue;
      // Step 1 (c), taken first: the sender's request list is ls_update_received's business.
      if (&nbr == from) continue;
      // Step 1 (b): a neighbor still loading may have asked for this LSA.
      if (nbr.fsm.state() != NeighborState::full) {
        if (const auto* want = requested(nbr, key)) {
          const Recency r = compare(lsa.header, *want);
          if (r == Recency::older) continue;
          neighbor_event(itf, nbr, RequestedLsasReceived{{request_of(key)}}, now);
          if (r == Recency::same) continue;
        }
      }
      // Step 1 (d).
      nbr.retransmission.add(lsa.header, now);
      added = true;
    }
    // Step 2: nobody on this interface needs it.
    if (!added) continue;
    if (&itf == from_itf) {
      // Steps 3 and 4: the DR (or BDR) that sent it floods it on this network itself, and a
      // Backup leaves flooding back to the DR.
      if (from && itf.broadcast()) {
        const std::uint32_t sender = from->fsm.address();
        if (sender == itf.fsm->designated_router() || sender == itf.fsm->backup_designated_router()) continue;
      }
      if (itf.state() == InterfaceState::backup) continue;
      flooded_back = true;
    }
    send_updates(itf, flood_destination(itf), {lsa});  // step 5
  }
  return flooded_back;
}

void Instance::Impl::send_updates(Interface& itf, std::uint32_t destination, std::vector<wire::Lsa> lsas) {
  if (lsas.empty()) return;
  // §13.3 step 5: LS age grows by InfTransDelay (1 s) on the way out, stopping at MaxAge.
  for (auto& lsa : lsas) lsa.header.age = static_cast<std::uint16_t>(std::min<int>(lsa.header.age + 1, wire::kMaxAge));
  for (auto& update : pack_updates(std::move(lsas), itf.packet_budget())) send(itf, destination, std::move(update));
}

void Instance::Impl::send_acks(Interface& itf, std::uint32_t destination, const std::vector<wire::LsaHeader>& headers) {
  if (headers.empty()) return;
  for (auto& ack : pack_acks(headers, itf.packet_budget())) send(itf, destination, std::move(ack));
}

// §13.6: what went unacknowledged for RxmtInterval goes again, straight to the neighbor.
void Instance::Impl::retransmit(Interface& itf, Neighbor& nbr, Clock::time_point now) {
  std::vector<wire::Lsa> lsas;
  for (const auto& key : nbr.retransmission.take_due(now, itf.config.retransmit_interval)) {
    if (auto lsa = lsdb.get(key, now)) {
      lsas.push_back(std::move(*lsa));
    } else {
      nbr.retransmission.remove(key);  // gone from the database: nothing left to deliver
    }
  }
  send_updates(itf, direct_destination(itf, nbr), std::move(lsas));
}

void Instance::Impl::remove_from_retransmission_lists(const LsaKey& key) {
  for (auto& [name, itf] : interfaces)
    for (auto& [k, nbr] : itf.neighbors) nbr.retransmission.remove(key);
}

}  // namespace ospf

// Packets in (RFC 2328 §8.2): decode and authenticate, check the header against the interface,
// find the neighbor, then Hello (§10.5), Database Description (§10.6) and Link State Request
// (§10.7). LS Updates and Acks go on to flooding.cpp.
#include "ospf/instance_impl.hpp"
#include "ospf/wire/packet_codec.hpp"

namespace ospf {

void Instance::Impl::receive(Interface& itf, std::uint32_t source, std::uint32_t destination,
                             std::span<const std::uint8_t> bytes, Clock::time_point now) {
  auto decoded = wire::decode_packet(bytes, itf.auth);
  if (!decoded) {
    const auto& e = decoded.error();
    drop(itf, source, "packet", to_string(e.kind), std::string(to_string(e.kind)) + ": " + e.description, now);
    return;
  }
  const wire::Packet& packet = *decoded;
  const char* what = wire::to_string(packet.type());

  // §8.2: the header must fit the receiving interface. (Virtual links, the backbone exception,
  // are out of scope.)
  if (packet.area_id != area_id) {
    drop(itf, source, what, "area mismatch",
         "area mismatch (" + dotted(packet.area_id) + ", ours " + dotted(area_id) + ")", now);
    return;
  }
  if (packet.router_id == router_id) {
    drop(itf, source, what, "from ourselves", "", now);  // our own multicast looped back
    return;
  }
  if (destination == kAllDRouters && !itf.designated()) {
    drop(itf, source, what, "AllDRouters while not DR or BDR", "", now);
    return;
  }
  // On a broadcast network the sender must be on our subnet; point-to-point links may be unnumbered.
  const std::uint32_t mask = net::v4_mask(itf.info.prefix_length);
  if (itf.broadcast() && (source & mask) != (itf.info.address & mask)) {
    drop(itf, source, what, "source not on interface subnet", "", now);
    return;
  }

  if (packet.type() == wire::PacketType::hello) return hello_received(itf, source, packet, now);

  // Everything else must come from a neighbor we know (§10.5's keys).
  auto it = itf.neighbors.find(itf.broadcast() ? source : packet.router_id);
  if (it == itf.neighbors.end() || it->second.fsm.router_id() != packet.router_id ||
      it->second.fsm.state() == NeighborState::down) {
    drop(itf, source, what, "unknown neighbor", "", now);
    return;
  }
  Neighbor& nbr = it->second;
  if (packet.crypto_sequence) {
    if (nbr.crypto_sequence && *packet.crypto_sequence < *nbr.crypto_sequence) {
      drop(itf, source, what, "crypto sequence number decreased", "", now);  // D.5.2: a replay
      return;
    }
    nbr.crypto_sequence = packet.crypto_sequence;
  }

  std::visit(
      [&](const auto& body) {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, wire::DatabaseDescription>) {
          dd_received(itf, nbr, body, now);
        } else if constexpr (std::is_same_v<Body, wire::LinkStateRequest>) {
          ls_request_received(itf, nbr, body, now);
        } else if constexpr (std::is_same_v<Body, wire::LinkStateUpdate>) {
          if (nbr.fsm.state() < NeighborState::exchange) {
            drop(itf, source, what, "LS Update from neighbor below Exchange", "", now);  // §13
            return;
          }
          ls_update_received(itf, nbr, body, now);
        } else if constexpr (std::is_same_v<Body, wire::LinkStateAck>) {
          if (nbr.fsm.state() < NeighborState::exchange) {
            drop(itf, source, what, "LS Ack from neighbor below Exchange", "", now);  // §13.7
            return;
          }
          ls_ack_received(nbr, body);
        }
      },
      packet.body);
}

// §10.5.
void Instance::Impl::hello_received(Interface& itf, std::uint32_t source, const wire::Packet& packet,
                                    Clock::time_point now) {
  const auto& hello = std::get<wire::Hello>(packet.body);
  if (auto mismatch = hello_mismatch(itf.fsm->config(), hello)) {
    drop(itf, source, "Hello", *mismatch, "", now);
    return;
  }
  const std::uint32_t key = itf.broadcast() ? source : packet.router_id;
  auto it = itf.neighbors.find(key);
  if (it != itf.neighbors.end() && it->second.fsm.router_id() != packet.router_id) {
    // Another router now uses this address (broadcast): the old neighbor is gone.
    neighbor_event(itf, it->second, KillNbr{}, now);
    itf.neighbors.erase(it);
    sync_neighbor_list(itf, now);
    it = itf.neighbors.end();
  }
  if (it != itf.neighbors.end() && packet.crypto_sequence && it->second.crypto_sequence &&
      *packet.crypto_sequence < *it->second.crypto_sequence) {
    drop(itf, source, "Hello", "crypto sequence number decreased", "", now);
    return;
  }
  if (it == itf.neighbors.end()) {
    NeighborFsm fsm(neighbor_config(itf.fsm->config()), packet.router_id, source,
                    [this] { return next_dd_sequence++; });
    it = itf.neighbors.emplace(key, Neighbor(std::move(fsm))).first;
  }
  Neighbor& nbr = it->second;
  if (packet.crypto_sequence) nbr.crypto_sequence = packet.crypto_sequence;
  const DesignatedRouters designated{itf.fsm->designated_router(), itf.fsm->backup_designated_router()};
  neighbor_event(itf, nbr, HelloReceived{source, hello, designated}, now);
}

// §10.6: the machine decides; the LSDB supplies what it needs to know about the headers.
void Instance::Impl::dd_received(Interface& itf, Neighbor& nbr, const wire::DatabaseDescription& dd,
                                 Clock::time_point now) {
  DdReceived event;
  event.dd = dd;
  if (auto wanted = lsdb.requests_for(dd.lsa_headers, now)) {
    event.wanted = std::move(*wanted);
  } else {
    event.invalid_lsa_type = true;
  }
  // In Init the packet may complete 2-Way and the negotiation at once, so the summary is needed
  // there too.
  std::vector<LsaKey> max_age;
  const NeighborState before = nbr.fsm.state();
  if (before == NeighborState::init || nbr.fsm.needs_database_summary()) {
    auto summary = lsdb.database_summary(now);
    event.database_summary = std::move(summary.headers);
    max_age = std::move(summary.max_age);
  }
  neighbor_event(itf, nbr, event, now);

  // §10.3 (NegotiationDone): LSAs at MaxAge are not described but go on the retransmission list.
  if (before < NeighborState::exchange && nbr.fsm.state() >= NeighborState::exchange && !max_age.empty()) {
    std::vector<wire::Lsa> lsas;
    for (const auto& key : max_age) {
      if (auto lsa = lsdb.get(key, now)) {
        nbr.retransmission.add(lsa->header, now);
        lsas.push_back(std::move(*lsa));
      }
    }
    send_updates(itf, direct_destination(itf, nbr), std::move(lsas));
  }
}

// §10.7: answer with the database copies; one we don't have means the exchange went wrong.
void Instance::Impl::ls_request_received(Interface& itf, Neighbor& nbr, const wire::LinkStateRequest& request,
                                         Clock::time_point now) {
  if (nbr.fsm.state() < NeighborState::exchange) {
    drop(itf, nbr.fsm.address(), "Link State Request", "LS Request from neighbor below Exchange", "", now);
    return;
  }
  std::vector<wire::Lsa> lsas;
  for (const auto& r : request.requests) {
    std::optional<wire::Lsa> lsa;
    if (r.type <= 0xff) lsa = lsdb.get(LsaKey{static_cast<std::uint8_t>(r.type), r.ls_id, r.advertising_router}, now);
    if (!lsa) {
      drop(itf, nbr.fsm.address(), "Link State Request", "BadLSReq",
           "BadLSReq: asked for type " + std::to_string(r.type) + " " + dotted(r.ls_id) + " from " +
               dotted(r.advertising_router) + ", which we don't have",
           now);
      neighbor_event(itf, nbr, BadLsReq{}, now);
      return;
    }
    lsas.push_back(std::move(*lsa));
  }
  send_updates(itf, direct_destination(itf, nbr), std::move(lsas));
}

}  // namespace ospf

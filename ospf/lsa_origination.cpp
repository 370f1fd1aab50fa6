#include "ospf/lsa_origination.hpp"

#include <algorithm>
#include <set>

#include "ospf/wire/lsa_codec.hpp"

namespace ospf {

namespace {

constexpr std::uint32_t kMaxMetric = 0xffffff;  // 24-bit metric field (LSInfinity)

void keep_earliest(std::optional<Clock::time_point>& next, Clock::time_point at) {
  if (!next || at < *next) next = at;
}

wire::RouterLink link(wire::RouterLinkType type, std::uint32_t id, std::uint32_t data, std::uint16_t metric) {
  wire::RouterLink l;
  l.type = type;
  l.id = id;
  l.data = data;
  l.metric = metric;
  return l;
}

}  // namespace

LsaOriginator::LsaOriginator(std::uint32_t router_id, ExternalPolicy policy) : router_id_(router_id), policy_(policy) {}

void LsaOriginator::set_routes(const net::RouteSet& routes) {
  prefixes_.clear();
  for (const auto& [prefix, route] : routes)
    if (prefix.family() == net::Family::ipv4) prefixes_.push_back(prefix);
}

LsaOriginator::Desired LsaOriginator::desired() const {
  Desired d;
  if (shut_down_) return d;

  // Router-LSA (§12.4.1). Always there, even without interfaces: the E bit is what lets other
  // routers use our AS-external-LSAs.
  wire::RouterLsa router;
  router.as_boundary_router = true;
  for (const auto& itf : interfaces_) {
    if (!itf.up) continue;
    const std::uint32_t subnet = itf.address & itf.mask;
    if (itf.network == InterfaceLinkState::Network::broadcast) {
      if (itf.dr_address != 0 && itf.adjacent_to_dr)
        router.links.push_back(link(wire::RouterLinkType::transit, itf.dr_address, itf.address, itf.cost));
      else  // no DR yet, or not Full with it: the segment is a stub network for now
        router.links.push_back(link(wire::RouterLinkType::stub, subnet, itf.mask, itf.cost));
    } else {
      if (itf.full_neighbor)
        router.links.push_back(link(wire::RouterLinkType::point_to_point, *itf.full_neighbor, itf.address, itf.cost));
      // The subnet is advertised whatever the neighbour's state (§12.4.1.1, option 1).
      router.links.push_back(link(wire::RouterLinkType::stub, subnet, itf.mask, itf.cost));
    }
  }
  d.lsas[router_lsa_key()] = Content{wire::option::e, std::move(router)};

  // Network-LSAs (§12.4.2): the DR of a broadcast segment speaks for it once it is Full with at
  // least one other router. Without it the transit links that name the segment lead nowhere and
  // SPF (§16.1) reaches no router on it. Link State ID: the DR's interface address.
  for (const auto& itf : interfaces_) {
    if (!itf.up || itf.network != InterfaceLinkState::Network::broadcast) continue;
    if (itf.dr_address == 0 || itf.dr_address != itf.address || itf.full_neighbors.empty()) continue;
    wire::NetworkLsa network;
    network.network_mask = itf.mask;
    network.attached_routers.push_back(router_id_);
    for (auto id : itf.full_neighbors)
      if (id != router_id_) network.attached_routers.push_back(id);
    d.lsas[LsaKey{wire::lsa_type::network, itf.address, router_id_}] = Content{wire::option::e, std::move(network)};
  }

  // AS-external-LSAs (§12.4.4): the cap takes the lowest prefixes, so the choice is stable.
  const std::size_t n = std::min<std::size_t>(prefixes_.size(), policy_.max_external_lsas);
  d.externals_left_out = prefixes_.size() - n;
  std::vector<net::Prefix> chosen(prefixes_.begin(), prefixes_.begin() + static_cast<std::ptrdiff_t>(n));

  // Link State IDs (appendix E): a network address names the shortest prefix that has it; a
  // longer prefix with the same address takes its address with the host bits set
  // (10.96.0.0/12 -> 10.96.0.0, 10.96.0.0/16 -> 10.96.255.255). Prefixes come sorted by
  // address then length, so the first of each address is its shortest. Worked out from the
  // whole set each time, the IDs don't depend on the order prefixes arrived in.
  std::map<std::uint32_t, net::Prefix> by_id;
  std::vector<net::Prefix> longer;
  for (const auto& p : chosen) {
    const std::uint32_t network = p.address().v4_value();
    if (!by_id.contains(network))
      by_id.emplace(network, p);
    else
      longer.push_back(p);
  }
  for (const auto& p : longer) {
    const std::uint32_t id = p.address().v4_value() | ~net::v4_mask(p.length());
    if (!by_id.emplace(id, p).second) ++d.externals_left_out;  // another prefix owns that ID
  }

  for (const auto& [id, p] : by_id) {
    wire::AsExternalLsa ext;
    ext.network_mask = net::v4_mask(p.length());
    ext.external_type2 = policy_.metric_type != 1;
    ext.metric = std::min(policy_.metric, kMaxMetric);
    ext.forwarding_address = 0;  // traffic goes to us, the ASBR
    ext.route_tag = policy_.tag;
    d.lsas[LsaKey{wire::lsa_type::as_external, id, router_id_}] = Content{wire::option::e, std::move(ext)};
  }
  return d;
}

bool LsaOriginator::holding_router_lsa(const Content& content) const {
  if (!hold_first_router_lsa_ || records_.contains(router_lsa_key())) return false;
  const auto& links = std::get<wire::RouterLsa>(content.body).links;
  return std::none_of(links.begin(), links.end(), [](const wire::RouterLink& l) {
    return l.type == wire::RouterLinkType::transit || l.type == wire::RouterLinkType::point_to_point;
  });
}

wire::Lsa LsaOriginator::build(const LsaKey& key, const Content& content, std::int32_t seq) const {
  wire::Lsa lsa;
  lsa.header.age = 0;
  lsa.header.options = content.options;
  lsa.header.type = key.type;
  lsa.header.ls_id = key.ls_id;
  lsa.header.advertising_router = key.advertising_router;
  lsa.header.sequence_number = seq;
  lsa.body = content.body;
  wire::finalize_lsa(lsa);
  return lsa;
}

void LsaOriginator::originate_next(const LsaKey& key, Record& rec, const Content& want, Clock::time_point now,
                                   Result& out) {
  if (rec.lsa.header.sequence_number == kMaxSequenceNumber) {
    // §12.1.6: no number is left above this one. Flush it; once it has left every database
    // (removed_from_database) the LSA starts again at InitialSequenceNumber.
    flush(rec, now, out);
    rec.wrapping = true;
    return;
  }
  rec.lsa = build(key, want, rec.lsa.header.sequence_number + 1);
  rec.at = now;
  rec.flushed = false;
  rec.wrapping = false;
  out.lsas.push_back(rec.lsa);
  ++originated_count_;
}

void LsaOriginator::flush(Record& rec, Clock::time_point now, Result& out) {
  // Premature aging (§14.1): same instance, age MaxAge. The checksum doesn't cover the age.
  rec.lsa.header.age = wire::kMaxAge;
  rec.at = now;
  rec.flushed = true;
  out.lsas.push_back(rec.lsa);
}

LsaOriginator::Result LsaOriginator::update(Clock::time_point now) {
  Result out;
  auto want = desired();
  out.externals_left_out = want.externals_left_out;

  for (const auto& [key, content] : want.lsas) {
    auto it = records_.find(key);
    if (it == records_.end()) {
      if (key == router_lsa_key() && holding_router_lsa(content)) continue;
      Record rec{build(key, content, kInitialSequenceNumber), now};
      out.lsas.push_back(rec.lsa);
      ++originated_count_;
      keep_earliest(out.next_update, now + kLsRefreshTime);
      records_.emplace(key, std::move(rec));
      continue;
    }
    Record& rec = it->second;
    if (rec.wrapping) continue;  // waits for removed_from_database
    const bool unchanged =
        !rec.flushed && rec.lsa.header.options == content.options && rec.lsa.body == content.body;
    if (unchanged) {
      if (now - rec.at >= kLsRefreshTime)
        originate_next(key, rec, content, now, out);
      if (!rec.wrapping) keep_earliest(out.next_update, rec.at + kLsRefreshTime);
      continue;
    }
    if (now - rec.at < kMinLsInterval) {  // §12.4: instances at least MinLSInterval apart
      keep_earliest(out.next_update, rec.at + kMinLsInterval);
      continue;
    }
    originate_next(key, rec, content, now, out);
    if (!rec.wrapping) keep_earliest(out.next_update, rec.at + kLsRefreshTime);
  }

  for (auto& [key, rec] : records_)
    if (!rec.flushed && !want.lsas.contains(key)) flush(rec, now, out);
  return out;
}

LsaOriginator::Result LsaOriginator::on_self_originated(const wire::Lsa& received, Clock::time_point now) {
  Result out;
  const auto key = key_of(received.header);
  auto want = desired();
  out.externals_left_out = want.externals_left_out;
  Record& rec = records_[key];
  // From here on the received instance is the one to beat (or the one to flush).
  rec.lsa = received;
  rec.at = now;
  rec.flushed = received.header.age >= wire::kMaxAge;
  rec.wrapping = false;
  if (auto w = want.lsas.find(key); w != want.lsas.end()) {
    rec.flushed = false;  // so originate_next builds on its sequence number
    originate_next(key, rec, w->second, now, out);
  } else if (!rec.flushed) {
    flush(rec, now, out);
  }
  return out;
}

LsaOriginator::Result LsaOriginator::removed_from_database(const std::vector<LsaKey>& keys, Clock::time_point now) {
  for (const auto& key : keys) {
    auto it = records_.find(key);
    // Only a flush of ours is forgotten; a live record means a newer instance is out there.
    if (it != records_.end() && it->second.flushed) records_.erase(it);
  }
  return update(now);
}

LsaOriginator::Result LsaOriginator::flush_all(Clock::time_point now) {
  Result out;
  shut_down_ = true;
  for (auto& [key, rec] : records_)
    if (!rec.flushed) flush(rec, now, out);
  return out;
}

const wire::Lsa* LsaOriginator::current(const LsaKey& key) const {
  auto it = records_.find(key);
  return it == records_.end() ? nullptr : &it->second.lsa;
}

}  // namespace ospf

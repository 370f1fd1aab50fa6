#include "generate/router_config.hpp"

#include <algorithm>
#include <sstream>

#include "generate/router_config_plan.hpp"

namespace cisd {

std::optional<RouterFlavour> parse_router_flavour(std::string_view s) {
  if (s == "bird") return RouterFlavour::bird;
  if (s == "frr") return RouterFlavour::frr;
  if (s == "vyos") return RouterFlavour::vyos;
  if (s == "routeros") return RouterFlavour::routeros;
  if (s == "openwrt") return RouterFlavour::openwrt;
  return std::nullopt;
}

const char* to_string(RouterFlavour f) {
  switch (f) {
    case RouterFlavour::bird: return "bird";
    case RouterFlavour::frr: return "frr";
    case RouterFlavour::vyos: return "vyos";
    case RouterFlavour::routeros: return "routeros";
    case RouterFlavour::openwrt: return "openwrt";
  }
  return "?";
}

namespace router_config {

unsigned router_seconds(config::Duration d) { return std::max(1u, config::whole_seconds(d)); }

std::vector<AcceptRange> ranges_of(const Plan& plan, net::Family family) {
  std::vector<AcceptRange> out;
  for (const auto& r : plan.accept)
    if (r.prefix.family() == family) out.push_back(r);
  return out;
}

std::string commented(const std::string& text, const char* mark) {
  std::ostringstream out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out << mark << line << "\n";
  return out.str();
}

std::string frr_prefix_entry(const AcceptRange& r) {
  // FRR wants len < ge <= le, and le >= len: an exact match takes neither.
  std::string s = r.prefix.to_string();
  const unsigned len = r.prefix.length();
  if (r.min_len == len && r.max_len == len) return s;
  if (r.min_len > len) s += " ge " + std::to_string(r.min_len);
  if (r.max_len != r.min_len || r.min_len == len) s += " le " + std::to_string(r.max_len);
  return s;
}

std::string bfd_timers_note(const BfdSide& bfd) {
  return std::string(bfd.multihop ? "BFD, multihop (RFC 5883, UDP 4784) as the nodes' multihop is above 1"
                                  : "BFD, single-hop (RFC 5881, UDP 3784)") +
         ", at the nodes' own timers.\n"
         "They are negotiated per direction: packets flow at the slower of the sender's min tx and the\n"
         "receiver's min rx, and a side is declared dead after the sender's multiplier times that interval\n"
         "without a packet. The slower end wins: to go faster, change both sides.\n";
}

std::string bfd_bgp_note(const char* graceful_variant) {
  std::string s =
      "Plain BFD on purpose: a node that dies hard is dropped with its routes within the detection time.\n";
  if (graceful_variant)
    s += std::string("Not ") + graceful_variant +
         ": the nodes send the C bit 0 (their BFD shares fate with the\n"
         "daemon), so it would keep a dead node's routes here, stale, for the graceful-restart time.\n";
  return s +
         "A planned restart loses nothing: the node asks (Poll Sequence) for a detection time as long as\n"
         "its graceful-restart time, hands the BFD session to its next instance and closes BGP without a\n"
         "NOTIFICATION; the graceful-restart helper keeps its routes until the new instance's End-of-RIB.\n"
         "A node that leaves for good sends BFD AdminDown only after its BGP goodbye.\n";
}

std::string bfd_ospf_note() {
  return "OSPF with BFD: a node that dies hard is dropped as a neighbour within the detection time instead\n"
         "of the dead interval. A node that stops on purpose flushes its LSAs first, then sends AdminDown.\n";
}

unsigned frr_multiplier(const BfdSide& bfd) { return std::max(2u, bfd.multiplier); }

const BfdSide* bgp_bfd(const Plan& plan) { return plan.bgp && plan.bgp->bfd ? &*plan.bgp->bfd : nullptr; }
const BfdSide* ospf_bfd(const Plan& plan) { return plan.ospf && plan.ospf->bfd ? &*plan.ospf->bfd : nullptr; }

std::string frr_multiplier_note(const Plan& plan) {
  const auto* bgp = bgp_bfd(plan);
  const auto* ospf = ospf_bfd(plan);
  if (!(bgp && bgp->multiplier < 2) && !(ospf && ospf->multiplier < 2)) return "";
  return "The nodes' multiplier is 1; FRR takes 2 at least. The router's multiplier only sets how soon\n"
         "the nodes notice the router fail, not how soon the router drops a node.\n";
}

namespace {

BfdSide bfd_side(const config::BfdConfig& c, bool multihop) {
  BfdSide b;
  b.min_rx_ms = static_cast<unsigned>(c.min_rx.count());
  b.min_tx_ms = static_cast<unsigned>(c.min_tx.count());
  b.multiplier = c.multiplier;
  b.multihop = multihop;
  return b;
}

std::string describe(const BfdSide& b) {
  return "min rx " + std::to_string(b.min_rx_ms) + " ms, min tx " + std::to_string(b.min_tx_ms) + " ms, multiplier " +
         std::to_string(b.multiplier) + (b.multihop ? ", multihop" : ", single-hop");
}

void add_unique(std::vector<AcceptRange>& v, AcceptRange r) {
  for (const auto& e : v)
    if (e.prefix == r.prefix && e.min_len == r.min_len && e.max_len == r.max_len) return;
  v.push_back(std::move(r));
}

}  // namespace

net::Expected<Plan, std::string> make_plan(const RouterConfigRequest& req) {
  const auto& cfg = req.config;
  Plan plan;
  plan.config = &cfg;

  // The import filter: the Service CIDRs with every more specific (per-Service /32 and /128 host
  // routes lie inside them), the static prefixes exactly, and only host routes in the external ranges.
  std::vector<net::Prefix> cidrs = cfg.advertise.service_cidrs.value_or(std::vector<net::Prefix>{});
  for (const auto& p : req.service_cidrs)
    if (std::find(cidrs.begin(), cidrs.end(), p) == cidrs.end()) cidrs.push_back(p);
  if (cidrs.empty())
    return net::Unexpected(std::string(
        "no Service CIDR: advertise.service_cidrs is auto in the config; pass --service-cidr CIDR "
        "(e.g. --service-cidr 10.96.0.0/12), repeated for each one"));
  for (const auto& p : cidrs)
    add_unique(plan.accept, {p, p.length(), p.address().bits(), "Service CIDR"});
  for (const auto* list : {&cfg.advertise.static_prefixes, &cfg.advertise.static_file_prefixes})
    for (const auto& p : *list) add_unique(plan.accept, {p, p.length(), p.length(), "static prefix"});
  // The operator's ranges for externalIPs and LoadBalancer IPs, then any given with --external-range.
  const bool external = cfg.advertise.external_ips.allows_some() || cfg.advertise.load_balancer_ips.allows_some();
  std::vector<net::Prefix> external_ranges = cfg.advertise.external_ips.ranges;
  external_ranges.insert(external_ranges.end(), cfg.advertise.load_balancer_ips.ranges.begin(),
                         cfg.advertise.load_balancer_ips.ranges.end());
  external_ranges.insert(external_ranges.end(), req.external_ranges.begin(), req.external_ranges.end());
  if (external)
    for (const auto& p : external_ranges)
      add_unique(plan.accept, {p, p.address().bits(), p.address().bits(), "externalIPs / LoadBalancer IPs"});

  const bool want_bgp = cfg.bgp.enabled && !cfg.bgp.peers.empty();
  const bool want_ospf = cfg.ospf.enabled && !cfg.ospf.interfaces.empty();
  if (!want_bgp && !want_ospf)
    return net::Unexpected(std::string("the config has neither BGP peers (bgp.enabled, bgp.peers) nor OSPF "
                                       "interfaces (ospf.enabled, ospf.interfaces): nothing to configure"));
  if (req.peer && !want_bgp)
    return net::Unexpected("--peer " + req.peer->to_string() + " given, but BGP is not configured");
  if (req.dynamic && !want_bgp)
    return net::Unexpected("--dynamic " + req.dynamic->to_string() + " given, but BGP is not configured");

  std::ostringstream head;
  if (want_bgp) {
    const config::PeerConfig* peer = &cfg.bgp.peers.front();
    if (req.peer) {
      auto it = std::find_if(cfg.bgp.peers.begin(), cfg.bgp.peers.end(),
                             [&](const config::PeerConfig& p) { return p.address == *req.peer; });
      if (it == cfg.bgp.peers.end())
        return net::Unexpected("--peer " + req.peer->to_string() + " is not one of bgp.peers in the config");
      peer = &*it;
    }
    if (!req.node_labels.empty()) {
      auto it = std::find_if(cfg.bgp.peers.begin(), cfg.bgp.peers.end(), [&](const config::PeerConfig& p) {
        return (!req.peer || p.address == *req.peer) && config::labels_include(req.node_labels, p.node_selector);
      });
      if (it == cfg.bgp.peers.end())
        return net::Unexpected(std::string("--node-labels: no bgp.peers entry") + (req.peer ? " with that --peer" : "") +
                               " has a node_selector these labels satisfy");
      peer = &*it;
    }
    const net::Family family = peer->gateway ? config::gateway_family(*peer) : peer->address.family();
    BgpSide b;
    if (!peer->gateway) b.local = peer->address;
    b.peer = peer;
    b.router_asn = peer->asn;
    b.node_asn = cfg.bgp.asn;
    b.ibgp = b.router_asn == b.node_asn;
    const std::string router_text =
        peer->gateway ? std::string("each node's ") + (family == net::Family::ipv4 ? "IPv4" : "IPv6") + " default gateway"
                      : peer->address.to_string();
    if (req.dynamic) {
      if (req.dynamic->family() != family)
        return net::Unexpected("--dynamic " + req.dynamic->to_string() + " is not of the family of the router's address " +
                               router_text);
      b.dynamic = req.dynamic;
    } else {
      for (const auto& n : req.nodes) {
        auto& into = n.family() == family ? b.neighbours : b.skipped;
        if (std::find(into.begin(), into.end(), n) == into.end()) into.push_back(n);
      }
      if (b.neighbours.empty())
        return net::Unexpected("no node address of the same family as the router's address " + router_text +
                               ": pass --nodes IP,IP,... or --dynamic CIDR");
    }
    auto has = [&](net::Family f) {
      return std::find(peer->families.begin(), peer->families.end(), f) != peer->families.end() &&
             !ranges_of(plan, f).empty();
    };
    b.v4 = has(net::Family::ipv4);
    b.v6 = has(net::Family::ipv6);
    if (!b.v4 && !b.v6)
      return net::Unexpected(std::string("the peer's families have no prefix to accept: check bgp.peers[].families "
                                         "against the Service CIDRs"));
    b.node_port = cfg.bgp.listen_port;
    b.hold_s = static_cast<unsigned>(peer->hold_time.count() / 1000);  // 0 is legal: no keepalives
    if (b.hold_s != 0 && b.hold_s < 3) b.hold_s = 3;                    // RFC 4271: 0 or at least 3
    b.keepalive_s = peer->keepalive_time.count() == 0 ? 0 : router_seconds(peer->keepalive_time);
    b.connect_retry_s = router_seconds(peer->connect_retry);
    if (peer->bfd.enabled) b.bfd = bfd_side(peer->bfd, peer->multihop > 1);
    if (b.local && b.local->is_v4()) plan.router_id = b.local;
    head << "The router: " << router_text << " in AS " << b.router_asn << "; the nodes: AS " << b.node_asn
         << (b.ibgp ? " (iBGP)" : " (eBGP)") << "\n";
    if (b.dynamic) {
      head << "Neighbours: any node in " << *b.dynamic << " (dynamic neighbours; a new node needs no change here)\n";
    } else {
      head << "Neighbours:";
      for (const auto& n : b.neighbours) head << " " << n;
      head << "\n";
    }
    if (!b.skipped.empty()) {
      head << "Left out (not the family of " << router_text << "):";
      for (const auto& n : b.skipped) head << " " << n;
      head << "\n";
    }
    if (b.bfd) head << "BGP with BFD: " << describe(*b.bfd) << "\n";
    plan.bgp = std::move(b);
  }
  if (want_ospf) {
    OspfSide o;
    o.interface = &cfg.ospf.interfaces.front();
    o.router_interface = req.ospf_interface.empty() ? o.interface->name : req.ospf_interface;
    o.area = cfg.ospf.area.to_string();
    o.hello_s = router_seconds(o.interface->hello_interval);
    o.dead_s = router_seconds(o.interface->dead_interval);
    o.retransmit_s = router_seconds(o.interface->retransmit_interval);
    if (o.interface->bfd.enabled) o.bfd = bfd_side(o.interface->bfd, false);
    head << "OSPF area " << o.area << " on the router's interface \"" << o.router_interface << "\""
         << (req.ospf_interface.empty() ? " (the nodes' interface name; change it with --interface)" : "")
         << "\n";
    if (o.bfd) head << "OSPF with BFD: " << describe(*o.bfd) << "\n";
    plan.ospf = std::move(o);
  }
  head << "Accepted from the nodes:\n";
  for (const auto& r : plan.accept)
    head << "  " << r.prefix << " length " << r.min_len << ".." << r.max_len << "  (" << r.why << ")\n";
  if (external && external_ranges.empty())
    head << "externalIPs / LoadBalancer IPs are advertised but not accepted: pass --external-range CIDR\n";
  plan.header = head.str();
  return plan;
}

}  // namespace router_config

net::Expected<std::string, std::string> generate_router_config(const RouterConfigRequest& req, RouterFlavour flavour) {
  auto plan = router_config::make_plan(req);
  if (!plan) return net::Unexpected(plan.error());
  switch (flavour) {
    case RouterFlavour::bird: return router_config::write_bird(*plan, false);
    case RouterFlavour::openwrt: return router_config::write_bird(*plan, true);
    case RouterFlavour::frr:
    case RouterFlavour::vyos: {
      auto ok = router_config::check_frr(*plan);
      if (!ok) return ok;
      return flavour == RouterFlavour::frr ? router_config::write_frr(*plan) : router_config::write_vyos(*plan);
    }
    case RouterFlavour::routeros: return router_config::write_routeros(*plan);
  }
  return net::Unexpected(std::string("unknown router flavour"));
}

}  // namespace cisd

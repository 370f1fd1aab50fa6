// Printers for LSA values: IDs as dotted quads, so a failing test reads like a router's output.
#include "ospf/wire/lsa.hpp"

#include <iomanip>

#include "net/address.hpp"

namespace ospf::wire {

namespace {

net::Address ip(std::uint32_t v) { return net::Address::v4(v); }

const char* link_type_name(RouterLinkType type) {
  switch (type) {
    case RouterLinkType::point_to_point: return "p2p";
    case RouterLinkType::transit: return "transit";
    case RouterLinkType::stub: return "stub";
    case RouterLinkType::virtual_link: return "virtual";
  }
  return "?";
}

void print_hex(std::ostream& os, unsigned value, int width) {
  const auto flags = os.flags();
  os << "0x" << std::hex << std::setw(width) << std::setfill('0') << value;
  os.flags(flags);
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const LsaHeader& h) {
  os << "lsa-header{age " << h.age << " options ";
  print_hex(os, h.options, 2);
  os << " type " << unsigned{h.type} << " id " << ip(h.ls_id) << " adv " << ip(h.advertising_router) << " seq ";
  print_hex(os, static_cast<std::uint32_t>(h.sequence_number), 8);
  os << " checksum ";
  print_hex(os, h.checksum, 4);
  return os << " length " << h.length << '}';
}

std::ostream& operator<<(std::ostream& os, const RouterLsa& r) {
  os << "router{" << (r.virtual_link_endpoint ? "V " : "") << (r.as_boundary_router ? "E " : "")
     << (r.area_border_router ? "B " : "");
  if (r.other_flags) {
    os << "flags ";
    print_hex(os, r.other_flags, 2);
    os << ' ';
  }
  os << "links [";
  for (std::size_t i = 0; i < r.links.size(); ++i) {
    const auto& link = r.links[i];
    os << (i ? " " : "") << link_type_name(link.type) << '(' << ip(link.id) << ' ' << ip(link.data) << " metric "
       << link.metric;
    for (const auto& tos : link.tos) os << " tos " << unsigned{tos.tos} << ':' << tos.metric;
    os << ')';
  }
  return os << "]}";
}

std::ostream& operator<<(std::ostream& os, const NetworkLsa& n) {
  os << "network{mask " << ip(n.network_mask) << " routers [";
  for (std::size_t i = 0; i < n.attached_routers.size(); ++i) os << (i ? " " : "") << ip(n.attached_routers[i]);
  return os << "]}";
}

std::ostream& operator<<(std::ostream& os, const AsExternalLsa& e) {
  os << "as-external{mask " << ip(e.network_mask) << (e.external_type2 ? " E2" : " E1") << " metric " << e.metric
     << " forwarding " << ip(e.forwarding_address) << " tag " << e.route_tag;
  for (const auto& t : e.tos)
    os << " tos " << unsigned{t.tos} << '(' << (t.external_type2 ? "E2" : "E1") << " metric " << t.metric
       << " forwarding " << ip(t.forwarding_address) << " tag " << t.route_tag << ')';
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const OpaqueLsaBody& o) {
  os << "opaque{";
  const auto flags = os.flags();
  for (std::size_t i = 0; i < o.bytes.size(); ++i)
    os << (i ? " " : "") << std::hex << std::setw(2) << std::setfill('0') << unsigned{o.bytes[i]};
  os.flags(flags);
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const Lsa& lsa) {
  os << "LSA{" << lsa.header << ' ';
  std::visit([&os](const auto& body) { os << body; }, lsa.body);
  return os << '}';
}

}  // namespace ospf::wire

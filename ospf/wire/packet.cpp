// Printers for packet values.
#include "ospf/wire/packet.hpp"

#include <iomanip>

#include "net/address.hpp"

namespace ospf::wire {

namespace {

net::Address ip(std::uint32_t v) { return net::Address::v4(v); }

template <typename T>
void print_list(std::ostream& os, const std::vector<T>& items) {
  os << '[';
  for (std::size_t i = 0; i < items.size(); ++i) os << (i ? " " : "") << items[i];
  os << ']';
}

void print_ids(std::ostream& os, const std::vector<std::uint32_t>& ids) {
  os << '[';
  for (std::size_t i = 0; i < ids.size(); ++i) os << (i ? " " : "") << ip(ids[i]);
  os << ']';
}

void print_options(std::ostream& os, std::uint8_t options) {
  const auto flags = os.flags();
  os << "0x" << std::hex << std::setw(2) << std::setfill('0') << unsigned{options};
  os.flags(flags);
}

}  // namespace

const char* to_string(PacketType type) {
  switch (type) {
    case PacketType::hello: return "Hello";
    case PacketType::database_description: return "Database Description";
    case PacketType::link_state_request: return "Link State Request";
    case PacketType::link_state_update: return "Link State Update";
    case PacketType::link_state_ack: return "Link State Ack";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, PacketType type) { return os << to_string(type); }

std::ostream& operator<<(std::ostream& os, const Hello& h) {
  os << "Hello{mask " << ip(h.network_mask) << " hello " << h.hello_interval << " options ";
  print_options(os, h.options);
  os << " priority " << unsigned{h.priority} << " dead " << h.dead_interval << " dr " << ip(h.designated_router)
     << " bdr " << ip(h.backup_designated_router) << " neighbors ";
  print_ids(os, h.neighbors);
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const DatabaseDescription& dd) {
  os << "DD{mtu " << dd.interface_mtu << " options ";
  print_options(os, dd.options);
  os << " flags " << (dd.init ? "I" : "-") << (dd.more ? "M" : "-") << (dd.master ? "MS" : "-") << " seq "
     << dd.sequence_number << " headers ";
  print_list(os, dd.lsa_headers);
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const LsaRequest& r) {
  return os << "(type " << r.type << " id " << ip(r.ls_id) << " adv " << ip(r.advertising_router) << ')';
}

std::ostream& operator<<(std::ostream& os, const LinkStateRequest& lsr) {
  os << "LSR{";
  print_list(os, lsr.requests);
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const LinkStateUpdate& lsu) {
  os << "LSU{";
  print_list(os, lsu.lsas);
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const LinkStateAck& ack) {
  os << "LSAck{";
  print_list(os, ack.lsa_headers);
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const Packet& p) {
  os << "OSPF{router " << ip(p.router_id) << " area " << ip(p.area_id);
  if (p.crypto_sequence) os << " crypto_seq " << *p.crypto_sequence;
  os << ' ';
  std::visit([&os](const auto& body) { os << body; }, p.body);
  return os << '}';
}

}  // namespace ospf::wire

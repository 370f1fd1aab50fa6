#include "ospf/lsa_key.hpp"

namespace ospf {

namespace {
void dotted(std::ostream& os, std::uint32_t v) {
  os << (v >> 24) << '.' << ((v >> 16) & 0xff) << '.' << ((v >> 8) & 0xff) << '.' << (v & 0xff);
}
}  // namespace

std::ostream& operator<<(std::ostream& os, const LsaKey& k) {
  os << "type " << unsigned(k.type) << " id ";
  dotted(os, k.ls_id);
  os << " adv ";
  dotted(os, k.advertising_router);
  return os;
}

}  // namespace ospf

#include "ospf/lsa_key.hpp"

#include "net/address.hpp"

namespace ospf {

std::ostream& operator<<(std::ostream& os, const LsaKey& k) {
  return os << "type " << unsigned(k.type) << " id " << net::dotted(k.ls_id) << " adv "
            << net::dotted(k.advertising_router);
}

}  // namespace ospf

#include "bgp/socket_options.hpp"

#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace bgp {

namespace {
std::string result(int rc, const char* what) {
  return rc == 0 ? std::string() : std::string(what) + ": " + std::strerror(errno);
}
}  // namespace

std::string set_tcp_md5(int fd, const net::Address& peer, std::string_view key) {
  if (key.size() > TCP_MD5SIG_MAXKEYLEN) return "TCP MD5 key longer than 80 bytes";
  struct tcp_md5sig sig {};
  if (peer.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&sig.tcpm_addr);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, peer.bytes().data(), 4);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&sig.tcpm_addr);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, peer.bytes().data(), 16);
  }
  sig.tcpm_keylen = static_cast<std::uint16_t>(key.size());
  std::memcpy(sig.tcpm_key, key.data(), key.size());
  return result(setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig), "TCP_MD5SIG");
}

std::string set_ttl(int fd, net::Family family, int ttl) {
  if (family == net::Family::ipv4) return result(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl), "IP_TTL");
  return result(setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl), "IPV6_UNICAST_HOPS");
}

std::string set_min_ttl(int fd, net::Family family, int min_ttl) {
  if (family == net::Family::ipv4)
    return result(setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min_ttl, sizeof min_ttl), "IP_MINTTL");
  return result(setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min_ttl, sizeof min_ttl), "IPV6_MINHOPCOUNT");
}

}  // namespace bgp

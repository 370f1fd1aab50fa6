#include "ospf/raw_socket.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "net/address.hpp"

namespace ospf {

namespace {

constexpr std::size_t kMinIpHeader = 20;
constexpr int kTosInternetworkControl = 0xc0;  // RFC 2328 A.1: precedence internetwork control
constexpr int kReceiveBuffer = 1 << 20;
constexpr int kReadsPerWakeup = 64;  // then back to the io_context, so other work is not starved

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

template <typename T>
bool set_option(int fd, int level, int name, const T& value) {
  return ::setsockopt(fd, level, name, &value, sizeof(value)) == 0;
}

}  // namespace

std::optional<IpDatagram> parse_ip_datagram(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kMinIpHeader) return std::nullopt;
  if ((bytes[0] >> 4) != 4) return std::nullopt;
  const std::size_t header = std::size_t{bytes[0] & 0x0fu} * 4;
  if (header < kMinIpHeader || header > bytes.size()) return std::nullopt;
  // Linux hands raw sockets the header as it came (total length in network order, header included).
  const std::size_t total = (std::size_t{bytes[2]} << 8) | bytes[3];
  if (total < header || total > bytes.size()) return std::nullopt;
  IpDatagram d;
  d.ttl = bytes[8];
  d.protocol = bytes[9];
  d.source = be32(&bytes[12]);
  d.destination = be32(&bytes[16]);
  d.payload = bytes.subspan(header, total - header);
  return d;
}

struct RawSocket::State {
  explicit State(asio::io_context& io) : socket(io) {}
  asio::generic::raw_protocol::socket socket;
  std::array<std::uint8_t, 65536> buffer{};
  bool closed = false;
};

net::Expected<std::unique_ptr<RawSocket>, std::string> RawSocket::open(asio::io_context& io,
                                                                       const std::string& interface, int ifindex,
                                                                       std::uint32_t address, Handler handler,
                                                                       ErrorHandler on_error) {
  auto fail = [&](const std::string& what) {
    return net::Unexpected{"raw socket on " + interface + ": " + what};
  };
  if (interface.empty() || interface.size() >= IFNAMSIZ) return fail("bad interface name");
  const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpProtocolOspf);
  if (fd < 0) return fail(errno_text("socket(AF_INET, SOCK_RAW, 89)"));
  auto close_and_fail = [&](const char* what) {
    auto message = errno_text(what);
    ::close(fd);
    return fail(message);
  };

  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(), static_cast<socklen_t>(interface.size())) != 0)
    return close_and_fail("SO_BINDTODEVICE");
  if (!set_option(fd, IPPROTO_IP, IP_PKTINFO, int{1})) return close_and_fail("IP_PKTINFO");
  if (!set_option(fd, IPPROTO_IP, IP_TOS, int{kTosInternetworkControl})) return close_and_fail("IP_TOS");
  // RFC 2328 A.1: TTL 1 for everything but virtual links (which we do not have).
  if (!set_option(fd, IPPROTO_IP, IP_TTL, int{1})) return close_and_fail("IP_TTL");
  if (!set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, int{1})) return close_and_fail("IP_MULTICAST_TTL");
  if (!set_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, int{0})) return close_and_fail("IP_MULTICAST_LOOP");
  ip_mreqn out{};
  out.imr_address.s_addr = htonl(address);
  out.imr_ifindex = ifindex;
  if (!set_option(fd, IPPROTO_IP, IP_MULTICAST_IF, out)) return close_and_fail("IP_MULTICAST_IF");
  // Only the groups this socket joined, not every group some other socket on the host is in.
  if (!set_option(fd, IPPROTO_IP, IP_MULTICAST_ALL, int{0})) return close_and_fail("IP_MULTICAST_ALL");
  // The instance sizes packets to the MTU; a bigger one is fragmented rather than refused.
  if (!set_option(fd, IPPROTO_IP, IP_MTU_DISCOVER, int{IP_PMTUDISC_DONT})) return close_and_fail("IP_MTU_DISCOVER");
  (void)set_option(fd, SOL_SOCKET, SO_RCVBUF, kReceiveBuffer);  // best effort: the default works, only smaller

  auto state = std::make_shared<State>(io);
  boost::system::error_code ec;
  state->socket.assign(asio::generic::raw_protocol(AF_INET, kIpProtocolOspf), fd, ec);
  if (ec) {
    ::close(fd);
    return fail("assign: " + ec.message());
  }
  std::unique_ptr<RawSocket> s(new RawSocket(std::move(state), interface, ifindex, std::move(handler), std::move(on_error)));
  s->wait_readable();
  return s;
}

RawSocket::RawSocket(std::shared_ptr<State> state, std::string interface, int ifindex, Handler handler,
                     ErrorHandler on_error)
    : state_(std::move(state)),
      interface_(std::move(interface)),
      ifindex_(ifindex),
      handler_(std::move(handler)),
      on_error_(std::move(on_error)) {}

RawSocket::~RawSocket() {
  state_->closed = true;
  boost::system::error_code ignored;
  state_->socket.close(ignored);  // the pending wait completes with operation_aborted and sees `closed`
}

void RawSocket::wait_readable() {
  state_->socket.async_wait(asio::socket_base::wait_read, [this, state = state_](boost::system::error_code ec) {
    if (state->closed) return;  // `this` is gone
    if (ec) {
      if (ec != asio::error::operation_aborted && on_error_) on_error_("waiting to read: " + ec.message());
      return;
    }
    read_all();
  });
}

void RawSocket::read_all() {
  auto state = state_;  // a handler may close this socket: keep the state alive to notice
  const int fd = state->socket.native_handle();
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    sockaddr_in from{};
    iovec iov{state->buffer.data(), state->buffer.size()};
    alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(in_pktinfo)) + 64> control{};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      // ENETDOWN and friends are transient for a raw socket: keep waiting.
      break;
    }
    if (msg.msg_flags & MSG_TRUNC) {
      ++counters_.dropped_malformed;
      continue;
    }
    int arrived_on = ifindex_;
    if (!(msg.msg_flags & MSG_CTRUNC)) {
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
          in_pktinfo info;
          std::memcpy(&info, CMSG_DATA(c), sizeof(info));
          arrived_on = info.ipi_ifindex;
        }
      }
    }
    if (arrived_on != ifindex_) {
      ++counters_.dropped_other_interface;
      continue;
    }
    auto d = parse_ip_datagram(std::span<const std::uint8_t>(state->buffer.data(), static_cast<std::size_t>(n)));
    if (!d || d->protocol != kIpProtocolOspf) {
      ++counters_.dropped_malformed;
      continue;
    }
    ++counters_.received;
    handler_(d->source, d->destination, d->payload);
    if (state->closed) return;
  }
  wait_readable();
}

std::string RawSocket::send(std::uint32_t destination, std::span<const std::uint8_t> bytes) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(destination);
  const int fd = state_->socket.native_handle();
  for (int attempt = 0; attempt < 3; ++attempt) {
    const ssize_t n = ::sendto(fd, bytes.data(), bytes.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to),
                               sizeof(to));
    if (n >= 0) {
      ++counters_.sent;
      return {};
    }
    if (errno != EINTR) break;
  }
  ++counters_.send_errors;
  return errno_text(("sendto " + net::dotted(destination)).c_str());
}

std::vector<std::string> RawSocket::set_groups(const std::vector<std::uint32_t>& groups) {
  std::vector<std::string> problems;
  const std::set<std::uint32_t> want(groups.begin(), groups.end());
  const int fd = state_->socket.native_handle();
  auto change = [&](std::uint32_t group, int option) {
    ip_mreqn m{};
    m.imr_multiaddr.s_addr = htonl(group);
    m.imr_ifindex = ifindex_;
    if (set_option(fd, IPPROTO_IP, option, m)) return true;
    problems.push_back(errno_text(((option == IP_ADD_MEMBERSHIP ? "joining " : "leaving ") + net::dotted(group) +
                                   " on " + interface_)
                                      .c_str()));
    return false;
  };
  for (auto it = joined_.begin(); it != joined_.end();) {
    if (want.count(*it)) {
      ++it;
      continue;
    }
    // Leaving fails only when the kernel has dropped the membership already (interface gone).
    change(*it, IP_DROP_MEMBERSHIP);
    it = joined_.erase(it);
  }
  for (auto g : want)
    if (!joined_.count(g) && change(g, IP_ADD_MEMBERSHIP)) joined_.insert(g);
  return problems;
}

}  // namespace ospf

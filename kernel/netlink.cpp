#include "kernel/netlink.hpp"

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace netlink {
namespace {

struct SocketDeleter {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
using Socket = std::unique_ptr<nl_sock, SocketDeleter>;

std::string nl_error(const char* what, int err) { return std::string(what) + ": " + nl_geterror(err); }

std::optional<net::Address> to_address(nl_addr* a) {
  const auto* bytes = static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(a));
  const unsigned len = nl_addr_get_len(a);
  if (nl_addr_get_family(a) == AF_INET && len == 4) {
    std::array<std::uint8_t, 4> b{};
    std::memcpy(b.data(), bytes, 4);
    return net::Address::v4(b);
  }
  if (nl_addr_get_family(a) == AF_INET6 && len == 16) {
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), bytes, 16);
    return net::Address::v6(b);
  }
  return std::nullopt;
}

std::optional<InterfaceAddress> to_interface_address(rtnl_addr* a) {
  nl_addr* local = rtnl_addr_get_local(a);
  if (!local) return std::nullopt;
  auto address = to_address(local);
  if (!address) return std::nullopt;
  InterfaceAddress out;
  out.address = *address;
  out.prefix_length = static_cast<unsigned>(rtnl_addr_get_prefixlen(a));
  out.secondary = (rtnl_addr_get_flags(a) & IFA_F_SECONDARY) != 0;
  return out;
}

net::Expected<Socket, Error> connect_route_socket() {
  Socket sk(nl_socket_alloc());
  if (!sk) return net::Unexpected(Error{"netlink: cannot allocate a socket"});
  if (int err = nl_connect(sk.get(), NETLINK_ROUTE); err < 0)
    return net::Unexpected(Error{nl_error("netlink connect", err)});
  return sk;
}

struct CacheDeleter {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using Cache = std::unique_ptr<nl_cache, CacheDeleter>;

Link to_link(rtnl_link* l) {
  Link out;
  out.ifindex = rtnl_link_get_ifindex(l);
  if (const char* name = rtnl_link_get_name(l)) out.name = name;
  const unsigned flags = rtnl_link_get_flags(l);
  out.up = flags & IFF_UP;
  out.carrier = flags & IFF_RUNNING;
  out.loopback = flags & IFF_LOOPBACK;
  out.mtu = rtnl_link_get_mtu(l);
  return out;
}

// Every address, in the kernel's order. libnl 3.7 has no per-interface dump request for
// addresses; even thousands of ClusterIPs make one dump of a few hundred kilobytes.
net::Expected<Cache, Error> address_dump(nl_sock* sk) {
  nl_cache* cache = nullptr;
  if (int err = rtnl_addr_alloc_cache(sk, &cache); err < 0) return net::Unexpected(Error{nl_error("netlink address dump", err)});
  return Cache(cache);
}

void add_addresses(nl_cache* addresses, Interface& interface) {
  for (nl_object* o = nl_cache_get_first(addresses); o; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_ifindex(a) != interface.link.ifindex) continue;
    if (auto ia = to_interface_address(a)) interface.addresses.push_back(*ia);
  }
}

}  // namespace

net::Expected<Interface, Error> read_interface(const std::string& name) {
  auto sk = connect_route_socket();
  if (!sk) return net::Unexpected(sk.error());
  rtnl_link* link = nullptr;
  if (name.empty() || name.size() >= IFNAMSIZ)
    return net::Unexpected(Error{"netlink: bad interface name \"" + name + "\"", true});
  if (int err = rtnl_link_get_kernel(sk->get(), 0, name.c_str(), &link); err < 0) {
    // The kernel answers ENODEV, which libnl reports as "object not found".
    const bool missing = err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV;
    return net::Unexpected(Error{nl_error(("netlink: interface " + name).c_str(), err), missing});
  }
  Interface out;
  out.link = to_link(link);
  rtnl_link_put(link);
  auto addresses = address_dump(sk->get());
  if (!addresses) return net::Unexpected(addresses.error());
  add_addresses(addresses->get(), out);
  return out;
}

net::Expected<std::vector<Interface>, Error> read_interfaces() {
  auto sk = connect_route_socket();
  if (!sk) return net::Unexpected(sk.error());
  nl_cache* links_raw = nullptr;
  if (int err = rtnl_link_alloc_cache(sk->get(), AF_UNSPEC, &links_raw); err < 0)
    return net::Unexpected(Error{nl_error("netlink link dump", err)});
  Cache links(links_raw);
  auto addresses = address_dump(sk->get());
  if (!addresses) return net::Unexpected(addresses.error());
  std::vector<Interface> out;
  for (nl_object* o = nl_cache_get_first(links.get()); o; o = nl_cache_get_next(o)) {
    Interface i;
    i.link = to_link(reinterpret_cast<rtnl_link*>(o));
    add_addresses(addresses->get(), i);
    out.push_back(std::move(i));
  }
  return out;
}

struct InterfaceWatcher::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, Handler h) : descriptor(ex), handler(std::move(h)) {}
  ~Impl() {
    // libnl owns the fd: take it back from Asio so it is closed exactly once.
    if (descriptor.is_open()) descriptor.release();
  }

  Socket sk;
  asio::posix::stream_descriptor descriptor;
  Handler handler;
  bool stopped = false;
  std::vector<InterfaceEvent> batch;  // filled by the libnl callbacks during one read

  static void on_object(nl_object* obj, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    const int type = nl_object_get_msgtype(obj);
    if (type == RTM_NEWADDR || type == RTM_DELADDR)
      self->batch.push_back({InterfaceEvent::Kind::address, rtnl_addr_get_ifindex(reinterpret_cast<rtnl_addr*>(obj))});
    else if (type == RTM_NEWLINK || type == RTM_DELLINK)
      self->batch.push_back({InterfaceEvent::Kind::link, rtnl_link_get_ifindex(reinterpret_cast<rtnl_link*>(obj))});
    else if ((type == RTM_NEWROUTE || type == RTM_DELROUTE) &&
             (self->batch.empty() || self->batch.back().kind != InterfaceEvent::Kind::route))
      self->batch.push_back({InterfaceEvent::Kind::route, 0});  // one per burst: readers re-read the table
  }

  static int on_valid(nl_msg* msg, void* arg) {
    nl_msg_parse(msg, &Impl::on_object, arg);
    return NL_OK;
  }

  void arm() {
    descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                          [self = shared_from_this()](const boost::system::error_code& ec) {
                            if (self->stopped || ec == asio::error::operation_aborted) return;
                            self->drain();
                            if (!self->stopped) self->arm();
                          });
  }

  // Reads what is queued, without blocking (the socket is non-blocking), then hands the events
  // over. Bounded, so a flood of events cannot starve the loop; the next wait fires at once.
  void drain() {
    bool lost = false;
    for (int i = 0; i < 256; ++i) {
      const int r = nl_recvmsgs_default(sk.get());
      if (r == -NLE_AGAIN) break;
      if (r < 0) {
        lost = true;  // typically ENOBUFS: the kernel dropped events, so the reader must re-list
        if (r != -NLE_NOMEM && r != -NLE_DUMP_INTR) break;
      }
    }
    auto events = std::move(batch);
    batch.clear();
    if (lost) events.push_back(InterfaceEvent{InterfaceEvent::Kind::resync, 0});
    if (!events.empty() && !stopped) handler(events);
  }
};

InterfaceWatcher::InterfaceWatcher(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

InterfaceWatcher::~InterfaceWatcher() {
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->descriptor.cancel(ignored);  // the pending wait completes aborted and drops its reference
}

net::Expected<std::unique_ptr<InterfaceWatcher>, Error> InterfaceWatcher::create(asio::any_io_executor executor,
                                                                             Handler handler) {
  return open(std::move(executor), std::move(handler), {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR});
}

net::Expected<std::unique_ptr<InterfaceWatcher>, Error> InterfaceWatcher::create_for_routes(
    asio::any_io_executor executor, Handler handler) {
  return open(std::move(executor), std::move(handler), {RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE});
}

net::Expected<std::unique_ptr<InterfaceWatcher>, Error> InterfaceWatcher::open(asio::any_io_executor executor,
                                                                           Handler handler,
                                                                           std::initializer_list<int> groups) {
  auto impl = std::make_shared<Impl>(executor, std::move(handler));
  auto sk = connect_route_socket();
  if (!sk) return net::Unexpected(sk.error());
  impl->sk = std::move(*sk);
  nl_sock* s = impl->sk.get();
  // Events are not replies to our requests: no sequence numbers to check.
  nl_socket_disable_seq_check(s);
  nl_socket_modify_cb(s, NL_CB_VALID, NL_CB_CUSTOM, &Impl::on_valid, impl.get());
  for (int group : groups)
    if (int err = nl_socket_add_membership(s, group); err < 0)
      return net::Unexpected(Error{nl_error("netlink subscribe", err)});
  if (int err = nl_socket_set_nonblocking(s); err < 0)
    return net::Unexpected(Error{nl_error("netlink non-blocking", err)});
  // Room for a burst (kube-proxy adding thousands of ClusterIPs at start); overflow means resync.
  nl_socket_set_buffer_size(s, 4 << 20, 0);
  boost::system::error_code ec;
  impl->descriptor.assign(nl_socket_get_fd(s), ec);
  if (ec) return net::Unexpected(Error{"netlink: " + ec.message()});
  impl->arm();
  return std::unique_ptr<InterfaceWatcher>(new InterfaceWatcher(std::move(impl)));
}

net::Expected<std::optional<net::Address>, Error> default_gateway(net::Family family) {
  auto sk = connect_route_socket();
  if (!sk) return net::Unexpected(sk.error());
  nl_cache* raw = nullptr;
  if (int err = rtnl_route_alloc_cache(sk->get(), family == net::Family::ipv4 ? AF_INET : AF_INET6, 0, &raw); err < 0)
    return net::Unexpected(Error{nl_error("netlink route dump", err)});
  Cache cache(raw);
  std::vector<KernelRoute> routes;
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    KernelRoute k;
    k.table = rtnl_route_get_table(r);
    nl_addr* dst = rtnl_route_get_dst(r);
    k.destination_length = dst ? nl_addr_get_prefixlen(dst) : 0;
    k.unicast = rtnl_route_get_type(r) == RTN_UNICAST;
    k.metric = rtnl_route_get_priority(r);
    if (rtnl_route_get_nnexthops(r) > 0)
      if (nl_addr* gw = rtnl_route_nh_get_gateway(rtnl_route_nexthop_n(r, 0))) k.gateway = to_address(gw);
    routes.push_back(k);
  }
  return choose_default_gateway(routes);
}

}  // namespace netlink

#include "daemon/netlink.hpp"

#include <linux/rtnetlink.h>
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

namespace cisd::netlink {
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
  return InterfaceAddress{*address, static_cast<unsigned>(rtnl_addr_get_prefixlen(a))};
}

net::Expected<Socket, Error> connect_route_socket() {
  Socket sk(nl_socket_alloc());
  if (!sk) return net::Unexpected(Error{"netlink: cannot allocate a socket"});
  if (int err = nl_connect(sk.get(), NETLINK_ROUTE); err < 0)
    return net::Unexpected(Error{nl_error("netlink connect", err)});
  return sk;
}

}  // namespace

net::Expected<std::vector<InterfaceAddress>, Error> interface_addresses(const std::string& name) {
  auto sk = connect_route_socket();
  if (!sk) return net::Unexpected(sk.error());

  rtnl_link* link = nullptr;
  if (int err = rtnl_link_get_kernel(sk->get(), 0, name.c_str(), &link); err < 0) {
    // The kernel answers ENODEV, which libnl reports as "object not found".
    const bool missing = err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV;
    return net::Unexpected(Error{nl_error(("netlink: interface " + name).c_str(), err), missing});
  }
  const int ifindex = rtnl_link_get_ifindex(link);
  rtnl_link_put(link);

  // A full address dump filtered here: libnl 3.7 has no per-interface dump request for addresses,
  // and even thousands of ClusterIPs make one dump of a few hundred kilobytes.
  nl_cache* cache = nullptr;
  if (int err = rtnl_addr_alloc_cache(sk->get(), &cache); err < 0)
    return net::Unexpected(Error{nl_error("netlink address dump", err)});
  std::vector<InterfaceAddress> out;
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_ifindex(a) != ifindex) continue;
    if (auto ia = to_interface_address(a)) out.push_back(*ia);
  }
  nl_cache_free(cache);
  return out;
}

// A netlink multicast subscription read on the io_context. Each parsed object goes to
// `on_object` during a read; `on_read_done(lost)` follows every read (lost: the kernel dropped
// events, so the listener must re-read everything).
class Subscription : public std::enable_shared_from_this<Subscription> {
 public:
  using ObjectHandler = std::function<void(nl_object*)>;
  using ReadDone = std::function<void(bool lost)>;

  Subscription(asio::any_io_executor ex, ObjectHandler on_object, ReadDone on_read_done)
      : descriptor_(ex), on_object_(std::move(on_object)), on_read_done_(std::move(on_read_done)) {}
  ~Subscription() {
    // libnl owns the fd: take it back from Asio so it is closed exactly once.
    if (descriptor_.is_open()) descriptor_.release();
  }

  static net::Expected<std::shared_ptr<Subscription>, Error> open(asio::any_io_executor executor,
                                                                  std::initializer_list<int> groups,
                                                                  ObjectHandler on_object, ReadDone on_read_done) {
    auto self = std::make_shared<Subscription>(executor, std::move(on_object), std::move(on_read_done));
    auto sk = connect_route_socket();
    if (!sk) return net::Unexpected(sk.error());
    self->sk_ = std::move(*sk);
    nl_sock* s = self->sk_.get();
    // Events are not replies to our requests: no sequence numbers to check.
    nl_socket_disable_seq_check(s);
    nl_socket_modify_cb(s, NL_CB_VALID, NL_CB_CUSTOM, &Subscription::on_valid, self.get());
    for (int group : groups)
      if (int err = nl_socket_add_membership(s, group); err < 0)
        return net::Unexpected(Error{nl_error("netlink subscribe", err)});
    if (int err = nl_socket_set_nonblocking(s); err < 0)
      return net::Unexpected(Error{nl_error("netlink non-blocking", err)});
    // Room for a burst (kube-proxy adding thousands of ClusterIPs at start); overflow means resync.
    nl_socket_set_buffer_size(s, 4 << 20, 0);
    boost::system::error_code ec;
    self->descriptor_.assign(nl_socket_get_fd(s), ec);
    if (ec) return net::Unexpected(Error{"netlink: " + ec.message()});
    self->arm();
    return self;
  }

  void stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);  // the pending wait completes aborted and drops its reference
  }
  bool stopped() const { return stopped_; }

 private:
  static void on_parsed(nl_object* obj, void* arg) { static_cast<Subscription*>(arg)->on_object_(obj); }

  static int on_valid(nl_msg* msg, void* arg) {
    nl_msg_parse(msg, &Subscription::on_parsed, arg);
    return NL_OK;
  }

  void arm() {
    descriptor_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](const boost::system::error_code& ec) {
                             if (self->stopped_ || ec == asio::error::operation_aborted) return;
                             self->drain();
                             if (!self->stopped_) self->arm();
                           });
  }

  // Reads what is queued, without blocking (the socket is non-blocking). Bounded, so a flood of
  // events cannot starve the loop; the next wait fires at once.
  void drain() {
    bool lost = false;
    for (int i = 0; i < 256; ++i) {
      const int r = nl_recvmsgs_default(sk_.get());
      if (r == -NLE_AGAIN) break;
      if (r < 0) {
        lost = true;  // typically ENOBUFS: the kernel dropped events, so the reader must re-list
        if (r != -NLE_NOMEM && r != -NLE_DUMP_INTR) break;
      }
    }
    if (!stopped_) on_read_done_(lost);
  }

  Socket sk_;
  asio::posix::stream_descriptor descriptor_;
  ObjectHandler on_object_;
  ReadDone on_read_done_;
  bool stopped_ = false;
};

AddressWatcher::AddressWatcher(std::shared_ptr<Subscription> subscription) : subscription_(std::move(subscription)) {}

AddressWatcher::~AddressWatcher() { subscription_->stop(); }

net::Expected<std::unique_ptr<AddressWatcher>, Error> AddressWatcher::create(asio::any_io_executor executor,
                                                                             Handler handler) {
  // Filled by the libnl callbacks during one read, handed over after it.
  auto batch = std::make_shared<std::vector<AddressEvent>>();
  auto on_object = [batch](nl_object* obj) {
    const int type = nl_object_get_msgtype(obj);
    if (type != RTM_NEWADDR && type != RTM_DELADDR) return;
    auto* a = reinterpret_cast<rtnl_addr*>(obj);
    AddressEvent ev;
    ev.kind = type == RTM_NEWADDR ? AddressEvent::Kind::added : AddressEvent::Kind::removed;
    ev.ifindex = rtnl_addr_get_ifindex(a);
    ev.address = to_interface_address(a);
    if (ev.address) batch->push_back(ev);
  };
  auto subscription = std::make_shared<std::weak_ptr<Subscription>>();
  auto on_read_done = [batch, handler = std::move(handler), subscription](bool lost) {
    auto events = std::move(*batch);
    batch->clear();
    if (lost) events.push_back(AddressEvent{AddressEvent::Kind::resync, 0, std::nullopt});
    for (const auto& ev : events) {
      auto s = subscription->lock();
      if (!s || s->stopped()) return;
      handler(ev);
    }
  };
  auto opened = Subscription::open(executor, {RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR}, std::move(on_object),
                                   std::move(on_read_done));
  if (!opened) return net::Unexpected(opened.error());
  *subscription = *opened;
  return std::unique_ptr<AddressWatcher>(new AddressWatcher(std::move(*opened)));
}

net::Expected<std::optional<net::Address>, Error> default_gateway(net::Family family) {
  auto sk = connect_route_socket();
  if (!sk) return net::Unexpected(sk.error());
  nl_cache* cache = nullptr;
  const int af = family == net::Family::ipv4 ? AF_INET : AF_INET6;
  if (int err = rtnl_route_alloc_cache(sk->get(), af, 0, &cache); err < 0)
    return net::Unexpected(Error{nl_error("netlink route dump", err)});
  std::vector<KernelRoute> routes;
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
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
  nl_cache_free(cache);
  return choose_default_gateway(routes);
}

RouteWatcher::RouteWatcher(std::shared_ptr<Subscription> subscription) : subscription_(std::move(subscription)) {}

RouteWatcher::~RouteWatcher() { subscription_->stop(); }

net::Expected<std::unique_ptr<RouteWatcher>, Error> RouteWatcher::create(asio::any_io_executor executor,
                                                                         Handler changed) {
  auto seen = std::make_shared<bool>(false);
  auto on_object = [seen](nl_object* obj) {
    const int type = nl_object_get_msgtype(obj);
    if (type == RTM_NEWROUTE || type == RTM_DELROUTE) *seen = true;
  };
  auto on_read_done = [seen, changed = std::move(changed)](bool lost) {
    if (!*seen && !lost) return;
    *seen = false;
    changed();
  };
  auto opened = Subscription::open(executor, {RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE}, std::move(on_object),
                                   std::move(on_read_done));
  if (!opened) return net::Unexpected(opened.error());
  return std::unique_ptr<RouteWatcher>(new RouteWatcher(std::move(*opened)));
}

}  // namespace cisd::netlink

// The one place that reads kernel network state, and only reads it (nothing here changes the
// node's networking), with libnl: interfaces (link state, MTU) and their addresses (kube-proxy's
// IPVS mode binds every ClusterIP to `kube-ipvs0`; OSPF runs on configured interfaces; no Service
// may attract this host's own addresses), and a subscription to link and address events on an
// io_context, so that readers re-read when something changed instead of polling; the default
// gateway of a family, and route change events (`address: gateway` peers follow them).
#pragma once
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/asio.hpp"
#include "kernel/default_gateway.hpp"
#include "net/address.hpp"
#include "net/expected.hpp"

namespace netlink {

struct InterfaceAddress {
  net::Address address;
  unsigned prefix_length = 0;
  bool secondary = false;  // IPv4: not the primary address of its subnet on that interface
  bool operator==(const InterfaceAddress&) const = default;
};

struct Link {
  int ifindex = 0;
  std::string name;
  bool up = false;        // administratively (IFF_UP)
  bool carrier = false;   // operationally (IFF_RUNNING)
  bool loopback = false;
  unsigned mtu = 0;
};

struct Interface {
  Link link;
  std::vector<InterfaceAddress> addresses;  // IPv4 and IPv6, primaries first as the kernel lists them
};

struct Error {
  std::string message;
  bool no_such_interface = false;  // the interface is absent, which is a fact, not a failure
};

// One interface by name, in the calling thread's network namespace: one link request and one
// address dump; it waits on nothing but the kernel.
net::Expected<Interface, Error> read_interface(const std::string& name);
// Every interface with its addresses.
net::Expected<std::vector<Interface>, Error> read_interfaces();

struct InterfaceEvent {
  enum class Kind { address, link, route, resync };  // resync: events were lost, re-read everything
  Kind kind = Kind::resync;
  int ifindex = 0;
};

// RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR multicast, read on the io_context.
// Events for every interface arrive; the listener filters (an interface can be created after we
// subscribe) and re-reads what it needs. The handler gets all the events one read of the socket
// brought (never none), so a burst (kube-proxy adding thousands of ClusterIPs, a CNI's routes)
// costs one re-read per read, not one per event.
class InterfaceWatcher {
 public:
  using Handler = std::function<void(const std::vector<InterfaceEvent>&)>;
  static net::Expected<std::unique_ptr<InterfaceWatcher>, Error> create(asio::any_io_executor executor,
                                                                        Handler handler);
  // RTNLGRP_IPV4_ROUTE and RTNLGRP_IPV6_ROUTE instead: one Kind::route event per burst of route
  // changes (and resync), for readers of the routing table.
  static net::Expected<std::unique_ptr<InterfaceWatcher>, Error> create_for_routes(asio::any_io_executor executor,
                                                                                   Handler handler);
  ~InterfaceWatcher();
  InterfaceWatcher(const InterfaceWatcher&) = delete;
  InterfaceWatcher& operator=(const InterfaceWatcher&) = delete;

 private:
  struct Impl;
  static net::Expected<std::unique_ptr<InterfaceWatcher>, Error> open(asio::any_io_executor executor, Handler handler,
                                                                      std::initializer_list<int> groups);
  explicit InterfaceWatcher(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// The main table's default gateway of `family` (choose_default_gateway over one route dump);
// nullopt when there is no default route with a gateway.
net::Expected<std::optional<net::Address>, Error> default_gateway(net::Family family);

}  // namespace netlink

// The one place that reads kernel network state, and only reads it (nothing here changes the
// node's networking), with libnl:
// the addresses on an interface (kube-proxy's IPVS mode binds every ClusterIP to `kube-ipvs0`)
// and a subscription to address add/remove events on the io_context; the default gateway of a
// family and a subscription to route changes.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/asio.hpp"
#include "daemon/default_gateway.hpp"
#include "net/address.hpp"
#include "net/prefix.hpp"
#include "net/expected.hpp"

namespace cisd::netlink {

struct InterfaceAddress {
  net::Address address;
  unsigned prefix_length = 0;
  bool operator==(const InterfaceAddress&) const = default;
};

struct Error {
  std::string message;
  bool no_such_interface = false;  // the interface is absent, which is a fact, not a failure
};

// The IPv4 and IPv6 addresses on the interface `name`, in the calling thread's network namespace.
// One netlink dump; it does not wait on anything but the kernel.
net::Expected<std::vector<InterfaceAddress>, Error> interface_addresses(const std::string& name);

struct AddressEvent {
  enum class Kind { added, removed, resync };  // resync: events were lost, re-read everything
  Kind kind = Kind::resync;
  int ifindex = 0;
  std::optional<InterfaceAddress> address;  // set for added and removed
};

// RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR multicast, read on the io_context. Events for every
// interface arrive; the listener filters (an interface can be created after we subscribe).
class Subscription;

class AddressWatcher {
 public:
  using Handler = std::function<void(const AddressEvent&)>;
  static net::Expected<std::unique_ptr<AddressWatcher>, Error> create(asio::any_io_executor executor, Handler handler);
  ~AddressWatcher();
  AddressWatcher(const AddressWatcher&) = delete;
  AddressWatcher& operator=(const AddressWatcher&) = delete;

 private:
  explicit AddressWatcher(std::shared_ptr<Subscription> subscription);
  std::shared_ptr<Subscription> subscription_;
};

// The main table's default gateway of `family` (choose_default_gateway over one route dump);
// nullopt when there is no default route with a gateway.
net::Expected<std::optional<net::Address>, Error> default_gateway(net::Family family);

// RTNLGRP_IPV4_ROUTE and RTNLGRP_IPV6_ROUTE multicast, read on the io_context: `changed` is
// called once per burst of route changes (or lost events); the listener re-reads what it needs.
class RouteWatcher {
 public:
  using Handler = std::function<void()>;
  static net::Expected<std::unique_ptr<RouteWatcher>, Error> create(asio::any_io_executor executor, Handler changed);
  ~RouteWatcher();
  RouteWatcher(const RouteWatcher&) = delete;
  RouteWatcher& operator=(const RouteWatcher&) = delete;

 private:
  explicit RouteWatcher(std::shared_ptr<Subscription> subscription);
  std::shared_ptr<Subscription> subscription_;
};

}  // namespace cisd::netlink

// The one place that reads kernel network state, and only reads it (nothing here changes the
// node's networking), with libnl:
// the addresses on an interface (kube-proxy's IPVS mode binds every ClusterIP to `kube-ipvs0`)
// and a subscription to address add/remove events on the io_context.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/asio.hpp"
#include "net/address.hpp"
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
class AddressWatcher {
 public:
  using Handler = std::function<void(const AddressEvent&)>;
  static net::Expected<std::unique_ptr<AddressWatcher>, Error> create(asio::any_io_executor executor, Handler handler);
  ~AddressWatcher();
  AddressWatcher(const AddressWatcher&) = delete;
  AddressWatcher& operator=(const AddressWatcher&) = delete;

 private:
  struct Impl;
  explicit AddressWatcher(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace cisd::netlink

// The OSPFv2 socket adapter, thin (the protocol lives in the pure instance): one raw IPv4 socket, protocol 89, bound
// to one interface. It reads datagrams, strips the IP header and hands the OSPF packet up with its
// source and destination; it sends OSPF packets to an address (the kernel builds the IP header, TTL 1,
// TOS internetwork control) and joins or leaves multicast groups on that interface. Nothing else.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "io/asio.hpp"
#include "net/expected.hpp"

namespace ospf {

constexpr int kIpProtocolOspf = 89;

// An IPv4 datagram as a raw socket returns it, split into what the instance needs. Pure.
struct IpDatagram {
  std::uint32_t source = 0;       // host order
  std::uint32_t destination = 0;  // host order
  std::uint8_t protocol = 0;
  std::uint8_t ttl = 0;
  std::span<const std::uint8_t> payload;  // after the header (IHL), trimmed to the total length
};
// nullopt when the bytes are no IPv4 datagram: too short, version not 4, IHL < 5 or beyond the
// bytes, total length shorter than the header or longer than the bytes.
std::optional<IpDatagram> parse_ip_datagram(std::span<const std::uint8_t> bytes);

class RawSocket {
 public:
  // source, destination in host order; payload valid only during the call.
  using Handler = std::function<void(std::uint32_t source, std::uint32_t destination,
                                     std::span<const std::uint8_t> payload)>;
  // Called with a description when receiving fails for good (the socket stops reading).
  using ErrorHandler = std::function<void(const std::string&)>;

  // Opens the socket on `interface` (kernel ifindex, primary address in host order) and starts
  // reading. The error says which step failed and why.
  static net::Expected<std::unique_ptr<RawSocket>, std::string> open(asio::io_context& io, const std::string& interface,
                                                                     int ifindex, std::uint32_t address,
                                                                     Handler handler, ErrorHandler on_error);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  // Sends one OSPF packet; empty on success, else why not (the packet is dropped: OSPF retransmits).
  std::string send(std::uint32_t destination, std::span<const std::uint8_t> bytes);

  // Makes the socket a member of exactly these groups (host order) on its interface. Returns one
  // message per group that could not be joined or left (and retries those on the next call).
  std::vector<std::string> set_groups(const std::vector<std::uint32_t>& groups);
  const std::set<std::uint32_t>& groups() const { return joined_; }

  struct Counters {
    std::uint64_t received = 0;
    std::uint64_t sent = 0;
    std::uint64_t send_errors = 0;
    std::uint64_t dropped_malformed = 0;  // not an IPv4 datagram, truncated, or not protocol 89
    std::uint64_t dropped_other_interface = 0;
  };
  const Counters& counters() const { return counters_; }
  const std::string& interface() const { return interface_; }
  int ifindex() const { return ifindex_; }

 private:
  struct State;  // the Asio socket and the receive buffer, shared with pending handlers
  RawSocket(std::shared_ptr<State> state, std::string interface, int ifindex, Handler handler, ErrorHandler on_error);
  void wait_readable();
  void read_all();

  std::shared_ptr<State> state_;
  std::string interface_;
  int ifindex_;
  Handler handler_;
  ErrorHandler on_error_;
  std::set<std::uint32_t> joined_;
  Counters counters_;
};

}  // namespace ospf

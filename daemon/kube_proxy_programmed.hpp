// Which Service IPs has kube-proxy actually programmed on this node (config
// `advertise.require_programmed`: per-Service routes only once traffic to them would be delivered)? The answer is the planner's `Facts::programmed`:
// a set of addresses, or nullopt when we cannot tell (mode unknown, or reading failed), in which
// case the planner does not filter.
//
//   ipvs      every ClusterIP/externalIP/LB IP is an address on the `kube-ipvs0` interface
//             (read with netlink, re-read on address events and periodically);
//   nftables  elements of the verdict map `service-ips` in tables `ip kube-proxy` and
//             `ip6 kube-proxy` (libnftables, JSON output);
//   iptables  `-A KUBE-SERVICES -d IP/32 ... -j KUBE-SVC-...` rules of the nat table
//             (`iptables-{nft,legacy}-save -t nat` and the ip6tables ones as subprocesses; the
//             backend kube-proxy used is detected the way its iptables-wrapper does it).
//
// "Absent" is a fact, not an error: no kube-ipvs0, no kube-proxy table, no KUBE-SERVICES rules
// all mean kube-proxy has programmed nothing yet (the empty set).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "io/asio.hpp"
#include "kernel/netlink.hpp"
#include "net/address.hpp"
#include "net/expected.hpp"

namespace cisd {

enum class ProxyMode { unknown, iptables, ipvs, nftables };
const char* to_string(ProxyMode);

// kube-proxy's answer on :10249/proxyMode ("iptables", "ipvs", "nftables"; whitespace ignored).
// Anything else, "kernelspace" included, is unknown.
ProxyMode parse_proxy_mode(std::string_view body);

using AddressSet = std::set<net::Address>;
using Programmed = std::optional<AddressSet>;

// ---- Pure parsers: text in, set out. ----

// `nft -j list map {ip|ip6} kube-proxy service-ips` (or libnftables with NFT_CTX_OUTPUT_JSON):
// the first component of every element key of map `service-ips` in table `kube-proxy`.
// Elements that are not an address are skipped; nullopt when the text is not nftables JSON.
Programmed parse_nft_service_ips(std::string_view json);

// `nft -j list tables`: the families ("ip", "ip6", ...) that have a table named `table`.
std::optional<std::vector<std::string>> parse_nft_table_families(std::string_view json, std::string_view table);

// `iptables-save -t nat` / `ip6tables-save -t nat`: destinations of KUBE-SERVICES rules in the nat
// table that match one host (/32, /128) and jump to a Service chain (KUBE-SVC-, KUBE-SVL-,
// KUBE-EXT-, KUBE-FW-). Negated, non-host and malformed rules are skipped.
AddressSet parse_iptables_kube_services(std::string_view iptables_save);

// kube-ipvs0's addresses, without link-local ones (a bridge that is up gets an fe80:: address).
AddressSet ipvs_programmed(const std::vector<netlink::InterfaceAddress>& addresses);

// ---- Readers of the live state (the calling thread's network namespace). ----

using ReadResult = net::Expected<AddressSet, std::string>;

// Fast (one netlink dump): fine on the io_context.
ReadResult read_ipvs_programmed(const std::string& interface_name);
// Blocking (a netlink conversation with nftables that scales with the ruleset): off the loop.
ReadResult read_nftables_programmed();

// Runs argv (PATH lookup) with stdin and stderr on /dev/null and returns its stdout, or an error
// on spawn failure, non-zero exit, output over `max_output`, or `timeout` (the child is killed).
// Blocking. `child_pid`, if given, holds the running child's pid so another thread can kill it.
struct Subprocess {
  std::atomic<pid_t>* child_pid = nullptr;
  std::mutex* child_mutex = nullptr;  // guards kill against reaping (no signal to a reused pid)
};
net::Expected<std::string, std::string> run_command(const std::vector<std::string>& argv,
                                                    std::chrono::milliseconds timeout,
                                                    std::size_t max_output = 64u << 20,
                                                    Subprocess child = {});

// One iptables backend's dump of the nat tables: its IPv4 and IPv6 commands (an empty one is not run).
struct IptablesBackend {
  std::string name;
  std::vector<std::string> ipv4, ipv6;
};
// A host has two iptables backends, and kube-proxy's rules are in the one its own image picked:
// the nft-backed iptables-save of our image reads an empty table on a host whose kube-proxy uses
// iptables-legacy. Both are read, and the one kube-proxy used is picked (choose_iptables_backend).
struct IptablesCommands {
  std::vector<IptablesBackend> backends = {
      {"nft", {"iptables-nft-save", "-t", "nat"}, {"ip6tables-nft-save", "-t", "nat"}},
      {"legacy", {"iptables-legacy-save", "-t", "nat"}, {"ip6tables-legacy-save", "-t", "nat"}},
  };
};
// The way kube-proxy's iptables-wrapper picks its backend: the dump with more rules (lines that
// start with '-'); on a tie, the first (nft). `dumps` holds each backend's output; nullopt for a
// backend that could not be read. nullopt when none could.
std::optional<std::size_t> choose_iptables_backend(const std::vector<std::optional<std::string>>& dumps);
// Blocking: every backend's commands, then the KUBE-SERVICES rules of the chosen backend; an error
// only when no backend can be read. `chosen`, if given, gets the chosen backend's name.
ReadResult read_iptables_programmed(const IptablesCommands& commands, std::chrono::milliseconds timeout,
                                    Subprocess child = {}, std::string* chosen = nullptr);

// ---- The source that runs on the io_context. ----

struct KubeProxyProgrammedOptions {
  std::chrono::milliseconds interval{2000};          // periodic re-read, in every mode
  std::chrono::milliseconds command_timeout{5000};   // iptables-save
  std::chrono::milliseconds warning_interval{60000}; // the same warning at most this often
  std::string ipvs_interface = "kube-ipvs0";
  IptablesCommands iptables;
};

// Blocking reads (nftables, iptables-save) run on a private worker thread and post their result
// back to the io_context; the ipvs read is one netlink dump and runs on the loop, triggered by the
// timer and (coalesced) by netlink address events. `on_change` runs on the io_context whenever the
// answer changes (nullopt included); nothing is reported before the first read completes.
class KubeProxyProgrammed : public std::enable_shared_from_this<KubeProxyProgrammed> {
 public:
  using Handler = std::function<void(const Programmed&)>;
  static std::shared_ptr<KubeProxyProgrammed> create(asio::any_io_executor executor,
                                                     KubeProxyProgrammedOptions options, Handler on_change);
  ~KubeProxyProgrammed();

  void start();
  // Stops timers, the netlink subscription and kills a running iptables-save; does not block.
  void stop();
  // From the kube-proxy probe (k8s::KubeProxyStatus::mode through parse_proxy_mode); re-reads at once.
  void set_mode(ProxyMode mode);
  void refresh();

  ProxyMode mode() const { return mode_; }
  const Programmed& programmed() const { return programmed_; }
  // How many reads completed (successful or not); for tests and metrics.
  std::uint64_t reads() const { return reads_; }

 private:
  KubeProxyProgrammed(asio::any_io_executor executor, KubeProxyProgrammedOptions options, Handler on_change);
  void arm_timer();
  void update_watcher();
  void read_off_loop();
  void finish(std::uint64_t generation, ReadResult result);
  void publish(Programmed value);
  void warn(const std::string& message);

  asio::any_io_executor executor_;
  KubeProxyProgrammedOptions options_;
  Handler on_change_;
  asio::steady_timer timer_;
  std::unique_ptr<netlink::InterfaceWatcher> watcher_;
  std::unique_ptr<asio::thread_pool> worker_;

  ProxyMode mode_ = ProxyMode::unknown;
  std::uint64_t generation_ = 0;  // bumped on mode change: a late result for the old mode is dropped
  bool in_flight_ = false;
  bool again_ = false;             // a refresh was asked for while a read was in flight
  bool started_ = false;
  bool stopped_ = false;
  bool reported_ = false;
  Programmed programmed_;
  std::uint64_t reads_ = 0;

  std::string iptables_backend_;  // the backend last read in iptables mode, for the log
  std::string last_warning_;
  std::chrono::steady_clock::time_point last_warning_at_{};
  bool failing_ = false;

  // Shared with the worker thread: the running iptables-save, so stop() can kill it.
  std::shared_ptr<std::atomic<pid_t>> child_pid_ = std::make_shared<std::atomic<pid_t>>(0);
  std::shared_ptr<std::mutex> child_mutex_ = std::make_shared<std::mutex>();
};

}  // namespace cisd

#include "daemon/kube_proxy_programmed.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/nftables_library.hpp"

extern char** environ;

namespace cisd {

const char* to_string(ProxyMode m) {
  switch (m) {
    case ProxyMode::iptables: return "iptables";
    case ProxyMode::ipvs: return "ipvs";
    case ProxyMode::nftables: return "nftables";
    case ProxyMode::unknown: break;
  }
  return "unknown";
}

namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

using nlohmann::json;

// An element key as nft prints it: a bare value, {"concat": [...]}, or, when the element carries a
// comment, timeout or counter, {"elem": {"val": KEY, ...}}.
std::optional<net::Address> element_address(const json& key) {
  const json* k = &key;
  if (k->is_object() && k->contains("elem")) {
    const json& e = (*k)["elem"];
    if (!e.is_object() || !e.contains("val")) return std::nullopt;
    k = &e["val"];
  }
  if (k->is_object() && k->contains("concat")) {
    const json& c = (*k)["concat"];
    if (!c.is_array() || c.empty()) return std::nullopt;
    k = &c[0];
  }
  if (!k->is_string()) return std::nullopt;
  return net::Address::parse(k->get_ref<const std::string&>());
}

// The array under "nftables", or null when the text is not nft's JSON.
const json* nft_objects(const json& doc) {
  if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) return nullptr;
  return &doc["nftables"];
}

// Shell-like split of one iptables-save line: double quotes group, backslash escapes inside them.
std::optional<std::vector<std::string>> split_rule(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_token = false, quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size()) cur += line[++i];
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') {
      quoted = in_token = true;
    } else if (c == ' ' || c == '\t') {
      if (in_token) out.push_back(std::move(cur));
      cur.clear();
      in_token = false;
    } else {
      cur += c;
      in_token = true;
    }
  }
  if (quoted) return std::nullopt;  // unbalanced quote: a malformed line
  if (in_token) out.push_back(std::move(cur));
  return out;
}

// "10.96.0.10/32", "fd00::a/128" or a bare address: one host; anything wider is not a ClusterIP.
std::optional<net::Address> host_address(std::string_view text) {
  const auto slash = text.find('/');
  auto addr = net::Address::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  if (slash == std::string_view::npos) return addr;
  const auto len = text.substr(slash + 1);
  if (len != std::to_string(addr->bits())) return std::nullopt;
  return addr;
}

bool is_service_chain(std::string_view target) {
  // KUBE-SVC- cluster policy, KUBE-SVL- local policy (internalTrafficPolicy: Local),
  // KUBE-EXT- external IPs and LB IPs, KUBE-FW- LB IPs with loadBalancerSourceRanges.
  for (std::string_view p : {"KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-"})
    if (target.size() > p.size() && target.substr(0, p.size()) == p) return true;
  return false;
}

}  // namespace

ProxyMode parse_proxy_mode(std::string_view body) {
  const auto m = trim(body);
  if (m == "iptables") return ProxyMode::iptables;
  if (m == "ipvs") return ProxyMode::ipvs;
  if (m == "nftables") return ProxyMode::nftables;
  return ProxyMode::unknown;
}

Programmed parse_nft_service_ips(std::string_view text) try {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const json* objects = nft_objects(doc);
  if (!objects) return std::nullopt;
  AddressSet out;
  for (const json& o : *objects) {
    if (!o.is_object() || !o.contains("map")) continue;
    const json& m = o["map"];
    if (!m.is_object() || m.value("name", "") != "service-ips" || m.value("table", "") != "kube-proxy") continue;
    if (!m.contains("elem")) continue;  // an empty map has no "elem"
    if (!m["elem"].is_array()) return std::nullopt;
    for (const json& e : m["elem"]) {
      // A map element is [key, value]; a set element would be the key alone.
      const json& key = e.is_array() && !e.empty() ? e[0] : e;
      if (auto a = element_address(key)) out.insert(*a);
    }
  }
  return out;
} catch (const json::exception&) {
  return std::nullopt;  // a field of an unexpected type: not the JSON nft writes
}

std::optional<std::vector<std::string>> parse_nft_table_families(std::string_view text, std::string_view table) try {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const json* objects = nft_objects(doc);
  if (!objects) return std::nullopt;
  std::vector<std::string> out;
  for (const json& o : *objects) {
    if (!o.is_object() || !o.contains("table") || !o["table"].is_object()) continue;
    const json& t = o["table"];
    if (t.value("name", "") == table) out.push_back(t.value("family", ""));
  }
  return out;
} catch (const json::exception&) {
  return std::nullopt;
}

AddressSet parse_iptables_kube_services(std::string_view text) {
  AddressSet out;
  bool in_nat = true;  // lines before any "*table" header count (tolerates a bare rule list)
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line[0] == '#' || line[0] == ':') continue;
    if (line[0] == '*') {
      in_nat = line == "*nat";
      continue;
    }
    if (!in_nat || line.substr(0, 3) != "-A ") continue;
    auto tokens = split_rule(line);
    if (!tokens || tokens->size() < 2 || (*tokens)[1] != "KUBE-SERVICES") continue;

    std::optional<net::Address> dst;
    bool dst_ok = false, negate_next = false;
    std::string target;
    for (std::size_t i = 2; i < tokens->size(); ++i) {
      const std::string& t = (*tokens)[i];
      if (t == "!") {
        negate_next = true;
        continue;
      }
      const bool negated = std::exchange(negate_next, false);
      if ((t == "-d" || t == "--destination") && i + 1 < tokens->size()) {
        dst = host_address((*tokens)[++i]);
        dst_ok = dst && !negated;
      } else if ((t == "-j" || t == "--jump") && i + 1 < tokens->size()) {
        target = (*tokens)[++i];
      }
    }
    if (dst_ok && is_service_chain(target)) out.insert(*dst);
  }
  return out;
}

AddressSet ipvs_programmed(const std::vector<netlink::InterfaceAddress>& addresses) {
  AddressSet out;
  for (const auto& a : addresses)
    if (!a.address.is_link_local() && !a.address.is_unspecified()) out.insert(a.address);
  return out;
}

ReadResult read_ipvs_programmed(const std::string& interface_name) {
  auto interface = netlink::read_interface(interface_name);
  if (!interface) {
    if (interface.error().no_such_interface) return AddressSet{};  // kube-proxy has not created it yet
    return net::Unexpected(interface.error().message);
  }
  return ipvs_programmed(interface->addresses);
}

namespace {

struct NftContext {
  explicit NftContext(const NftablesLibrary& lib) : lib(lib), ctx(lib.ctx_new(NFT_CTX_DEFAULT)) {}
  ~NftContext() {
    if (ctx) lib.ctx_free(ctx);
  }
  NftContext(const NftContext&) = delete;
  NftContext& operator=(const NftContext&) = delete;

  // One command; its JSON output, or the error nft printed.
  net::Expected<std::string, std::string> run(const std::string& cmd) {
    const int rc = lib.run_cmd_from_buffer(ctx, cmd.c_str());
    const char* out = lib.ctx_get_output_buffer(ctx);  // also resets the buffer for the next command
    const char* err = lib.ctx_get_error_buffer(ctx);
    if (rc != 0) {
      std::string e = err ? std::string(trim(err)) : "";
      if (auto p = e.find('\n'); p != std::string::npos) e.resize(p);
      return net::Unexpected("nft " + cmd + ": " + (e.empty() ? "failed" : e));
    }
    return std::string(out ? out : "");
  }

  const NftablesLibrary& lib;
  nft_ctx* ctx;
};

}  // namespace

ReadResult read_nftables_programmed() {
  const auto& lib = nftables_library();
  if (!lib) return net::Unexpected(lib.error());
  NftContext nft(*lib);
  if (!nft.ctx) return net::Unexpected(std::string("libnftables: nft_ctx_new failed"));
  lib->ctx_output_set_flags(nft.ctx, NFT_CTX_OUTPUT_JSON);
  if (lib->ctx_buffer_output(nft.ctx) != 0 || lib->ctx_buffer_error(nft.ctx) != 0)
    return net::Unexpected(std::string("libnftables: cannot buffer output"));

  // Listing the tables first tells "no kube-proxy table yet" (nothing programmed) from a failure.
  auto tables = nft.run("list tables");
  if (!tables) return net::Unexpected(tables.error());
  auto families = parse_nft_table_families(*tables, "kube-proxy");
  if (!families) return net::Unexpected(std::string("nft list tables: unexpected output"));
  AddressSet out;
  for (const auto& family : *families) {
    if (family != "ip" && family != "ip6") continue;  // kube-proxy makes one table per IP family
    auto map = nft.run("list map " + family + " kube-proxy service-ips");
    if (!map) return net::Unexpected(map.error());
    auto ips = parse_nft_service_ips(*map);
    if (!ips) return net::Unexpected("nft list map " + family + " kube-proxy service-ips: unexpected output");
    out.insert(ips->begin(), ips->end());
  }
  return out;
}

net::Expected<std::string, std::string> run_command(const std::vector<std::string>& argv,
                                                    std::chrono::milliseconds timeout, std::size_t max_output,
                                                    Subprocess child) {
  if (argv.empty()) return net::Unexpected(std::string("empty command"));
  const std::string name = argv[0];
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return net::Unexpected(name + ": pipe: " + std::strerror(errno));

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  // The daemon's threads may block or ignore signals; the child starts clean.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = 0;
  int rc;
  {
    // Under the mutex so stop() never sees a pid that is not ours yet.
    std::unique_lock lock = child.child_mutex ? std::unique_lock(*child.child_mutex) : std::unique_lock<std::mutex>();
    rc = posix_spawnp(&pid, argv[0].c_str(), &fa, &attr, args.data(), environ);
    if (rc == 0 && child.child_pid) child.child_pid->store(pid);
  }
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return net::Unexpected(name + ": cannot run: " + std::strerror(rc));
  }

  std::string out;
  std::string error;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error = name + ": timed out after " + std::to_string(timeout.count()) + " ms";
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int pr = poll(&p, 1, static_cast<int>(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr < 0) {
      error = name + ": poll: " + std::strerror(errno);
      break;
    }
    if (pr == 0) continue;  // the deadline check above ends it
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = name + ": read: " + std::strerror(errno);
      break;
    }
    if (n == 0) break;  // EOF: the child closed stdout, normally by exiting
    if (out.size() + static_cast<std::size_t>(n) > max_output) {
      error = name + ": more than " + std::to_string(max_output) + " bytes of output";
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  {
    std::unique_lock lock = child.child_mutex ? std::unique_lock(*child.child_mutex) : std::unique_lock<std::mutex>();
    if (!error.empty()) kill(pid, SIGKILL);
    if (child.child_pid) child.child_pid->store(0);
  }
  // After EOF the child is exiting; after a kill it dies at once. Either way this wait is short.
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!error.empty()) return net::Unexpected(error);
  if (WIFSIGNALED(status)) return net::Unexpected(name + ": killed by signal " + std::to_string(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return net::Unexpected(name + ": exited with status " + std::to_string(WEXITSTATUS(status)));
  return out;
}

std::optional<std::size_t> choose_iptables_backend(const std::vector<std::optional<std::string>>& dumps) {
  std::optional<std::size_t> best;
  std::size_t best_rules = 0;
  for (std::size_t i = 0; i < dumps.size(); ++i) {
    if (!dumps[i]) continue;
    std::size_t rules = 0;
    std::string_view text = *dumps[i];
    for (std::size_t start = 0; start < text.size();) {
      const auto end = std::min(text.find('\n', start), text.size());
      if (text[start] == '-') ++rules;
      start = end + 1;
    }
    if (!best || rules > best_rules) best = i, best_rules = rules;
  }
  return best;
}

ReadResult read_iptables_programmed(const IptablesCommands& commands, std::chrono::milliseconds timeout,
                                    Subprocess child, std::string* chosen) {
  std::vector<std::optional<std::string>> dumps;
  std::string first_error;
  for (const auto& backend : commands.backends) {
    std::string dump;
    bool ok = true;
    for (const auto* argv : {&backend.ipv4, &backend.ipv6}) {
      if (argv->empty()) continue;  // a family deliberately not read
      auto text = run_command(*argv, timeout, 64u << 20, child);
      if (!text) {
        if (first_error.empty()) first_error = text.error();
        ok = false;
        break;
      }
      dump += *text;
    }
    dumps.push_back(ok ? std::optional(std::move(dump)) : std::nullopt);
  }
  auto pick = choose_iptables_backend(dumps);
  if (!pick) return net::Unexpected(first_error.empty() ? std::string("no iptables backend to read") : first_error);
  if (chosen) *chosen = commands.backends[*pick].name;
  return parse_iptables_kube_services(*dumps[*pick]);
}

// ---- KubeProxyProgrammed ----

std::shared_ptr<KubeProxyProgrammed> KubeProxyProgrammed::create(asio::any_io_executor executor,
                                                                 KubeProxyProgrammedOptions options,
                                                                 Handler on_change) {
  return std::shared_ptr<KubeProxyProgrammed>(
      new KubeProxyProgrammed(std::move(executor), std::move(options), std::move(on_change)));
}

KubeProxyProgrammed::KubeProxyProgrammed(asio::any_io_executor executor, KubeProxyProgrammedOptions options,
                                         Handler on_change)
    : executor_(executor), options_(std::move(options)), on_change_(std::move(on_change)), timer_(executor) {}

KubeProxyProgrammed::~KubeProxyProgrammed() {
  stop();
  // The worker holds no reference to us, so this join never runs on the worker itself, and
  // stop() killed any iptables-save, so it is short.
  if (worker_) worker_->join();
}

void KubeProxyProgrammed::start() {
  if (started_ || stopped_) return;
  started_ = true;
  update_watcher();
  refresh();
  arm_timer();
}

void KubeProxyProgrammed::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  watcher_.reset();
  if (worker_) worker_->stop();  // drop queued reads
  std::lock_guard lock(*child_mutex_);
  if (pid_t pid = child_pid_->load(); pid > 0) kill(pid, SIGKILL);
}

void KubeProxyProgrammed::set_mode(ProxyMode mode) {
  if (mode == mode_) return;
  spdlog::info("kube-proxy programmed state: proxy mode {} (was {})", to_string(mode), to_string(mode_));
  mode_ = mode;
  ++generation_;
  again_ = false;
  failing_ = false;
  last_warning_.clear();
  if (!started_ || stopped_) return;
  update_watcher();
  refresh();
}

void KubeProxyProgrammed::arm_timer() {
  timer_.expires_after(options_.interval);
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || self->stopped_) return;
    self->refresh();
    self->arm_timer();
  });
}

void KubeProxyProgrammed::update_watcher() {
  if (mode_ != ProxyMode::ipvs) {
    watcher_.reset();
    return;
  }
  if (watcher_) return;
  // One re-read per batch of events (the watcher's): kube-proxy adds thousands of addresses at start.
  auto w = netlink::InterfaceWatcher::create(executor_, [weak = weak_from_this()](const auto&) {
    auto self = weak.lock();
    if (self && !self->stopped_) self->refresh();
  });
  if (!w) {
    // The periodic re-read still works; only the reaction within milliseconds is lost.
    warn("netlink address events unavailable (" + w.error().message + "); re-reading every " +
         std::to_string(options_.interval.count()) + " ms only");
    return;
  }
  watcher_ = std::move(*w);
}

void KubeProxyProgrammed::refresh() {
  if (!started_ || stopped_) return;
  switch (mode_) {
    case ProxyMode::unknown:
      ++reads_;
      publish(std::nullopt);
      return;
    case ProxyMode::ipvs:
      finish(generation_, read_ipvs_programmed(options_.ipvs_interface));
      return;
    case ProxyMode::nftables:
    case ProxyMode::iptables:
      if (in_flight_) {
        again_ = true;  // one more read after this one, never a queue of them
        return;
      }
      read_off_loop();
      return;
  }
}

void KubeProxyProgrammed::read_off_loop() {
  if (!worker_) worker_ = std::make_unique<asio::thread_pool>(1);
  in_flight_ = true;
  // The job captures values and a weak pointer only: the worker never owns this object.
  asio::post(*worker_, [weak = weak_from_this(), executor = executor_, mode = mode_, generation = generation_,
                        commands = options_.iptables, timeout = options_.command_timeout,
                        pid = child_pid_, mutex = child_mutex_] {
    std::string backend;
    ReadResult r = mode == ProxyMode::nftables
                       ? read_nftables_programmed()
                       : read_iptables_programmed(commands, timeout, Subprocess{pid.get(), mutex.get()}, &backend);
    asio::post(executor, [weak, generation, r = std::move(r), backend = std::move(backend)]() mutable {
      if (auto self = weak.lock()) {
        self->in_flight_ = false;
        if (!backend.empty() && backend != self->iptables_backend_) {
          spdlog::info("kube-proxy programmed state: reading the iptables-{} backend (the one with kube-proxy's rules)",
                       backend);
          self->iptables_backend_ = backend;
        }
        self->finish(generation, std::move(r));
        if (std::exchange(self->again_, false)) self->refresh();
      }
    });
  });
}

void KubeProxyProgrammed::finish(std::uint64_t generation, ReadResult result) {
  if (stopped_ || generation != generation_) return;  // a read for a mode we have left
  ++reads_;
  if (!result) {
    warn(std::string(to_string(mode_)) + ": " + result.error());
    failing_ = true;
    publish(std::nullopt);
    return;
  }
  if (failing_) spdlog::info("kube-proxy programmed state: readable again ({} address(es))", result->size());
  failing_ = false;
  last_warning_.clear();
  publish(std::move(*result));
}

void KubeProxyProgrammed::publish(Programmed value) {
  if (reported_ && value == programmed_) return;
  reported_ = true;
  programmed_ = std::move(value);
  if (on_change_) on_change_(programmed_);
}

void KubeProxyProgrammed::warn(const std::string& message) {
  // Rate-limited: a broken iptables-save every 2 s must not fill the log.
  const auto now = std::chrono::steady_clock::now();
  if (message == last_warning_ && now - last_warning_at_ < options_.warning_interval) return;
  last_warning_ = message;
  last_warning_at_ = now;
  spdlog::warn("kube-proxy programmed state unknown: {}", message);
}

}  // namespace cisd

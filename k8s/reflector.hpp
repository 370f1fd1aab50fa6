// List-then-watch of one resource, kept in a local store; the consumer hears only differences.
// Runs as a coroutine on the client's executor (the daemon's single io_context).
//
//   auto client = *k8s::HttpClient::create(io.get_executor(), *k8s::load_cluster_config("", getenv));
//   auto services = k8s::Reflector<k8s::Service>::create(client, k8s::resources::services(), {
//       .on_change = [&](const std::vector<k8s::Change<k8s::Service>>& c) { ... },
//       .on_synced = [&] { ... }});
//   services->start();   ...   services->stop();   // stop() before dropping the last reference
#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "k8s/backoff.hpp"
#include "k8s/change.hpp"
#include "k8s/http_client.hpp"
#include "k8s/object_store.hpp"
#include "k8s/objects.hpp"

namespace k8s {

// Which collection to list and watch.
struct ResourceSpec {
  std::string name;            // for logs: "services"
  std::string path;            // "/api/v1/services"
  std::string field_selector;  // "" or e.g. "metadata.name=node-a"
  std::string label_selector;
};

namespace resources {
ResourceSpec services();
ResourceSpec endpoint_slices();
ResourceSpec node(const std::string& node_name);  // this node only (fieldSelector)
ResourceSpec service_cidrs(const std::string& version = "v1");
}  // namespace resources

struct ReflectorOptions {
  unsigned page_size = 500;
  // Each watch asks the server to end it after a random time in this range, so that the
  // watches of many nodes do not all restart together.
  std::chrono::seconds watch_timeout_min{300};
  std::chrono::seconds watch_timeout_max{600};
  // A watch that is silent this much longer than its timeout is considered dead.
  std::chrono::seconds idle_grace{30};
  // A watch line (one event) longer than this ends the watch and the reflector lists again.
  std::size_t max_watch_line_bytes = kDefaultMaxLineBytes;
  Backoff backoff = Backoff::standard();
  std::function<double()> random01;  // for the watch timeout; null = std random
};

// For metrics and status.
struct ReflectorStats {
  bool synced = false;
  std::uint64_t lists = 0;            // complete lists (first one included)
  std::uint64_t relists_after_gone = 0;
  std::uint64_t relists_after_bad_event = 0;  // an event we could not read (or too long a line)
  std::uint64_t watches = 0;          // watch requests started
  std::uint64_t watch_restarts = 0;   // watches that ended (normally or not) and were restarted
  std::uint64_t failures = 0;         // failed requests (then backoff)
  std::uint64_t decode_errors = 0;    // objects skipped as malformed
  std::uint64_t events = 0;           // watch events applied
  std::string resource_version;
  std::string last_error;
  std::chrono::system_clock::time_point last_sync{};  // end of the last complete list
};

template <typename T>
class Reflector : public std::enable_shared_from_this<Reflector<T>> {
 public:
  struct Handlers {
    // Coalesced per list / per read of the watch stream; never empty.
    std::function<void(const std::vector<Change<T>>&)> on_change;
    std::function<void()> on_synced;  // once, after the first complete list
  };

  static std::shared_ptr<Reflector> create(std::shared_ptr<HttpClient> client, ResourceSpec spec, Handlers handlers,
                                           ReflectorOptions options = {});

  void start();
  // Ends the loop and any request in flight. The store keeps its content.
  void stop();

  const std::map<std::string, T>& items() const { return store_.items(); }
  const ReflectorStats& stats() const { return stats_; }
  const ResourceSpec& spec() const { return spec_; }

 private:
  // gone: 410, our resourceVersion is too old. unreadable: an event was lost (undecodable and
  // nameless, or too long), so the store may be wrong. Both end in a new list.
  enum class WatchEnd { ended, gone, unreadable, failed, stopped };

  Reflector(std::shared_ptr<HttpClient> client, ResourceSpec spec, Handlers handlers, ReflectorOptions options);
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<bool> list();  // false on failure (stats_.last_error says why)
  boost::asio::awaitable<WatchEnd> watch();
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);
  std::chrono::seconds watch_timeout();
  void emit(std::vector<Change<T>> changes);
  void fail(std::string message);

  std::shared_ptr<HttpClient> client_;
  ResourceSpec spec_;
  Handlers handlers_;
  ReflectorOptions options_;
  ObjectStore<T> store_;
  ReflectorStats stats_;
  RequestCanceller canceller_;
  boost::asio::steady_timer timer_;
  bool started_ = false;
  bool stopped_ = false;
};

extern template class Reflector<Service>;
extern template class Reflector<EndpointSlice>;
extern template class Reflector<Node>;
extern template class Reflector<ServiceCidr>;

}  // namespace k8s

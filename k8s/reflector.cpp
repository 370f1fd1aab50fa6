#include "k8s/reflector.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

namespace k8s {

namespace asio = boost::asio;

namespace resources {
ResourceSpec services() { return {"services", "/api/v1/services", "", ""}; }
ResourceSpec endpoint_slices() { return {"endpointslices", "/apis/discovery.k8s.io/v1/endpointslices", "", ""}; }
ResourceSpec node(const std::string& node_name) {
  return {"node", "/api/v1/nodes", "metadata.name=" + node_name, ""};
}
ResourceSpec service_cidrs(const std::string& version) {
  return {"servicecidrs", "/apis/networking.k8s.io/" + version + "/servicecidrs", "", ""};
}
}  // namespace resources

template <typename T>
std::shared_ptr<Reflector<T>> Reflector<T>::create(std::shared_ptr<HttpClient> client, ResourceSpec spec,
                                                   Handlers handlers, ReflectorOptions options) {
  return std::shared_ptr<Reflector>(new Reflector(std::move(client), std::move(spec), std::move(handlers), std::move(options)));
}

template <typename T>
Reflector<T>::Reflector(std::shared_ptr<HttpClient> client, ResourceSpec spec, Handlers handlers, ReflectorOptions options)
    : client_(std::move(client)),
      spec_(std::move(spec)),
      handlers_(std::move(handlers)),
      options_(std::move(options)),
      timer_(client_->executor()) {
  if (!options_.random01) {
    auto engine = std::make_shared<std::minstd_rand>(std::random_device{}());
    options_.random01 = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
}

template <typename T>
void Reflector<T>::start() {
  if (started_) return;
  started_ = true;
  // The coroutine holds a reference: the reflector lives until the loop has ended.
  asio::co_spawn(client_->executor(), [self = this->shared_from_this()]() { return self->run(); },
                 [name = spec_.name](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     spdlog::error("k8s {}: reflector stopped by an exception: {}", name, ex.what());
                   }
                 });
}

template <typename T>
void Reflector<T>::stop() {
  stopped_ = true;
  canceller_.cancel();
  timer_.cancel();
}

template <typename T>
void Reflector<T>::emit(std::vector<Change<T>> changes) {
  if (changes.empty() || !handlers_.on_change) return;
  handlers_.on_change(changes);
}

template <typename T>
void Reflector<T>::fail(std::string message) {
  ++stats_.failures;
  if (message != stats_.last_error) spdlog::warn("k8s {}: {}", spec_.name, message);
  stats_.last_error = std::move(message);
}

template <typename T>
std::chrono::seconds Reflector<T>::watch_timeout() {
  auto lo = options_.watch_timeout_min.count(), hi = options_.watch_timeout_max.count();
  return std::chrono::seconds(lo + static_cast<long>(static_cast<double>(hi - lo) * options_.random01()));
}

template <typename T>
asio::awaitable<void> Reflector<T>::sleep(std::chrono::milliseconds d) {
  boost::system::error_code ec;
  timer_.expires_after(d);
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

template <typename T>
asio::awaitable<void> Reflector<T>::run() {
  bool need_list = true;
  auto last_list = std::chrono::steady_clock::time_point{};
  while (!stopped_) {
    if (need_list) {
      if (!co_await list()) {
        if (stopped_) break;
        co_await sleep(options_.backoff.next());  // the store keeps its last good content
        continue;
      }
      need_list = false;
      last_list = std::chrono::steady_clock::now();
      options_.backoff.reset();
    }
    auto started = std::chrono::steady_clock::now();
    auto events_before = stats_.events;
    WatchEnd end = co_await watch();
    if (stopped_ || end == WatchEnd::stopped) break;
    ++stats_.watch_restarts;
    bool quick = std::chrono::steady_clock::now() - started < std::chrono::seconds(1);
    switch (end) {
      case WatchEnd::gone:
      case WatchEnd::unreadable:
        // Our resourceVersion is older than the server keeps, or an event was lost: list again,
        // diff against the store.
        ++(end == WatchEnd::gone ? stats_.relists_after_gone : stats_.relists_after_bad_event);
        need_list = true;
        if (std::chrono::steady_clock::now() - last_list < std::chrono::seconds(1))
          co_await sleep(options_.backoff.next());  // do not spin if the server keeps saying Gone
        break;
      case WatchEnd::ended:
        // The server closed the watch (its timeout): continue from the last resourceVersion seen.
        if (quick && stats_.events == events_before) co_await sleep(options_.backoff.next());
        else options_.backoff.reset();
        break;
      case WatchEnd::failed:
        co_await sleep(options_.backoff.next());
        break;
      case WatchEnd::stopped:
        break;
    }
  }
}

template <typename T>
asio::awaitable<bool> Reflector<T>::list() {
  std::vector<T> items;
  std::string continue_token;
  std::string rv;
  std::size_t errors = 0;
  do {
    std::vector<std::pair<std::string, std::string>> query{{"limit", std::to_string(options_.page_size)}};
    if (!continue_token.empty()) query.emplace_back("continue", continue_token);
    if (!spec_.field_selector.empty()) query.emplace_back("fieldSelector", spec_.field_selector);
    if (!spec_.label_selector.empty()) query.emplace_back("labelSelector", spec_.label_selector);
    auto res = co_await client_->get(make_target(spec_.path, query), &canceller_);
    if (stopped_) co_return false;
    if (!res) {
      fail("list: " + res.error());
      co_return false;
    }
    if (res->status == 410 && !continue_token.empty()) {
      // The continue token expired between pages: start the list over.
      spdlog::info("k8s {}: continue token expired, listing again from the start", spec_.name);
      items.clear();
      continue_token.clear();
      errors = 0;
      continue;
    }
    if (res->status != 200) {
      auto st = decode_status(res->body);
      fail("list: HTTP " + std::to_string(res->status) + (st.message.empty() ? "" : ": " + st.message));
      co_return false;
    }
    auto page = decode_list<T>(res->body);
    if (!page) {
      fail("list: " + page.error());
      co_return false;
    }
    for (const auto& e : page->errors) spdlog::warn("k8s {}: skipping {}", spec_.name, e.message);
    errors += page->errors.size();
    for (auto& item : page->items) items.push_back(std::move(item));
    continue_token = page->continue_token;
    rv = page->resource_version;
  } while (!continue_token.empty() && !stopped_);
  if (stopped_) co_return false;

  stats_.decode_errors += errors;
  ++stats_.lists;
  stats_.resource_version = rv;
  stats_.last_sync = std::chrono::system_clock::now();
  stats_.last_error.clear();
  spdlog::debug("k8s {}: listed {} objects at resourceVersion {}", spec_.name, items.size(), rv);
  emit(store_.replace(std::move(items)));
  if (!stats_.synced && !stopped_) {
    stats_.synced = true;
    if (handlers_.on_synced) handlers_.on_synced();
  }
  co_return true;
}

template <typename T>
asio::awaitable<typename Reflector<T>::WatchEnd> Reflector<T>::watch() {
  auto timeout = watch_timeout();
  std::vector<std::pair<std::string, std::string>> query{
      {"watch", "true"},
      {"resourceVersion", stats_.resource_version},
      {"allowWatchBookmarks", "true"},
      {"timeoutSeconds", std::to_string(timeout.count())}};
  if (!spec_.field_selector.empty()) query.emplace_back("fieldSelector", spec_.field_selector);
  if (!spec_.label_selector.empty()) query.emplace_back("labelSelector", spec_.label_selector);
  ++stats_.watches;

  bool gone = false;
  bool lost_event = false;
  std::string error;
  auto on_lines = [&](const std::vector<std::string_view>& lines) -> bool {
    std::vector<Change<T>> changes;
    bool keep_going = true;
    for (auto line : lines) {
      auto ev = decode_watch_event<T>(line);
      if (!ev) {
        ++stats_.decode_errors;
        const auto& bad = ev.error();
        if (bad.error.key.empty()) {
          // We cannot tell which object changed, or how: it might have been a DELETED. Moving the
          // resourceVersion past it would keep a stale object (a stale route) for good; stop here
          // and list again from the server's current state.
          spdlog::warn("k8s {}: listing again after an unreadable watch event: {}", spec_.name, bad.error.message);
          lost_event = true;
          keep_going = false;
          break;
        }
        // A named object we cannot read is skipped, as a list skips it: out of the store, so a
        // malformed DELETED cannot leave the object behind.
        spdlog::warn("k8s {}: skipping {}", spec_.name, bad.error.message);
        if (auto c = store_.erase(bad.error.key)) changes.push_back(std::move(*c));
        if (!bad.resource_version.empty()) stats_.resource_version = bad.resource_version;
        continue;
      }
      if (ev->type == WatchEventType::error) {
        if (ev->status_code == 410) gone = true;
        else error = "watch: error event " + std::to_string(ev->status_code) + ": " + ev->status_message;
        keep_going = false;
        break;
      }
      if (!ev->resource_version.empty()) stats_.resource_version = ev->resource_version;
      if (ev->type == WatchEventType::bookmark) continue;
      ++stats_.events;
      if (auto c = store_.apply(ev->type, std::move(ev->object))) changes.push_back(std::move(*c));
    }
    emit(coalesce(std::move(changes)));
    return keep_going && !stopped_;
  };
  auto res = co_await client_->stream(make_target(spec_.path, query), on_lines,
                                      timeout + options_.idle_grace, &canceller_, options_.max_watch_line_bytes);
  if (stopped_) co_return WatchEnd::stopped;
  if (!res) {
    fail("watch: " + res.error());
    co_return WatchEnd::failed;
  }
  if (res->line_over_limit) {
    ++stats_.decode_errors;
    fail("watch: an event longer than " + std::to_string(options_.max_watch_line_bytes) + " bytes, listing again");
    co_return WatchEnd::unreadable;
  }
  if (lost_event) co_return WatchEnd::unreadable;
  if (res->status == 410 || gone) {
    spdlog::info("k8s {}: resourceVersion {} is gone, listing again", spec_.name, stats_.resource_version);
    co_return WatchEnd::gone;
  }
  if (res->status != 200) {
    auto st = decode_status(res->body);
    fail("watch: HTTP " + std::to_string(res->status) + (st.message.empty() ? "" : ": " + st.message));
    co_return WatchEnd::failed;
  }
  if (!error.empty()) {
    fail(error);
    co_return WatchEnd::failed;
  }
  co_return WatchEnd::ended;
}

template class Reflector<Service>;
template class Reflector<EndpointSlice>;
template class Reflector<Node>;
template class Reflector<ServiceCidr>;

}  // namespace k8s

#include "daemon/http_server.hpp"

#include "io/listen_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace cisd {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::optional<HttpRequest> parse_target(std::string_view target) {
  HttpRequest r;
  auto q = target.find('?');
  auto path = percent_decode(target.substr(0, q));
  if (!path) return std::nullopt;
  r.path = *path;
  if (q == std::string_view::npos) return r;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    r.query[*key] = *value;
  }
  return r;
}

bool ConnectionCounts::admit(const asio::ip::address& client, bool same_host, WorkBudget::Clock::time_point now) {
  if (!same_host && !budget_.available(client, now)) return false;
  auto& n = by_address_[client];
  const std::size_t limit = same_host ? limits_.same_host_per_address : limits_.per_address;
  std::size_t& total = same_host ? same_host_ : remote_;
  if (n >= limit || total >= (same_host ? limits_.same_host_total : limits_.remote_total)) {
    if (n == 0) by_address_.erase(client);
    return false;
  }
  ++n;
  ++total;
  return true;
}

void ConnectionCounts::release(const asio::ip::address& client, bool same_host) {
  auto it = by_address_.find(client);
  if (it == by_address_.end()) return;
  if (--it->second == 0) by_address_.erase(it);
  --(same_host ? same_host_ : remote_);
}

void ConnectionCounts::charge(const asio::ip::address& client, bool same_host, WorkBudget::Clock::duration work,
                              WorkBudget::Clock::time_point now) {
  if (!same_host) budget_.charge(client, work, now);
}

std::size_t ConnectionCounts::open_from(const asio::ip::address& client) const {
  auto it = by_address_.find(client);
  return it == by_address_.end() ? 0 : it->second;
}

namespace {

// IPv4 clients of an [::] listener arrive as ::ffff:a.b.c.d; count them as the IPv4 address.
asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

}  // namespace

// One accepted connection: one request, one response, close.
class HttpServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, std::shared_ptr<const HttpHandler> handler,
             std::shared_ptr<ConnectionCounts> counts, asio::ip::address client, bool same_host)
      : stream_(std::move(socket)),
        handler_(std::move(handler)),
        counts_(std::move(counts)),
        client_(client),
        same_host_(same_host) {
    parser_.header_limit(kMaxRequestBytes);
    parser_.body_limit(0);
  }
  ~Connection() { counts_->release(client_, same_host_); }

  void start() {
    // One deadline for the whole request head: a client trickling a byte at a time (slowloris)
    // is cut off when it passes, however busy it looks.
    stream_.expires_after(counts_->limits().header_deadline);
    http::async_read(stream_, buffer_, parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return;
    if (ec) {
      const unsigned status = ec == http::error::header_limit || ec == http::error::body_limit ? 431 : 400;
      return respond({status, "text/plain; charset=utf-8", "bad request: " + ec.message() + "\n"}, 11, false);
    }
    const auto& req = parser_.get();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      HttpResponse r{405, "text/plain; charset=utf-8", "only GET\n"};
      return respond(r, req.version(), false, true);
    }
    auto target = parse_target(std::string_view(req.target().data(), req.target().size()));
    if (!target) return respond({400, "text/plain; charset=utf-8", "bad request target\n"}, req.version(), false);
    HttpResponse r;
    const auto started = WorkBudget::Clock::now();
    try {
      r = (*handler_)(*target);
    } catch (const std::exception& e) {  // never let one request take the event loop down
      spdlog::error("http: {}: {}", std::string(req.target()), e.what());
      r = {500, "text/plain; charset=utf-8", "internal error\n"};
    }
    const auto finished = WorkBudget::Clock::now();
    counts_->charge(client_, same_host_, finished - started, finished);
    respond(r, req.version(), req.method() == http::verb::head);
  }

  void respond(const HttpResponse& r, unsigned version, bool head_only, bool allow_get = false) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
    res->set(http::field::server, "clusterip-speaker");
    res->set(http::field::content_type, r.content_type);
    if (allow_get) res->set(http::field::allow, "GET, HEAD");
    res->keep_alive(false);
    res->body() = r.body;
    res->prepare_payload();
    if (head_only) res->body().clear();  // Content-Length stays that of the GET
    // The write goes out as the client reads it (asynchronously, never blocking the loop), and a
    // client that stops reading is dropped at the deadline.
    stream_.expires_after(counts_->limits().write_deadline);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  std::shared_ptr<const HttpHandler> handler_;  // shared: a connection may outlive the server
  std::shared_ptr<ConnectionCounts> counts_;
  asio::ip::address client_;
  bool same_host_;
};

HttpServer::HttpServer(asio::io_context& io, HttpHandler handler, HttpLimits limits)
    : io_(io),
      handler_(std::make_shared<const HttpHandler>(std::move(handler))),
      acceptor_(io),
      retry_(io),
      counts_(std::make_shared<ConnectionCounts>(limits)) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::listen(const std::string& address) {
  auto endpoint = parse_listen(address);
  if (!endpoint) return "bad address " + address;
  boost::system::error_code ec;
  acceptor_.open(endpoint->protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(*endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return "cannot listen on " + address + ": " + ec.message();
  }
  accept_next();
  return {};
}

void HttpServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

asio::ip::tcp::endpoint HttpServer::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpServer::accept_next() {
  acceptor_.async_accept(io_, [this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // stopped; `this` may be gone
    if (!ec) {
      boost::system::error_code e1, e2;
      const auto remote = socket.remote_endpoint(e1);
      const auto local = socket.local_endpoint(e2);
      if (e1 || e2) return accept_next();  // already gone
      const auto client = unmapped(remote.address());
      // From this host: loopback, or a connection to one of our addresses from that same address
      // (the kubelet probing a hostNetwork pod's IP). No other host can open such a TCP connection.
      const bool same_host = client.is_loopback() || client == unmapped(local.address());
      if (counts_->admit(client, same_host)) {
        std::make_shared<Connection>(std::move(socket), handler_, counts_, client, same_host)->start();
      } else {
        // Over its share: closed at once with a reset, costing nothing but this accept.
        boost::system::error_code ignored;
        socket.set_option(asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
        note_refusal(client);
      }
      return accept_next();
    }
    // Out of descriptors, say: try again a little later instead of spinning.
    spdlog::warn("http: accept: {}", ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([this](boost::system::error_code e) {
      if (!e) accept_next();
    });
  });
}

// At most one line a minute, however hard a client pushes.
void HttpServer::note_refusal(const asio::ip::address& client) {
  ++refused_since_warning_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_warning_ < std::chrono::minutes(1)) return;
  spdlog::warn("http: refused {} connection(s) over the per-client limits, the last from {} ({} open from it)",
               refused_since_warning_, client.to_string(), counts_->open_from(client));
  last_refusal_warning_ = now;
  refused_since_warning_ = 0;
}

}  // namespace cisd

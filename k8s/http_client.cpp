// Beast over Asio coroutines. Each request opens its own connection: the reflectors hold one
// long watch each and list rarely, so pooling would buy little.
#include "k8s/http_client.hpp"

#include <limits>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "k8s/line_splitter.hpp"
#include "net/address.hpp"

namespace k8s {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

void RequestCanceller::cancel() {
  cancelled_ = true;
  if (close_) close_();
}

std::string make_target(std::string_view path, const std::vector<std::pair<std::string, std::string>>& query) {
  auto encode = [](std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('%');
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
    }
    return out;
  };
  std::string t(path);
  char sep = '?';
  for (const auto& [k, v] : query) {
    t += sep;
    t += encode(k);
    t += '=';
    t += encode(v);
    sep = '&';
  }
  return t;
}

struct HttpClient::Impl {
  asio::any_io_executor executor;
  ClusterConfig config;
  HttpTimeouts timeouts;
  std::unique_ptr<ssl::context> tls;  // null for http://
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;
const ClusterConfig& HttpClient::config() const { return impl_->config; }
asio::any_io_executor HttpClient::executor() const { return impl_->executor; }

net::Expected<std::shared_ptr<HttpClient>, std::string> HttpClient::create(asio::any_io_executor executor,
                                                                          ClusterConfig config, HttpTimeouts timeouts) {
  auto impl = std::make_unique<Impl>();
  impl->executor = executor;
  impl->timeouts = timeouts;
  if (config.server.scheme == "https") {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (config.tls.insecure_skip_verify) {
      ctx->set_verify_mode(ssl::verify_none);
    } else {
      ctx->set_verify_mode(ssl::verify_peer);
      if (config.tls.ca_pem.empty()) ctx->set_default_verify_paths(ec);
      else ctx->add_certificate_authority(asio::buffer(config.tls.ca_pem), ec);
      if (ec) return net::Unexpected("certificate authority of " + config.source + ": " + ec.message());
    }
    if (!config.tls.client_cert_pem.empty()) {
      ctx->use_certificate_chain(asio::buffer(config.tls.client_cert_pem), ec);
      if (ec) return net::Unexpected("client certificate of " + config.source + ": " + ec.message());
      ctx->use_private_key(asio::buffer(config.tls.client_key_pem), ssl::context::pem, ec);
      if (ec) return net::Unexpected("client key of " + config.source + ": " + ec.message());
    }
    impl->tls = std::move(ctx);
  }
  impl->config = std::move(config);
  return std::shared_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

asio::awaitable<HttpResult> HttpClient::get(std::string target, RequestCanceller* cancel) {
  co_return co_await exchange("GET", std::move(target), {}, nullptr, impl_->timeouts.request, cancel);
}

asio::awaitable<HttpResult> HttpClient::post(std::string target, std::string json_body, RequestCanceller* cancel) {
  co_return co_await exchange("POST", std::move(target), std::move(json_body), nullptr, impl_->timeouts.request, cancel);
}

asio::awaitable<HttpResult> HttpClient::stream(std::string target, LinesHandler on_lines,
                                               std::chrono::milliseconds idle_timeout, RequestCanceller* cancel,
                                               std::size_t max_line_bytes) {
  co_return co_await exchange("GET", std::move(target), {}, &on_lines, idle_timeout, cancel, max_line_bytes);
}

namespace {

std::string describe(const error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  if (ec == asio::error::operation_aborted) return "cancelled";
  return ec.message();
}

// Reads the response on an established stream (plain or TLS).
template <typename Stream>
asio::awaitable<HttpResult> read_response(Stream& stream, beast::flat_buffer& buffer, HttpClient::LinesHandler* on_lines,
                                          std::chrono::milliseconds timeout, const std::string& what,
                                          std::size_t max_line_bytes) {
  error_code ec;
  auto& lowest = beast::get_lowest_layer(stream);
  if (!on_lines) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);  // a page of 500 objects is far below this
    lowest.expires_after(timeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return net::Unexpected(what + ": reading response: " + describe(ec));
    auto msg = parser.release();
    co_return HttpResponse{msg.result_int(), std::move(msg.body())};
  }

  // Streaming: the body has no limit and arrives in pieces; lines go out as soon as complete.
  http::response_parser<http::buffer_body> parser;
  // "No limit" as a number: Beast 1.74 compares Content-Length against the optional limit
  // with `>`, which is true for boost::none, so none would refuse every sized body.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  lowest.expires_after(timeout);
  co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return net::Unexpected(what + ": reading response header: " + describe(ec));
  HttpResponse response{parser.get().result_int(), {}};
  const bool ok = response.status / 100 == 2;
  std::vector<char> chunk(64 * 1024);
  LineSplitter splitter(max_line_bytes);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    lowest.expires_after(timeout);  // idle timeout: for each read, not for the whole stream
    co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::end_of_stream && parser.is_done()) ec = {};
    std::size_t got = chunk.size() - parser.get().body().size;
    if (!ok) {
      if (response.body.size() < (1u << 20)) response.body.append(chunk.data(), got);
    } else if (got > 0) {
      const auto& lines = splitter.feed(std::string_view(chunk.data(), got));
      if (splitter.over_limit()) {
        response.line_over_limit = true;  // the connection closes with the stream
        co_return response;
      }
      if (!lines.empty() && !(*on_lines)(lines)) co_return response;
    }
    if (ec) co_return net::Unexpected(what + ": reading stream: " + describe(ec));
  }
  if (ok && !splitter.rest().empty()) {  // a last line without its newline
    std::vector<std::string_view> last{splitter.rest()};
    (*on_lines)(last);
  }
  co_return response;
}

// Closes the connection if the owner cancels while the request is in flight.
struct CancelScope {
  RequestCanceller* canceller;
  CancelScope(RequestCanceller* c, std::function<void()> close) : canceller(c) {
    if (canceller) canceller->set_closer(std::move(close));
  }
  ~CancelScope() {
    if (canceller) canceller->set_closer(nullptr);
  }
};

}  // namespace

asio::awaitable<HttpResult> HttpClient::exchange(std::string method, std::string target, std::string body,
                                                 LinesHandler* on_lines, std::chrono::milliseconds timeout,
                                                 RequestCanceller* cancel, std::size_t max_line_bytes) {
  const ClusterConfig& cfg = impl_->config;
  const ServerUrl& server = cfg.server;
  std::string what = method + " " + server.scheme + "://" + server.host + ":" + std::to_string(server.port) +
                     server.base_path + target.substr(0, target.find('?'));
  if (cancel && cancel->cancelled()) co_return net::Unexpected(what + ": cancelled");
  error_code ec;

  // Resolve (IP literals need no resolver).
  std::vector<tcp::endpoint> endpoints;
  auto literal = net::Address::parse(server.host);
  if (literal) {
    endpoints.emplace_back(asio::ip::make_address(server.host), server.port);
  } else {
    tcp::resolver resolver(impl_->executor);
    auto results = co_await resolver.async_resolve(server.host, std::to_string(server.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return net::Unexpected(what + ": resolving " + server.host + ": " + describe(ec));
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }

  http::request<http::string_body> req{method == "POST" ? http::verb::post : http::verb::get,
                                       server.base_path + target, 11};
  bool v6 = literal && literal->is_v6();
  req.set(http::field::host, (v6 ? "[" + server.host + "]" : server.host) + ":" + std::to_string(server.port));
  req.set(http::field::user_agent, "clusterip-speaker");
  req.set(http::field::accept, "application/json");
  if (!impl_->config.token.empty()) {
    const std::string& token = impl_->config.token.current();
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  }
  if (method == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
  }

  beast::flat_buffer buffer;
  auto send_and_read = [&](auto& stream) -> asio::awaitable<HttpResult> {
    error_code e;
    beast::get_lowest_layer(stream).expires_after(impl_->timeouts.request);
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, e));
    if (e) co_return net::Unexpected(what + ": sending request: " + describe(e));
    co_return co_await read_response(stream, buffer, on_lines, timeout, what, max_line_bytes);
  };

  if (!impl_->tls) {
    beast::tcp_stream stream(impl_->executor);
    CancelScope scope(cancel, [&stream] { stream.close(); });
    stream.expires_after(impl_->timeouts.connect);
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return net::Unexpected(what + ": connecting: " + describe(ec));
    co_return co_await send_and_read(stream);
  }

  beast::ssl_stream<beast::tcp_stream> stream(impl_->executor, *impl_->tls);
  CancelScope scope(cancel, [&stream] { beast::get_lowest_layer(stream).close(); });
  SSL* ssl_handle = stream.native_handle();
  const std::string& name = cfg.tls.server_name.empty() ? server.host : cfg.tls.server_name;
  bool name_is_ip = net::Address::parse(name).has_value();
  if (!name_is_ip) SSL_set_tlsext_host_name(ssl_handle, name.c_str());  // SNI is for names only
  if (!cfg.tls.insecure_skip_verify) {
    // OpenSSL checks the name (or IP) against the certificate's subjectAltName during verification.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
    if (name_is_ip) X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    else SSL_set1_host(ssl_handle, name.c_str());
  }
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(impl_->timeouts.connect);
  co_await lowest.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return net::Unexpected(what + ": connecting: " + describe(ec));
  lowest.expires_after(impl_->timeouts.connect);
  co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    std::string detail = describe(ec);
    long verify = SSL_get_verify_result(ssl_handle);
    if (verify != X509_V_OK) detail += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
    co_return net::Unexpected(what + ": TLS handshake: " + detail);
  }
  co_return co_await send_and_read(stream);
}

}  // namespace k8s

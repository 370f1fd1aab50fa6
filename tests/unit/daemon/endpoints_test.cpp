#include "daemon/endpoints.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "cli/status_client.hpp"
#include "io/listen_endpoint.hpp"
#include "status_fixture.hpp"

using namespace cisd;

namespace {

class FakeDaemon : public DaemonView {
 public:
  Status snapshot = fixture::synthetic_status();
  mutable RoutePage last_page;
  Status status(RoutePage page) const override {
    last_page = page;
    Status s = snapshot;
    if (s.advertised.size() > page.limit) s.advertised.resize(page.limit);
    return s;
  }
  Explanation explain(const net::Address& ip) const override {
    Explanation e;
    e.ip = ip;
    e.verdict = "not advertised: not a Service address and outside every advertised prefix";
    return e;
  }
};

HttpResponse get(const FakeDaemon& d, Metrics& m, const std::string& target) {
  return serve(d, m, *parse_target(target));
}

}  // namespace

TEST(Endpoints, Paths) {
  FakeDaemon d;
  Metrics m;
  EXPECT_EQ(get(d, m, "/healthz").status, 200u);
  EXPECT_EQ(get(d, m, "/readyz").status, 200u);
  d.snapshot.peers[0].state = bgp::State::idle;
  d.snapshot.ospf_neighbors.clear();
  auto not_ready = get(d, m, "/readyz");
  EXPECT_EQ(not_ready.status, 503u);
  EXPECT_EQ(not_ready.body, "not ready: no BGP session Established and no OSPF adjacency Full\n");

  auto metrics = get(d, m, "/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.body.find("clusterip_speaker_bgp_session_up{peer=\"10.0.1.1\"} 0"), std::string::npos);

  auto status = get(d, m, "/status?routes=1");
  EXPECT_EQ(status.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(status.body)["advertised"]["routes"].size(), 1u);
  EXPECT_EQ(get(d, m, "/status?routes=x").status, 400u);
  // Abuse resistance: bounded work per request, whatever is asked for.
  EXPECT_EQ(get(d, m, "/status?routes=all").status, 200u);
  EXPECT_EQ(d.last_page.limit, kMaxStatusRoutes);
  EXPECT_EQ(get(d, m, "/status?routes=99999999&offset=7").status, 200u);
  EXPECT_EQ(d.last_page.limit, kMaxStatusRoutes);
  EXPECT_EQ(d.last_page.offset, 7u);
  EXPECT_EQ(get(d, m, "/status?offset=-1").status, 400u);

  auto explained = get(d, m, "/explain?ip=192.0.2.1");
  EXPECT_EQ(explained.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(explained.body)["ip"], "192.0.2.1");
  EXPECT_EQ(get(d, m, "/explain").status, 400u);
  EXPECT_EQ(get(d, m, "/explain?ip=10.96.0.300").status, 400u);
  EXPECT_EQ(get(d, m, "/explain?ip=fd00%3A%3A1").status, 200u);  // percent-encoded IPv6
  EXPECT_EQ(get(d, m, "/nope").status, 404u);
}

TEST(Endpoints, TargetAndListenParsing) {
  auto t = parse_target("/explain?ip=fd00%3A%3A1&x=a+b&flag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/explain");
  EXPECT_EQ(t->query.at("ip"), "fd00::1");
  EXPECT_EQ(t->query.at("x"), "a b");
  EXPECT_EQ(t->query.at("flag"), "");
  EXPECT_FALSE(parse_target("/explain?ip=%zz"));
  EXPECT_FALSE(parse_target("/explain?ip=%4"));
  EXPECT_EQ(parse_listen("127.0.0.1:9474")->port(), 9474);
  EXPECT_TRUE(parse_listen("[::1]:9474")->address().is_v6());
  EXPECT_FALSE(parse_listen("127.0.0.1"));
  EXPECT_EQ(parse_listen("127.0.0.1:0")->port(), 0);
  EXPECT_FALSE(parse_listen("127.0.0.1:70000"));
}

// The real server and the CLI's client, on loopback: GET answered, other methods 405, a bind
// failure reported, the client's error when nobody listens.
TEST(HttpServer, ServesOnLoopbackAndTheClientReadsIt) {
  asio::io_context io;
  FakeDaemon d;
  Metrics m;
  HttpServer server(io, [&](const HttpRequest& r) { return serve(d, m, r); });
  ASSERT_EQ(server.listen("127.0.0.1:0"), "");
  const std::string endpoint = "127.0.0.1:" + std::to_string(server.local_endpoint().port());
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });

  auto health = http_get(endpoint, "/healthz");
  ASSERT_TRUE(health) << health.error();
  EXPECT_EQ(health->status, 200u);
  EXPECT_EQ(health->body, "ok\n");
  auto explained = http_get(endpoint, "/explain?ip=192.0.2.1");
  ASSERT_TRUE(explained);
  EXPECT_EQ(nlohmann::json::parse(explained->body)["verdict"],
            "not advertised: not a Service address and outside every advertised prefix");

  // A POST, by hand.
  asio::io_context client;
  asio::ip::tcp::socket socket(client);
  socket.connect(server.local_endpoint());
  const std::string post = "POST /status HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
  asio::write(socket, asio::buffer(post));
  std::string reply;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(reply), ec);  // until the server closes
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 405")) << reply;
  EXPECT_NE(reply.find("Allow: GET, HEAD"), std::string::npos) << reply;

  // A second server on the same port: a bind error, as a value.
  HttpServer clash(io, [](const HttpRequest&) { return HttpResponse{}; });
  EXPECT_NE(clash.listen(endpoint).find("cannot listen on " + endpoint), std::string::npos);

  asio::post(io, [&] { server.stop(); });
  guard.reset();
  loop.join();

  auto refused = http_get(endpoint, "/healthz", std::chrono::milliseconds(500));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("cannot reach clusterip-speaker at " + endpoint), std::string::npos) << refused.error();
}

// Abuse resistance: the per-address bookkeeping behind the limits.
TEST(HttpServer, ConnectionCountsGiveEachAddressItsShare) {
  HttpLimits limits;
  limits.per_address = 2;
  limits.same_host_per_address = 3;
  limits.remote_total = 3;
  limits.same_host_total = 5;
  ConnectionCounts counts(limits);
  const auto lan = asio::ip::make_address("192.0.2.9"), other = asio::ip::make_address("192.0.2.10"),
             third = asio::ip::make_address("192.0.2.11"), local = asio::ip::make_address("127.0.0.1");
  EXPECT_TRUE(counts.admit(lan, false));
  EXPECT_TRUE(counts.admit(lan, false));
  EXPECT_FALSE(counts.admit(lan, false));  // its own share is used up
  EXPECT_TRUE(counts.admit(other, false));  // others still get in
  EXPECT_FALSE(counts.admit(third, false));  // all remote addresses together: 3
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(counts.admit(local, true));  // this host has its own pool
  EXPECT_FALSE(counts.admit(local, true));
  // Loopback has 16M addresses: all of this host's together have a bound too.
  EXPECT_TRUE(counts.admit(asio::ip::make_address("127.0.0.2"), true));
  EXPECT_TRUE(counts.admit(asio::ip::make_address("127.0.0.3"), true));
  EXPECT_FALSE(counts.admit(asio::ip::make_address("127.0.0.4"), true));
  counts.release(lan, false);
  EXPECT_EQ(counts.open_from(lan), 1u);
  EXPECT_TRUE(counts.admit(third, false));
  EXPECT_EQ(counts.open_from(asio::ip::make_address("198.51.100.1")), 0u);
}

// Idle connections from one address (127.0.0.2) hold only its own share and are cut at the
// header deadline; a client from another address (127.0.0.1) is answered all along.
TEST(HttpServer, AFloodFromOneAddressDoesNotStarveAnother) {
  asio::io_context io;
  FakeDaemon d;
  Metrics m;
  HttpLimits limits;
  limits.same_host_per_address = 4;  // loopback counts as this host: make its share small
  limits.header_deadline = std::chrono::milliseconds(300);
  HttpServer server(io, [&](const HttpRequest& r) { return serve(d, m, r); }, limits);
  ASSERT_EQ(server.listen("0.0.0.0:0"), "");
  const auto port = server.local_endpoint().port();
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });

  asio::io_context client;
  std::vector<asio::ip::tcp::socket> flood;
  for (int i = 0; i < 50; ++i) {
    asio::ip::tcp::socket s(client);
    s.open(asio::ip::tcp::v4());
    s.bind({asio::ip::make_address("127.0.0.2"), 0});
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    boost::system::error_code ignored;  // a connection over the share may be reset already
    asio::write(s, asio::buffer(std::string("GET /metrics HTTP/1.1\r\n")), ignored);  // and never the rest
    flood.push_back(std::move(s));
  }
  for (int i = 0; i < 5; ++i) {
    auto health = http_get("127.0.0.1:" + std::to_string(port), "/healthz", std::chrono::milliseconds(2000));
    ASSERT_TRUE(health) << health.error();
    EXPECT_EQ(health->status, 200u);
  }
  // Every flooding connection ends: most at once (over the share), the rest at the deadline.
  std::size_t closed = 0;
  for (auto& s : flood) {
    std::string reply;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(reply), ec);  // EOF or reset; bounded by the deadline
    closed += ec ? 1 : 0;
    EXPECT_TRUE(reply.empty()) << reply;
  }
  EXPECT_EQ(closed, flood.size());

  asio::post(io, [&] { server.stop(); });
  guard.reset();
  loop.join();
}

// The client against the fake kube-apiserver (tests/fake_apiserver), started as a subprocess on
// 127.0.0.1 with its own PKI: TLS, tokens, paging, watches, 410, outages.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "k8s/http_client.hpp"
#include "k8s/kubeconfig.hpp"
#include "k8s/reflector.hpp"
#include "k8s/service_cidr_discovery.hpp"

namespace k8s {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class FakeApiServer {
 public:
  FakeApiServer() {
    char tmpl[] = "/tmp/k8s_client_testXXXXXX";
    dir_ = mkdtemp(tmpl);
    int in[2];
    if (pipe(in) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      close(in[1]);
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      execlp("python3", "python3", FAKE_APISERVER, "--state-dir", dir_.c_str(), "--exit-on-stdin-eof",
             "--bookmark-interval", "0.3", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    stdin_ = in[1];  // the server exits when this closes, even if we crash
    for (int i = 0; i < 300 && !fs::exists(dir_ / "ready.json"); ++i) std::this_thread::sleep_for(50ms);
    std::ifstream f(dir_ / "ready.json");
    if (f) ready_ = nlohmann::json::parse(f);
  }
  ~FakeApiServer() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) {
      int status = 0;
      for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(50ms);
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    fs::remove_all(dir_);
  }
  bool ok() const { return !ready_.is_null(); }
  std::string str(const char* key) const { return ready_.at(key).get<std::string>(); }
  int admin_port() const { return ready_.at("admin_port").get<int>(); }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  nlohmann::json ready_;
};

ReflectorOptions fast_options();
struct Watching;

class ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new FakeApiServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->ok()) << "fake API server did not start";
    ClusterConfig admin;
    admin.server = {"http", "127.0.0.1", static_cast<std::uint16_t>(server_->admin_port()), ""};
    admin_ = *HttpClient::create(io_.get_executor(), admin);
  }

  // Runs the loop until pred() or the deadline; true if pred() held.
  template <typename Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit = 15s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(20ms);
    }
    return pred();
  }

  template <typename T>
  std::optional<T> await(asio::awaitable<T> op) {
    std::optional<T> out;
    // Expected has no default constructor, which co_spawn needs for a value: wrap in a void coroutine.
    asio::co_spawn(io_, [&out, op = std::move(op)]() mutable -> asio::awaitable<void> { out.emplace(co_await std::move(op)); },
                   asio::detached);
    run_until([&] { return out.has_value(); }, 20s);
    return out;
  }

  nlohmann::json admin(const std::string& path, nlohmann::json body = nlohmann::json::object()) {
    auto res = await(admin_->post(path, body.dump()));
    EXPECT_TRUE(res && *res) << path;
    if (!res || !*res) return {};
    EXPECT_EQ((*res)->status, 200u) << path << ": " << (*res)->body;
    return nlohmann::json::parse((*res)->body, nullptr, false);
  }

  ClusterConfig kubeconfig() {
    auto cfg = load_kubeconfig(server_->str("kubeconfig"));
    EXPECT_TRUE(cfg) << cfg.error();
    return *cfg;
  }

  // Service ns/web at `ip`, and a reflector that has listed it and is watching; null if not.
  std::unique_ptr<Watching> watching(const std::string& ns, const std::string& ip,
                                            ReflectorOptions options = fast_options());
  // Deletes ns/web; watchers get `line` instead of the DELETED event.
  void delete_web_as(const std::string& ns, const std::string& line) {
    admin("/delete", {{"resource", "services"}, {"namespace", ns}, {"name", "web"}, {"as_line", line}});
  }
  void stop(Watching& w);

  static FakeApiServer* server_;
  asio::io_context io_;
  std::shared_ptr<HttpClient> admin_;
};
FakeApiServer* ClientTest::server_ = nullptr;

template <typename T>
struct Recorder {
  std::vector<Change<T>> all;
  int synced = 0;
  typename Reflector<T>::Handlers handlers() {
    return {[this](const std::vector<Change<T>>& c) { all.insert(all.end(), c.begin(), c.end()); },
            [this] { ++synced; }};
  }
  bool has(ChangeType type, const std::string& key) const {
    for (const auto& c : all)
      if (c.type == type && c.key == key) return true;
    return false;
  }
};

ReflectorOptions fast_options() {
  ReflectorOptions o;
  o.backoff = Backoff(100ms, 400ms, 0.2, [] { return 0.5; });
  return o;
}

TEST_F(ClientTest, PagedListThenWatchThenRelistAfterGoneGivesOnlyTheDifference) {
  nlohmann::json objects = nlohmann::json::array();
  for (int i = 0; i < 1203; ++i)
    objects.push_back({{"apiVersion", "v1"}, {"kind", "Service"},
                       {"metadata", {{"name", "p" + std::to_string(i)}, {"namespace", "paging"}}},
                       {"spec", {{"type", "ClusterIP"}, {"clusterIP", "10.100." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)},
                                 {"ports", {{{"port", 80}, {"protocol", "TCP"}}}}}}});
  admin("/apply", {{"objects", objects}});

  auto client = *HttpClient::create(io_.get_executor(), kubeconfig());
  Recorder<Service> rec;
  auto r = Reflector<Service>::create(client, resources::services(), rec.handlers(), fast_options());
  r->start();
  ASSERT_TRUE(run_until([&] { return rec.synced == 1; }));
  EXPECT_GE(r->items().size(), 1203u);
  EXPECT_EQ(rec.all.size(), r->items().size());  // the first list: everything added
  EXPECT_EQ(r->stats().lists, 1u);
  auto requests = admin("/requests");
  int list_pages = 0;
  for (const auto& q : requests["requests"])
    if (q.value("path", "") == "/api/v1/services" && !q.value("watch", false)) ++list_pages;
  EXPECT_GE(list_pages, 3);  // 500 per page

  // A watch event.
  rec.all.clear();
  admin("/make/service", {{"args", {"default", "web", "10.96.0.20"}}});
  ASSERT_TRUE(run_until([&] { return rec.has(ChangeType::added, "default/web"); }));

  // An outage during which things change and history is compacted: the state is kept meanwhile,
  // then the watch gets 410, the reflector relists and reports only what changed.
  admin("/down");
  auto before = r->items().size();
  admin("/make/service", {{"args", {"default", "while-down", "10.96.0.21"}}});
  admin("/delete", {{"resource", "services"}, {"namespace", "paging"}, {"name", "p7"}});
  admin("/make/service", {{"args", {"default", "web", "10.96.0.22"}}});
  admin("/compact");
  run_until([] { return false; }, 1500ms);
  EXPECT_EQ(r->items().size(), before);  // never cleared because the server went away
  EXPECT_GT(r->stats().failures, 0u);
  rec.all.clear();
  admin("/up");
  ASSERT_TRUE(run_until([&] { return r->stats().relists_after_gone >= 1 && rec.all.size() >= 3; }));
  run_until([] { return false; }, 500ms);
  EXPECT_EQ(rec.all.size(), 3u);
  EXPECT_TRUE(rec.has(ChangeType::added, "default/while-down"));
  EXPECT_TRUE(rec.has(ChangeType::deleted, "paging/p7"));
  EXPECT_TRUE(rec.has(ChangeType::updated, "default/web"));
  EXPECT_EQ(rec.synced, 1);
  r->stop();
  run_until([] { return false; }, 200ms);
}

// ---- A watch event that cannot be read must not leave a deleted object behind ----------------

nlohmann::json service(const std::string& ns, const std::string& name, const std::string& ip) {
  return {{"apiVersion", "v1"}, {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"type", "ClusterIP"}, {"clusterIP", ip}, {"ports", {{{"port", 80}, {"protocol", "TCP"}}}}}}};
}

// A Services reflector that has listed ns/web and is watching.
struct Watching {
  Recorder<Service> rec;
  std::shared_ptr<Reflector<Service>> reflector;
  const ReflectorStats& stats() const { return reflector->stats(); }
};

std::unique_ptr<Watching> ClientTest::watching(const std::string& ns, const std::string& ip, ReflectorOptions options) {
  admin("/apply", {{"object", service(ns, "web", ip)}});
  auto w = std::make_unique<Watching>();
  w->reflector = Reflector<Service>::create(*HttpClient::create(io_.get_executor(), kubeconfig()),
                                            resources::services(), w->rec.handlers(), std::move(options));
  w->reflector->start();
  if (!run_until([&] { return w->reflector->items().contains(ns + "/web"); })) return nullptr;
  admin("/wait-watches", {{"resource", "services"}, {"count", 1}});
  return w;
}

void ClientTest::stop(Watching& w) {
  w.reflector->stop();
  run_until([] { return false; }, 200ms);
}

TEST_F(ClientTest, UndecodableDeletedEventWithANameRemovesTheObject) {
  auto w = watching("lost-named", "10.96.7.1");
  ASSERT_TRUE(w);

  // The DELETED event arrives with a spec we cannot read (clusterIP a number), but its metadata
  // names the object: the object leaves the store, as a list would skip it.
  const auto rv = std::to_string(admin("/state")["resourceVersion"].get<long>() + 1);
  nlohmann::json garbled = {{"type", "DELETED"}, {"object", service("lost-named", "web", "10.96.7.1")}};
  garbled["object"]["metadata"]["resourceVersion"] = rv;
  garbled["object"]["spec"]["clusterIP"] = 5;
  delete_web_as("lost-named", garbled.dump());
  ASSERT_TRUE(run_until([&] { return w->rec.has(ChangeType::deleted, "lost-named/web"); }));
  EXPECT_FALSE(w->reflector->items().contains("lost-named/web"));
  EXPECT_EQ(w->stats().resource_version, rv);  // nothing was lost: the watch goes on from there
  EXPECT_EQ(w->stats().relists_after_bad_event, 0u);
  EXPECT_GE(w->stats().decode_errors, 1u);
  stop(*w);
}

TEST_F(ClientTest, UndecodableEventWithoutANameMakesTheReflectorListAgain) {
  auto w = watching("lost-nameless", "10.96.7.2");
  ASSERT_TRUE(w);
  const auto lists = w->stats().lists;

  // The DELETED event is not even JSON: we cannot tell what it was, so the reflector must not
  // step over it. It lists again and learns that the object is gone.
  delete_web_as("lost-nameless", "{\"type\":\"DELETED\",\"object\":{\"metadata\":");
  ASSERT_TRUE(run_until([&] { return w->rec.has(ChangeType::deleted, "lost-nameless/web"); }));
  EXPECT_FALSE(w->reflector->items().contains("lost-nameless/web"));
  EXPECT_EQ(w->stats().lists, lists + 1);
  EXPECT_EQ(w->stats().relists_after_bad_event, 1u);
  stop(*w);
}

TEST_F(ClientTest, AWatchLineOverTheCapEndsTheWatchAndTheReflectorListsAgain) {
  auto options = fast_options();
  options.max_watch_line_bytes = 4096;  // well above any Service here, far below the line below
  auto w = watching("lost-long", "10.96.7.3", options);
  ASSERT_TRUE(w);
  const auto lists = w->stats().lists;
  const auto failures = w->stats().failures;

  // 64 KiB in one line: an error for that watch (not a buffer that grows with what the server
  // sends), and since that line was an event, a new list.
  delete_web_as("lost-long", std::string(64 * 1024, 'x'));
  ASSERT_TRUE(run_until([&] { return w->rec.has(ChangeType::deleted, "lost-long/web"); }));
  EXPECT_EQ(w->stats().lists, lists + 1);
  EXPECT_EQ(w->stats().relists_after_bad_event, 1u);
  EXPECT_EQ(w->stats().failures, failures + 1);  // the watch failed once, the list went through
  // Watching again afterwards works as before.
  admin("/apply", {{"object", service("lost-long", "after", "10.96.7.4")}});
  EXPECT_TRUE(run_until([&] { return w->rec.has(ChangeType::added, "lost-long/after"); }));
  stop(*w);
}

TEST_F(ClientTest, RotatedTokenFileIsPickedUp) {
  auto cfg = kubeconfig();
  auto token_path = server_->dir() / "rotating-token";
  std::ofstream(token_path) << "rotated-1\n";
  cfg.token = BearerToken::from_file(token_path, std::chrono::seconds(60));
  admin("/tokens", {{"tokens", {"test-token", "rotated-1"}}});
  auto client = *HttpClient::create(io_.get_executor(), cfg);
  Recorder<Node> rec;
  admin("/make/node", {{"args", {"node-a"}}});
  auto r = Reflector<Node>::create(client, resources::node("node-a"), rec.handlers(), fast_options());
  r->start();
  ASSERT_TRUE(run_until([&] { return rec.synced == 1; }));
  EXPECT_TRUE(r->items().contains("node-a"));

  // The old token stops working; the watch is cut; the next requests fail until kubelet
  // (here: the test) writes the new token.
  admin("/tokens", {{"tokens", {"test-token", "rotated-2"}}});
  admin("/close-watches");
  ASSERT_TRUE(run_until([&] { return r->stats().last_error.find("401") != std::string::npos; }));
  std::ofstream(token_path) << "rotated-2\n";
  fs::last_write_time(token_path, fs::file_time_type::clock::now() + 2s);
  // Proof that requests work again: the next change arrives through a new watch.
  rec.all.clear();
  admin("/make/node", {{"args", {"node-a"}}, {"unschedulable", true}});
  EXPECT_TRUE(run_until([&] { return rec.has(ChangeType::updated, "node-a"); }));
  EXPECT_TRUE(r->items().at("node-a").unschedulable);
  r->stop();
  run_until([] { return false; }, 200ms);
  admin("/tokens", {{"tokens", {"test-token"}}});
}

TEST_F(ClientTest, WrongCaOrWrongNameIsRefused) {
  auto cfg = kubeconfig();
  cfg.tls.ca_pem.clear();  // the system trust store does not know the fake's CA
  auto client = *HttpClient::create(io_.get_executor(), cfg);
  auto res = await(client->get("/api/v1/services"));
  ASSERT_TRUE(res);
  ASSERT_FALSE(*res);
  EXPECT_NE(res->error().find("TLS handshake"), std::string::npos) << res->error();

  auto named = kubeconfig();
  named.tls.server_name = "not-the-apiserver.example";
  auto client2 = *HttpClient::create(io_.get_executor(), named);
  auto res2 = await(client2->get("/api/v1/services"));
  ASSERT_TRUE(res2);
  ASSERT_FALSE(*res2);
  EXPECT_NE(res2->error().find("TLS handshake"), std::string::npos) << res2->error();

  auto insecure = kubeconfig();
  insecure.tls.ca_pem.clear();
  insecure.tls.insecure_skip_verify = true;
  auto client3 = *HttpClient::create(io_.get_executor(), insecure);
  auto res3 = await(client3->get("/api/v1/services"));
  ASSERT_TRUE(res3 && *res3);
  EXPECT_EQ((*res3)->status, 200u);
}

TEST_F(ClientTest, ClientCertificateAndFileKubeconfigs) {
  for (const char* which : {"kubeconfig_mtls", "kubeconfig_files"}) {
    auto cfg = load_kubeconfig(server_->str(which));
    ASSERT_TRUE(cfg) << cfg.error();
    auto client = *HttpClient::create(io_.get_executor(), *cfg);
    auto res = await(client->get("/api/v1/nodes"));
    ASSERT_TRUE(res && *res) << which;
    EXPECT_EQ((*res)->status, 200u) << which << ": " << (*res)->body;
  }
}

TEST_F(ClientTest, ServiceCidrDiscoveryUsesTheServiceCidrApi) {
  auto client = *HttpClient::create(io_.get_executor(), kubeconfig());
  auto res = await(discover_service_cidrs(*client));
  ASSERT_TRUE(res);
  ASSERT_TRUE(*res) << res->error();
  EXPECT_EQ((*res)->method, "ServiceCIDR networking.k8s.io/v1");
  EXPECT_EQ((*res)->cidrs, std::vector<net::Prefix>{*net::Prefix::parse("10.96.0.0/12")});
}

// The dry-run probe's `create services` grant is opt-in: without it, discovery says so and names
// the other ways (product.md "What it must do" 1).
TEST_F(ClientTest, ServiceCidrDiscoveryNamesTheOtherMethodsWhenTheProbeIsForbidden) {
  admin("/config", {{"servicecidr_v1", false}, {"servicecidr_v1beta1", false},
                    {"forbidden", nlohmann::json::array({nlohmann::json::array({"get", "configmaps"}),
                                                         nlohmann::json::array({"create", "services"})})}});
  auto client = *HttpClient::create(io_.get_executor(), kubeconfig());
  auto res = await(discover_service_cidrs(*client));
  admin("/config", {{"servicecidr_v1", true}, {"servicecidr_v1beta1", true}, {"forbidden", nlohmann::json::array()}});
  ASSERT_TRUE(res);
  ASSERT_FALSE(*res);
  const auto& why = res->error();
  EXPECT_NE(why.find(probe_forbidden_note()), std::string::npos) << why;
  for (const char* method : {"advertise.service_cidrs", "ServiceCIDR", "kubeadm-config", "rbac-cidr-probe.yaml"})
    EXPECT_NE(why.find(method), std::string::npos) << method << " in " << why;
}

}  // namespace
}  // namespace k8s

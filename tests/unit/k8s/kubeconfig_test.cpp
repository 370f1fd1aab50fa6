#include "k8s/kubeconfig.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <thread>

namespace k8s {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/k8s_kubeconfig_testXXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

TEST(ServerUrl, Parses) {
  EXPECT_EQ(*parse_server_url("https://10.0.0.1:6443"), (ServerUrl{"https", "10.0.0.1", 6443, ""}));
  EXPECT_EQ(*parse_server_url("https://[fd00::1]:6443/"), (ServerUrl{"https", "fd00::1", 6443, ""}));
  EXPECT_EQ(*parse_server_url("https://api.example.com"), (ServerUrl{"https", "api.example.com", 443, ""}));
  EXPECT_EQ(*parse_server_url("https://rancher.lan/k8s/clusters/c-1/"),
            (ServerUrl{"https", "rancher.lan", 443, "/k8s/clusters/c-1"}));
  EXPECT_EQ(*parse_server_url("http://127.0.0.1:8080"), (ServerUrl{"http", "127.0.0.1", 8080, ""}));
  EXPECT_FALSE(parse_server_url("10.0.0.1:6443"));
  EXPECT_FALSE(parse_server_url("ftp://x"));
  EXPECT_FALSE(parse_server_url("https://x:99999"));
  EXPECT_FALSE(parse_server_url("https://[fd00::1"));
}

TEST(Base64, Decodes) {
  EXPECT_EQ(*base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(*base64_decode("aGVs\nbG8gd29ybGQ="), "hello world");
  EXPECT_FALSE(base64_decode("a*b"));
}

constexpr const char* kInline = R"(apiVersion: v1
kind: Config
current-context: admin@lab
clusters:
- name: other
  cluster: {server: "https://192.0.2.1:6443"}
- name: lab
  cluster:
    server: https://[fd00::10]:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    tls-server-name: kubernetes
contexts:
- name: admin@lab
  context: {cluster: lab, user: admin, namespace: default}
- name: files
  context: {cluster: filecluster, user: fileuser}
users:
- name: admin
  user:
    token: abc.def
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
)";

TEST(Kubeconfig, InlineDataForm) {
  auto cfg = parse_kubeconfig(kInline, "/nowhere");
  ASSERT_TRUE(cfg) << cfg.error();
  EXPECT_EQ(cfg->server, (ServerUrl{"https", "fd00::10", 6443, ""}));
  EXPECT_EQ(cfg->tls.ca_pem, "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ(cfg->tls.server_name, "kubernetes");
  EXPECT_FALSE(cfg->tls.insecure_skip_verify);
  EXPECT_EQ(cfg->token.current(), "abc.def");
  EXPECT_EQ(cfg->tls.client_cert_pem, "CERT");
  EXPECT_EQ(cfg->tls.client_key_pem, "KEY");
  EXPECT_NE(cfg->source.find("admin@lab"), std::string::npos);
}

TEST(Kubeconfig, FileFormRelativeToTheKubeconfig) {
  TempDir dir;
  dir.write("ca.crt", "CA PEM");
  dir.write("client.crt", "CLIENT PEM");
  dir.write("client.key", "KEY PEM");
  dir.write("token", "tok-1\n");
  dir.write("config", R"(current-context: files
clusters:
- name: filecluster
  cluster: {server: "https://127.0.0.1:6443", certificate-authority: ca.crt}
contexts:
- name: files
  context: {cluster: filecluster, user: fileuser}
users:
- name: fileuser
  user: {tokenFile: token, client-certificate: client.crt, client-key: )" + (dir.path / "client.key").string() + "}\n");
  auto cfg = load_kubeconfig(dir.path / "config");
  ASSERT_TRUE(cfg) << cfg.error();
  EXPECT_EQ(cfg->tls.ca_pem, "CA PEM");
  EXPECT_EQ(cfg->tls.client_cert_pem, "CLIENT PEM");
  EXPECT_EQ(cfg->tls.client_key_pem, "KEY PEM");
  EXPECT_EQ(cfg->token.current(), "tok-1");
}

TEST(Kubeconfig, ExplicitContextAndInsecure) {
  auto cfg = parse_kubeconfig(R"(current-context: a
clusters: [{name: c, cluster: {server: "https://h:1", insecure-skip-tls-verify: true}}]
contexts: [{name: a, context: {cluster: nope, user: u}}, {name: b, context: {cluster: c, user: u}}]
users: [{name: u, user: {}}]
)", "/", "b");
  ASSERT_TRUE(cfg) << cfg.error();
  EXPECT_TRUE(cfg->tls.insecure_skip_verify);
  EXPECT_TRUE(cfg->token.empty());
}

TEST(Kubeconfig, ErrorsNameTheProblem) {
  auto missing_ctx = parse_kubeconfig("current-context: x\ncontexts: []\n", "/");
  ASSERT_FALSE(missing_ctx);
  EXPECT_NE(missing_ctx.error().find("context \"x\""), std::string::npos);
  auto missing_cluster = parse_kubeconfig("current-context: a\ncontexts: [{name: a, context: {cluster: c}}]\n", "/");
  ASSERT_FALSE(missing_cluster);
  EXPECT_NE(missing_cluster.error().find("cluster \"c\""), std::string::npos);
  auto exec = parse_kubeconfig(R"(current-context: a
clusters: [{name: c, cluster: {server: "https://h"}}]
contexts: [{name: a, context: {cluster: c, user: u}}]
users: [{name: u, user: {exec: {command: aws}}}]
)", "/");
  ASSERT_FALSE(exec);
  EXPECT_NE(exec.error().find("exec"), std::string::npos);
  auto bad_file = parse_kubeconfig(R"(current-context: a
clusters: [{name: c, cluster: {server: "https://h", certificate-authority: /does/not/exist.crt}}]
contexts: [{name: a, context: {cluster: c}}]
)", "/");
  ASSERT_FALSE(bad_file);
  EXPECT_NE(bad_file.error().find("/does/not/exist.crt"), std::string::npos);
  EXPECT_FALSE(parse_kubeconfig("{{{", "/"));
}

TEST(InCluster, EnvAndFilesWithIpv6Host) {
  TempDir dir;
  dir.write("token", "sa-token");
  dir.write("ca.crt", "CA");
  std::map<std::string, std::string> env{{"KUBERNETES_SERVICE_HOST", "fd00:10:96::1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  auto getenv = [&](const char* k) -> const char* {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto cfg = in_cluster_config(getenv, {dir.path / "token", dir.path / "ca.crt"});
  ASSERT_TRUE(cfg) << cfg.error();
  EXPECT_EQ(cfg->server, (ServerUrl{"https", "fd00:10:96::1", 443, ""}));
  EXPECT_EQ(cfg->tls.ca_pem, "CA");
  EXPECT_EQ(cfg->token.current(), "sa-token");
  env.clear();
  EXPECT_FALSE(in_cluster_config(getenv, {dir.path / "token", dir.path / "ca.crt"}));
}

TEST(BearerToken, FileIsReReadWhenItChangesOrAges) {
  TempDir dir;
  dir.write("token", "one");
  auto t = BearerToken::from_file(dir.path / "token", std::chrono::seconds(60));
  auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(t.current(now), "one");
  // Rotation: new content and a new mtime.
  dir.write("token", "two");
  fs::last_write_time(dir.path / "token", fs::last_write_time(dir.path / "token") + std::chrono::seconds(5));
  EXPECT_EQ(t.current(now), "two");
  // Same mtime but a minute later: read again anyway.
  auto mtime = fs::last_write_time(dir.path / "token");
  dir.write("token", "three");
  fs::last_write_time(dir.path / "token", mtime);
  EXPECT_EQ(t.current(now + std::chrono::seconds(1)), "two");
  EXPECT_EQ(t.current(now + std::chrono::seconds(61)), "three");
  // A vanished file keeps the last good token.
  fs::remove(dir.path / "token");
  EXPECT_EQ(t.current(now + std::chrono::seconds(200)), "three");
  EXPECT_FALSE(t.last_error().empty());
}

}  // namespace
}  // namespace k8s

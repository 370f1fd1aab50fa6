// Where the API server is and how to talk to it: in-cluster (service account) or a kubeconfig
// file (current context). Parsing only; the HTTP client uses the result.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "k8s/credentials.hpp"
#include "net/expected.hpp"

namespace k8s {

// "https://[fd00::1]:6443/prefix" split up. host has no brackets.
struct ServerUrl {
  std::string scheme = "https";  // https | http
  std::string host;
  std::uint16_t port = 443;
  std::string base_path;  // "" or "/prefix" (no trailing slash), prepended to every request
  bool operator==(const ServerUrl&) const = default;
};
net::Expected<ServerUrl, std::string> parse_server_url(std::string_view url);

struct ClusterConfig {
  ServerUrl server;
  TlsSettings tls;
  BearerToken token;
  std::string source;  // for logs: "in-cluster" or "kubeconfig FILE (context NAME)"
};

struct InClusterPaths {
  std::filesystem::path token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::filesystem::path ca = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
};

using Getenv = std::function<const char*(const char*)>;

// KUBERNETES_SERVICE_HOST/PORT plus the mounted service-account token and CA.
net::Expected<ClusterConfig, std::string> in_cluster_config(const Getenv& getenv, const InClusterPaths& paths = {});

// A kubeconfig's text; relative file names resolve against base_dir; context "" = current-context.
net::Expected<ClusterConfig, std::string> parse_kubeconfig(std::string_view yaml, const std::filesystem::path& base_dir,
                                                           std::string_view context = "",
                                                           std::string_view origin = "kubeconfig");
net::Expected<ClusterConfig, std::string> load_kubeconfig(const std::filesystem::path& path, std::string_view context = "");

// The usual order: an explicit kubeconfig path, then $KUBECONFIG (first file), then in-cluster,
// then ~/.kube/config.
net::Expected<ClusterConfig, std::string> load_cluster_config(const std::filesystem::path& explicit_kubeconfig,
                                                              const Getenv& getenv);

// RFC 4648 base64 (certificate-authority-data and friends); whitespace is ignored.
net::Expected<std::string, std::string> base64_decode(std::string_view text);

}  // namespace k8s

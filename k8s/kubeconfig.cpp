#include "k8s/kubeconfig.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "net/address.hpp"

namespace k8s {
namespace {

std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& file) {
  std::filesystem::path p(file);
  return p.is_absolute() ? p : base_dir / p;
}

// A named entry of clusters/users/contexts: [{name: X, cluster|user|context: {...}}].
YAML::Node find_named(const YAML::Node& list, const std::string& name, const char* inner) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const auto& entry : list)
    if (entry["name"] && entry["name"].as<std::string>() == name) return entry[inner];
  return YAML::Node();
}

std::string scalar(const YAML::Node& map, const char* key) {
  if (!map || !map.IsMap()) return "";
  auto v = map[key];
  return v && v.IsScalar() ? v.as<std::string>() : "";
}

// "X-data" (base64 inline) wins over "X" (a file), as kubectl does.
net::Expected<std::string, std::string> pem_from(const YAML::Node& map, const std::string& key,
                                                 const std::filesystem::path& base_dir) {
  auto data = scalar(map, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = base64_decode(data);
    if (!decoded) return net::Unexpected(key + "-data: " + decoded.error());
    return *decoded;
  }
  auto file = scalar(map, key.c_str());
  if (file.empty()) return std::string();
  auto text = read_file(resolve(base_dir, file));
  if (!text) return net::Unexpected(key + ": " + text.error());
  return *text;
}

}  // namespace

net::Expected<std::string, std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') { padding = true; continue; }
    int v = value(c);
    if (v < 0 || padding) return net::Unexpected(std::string("invalid base64"));
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6) return net::Unexpected(std::string("invalid base64 length"));
  return out;
}

net::Expected<ServerUrl, std::string> parse_server_url(std::string_view url) {
  ServerUrl out;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return net::Unexpected("server URL without scheme: " + std::string(url));
  out.scheme = std::string(url.substr(0, scheme_end));
  if (out.scheme != "https" && out.scheme != "http") return net::Unexpected("unsupported scheme in " + std::string(url));
  out.port = out.scheme == "https" ? 443 : 80;
  std::string_view rest = url.substr(scheme_end + 3);
  auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    out.base_path = std::string(rest.substr(path_start));
    while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return net::Unexpected("bad IPv6 host in " + std::string(url));
    out.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return net::Unexpected("bad host in " + std::string(url));
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return net::Unexpected("no host in " + std::string(url));
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return net::Unexpected("bad port in " + std::string(url));
    out.port = static_cast<std::uint16_t>(port);
  }
  return out;
}

net::Expected<ClusterConfig, std::string> in_cluster_config(const Getenv& getenv, const InClusterPaths& paths) {
  const char* host = getenv("KUBERNETES_SERVICE_HOST");
  const char* port = getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port)
    return net::Unexpected(std::string("not in a cluster: KUBERNETES_SERVICE_HOST/PORT unset"));
  std::string h = host;
  // An IPv6 service host needs brackets in a URL.
  if (auto a = net::Address::parse(h); a && a->is_v6()) h = "[" + h + "]";
  auto url = parse_server_url("https://" + h + ":" + port);
  if (!url) return net::Unexpected(url.error());
  ClusterConfig cfg;
  cfg.server = *url;
  cfg.source = "in-cluster";
  auto ca = read_file(paths.ca);
  if (!ca) return net::Unexpected("in-cluster: " + ca.error());
  cfg.tls.ca_pem = std::move(*ca);
  cfg.token = BearerToken::from_file(paths.token);
  if (cfg.token.current().empty())
    return net::Unexpected("in-cluster: no service-account token in " + paths.token.string() +
                           (cfg.token.last_error().empty() ? "" : ": " + cfg.token.last_error()));
  return cfg;
}

net::Expected<ClusterConfig, std::string> parse_kubeconfig(std::string_view yaml, const std::filesystem::path& base_dir,
                                                           std::string_view context, std::string_view origin) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsMap()) return net::Unexpected(std::string(origin) + ": not a kubeconfig (no mapping)");
    std::string ctx_name = context.empty() ? scalar(root, "current-context") : std::string(context);
    if (ctx_name.empty()) return net::Unexpected(std::string(origin) + ": no current-context");
    auto ctx = find_named(root["contexts"], ctx_name, "context");
    if (!ctx || !ctx.IsMap()) return net::Unexpected(std::string(origin) + ": context \"" + ctx_name + "\" not found");
    std::string cluster_name = scalar(ctx, "cluster");
    std::string user_name = scalar(ctx, "user");
    auto cluster = find_named(root["clusters"], cluster_name, "cluster");
    if (!cluster || !cluster.IsMap())
      return net::Unexpected(std::string(origin) + ": cluster \"" + cluster_name + "\" not found");

    ClusterConfig cfg;
    cfg.source = std::string(origin) + " (context " + ctx_name + ")";
    auto url = parse_server_url(scalar(cluster, "server"));
    if (!url) return net::Unexpected(std::string(origin) + ": cluster " + cluster_name + ": " + url.error());
    cfg.server = *url;
    auto ca = pem_from(cluster, "certificate-authority", base_dir);
    if (!ca) return net::Unexpected(std::string(origin) + ": cluster " + cluster_name + ": " + ca.error());
    cfg.tls.ca_pem = std::move(*ca);
    cfg.tls.insecure_skip_verify = scalar(cluster, "insecure-skip-tls-verify") == "true";
    cfg.tls.server_name = scalar(cluster, "tls-server-name");

    if (!user_name.empty()) {
      bool listed = false;
      if (root["users"] && root["users"].IsSequence())
        for (const auto& e : root["users"]) listed |= e["name"] && e["name"].as<std::string>() == user_name;
      if (!listed) return net::Unexpected(std::string(origin) + ": user \"" + user_name + "\" not found");
      auto user = find_named(root["users"], user_name, "user");
      if (user && user.IsMap()) {  // an entry with an empty body is legal: anonymous
        if (user["exec"] || user["auth-provider"])
          return net::Unexpected(std::string(origin) + ": user " + user_name +
                                 ": exec and auth-provider plugins are not supported; use a token or a client certificate");
        auto token = scalar(user, "token");
        auto token_file = scalar(user, "tokenFile");
        if (!token.empty()) cfg.token = BearerToken::fixed(token);
        else if (!token_file.empty()) cfg.token = BearerToken::from_file(resolve(base_dir, token_file));
        auto cert = pem_from(user, "client-certificate", base_dir);
        if (!cert) return net::Unexpected(std::string(origin) + ": user " + user_name + ": " + cert.error());
        auto key = pem_from(user, "client-key", base_dir);
        if (!key) return net::Unexpected(std::string(origin) + ": user " + user_name + ": " + key.error());
        if (cert->empty() != key->empty())
          return net::Unexpected(std::string(origin) + ": user " + user_name + ": client certificate and key must come together");
        cfg.tls.client_cert_pem = std::move(*cert);
        cfg.tls.client_key_pem = std::move(*key);
      }
    }
    return cfg;
  } catch (const YAML::Exception& e) {
    return net::Unexpected(std::string(origin) + ": " + e.what());
  }
}

net::Expected<ClusterConfig, std::string> load_kubeconfig(const std::filesystem::path& path, std::string_view context) {
  auto text = read_file(path);
  if (!text) return net::Unexpected(text.error());
  return parse_kubeconfig(*text, path.parent_path(), context, "kubeconfig " + path.string());
}

net::Expected<ClusterConfig, std::string> load_cluster_config(const std::filesystem::path& explicit_kubeconfig,
                                                              const Getenv& getenv) {
  if (!explicit_kubeconfig.empty()) return load_kubeconfig(explicit_kubeconfig);
  if (const char* env = getenv("KUBECONFIG"); env && *env) {
    std::string first(env);
    first = first.substr(0, first.find(':'));  // merging several files is not supported: take the first
    return load_kubeconfig(first);
  }
  if (const char* host = getenv("KUBERNETES_SERVICE_HOST"); host && *host) return in_cluster_config(getenv);
  if (const char* home = getenv("HOME"); home && *home) {
    std::filesystem::path p = std::filesystem::path(home) / ".kube" / "config";
    if (std::filesystem::exists(p)) return load_kubeconfig(p);
  }
  return net::Unexpected(std::string("no Kubernetes client configuration: not in a cluster, no kubeconfig"));
}

}  // namespace k8s

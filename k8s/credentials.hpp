// How the client proves who it is: a bearer token (fixed, or a file that kubelet rotates) and/or
// a client certificate. The TLS material that checks the server lives here too.
#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "net/expected.hpp"

namespace k8s {

// A bearer token. From a file it is re-read when the file's mtime changes, and at least every
// `max_age`: bound service-account tokens are rotated by kubelet (atomically, via a symlink swap).
class BearerToken {
 public:
  BearerToken() = default;
  static BearerToken fixed(std::string token);
  static BearerToken from_file(std::filesystem::path path,
                               std::chrono::seconds max_age = std::chrono::seconds(60));

  bool empty() const { return !from_file_ && token_.empty(); }
  // The token to send now; "" when none. A read error keeps the last good token.
  const std::string& current(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  // The last read error, for logs ("" when fine).
  const std::string& last_error() const { return error_; }

 private:
  bool from_file_ = false;
  std::filesystem::path path_;
  std::chrono::seconds max_age_{60};
  std::string token_;
  std::string error_;
  std::optional<std::filesystem::file_time_type> mtime_;
  std::chrono::steady_clock::time_point read_at_{};
  bool read_once_ = false;
};

// PEM text, ready for OpenSSL.
struct TlsSettings {
  std::string ca_pem;             // "" = the system's default trust store
  bool insecure_skip_verify = false;
  std::string server_name;        // tls-server-name override ("" = the URL's host)
  std::string client_cert_pem;    // "" = no client certificate
  std::string client_key_pem;
};

// Reads a whole (small) file; the error names the file.
net::Expected<std::string, std::string> read_file(const std::filesystem::path& path);

}  // namespace k8s

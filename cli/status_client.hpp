// `clusterip-speaker status` and `explain IP`: ask the running daemon over its local HTTP
// endpoint (http.listen) and print the answer as a table for people, or the JSON for machines.
#pragma once
#include <chrono>
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "net/expected.hpp"

namespace cisd {

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

// One blocking GET to ADDRESS:PORT (an unspecified listen address means this host's loopback).
// The error is for people: "cannot reach clusterip-speaker at 127.0.0.1:9474: Connection refused".
net::Expected<HttpReply, std::string> http_get(const std::string& endpoint, const std::string& target,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Exit codes: 0 when the daemon answered, 1 when it could not be reached or answered an error.
int status_command(const std::string& endpoint, bool json, std::ostream& out, std::ostream& err);
int explain_command(const std::string& endpoint, const std::string& ip, bool json, std::ostream& out,
                    std::ostream& err);

// The readable forms of /status and /explain (pure; `now_unix` ages the last Kubernetes syncs).
std::string format_status(const nlohmann::json& status, double now_unix);
std::string format_explanation(const nlohmann::json& explanation);

}  // namespace cisd

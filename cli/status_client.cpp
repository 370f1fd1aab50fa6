#include "cli/status_client.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <vector>

#include "io/listen_endpoint.hpp"

namespace cisd {

namespace beast = boost::beast;
namespace http = beast::http;

net::Expected<HttpReply, std::string> http_get(const std::string& endpoint_text, const std::string& target,
                                               std::chrono::milliseconds timeout) {
  auto endpoint = parse_listen(endpoint_text);
  if (!endpoint) return net::Unexpected(std::string("bad daemon address ") + endpoint_text + " (expected ADDRESS:PORT)");
  // The daemon listening on every address is reachable on loopback.
  if (endpoint->address().is_unspecified())
    endpoint->address(endpoint->address().is_v4() ? asio::ip::address(asio::ip::address_v4::loopback())
                                                  : asio::ip::address(asio::ip::address_v6::loopback()));
  const std::string where = "clusterip-speaker at " + endpoint_text;

  // Asynchronous under the hood only so that the timeout holds; the caller just waits.
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, endpoint_text);
  req.set(http::field::user_agent, "clusterip-speaker-cli");
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);  // /status with many routes
  std::string error;
  stream.expires_after(timeout);
  stream.async_connect(*endpoint, [&](beast::error_code ec) {
    if (ec) return void(error = "cannot reach " + where + ": " + ec.message() + " (is the daemon running, with http.listen set?)");
    http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
      if (ec) return void(error = where + ": " + ec.message());
      http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
        if (ec) error = where + ": " + ec.message();
      });
    });
  });
  io.run();
  if (!error.empty()) return net::Unexpected(error);
  return HttpReply{parser.get().result_int(), parser.get().body()};
}

namespace {

// Columns padded to their widest cell; the last column is not padded.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str(const std::string& indent = "") const {
    std::vector<std::size_t> width;
    for (const auto& row : rows_)
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (width.size() <= i) width.push_back(0);
        width[i] = std::max(width[i], row[i].size());
      }
    std::ostringstream out;
    for (const auto& row : rows_) {
      std::string line = indent;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    }
    return out.str();
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string str(const nlohmann::json& j, const char* key, const std::string& fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::uint64_t num(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::uint64_t>() : 0;
}

// Like birdc's "Since": 00:01:05, 2d 03:04:05.
std::string duration(double seconds) {
  auto s = static_cast<std::uint64_t>(std::max(0.0, seconds));
  char buf[64];
  if (s >= 86400)
    std::snprintf(buf, sizeof buf, "%llud %02llu:%02llu:%02llu", static_cast<unsigned long long>(s / 86400),
                  static_cast<unsigned long long>(s / 3600 % 24), static_cast<unsigned long long>(s / 60 % 60),
                  static_cast<unsigned long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60));
  return buf;
}

std::string yes_no_unknown(const nlohmann::json& j, const char* yes, const char* no) {
  return j.is_boolean() ? (j.get<bool>() ? yes : no) : "unknown";
}

}  // namespace

std::string format_status(const nlohmann::json& s, double now_unix) {
  std::ostringstream out;
  out << "clusterip-speaker " << str(s, "version") << " on " << str(s, "node") << ", router id "
      << str(s, "router_id") << ": " << (s.value("ready", false) ? "ready" : "not ready") << "\n";

  const auto& cidrs = s["service_cidrs"];
  std::string cidr_list;
  for (const auto& c : cidrs["cidrs"]) cidr_list += (cidr_list.empty() ? "" : ", ") + c.get<std::string>();
  out << "Service CIDRs: " << (cidr_list.empty() ? "none" : cidr_list) << " (from " << str(cidrs, "source") << ")\n";

  const auto& plan = s["plan"];
  const auto& adv = s["advertised"];
  if (!plan.value("computed", false)) {
    out << "Plan: not computed yet";
    if (!str(plan, "waiting_for").empty()) out << ", waiting for " << str(plan, "waiting_for");
    out << "\n";
  } else {
    out << "Advertising " << num(adv, "total") << " route(s):";
    for (const auto& [kind, count] : adv["by_kind"].items())
      if (count.get<std::uint64_t>() > 0) out << " " << kind << " " << count.get<std::uint64_t>();
    out << "\n";
    if (!str(plan, "withheld").empty()) out << "Withheld: " << str(plan, "withheld") << "\n";
    if (num(plan, "excluded_addresses") > 0)
      out << "Not advertised: " << num(plan, "excluded_addresses")
          << " Service address(es) (`clusterip-speaker explain IP` says why)\n";
  }

  // The protocols, like `birdc show protocols`.
  Table protocols({"Name", "Proto", "State", "Since", "Info"});
  bool any = false;
  if (s["bgp"].is_object()) {
    for (const auto& p : s["bgp"]["peers"]) {
      any = true;
      std::string info = "AS" + std::to_string(num(p, "asn"));
      std::string prefixes;
      for (const auto& [family, count] : p["advertised"].items())
        prefixes += (prefixes.empty() ? "" : " ") + family + " " + std::to_string(count.get<std::uint64_t>());
      if (!prefixes.empty()) info += ", advertised " + prefixes;
      const auto& c = p["counters"];
      info += ", updates " + std::to_string(num(c, "updates_sent")) + " sent " +
              std::to_string(num(c, "updates_received")) + " received";
      if (!str(p, "last_error").empty()) info += ", last error: " + str(p, "last_error");
      protocols.add({str(p, "address"), "BGP", str(p, "state"),
                     p["uptime_seconds"].is_number() ? duration(p["uptime_seconds"].get<double>()) : "", info});
    }
  }
  if (s["ospf"].is_object()) {
    for (const auto& n : s["ospf"]["neighbors"]) {
      any = true;
      protocols.add({str(n, "interface") + "/" + str(n, "router_id"), "OSPF", str(n, "state"), "",
                     "address " + str(n, "address")});
    }
  }
  if (s["bfd"].is_array()) {
    for (const auto& b : s["bfd"]) {
      any = true;
      std::ostringstream info;
      info << "tx " << b.value("transmit_interval_ms", 0.0) << " ms, detect " << b.value("detection_time_ms", 0.0)
           << " ms, diag " << str(b, "diagnostic") << ", remote " << str(b, "remote_state") << ", "
           << num(b, "state_changes") << " change(s), worst tx gap " << b.value("worst_transmit_gap_ms", 0.0) << " ms";
      protocols.add({str(b, "peer"), b.value("multihop", false) ? "BFD multihop" : "BFD", str(b, "state"), "",
                     info.str()});
    }
  }
  out << "\n";
  if (any)
    out << protocols.str();
  else
    out << "No BGP peers or OSPF neighbours.\n";
  if (s["bgp"].is_object() && s["bgp"]["peer_selection"].is_array())
    for (const auto& note : s["bgp"]["peer_selection"]) out << "BGP " << note.get<std::string>() << "\n";

  if (s["kubernetes"].is_object()) {
    const auto& k = s["kubernetes"];
    out << "\nKubernetes: kube-proxy " << yes_no_unknown(k["kube_proxy_healthy"], "healthy", "unhealthy") << ", Node "
        << yes_no_unknown(k["node_ready"], "Ready", "NotReady") << (k.value("node_cordoned", false) ? ", cordoned" : "")
        << "\n";
    Table resources({"Resource", "Synced", "Last sync", "Watch restarts", "Last error"});
    for (const auto& [name, r] : k["resources"].items()) {
      std::string last = r["last_sync"].is_number()
                             ? duration(now_unix - r["last_sync"].get<double>()) + " ago"
                             : "never";
      resources.add({name, r.value("synced", false) ? "yes" : "no", last, std::to_string(num(r, "watch_restarts")),
                     str(r, "last_error")});
    }
    out << resources.str();
  }

  if (adv["routes"].is_array() && !adv["routes"].empty()) {
    out << "\n";
    Table routes({"Prefix", "Kind", "Reason"});
    for (const auto& r : adv["routes"]) routes.add({str(r, "prefix"), str(r, "kind"), str(r, "reason")});
    out << routes.str();
    if (adv.value("truncated", false))
      out << "... " << num(adv, "total") - adv["routes"].size() << " more (status --json lists them all)\n";
  }
  return out.str();
}

std::string format_explanation(const nlohmann::json& e) {
  std::ostringstream out;
  out << str(e, "ip") << ": " << str(e, "verdict") << "\n";
  Table details({"", "", ""});
  bool any = false;
  for (const auto& c : e["covering"]) {
    any = true;
    std::string reason = str(c, "reason");
    if (c.value("held_by_withdraw_delay", false)) reason += " [held by withdraw_delay]";
    details.add({"covered by", str(c, "prefix"), str(c, "kind") + ": " + reason});
  }
  for (const auto& o : e["services"]) {
    any = true;
    details.add({"Service", str(o, "service"), "has it as " + str(o, "role")});
  }
  for (const auto& x : e["excluded"]) {
    any = true;
    details.add({"excluded", str(x, "service"), str(x, "reason")});
  }
  if (e.value("advertised", false) && e["sessions"].is_array())
    for (const auto& session : e["sessions"]) {
      any = true;
      details.add({"sent over", session.get<std::string>(), ""});
    }
  if (e.contains("refused"))
    for (const auto& r : e["refused"]) {
      any = true;
      details.add({"refused", str(r, "service"), str(r, "reason") + ": " + str(r, "detail")});
    }
  if (!str(e, "withheld").empty()) {
    any = true;
    details.add({"withheld", "", str(e, "withheld")});
  }
  if (any) {
    // Drop the empty header line the table starts with.
    auto text = details.str("  ");
    out << text.substr(text.find('\n') + 1);
  }
  return out.str();
}

namespace {

// GET, then JSON, with one error message style for both commands.
std::optional<nlohmann::json> fetch(const std::string& endpoint, const std::string& target, std::ostream& err,
                                    std::string* raw) {
  auto reply = http_get(endpoint, target);
  if (!reply) {
    err << "clusterip-speaker: " << reply.error() << "\n";
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(reply->body, nullptr, false);
  if (reply->status != 200) {
    err << "clusterip-speaker: the daemon answered " << reply->status << ": "
        << (j.is_object() && j.contains("error") ? j["error"].get<std::string>() : reply->body) << "\n";
    return std::nullopt;
  }
  if (j.is_discarded()) {
    err << "clusterip-speaker: the daemon's answer is not JSON\n";
    return std::nullopt;
  }
  if (raw) *raw = reply->body;
  return j;
}

std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

int status_command(const std::string& endpoint, bool json, std::ostream& out, std::ostream& err) {
  std::string raw;
  // The table shows a screenful of routes; --json gets all of them, a page at a time (the daemon
  // caps each answer), joined into one document.
  auto j = fetch(endpoint, json ? "/status?routes=all" : "/status?routes=50", err, &raw);
  if (!j) return 1;
  if (json) {
    auto& routes = (*j)["advertised"]["routes"];
    // Bounded: every page adds at least one route, and the total is known.
    const std::size_t total = (*j)["advertised"].value("total", std::size_t{0});
    for (std::size_t pages = 0; pages <= total && (*j)["advertised"]["next_offset"].is_number(); ++pages) {
      const auto next = (*j)["advertised"]["next_offset"].get<std::size_t>();
      auto page = fetch(endpoint, "/status?routes=all&offset=" + std::to_string(next), err, nullptr);
      if (!page) return 1;
      const auto& more = (*page)["advertised"]["routes"];
      if (more.empty()) break;
      routes.insert(routes.end(), more.begin(), more.end());
      (*j)["advertised"]["next_offset"] = (*page)["advertised"]["next_offset"];
    }
    (*j)["advertised"]["truncated"] = routes.size() < total;
    (*j)["advertised"]["next_offset"] = nullptr;
    out << j->dump(2) << "\n";
  } else {
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    out << format_status(*j, now);
  }
  return 0;
}

int explain_command(const std::string& endpoint, const std::string& ip, bool json, std::ostream& out,
                    std::ostream& err) {
  std::string raw;
  auto j = fetch(endpoint, "/explain?ip=" + percent_encode(ip), err, &raw);
  if (!j) return 1;
  out << (json ? raw : format_explanation(*j));
  return 0;
}

}  // namespace cisd

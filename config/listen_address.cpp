#include "config/listen_address.hpp"

namespace config {

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  std::string_view host, port;
  bool bracketed = text.starts_with("[");
  if (bracketed) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto address = net::Address::parse(host);
  if (!address || address->is_v6() != bracketed) return std::nullopt;
  if (port.empty() || port.size() > 5) return std::nullopt;
  unsigned n = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n > 65535) return std::nullopt;
  return ListenAddress{*address, static_cast<std::uint16_t>(n)};
}

}  // namespace config

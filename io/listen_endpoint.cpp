#include "io/listen_endpoint.hpp"

#include "config/listen_address.hpp"

std::optional<asio::ip::tcp::endpoint> parse_listen(std::string_view text) {
  const auto listen = config::parse_listen_address(text);
  if (!listen) return std::nullopt;
  return asio::ip::tcp::endpoint(to_asio(listen->address), listen->port);
}

// The one header that brings in Asio. Boost 1.74's Asio needs <utility> first under C++20.
#pragma once
#include <utility>

#include <boost/asio.hpp>

#include "net/address.hpp"

namespace asio = boost::asio;

// Our address type as Asio's, for sockets and endpoints.
inline asio::ip::address to_asio(const net::Address& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_value());
  return asio::ip::address_v6(a.bytes());
}

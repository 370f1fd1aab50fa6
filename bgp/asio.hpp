// The one header that brings in Asio. Boost 1.74's Asio needs <utility> first under C++20.
#pragma once
#include <utility>

#include <boost/asio.hpp>

namespace asio = boost::asio;

// OSPFv2 architectural constants (RFC 2328 appendix B) as durations, so that the LSDB, the
// originator and the instance agree on one set of numbers.
#pragma once
#include <chrono>
#include <cstdint>

#include "ospf/wire/lsa.hpp"

namespace ospf {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kLsRefreshTime{1800};  // re-originate our LSAs this often
constexpr std::chrono::seconds kMinLsInterval{5};     // two instances we originate at least this far apart
constexpr std::chrono::seconds kMinLsArrival{1};      // accept a flooded instance at most this often
constexpr std::chrono::seconds kMaxAge{wire::kMaxAge};
constexpr std::chrono::seconds kCheckAge{300};
constexpr std::uint16_t kMaxAgeDiff = 900;  // seconds; ages further apart than this tell instances apart
constexpr std::int32_t kInitialSequenceNumber = wire::kInitialSequenceNumber;
constexpr std::int32_t kMaxSequenceNumber = wire::kMaxSequenceNumber;

}  // namespace ospf

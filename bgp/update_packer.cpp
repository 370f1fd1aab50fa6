#include "bgp/update_packer.hpp"

namespace bgp {

namespace {

// Header, withdrawn-routes length and total-attribute length.
constexpr std::size_t kUpdateOverhead = wire::kHeaderSize + 2 + 2;
// An MP attribute may cross 255 bytes of value and take the extended-length form: reserve it.
constexpr std::size_t kExtendedLengthSlack = 1;
// AFI + SAFI of MP_UNREACH_NLRI, behind a 4-byte extended attribute header.
constexpr std::size_t kMpUnreachOverhead = 4 + 3;

// Splits prefixes into consecutive runs whose encoded size stays within budget.
template <typename Emit>
void in_batches(std::span<const net::Prefix> prefixes, std::size_t budget, Emit emit) {
  std::size_t start = 0, used = 0;
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    auto size = wire::encoded_size(prefixes[i]);
    if (used + size > budget && i > start) {
      emit(prefixes.subspan(start, i - start));
      start = i;
      used = 0;
    }
    used += size;
  }
  if (start < prefixes.size()) emit(prefixes.subspan(start));
}

}  // namespace

std::vector<wire::Update> pack_announcements(const wire::PathAttributes& attributes, wire::AfiSafi family,
                                             std::span<const net::Prefix> prefixes,
                                             const wire::EncodeContext& ctx) {
  std::vector<wire::Update> out;
  const bool ipv4 = family == wire::kIpv4Unicast;
  wire::PathAttributes base = attributes;
  if (!ipv4 && base.mp_reach) base.mp_reach->nlri.clear();
  const std::size_t fixed = kUpdateOverhead + wire::encoded_size(base, ctx) + (ipv4 ? 0 : kExtendedLengthSlack);
  const std::size_t budget = wire::kMaxMessageSize - fixed;
  in_batches(prefixes, budget, [&](std::span<const net::Prefix> batch) {
    wire::Update u;
    u.attributes = base;
    if (ipv4)
      u.nlri.assign(batch.begin(), batch.end());
    else
      u.attributes.mp_reach->nlri.assign(batch.begin(), batch.end());
    out.push_back(std::move(u));
  });
  return out;
}

std::vector<wire::Update> pack_withdrawals(wire::AfiSafi family, std::span<const net::Prefix> prefixes) {
  std::vector<wire::Update> out;
  const bool ipv4 = family == wire::kIpv4Unicast;
  const std::size_t budget = wire::kMaxMessageSize - kUpdateOverhead - (ipv4 ? 0 : kMpUnreachOverhead);
  in_batches(prefixes, budget, [&](std::span<const net::Prefix> batch) {
    wire::Update u;
    if (ipv4)
      u.withdrawn.assign(batch.begin(), batch.end());
    else
      u.attributes.mp_unreach = wire::MpUnreachNlri{family, {batch.begin(), batch.end()}};
    out.push_back(std::move(u));
  });
  return out;
}

}  // namespace bgp

#include "ospf/packet_packing.hpp"

#include <algorithm>

#include "ospf/wire/lsa_codec.hpp"

namespace ospf {

namespace {
constexpr std::size_t kIpHeaderSize = 20;
constexpr std::size_t kUpdateCountSize = 4;  // the "# LSAs" field of an LS Update
constexpr std::size_t kMinimumBudget = wire::kPacketHeaderSize + wire::kLsaHeaderSize;
}  // namespace

std::size_t ospf_packet_budget(std::uint32_t mtu, wire::AuthConfig::Type auth) {
  const std::size_t overhead = kIpHeaderSize + wire::digest_size(auth);
  const std::size_t room = mtu > overhead ? mtu - overhead : 0;
  return std::max(room, kMinimumBudget);
}

std::vector<wire::LinkStateUpdate> pack_updates(std::vector<wire::Lsa> lsas, std::size_t budget) {
  std::vector<wire::LinkStateUpdate> out;
  std::size_t used = 0;
  for (auto& lsa : lsas) {
    const std::size_t size = wire::encoded_size(lsa);
    if (out.empty() || (!out.back().lsas.empty() && used + size > budget)) {
      out.emplace_back();
      used = wire::kPacketHeaderSize + kUpdateCountSize;
    }
    out.back().lsas.push_back(std::move(lsa));
    used += size;
  }
  return out;
}

std::vector<wire::LinkStateAck> pack_acks(const std::vector<wire::LsaHeader>& headers, std::size_t budget) {
  std::vector<wire::LinkStateAck> out;
  const std::size_t per_packet =
      std::max<std::size_t>(1, (budget - wire::kPacketHeaderSize) / wire::kLsaHeaderSize);
  for (std::size_t i = 0; i < headers.size(); i += per_packet) {
    const std::size_t end = std::min(headers.size(), i + per_packet);
    out.push_back(wire::LinkStateAck{{headers.begin() + static_cast<std::ptrdiff_t>(i),
                                      headers.begin() + static_cast<std::ptrdiff_t>(end)}});
  }
  return out;
}

}  // namespace ospf

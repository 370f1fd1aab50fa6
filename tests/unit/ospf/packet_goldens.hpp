// Golden OSPF packets written by hand from RFC 2328 A.3 and D.3, shared by the golden and the
// malformed-input tests. Checksums and digests: python3 tests/unit/ospf/wire_reference.py.
#pragma once
#include <cstdint>
#include <vector>

#include "ospf/wire/packet_codec.hpp"

namespace ospf::wire::golden {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t k192_0_2_1 = 0xc0000201, k192_0_2_2 = 0xc0000202, k192_0_2_10 = 0xc000020a;

// Hello, no authentication.
inline const Bytes kHello{
    0x02, 0x01, 0x00, 0x34,  // version 2, type 1 Hello, length 52
    0xc0, 0x00, 0x02, 0x01,  // router ID 192.0.2.1
    0x00, 0x00, 0x00, 0x00,  // area 0.0.0.0
    0x32, 0x7b, 0x00, 0x00,  // checksum ("hello checksum"), AuType 0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // authentication
    0xff, 0xff, 0xff, 0x00,  // network mask /24
    0x00, 0x0a, 0x02, 0x01,  // hello interval 10, options E, priority 1
    0x00, 0x00, 0x00, 0x28,  // router dead interval 40
    0xc0, 0x00, 0x02, 0x0a,  // DR 192.0.2.10
    0xc0, 0x00, 0x02, 0x01,  // BDR 192.0.2.1
    0xc0, 0x00, 0x02, 0x0a,  // neighbor 192.0.2.10
    0xc0, 0x00, 0x02, 0x02,  // neighbor 192.0.2.2
};

inline Packet hello_packet() {
  Hello hello;
  hello.network_mask = 0xffffff00;
  hello.hello_interval = 10;
  hello.options = option::e;
  hello.priority = 1;
  hello.dead_interval = 40;
  hello.designated_router = k192_0_2_10;
  hello.backup_designated_router = k192_0_2_1;
  hello.neighbors = {k192_0_2_10, k192_0_2_2};
  return Packet{k192_0_2_1, 0, hello, std::nullopt};
}

// Database Description, simple password "secret".
inline const Bytes kDatabaseDescription{
    0x02, 0x02, 0x00, 0x34,  // version 2, type 2 DD, length 52
    0xc0, 0x00, 0x02, 0x01,  // router ID
    0x00, 0x00, 0x00, 0x00,  // area
    0x09, 0x46, 0x00, 0x01,  // checksum ("dd checksum", auth field left out), AuType 1
    's', 'e', 'c', 'r', 'e', 't', 0x00, 0x00,  // password, zero-padded
    0x05, 0xdc, 0x02, 0x03,  // interface MTU 1500, options E, flags M|MS
    0x00, 0x00, 0x12, 0x34,  // DD sequence number
    0x00, 0x00, 0x02, 0x01,  // LSA header: age 0, options E, router-LSA
    0xc0, 0x00, 0x02, 0x0a,  //   LS ID 192.0.2.10
    0xc0, 0x00, 0x02, 0x0a,  //   advertising router 192.0.2.10
    0x80, 0x00, 0x00, 0x03,  //   sequence
    0x12, 0x34, 0x00, 0x20,  //   checksum (not checked in a DD), length 32
};

inline Packet dd_packet() {
  DatabaseDescription dd;
  dd.interface_mtu = 1500;
  dd.options = option::e;
  dd.more = true;
  dd.master = true;
  dd.sequence_number = 0x1234;
  dd.lsa_headers.push_back(
      {0, option::e, lsa_type::router, k192_0_2_10, k192_0_2_10, static_cast<std::int32_t>(0x80000003), 0x1234, 32});
  return Packet{k192_0_2_1, 0, dd, std::nullopt};
}

inline const AuthConfig kSimpleAuth{AuthConfig::Type::simple, 0, "secret"};

// Link State Request in area 0.0.0.1, no authentication.
inline const Bytes kLinkStateRequest{
    0x02, 0x03, 0x00, 0x30,  // version 2, type 3 LSR, length 48
    0xc0, 0x00, 0x02, 0x01,  // router ID
    0x00, 0x00, 0x00, 0x01,  // area 0.0.0.1
    0xeb, 0x4c, 0x00, 0x00,  // checksum ("lsr checksum"), AuType 0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  // LS type 1
    0xc0, 0x00, 0x02, 0x0a,  // LS ID 192.0.2.10
    0xc0, 0x00, 0x02, 0x0a,  // advertising router
    0x00, 0x00, 0x00, 0x05,  // LS type 5
    0x0a, 0x60, 0x00, 0x00,  // LS ID 10.96.0.0
    0xc0, 0x00, 0x02, 0x01,  // advertising router
};

inline Packet lsr_packet() {
  LinkStateRequest lsr;
  lsr.requests = {{1, k192_0_2_10, k192_0_2_10}, {5, 0x0a600000, k192_0_2_1}};
  return Packet{k192_0_2_1, 1, lsr, std::nullopt};
}

// Link State Update carrying one AS-external-LSA, no authentication.
inline const Bytes kLinkStateUpdate{
    0x02, 0x04, 0x00, 0x40,  // version 2, type 4 LSU, length 64
    0xc0, 0x00, 0x02, 0x01,  // router ID
    0x00, 0x00, 0x00, 0x00,  // area
    0xe0, 0x13, 0x00, 0x00,  // checksum ("lsu checksum"), AuType 0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  // 1 LSA
    0x00, 0x01, 0x02, 0x05,  // age 1, options E, type 5
    0x0a, 0x60, 0x00, 0x00,  // LS ID 10.96.0.0
    0xc0, 0x00, 0x02, 0x01,  // advertising router
    0x80, 0x00, 0x00, 0x01,  // sequence
    0x8d, 0x12, 0x00, 0x24,  // LSA checksum ("external-LSA checksum"), length 36
    0xff, 0xf0, 0x00, 0x00,  // mask /12
    0x80, 0x00, 0x00, 0x14,  // E2, metric 20
    0x00, 0x00, 0x00, 0x00,  // forwarding address
    0x00, 0x00, 0x00, 0x00,  // tag
};
constexpr std::size_t kLsuLsaOffset = 28;

inline Packet lsu_packet() {
  AsExternalLsa body;
  body.network_mask = 0xfff00000;
  body.metric = 20;
  LinkStateUpdate lsu;
  lsu.lsas.push_back(
      Lsa{{1, option::e, lsa_type::as_external, 0x0a600000, k192_0_2_1, kInitialSequenceNumber, 0x8d12, 36}, body});
  return Packet{k192_0_2_1, 0, lsu, std::nullopt};
}

// Link State Ack with MD5 authentication: key ID 1, key "ospf-md5-key", sequence 1000.
inline const Bytes kLinkStateAckMd5{
    0x02, 0x05, 0x00, 0x2c,  // version 2, type 5 LSAck, length 44 (digest not counted)
    0xc0, 0x00, 0x02, 0x01,  // router ID
    0x00, 0x00, 0x00, 0x00,  // area
    0x00, 0x00, 0x00, 0x02,  // checksum not computed, AuType 2
    0x00, 0x00, 0x01, 0x10,  // zero, key ID 1, auth data length 16
    0x00, 0x00, 0x03, 0xe8,  // cryptographic sequence number 1000
    0x00, 0x00, 0x02, 0x01,  // LSA header: age 0, options E, router-LSA
    0xc0, 0x00, 0x02, 0x01,  //   LS ID
    0xc0, 0x00, 0x02, 0x01,  //   advertising router
    0x80, 0x00, 0x00, 0x01,  //   sequence
    0x06, 0xfb, 0x00, 0x34,  //   checksum, length 52
    // MD5 digest ("ack md5")
    0x5a, 0x94, 0x97, 0xef, 0x4e, 0x58, 0x40, 0xd3, 0xf3, 0x27, 0xea, 0x8b, 0x79, 0xa2, 0x08, 0xb8,
};

inline Packet ack_packet() {
  LinkStateAck ack;
  ack.lsa_headers.push_back(
      {0, option::e, lsa_type::router, k192_0_2_1, k192_0_2_1, kInitialSequenceNumber, 0x06fb, 52});
  return Packet{k192_0_2_1, 0, ack, 1000};
}

inline const AuthConfig kMd5Auth{AuthConfig::Type::md5, 1, "ospf-md5-key"};

// Hello with HMAC-SHA-256 (RFC 5709): key ID 7, key "hmac-key", sequence 0x5f000001.
inline const Bytes kHelloHmac{
    0x02, 0x01, 0x00, 0x2c,  // version 2, Hello, length 44
    0xc0, 0x00, 0x02, 0x01,  // router ID
    0x00, 0x00, 0x00, 0x00,  // area
    0x00, 0x00, 0x00, 0x02,  // checksum 0, AuType 2
    0x00, 0x00, 0x07, 0x20,  // zero, key ID 7, auth data length 32
    0x5f, 0x00, 0x00, 0x01,  // cryptographic sequence number
    0xff, 0xff, 0xff, 0x00,  // mask
    0x00, 0x0a, 0x02, 0x01,  // hello 10, options E, priority 1
    0x00, 0x00, 0x00, 0x28,  // dead 40
    0x00, 0x00, 0x00, 0x00,  // no DR
    0x00, 0x00, 0x00, 0x00,  // no BDR
    // HMAC-SHA-256 digest ("hello hmac")
    0x98, 0xe5, 0xbe, 0xb1, 0x62, 0x77, 0x8d, 0x48, 0xe1, 0x9f, 0xad, 0xe7, 0xcf, 0x67, 0xdd, 0xa2,
    0x15, 0xfe, 0xd4, 0x12, 0x91, 0xbf, 0x23, 0xe8, 0x4a, 0xb3, 0x5c, 0xf7, 0x61, 0xde, 0xd0, 0x80,
};

inline Packet hello_hmac_packet() {
  Hello hello;
  hello.network_mask = 0xffffff00;
  hello.options = option::e;
  return Packet{k192_0_2_1, 0, hello, 0x5f000001};
}

inline const AuthConfig kHmacAuth{AuthConfig::Type::hmac_sha256, 7, "hmac-key"};

}  // namespace ospf::wire::golden

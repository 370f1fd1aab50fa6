#!/usr/bin/env python3
"""Independent reference for the checksums and digests pasted into the OSPF wire tests.

Deliberately not the C++ algorithm: the LSA Fletcher checksum is found by brute force (the one
pair X, Y in 1..255 for which both running sums over options..end are zero), the IP checksum is
the plain RFC 1071 sum, and the digests come from hashlib/hmac. Run: python3 wire_reference.py
"""
import hashlib
import hmac


def b(hextext):
    return bytes.fromhex(hextext.replace(" ", ""))


def fletcher_ok(lsa):
    c0 = c1 = 0
    for byte in lsa[2:]:
        c0 = (c0 + byte) % 255
        c1 = (c1 + c0) % 255
    return c0 == 0 and c1 == 0


def lsa_checksum(lsa):
    lsa = bytearray(lsa)
    found = [(x, y) for x in range(1, 256) for y in range(1, 256)
             if fletcher_ok(lsa[:16] + bytes([x, y]) + lsa[18:])]
    assert len(found) == 1, found
    return found[0][0] << 8 | found[0][1]


def ip_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ospf_checksum(packet):
    # RFC 2328 D.4.1: the authentication field (bytes 16..23) is left out of the sum.
    return ip_checksum(packet[:16] + b"\0" * 8 + packet[24:])


def md5_digest(packet, key):
    return hashlib.md5(packet + key.ljust(16, b"\0")[:16]).hexdigest()


def hmac_sha256_digest(packet, key):
    ks = hashlib.sha256(key).digest() if len(key) > 32 else key.ljust(32, b"\0")  # RFC 5709 §3.3
    apad = bytes.fromhex("878FE1F3") * 8
    return hmac.new(ks, packet + apad, hashlib.sha256).hexdigest()


# LSAs with checksum 0000 (as in the tests, written by hand from RFC 2328 A.4).
ROUTER = ("0000 02 01 c0000201 c0000201 80000001 0000 0034"
          "02 00 0002"
          "c000020a c0000201 02 00 000a"
          "0a010000 ffff0000 03 01 0001 08 00 0005")
NETWORK = "0005 02 02 c000020a c000020a 80000003 0000 0020 ffffff00 c000020a c0000201"
EXTERNAL = "0001 02 05 0a600000 c0000201 80000001 0000 0024 fff00000 80 000014 00000000 00000000"
EXTERNAL_TOS = ("0000 02 05 0a600000 c0000201 80000002 0000 0030 fff00000 00 000064 c0000201 0000002a"
                "88 000200 00000000 00000007")
SUMMARY = "0000 22 03 0a010000 c0000201 80000001 0000 001c ffffff00 00 00000a"
for name, text in [("router", ROUTER), ("network", NETWORK), ("external", EXTERNAL),
                   ("external_tos", EXTERNAL_TOS), ("summary", SUMMARY)]:
    print(f"{name}-LSA checksum 0x{lsa_checksum(b(text)):04x}")

print(f"RFC 1071 example 0x{ip_checksum(b('0001 f203 f4f5 f6f7')):04x}")

# Packets with checksum 0000 and an all-zero authentication field.
HELLO = ("02 01 0034 c0000201 00000000 0000 0000 0000000000000000"
         "ffffff00 000a 02 01 00000028 c000020a c0000201 c000020a c0000202")
DD = ("02 02 0034 c0000201 00000000 0000 0001 0000000000000000"
      "05dc 02 03 00001234 0000 02 01 c000020a c000020a 80000003 1234 0020")
LSR = ("02 03 0030 c0000201 00000001 0000 0000 0000000000000000"
       "00000001 c000020a c000020a 00000005 0a600000 c0000201")
for name, text in [("hello", HELLO), ("dd", DD), ("lsr", LSR)]:
    print(f"{name} checksum 0x{ospf_checksum(b(text)):04x}")


def with_lsa(packet_hex, lsa_hex):
    lsa = bytearray(b(lsa_hex))
    lsa[16:18] = lsa_checksum(lsa).to_bytes(2, "big")
    return bytes(b(packet_hex)) + bytes(lsa)


LSU = with_lsa("02 04 0040 c0000201 00000000 0000 0000 0000000000000000 00000001", EXTERNAL)
print(f"lsu checksum 0x{ospf_checksum(LSU):04x}")

# Cryptographic: checksum 0, AuType 2, then 0000, key ID, auth data length, sequence.
ACK_MD5 = ("02 05 002c c0000201 00000000 0000 0002 0000 01 10 000003e8"
           "0000 02 01 c0000201 c0000201 80000001 %04x 0034" % lsa_checksum(b(ROUTER)))
print("ack md5", md5_digest(b(ACK_MD5), b"ospf-md5-key"))
HELLO_HMAC = ("02 01 002c c0000201 00000000 0000 0002 0000 07 20 5f000001"
              "ffffff00 000a 02 01 00000028 00000000 00000000")
print("hello hmac", hmac_sha256_digest(b(HELLO_HMAC), b"hmac-key"))
LONG_KEY = b"0123456789abcdefghijklmnopqrstuvwxyzABCD"  # 40 bytes: RFC 5709 hashes it first
print("hello hmac long key", hmac_sha256_digest(b(HELLO_HMAC), LONG_KEY))
print("hello hmac long key, plain HMAC (must differ)",
      hmac.new(LONG_KEY, b(HELLO_HMAC) + bytes.fromhex("878FE1F3") * 8, hashlib.sha256).hexdigest())

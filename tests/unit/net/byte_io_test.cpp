#include <gtest/gtest.h>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

using net::ByteReader;
using net::ByteWriter;

TEST(ByteIo, WritesBigEndianAndPatches) {
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  w.u8(1);
  w.u16(0x0203);
  w.u32(0x04050607);
  w.zeros(1);
  w.patch_u16(5, 0xaabb);
  EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 0xaa, 0xbb, 0}));
}

TEST(ByteIo, ReadsBigEndian) {
  const std::uint8_t in[] = {1, 2, 3, 4, 5, 6, 7};
  ByteReader r(in);
  EXPECT_EQ(*r.u8(), 1);
  EXPECT_EQ(*r.u16(), 0x0203);
  EXPECT_EQ(*r.u32(), 0x04050607u);
  EXPECT_TRUE(r.empty());
}

TEST(ByteIo, ShortReadsFailWithoutConsuming) {
  const std::uint8_t in[] = {1, 2, 3};
  ByteReader r(in);
  EXPECT_FALSE(r.u32());
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_FALSE(r.bytes(4));
  EXPECT_FALSE(r.skip(4));
  EXPECT_EQ(r.bytes(2)->size(), 2u);
  EXPECT_FALSE(r.u16());
  EXPECT_EQ(*r.u8(), 3);
  EXPECT_FALSE(r.u8());
}

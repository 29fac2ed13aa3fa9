// Data types (exact round-to-nearest-even conversions, exhaustive over 16-bit patterns) and
// the .npy reader and writer.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "isa/dtype.h"
#include "isa/npy.h"

namespace trn2::test {
namespace {

using namespace trn2::isa;

float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(DType, Bf16RoundTripIsExactForEveryPattern) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = bf16_to_f32(uint16_t(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(f)))) << h;
    } else {
      EXPECT_EQ(f32_to_bf16(f), h) << h;
    }
  }
}

TEST(DType, Fp16RoundTripIsExactForEveryPattern) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = f16_to_f32(uint16_t(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f)))) << h;
    } else {
      EXPECT_EQ(f32_to_f16(f), h) << h;
    }
  }
}

TEST(DType, Fp16DecodesKnownValues) {
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(f16_to_f32(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
}

TEST(DType, Bf16RoundsToNearestEven) {
  // bf16 keeps 7 mantissa bits: the spacing at 1.0 is 2^-7.
  EXPECT_EQ(round_to(DType::BF16, 1.0f + std::ldexp(1.0f, -8)), 1.0f);                        // tie, to even (down)
  EXPECT_EQ(round_to(DType::BF16, 1.0f + 3 * std::ldexp(1.0f, -8)), 1.0f + std::ldexp(1.0f, -6));  // tie, to even (up)
  EXPECT_EQ(round_to(DType::BF16, 1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), 1.0f + std::ldexp(1.0f, -7));
  EXPECT_EQ(f32_to_bf16(from_bits(0x7f7fffff)), 0x7f80);  // FLT_MAX rounds to Inf
}

TEST(DType, Fp16RoundsToNearestEven) {
  EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);  // below the midpoint to 65536: 65504
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);  // the midpoint ties to even: Inf
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000);  // half the smallest subnormal: tie to 0
  EXPECT_EQ(f32_to_f16(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 subnormal units: tie to 2
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie at 1.0: down to even
  EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie: up to even
  EXPECT_EQ(f32_to_f16(std::ldexp(1023.5f, -24)), 0x0400);  // rounds up into the smallest normal
}

TEST(DType, SpecialValuesSurvive) {
  const float inf = INFINITY;
  for (DType t : {DType::BF16, DType::F16}) {
    EXPECT_EQ(round_to(t, inf), inf);
    EXPECT_EQ(round_to(t, -inf), -inf);
    EXPECT_TRUE(std::isnan(round_to(t, NAN)));
    EXPECT_TRUE(std::signbit(round_to(t, -0.0f)));
  }
}

TEST(DType, Fp16AgreesWithTheCompilersFloat16) {
  // An independent reference: GCC's _Float16 conversion (IEEE RNE) on x86-64.
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1664525u + 1013904223u;
    const float f = from_bits((x & 0x8fffffffu) | 0x30000000u);  // magnitudes around fp16's range
    const _Float16 h = static_cast<_Float16>(f);
    uint16_t want;
    std::memcpy(&want, &h, 2);
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_f16(f), want) << f;
  }
}

TEST(DType, ParsesNames) {
  DType t;
  EXPECT_TRUE(parse_dtype("bf16", t));
  EXPECT_EQ(t, DType::BF16);
  EXPECT_TRUE(parse_dtype("float16", t));
  EXPECT_EQ(t, DType::F16);
  EXPECT_FALSE(parse_dtype("float64", t));
  EXPECT_EQ(dtype_size(DType::F32), 4u);
}

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

TEST(Npy, WriteThenReadBack) {
  for (auto shape : std::vector<std::vector<size_t>>{{5}, {2, 3, 4}, {1, 2, 1, 3}, {}}) {
    size_t n = 1;
    for (size_t d : shape) n *= d;
    std::vector<uint8_t> bytes(n * 2);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 7 + 1);
    write_npy(temp("a.npy"), shape, "<f2", bytes.data(), bytes.size());
    const NpyArray a = read_npy(temp("a.npy"));
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.descr, "<f2");
    EXPECT_EQ(a.data, bytes);
    std::ifstream f(temp("a.npy"), std::ios::binary);
    std::vector<char> all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ((all.size() - bytes.size()) % 64, 0u);  // data starts 64-byte aligned
  }
}

void expect_read_error(const std::string& name, const std::string& content, const std::string& message) {
  std::ofstream(temp(name), std::ios::binary) << content;
  try {
    read_npy(temp(name));
    FAIL() << name << " was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

std::string header(const std::string& dict) {
  std::string h = dict;
  h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
  h.push_back('\n');
  return std::string("\x93NUMPY\x01\x00", 8) + char(h.size() & 0xff) + char(h.size() >> 8) + h;
}

TEST(Npy, Errors) {
  expect_read_error("magic.npy", "hello world", "bad magic");
  expect_read_error("fortran.npy", header("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }") + std::string(8, '\0'), "Fortran");
  expect_read_error("short.npy", header("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }") + std::string(8, '\0'), "truncated");
  expect_read_error("f8.npy", header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }") + std::string(8, '\0'), "unsupported dtype");
  try {
    read_npy(temp("does_not_exist.npy"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
}

}  // namespace
}  // namespace trn2::test

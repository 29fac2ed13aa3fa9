// Conversions between float32 and the 16-bit types: exhaustive round trips over every 16-bit
// pattern, round-to-nearest-even ties, special values, and an independent fp16 reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "isa/dtype.h"

namespace trn2::test {
namespace {

using namespace trn2::isa;

float bits_to_f32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint32_t f32_to_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

TEST(DTypeConversion, SizesAndNames) {
  EXPECT_EQ(dtype_size(DType::F32), 4u);
  EXPECT_EQ(dtype_size(DType::BF16), 2u);
  EXPECT_EQ(dtype_size(DType::F16), 2u);
  EXPECT_STREQ(dtype_name(DType::F32), "float32");
  EXPECT_STREQ(dtype_name(DType::BF16), "bfloat16");
  EXPECT_STREQ(dtype_name(DType::F16), "float16");
}

TEST(DTypeConversion, ParseAcceptsKnownNamesOnly) {
  const struct { const char* name; DType want; } good[] = {
      {"float32", DType::F32}, {"fp32", DType::F32},   {"bfloat16", DType::BF16},
      {"bf16", DType::BF16},   {"float16", DType::F16}, {"fp16", DType::F16}};
  for (const auto& g : good) {
    DType t = g.want == DType::F32 ? DType::F16 : DType::F32;
    EXPECT_TRUE(parse_dtype(g.name, t)) << g.name;
    EXPECT_EQ(t, g.want) << g.name;
  }
  for (const char* bad : {"", "float64", "f32", "FP32", "bfloat", "int8", " fp16", "fp16 "}) {
    DType t = DType::BF16;
    EXPECT_FALSE(parse_dtype(bad, t)) << bad;
    EXPECT_EQ(t, DType::BF16) << "output changed for rejected '" << bad << "'";
  }
  for (DType t : {DType::F32, DType::BF16, DType::F16}) {
    DType back;
    ASSERT_TRUE(parse_dtype(dtype_name(t), back));
    EXPECT_EQ(back, t);
  }
}

TEST(DTypeConversion, Bf16EveryPatternRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = bf16_to_f32(uint16_t(h));
    EXPECT_EQ(f32_to_bits(f), h << 16) << h;  // bf16 is the top half of float32
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(f)))) << h;
      EXPECT_EQ(f32_to_bf16(f) & 0x8000u, h & 0x8000u) << h;
    } else {
      ASSERT_EQ(f32_to_bf16(f), h) << h;
    }
  }
}

TEST(DTypeConversion, Fp16EveryPatternRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = f16_to_f32(uint16_t(h));
    const bool nan_pattern = (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0;
    EXPECT_EQ(std::isnan(f), nan_pattern) << h;
    if (nan_pattern) {
      const uint16_t back = f32_to_f16(f);
      EXPECT_TRUE((back & 0x7c00u) == 0x7c00u && (back & 0x3ffu) != 0) << h;
      EXPECT_EQ(back & 0x8000u, h & 0x8000u) << h;
    } else {
      ASSERT_EQ(f32_to_f16(f), h) << h;
    }
  }
}

TEST(DTypeConversion, Fp16DecodesKnownValues) {
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_f32(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(f16_to_f32(0x03ff), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(f16_to_f32(0x3555), 0.333251953125f);
}

TEST(DTypeConversion, Bf16RoundsToNearestEven) {
  const float ulp = std::ldexp(1.0f, -7);  // bf16 spacing just above 1.0
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f + ulp / 2)), 1.0f);              // tie, 1.0 is even
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f + 3 * ulp / 2)), 1.0f + 2 * ulp);  // tie, rounds up to even
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(std::nextafter(1.0f + ulp / 2, 2.0f))), 1.0f + ulp);
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(std::nextafter(1.0f + ulp / 2, 0.0f))), 1.0f);
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(-(1.0f + 3 * ulp / 2))), -(1.0f + 2 * ulp));
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(3.14159265f), 0x4049);
  // The largest float32 rounds past bf16's largest finite value to Inf.
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(f32_to_bf16(bits_to_f32(0x7f7f7fffu)), 0x7f7f);  // just below the tie: stays finite
  // Subnormals round like everything else.
  EXPECT_EQ(f32_to_bf16(bits_to_f32(0x00008000u)), 0x0000);  // tie to even (0)
  EXPECT_EQ(f32_to_bf16(bits_to_f32(0x00018000u)), 0x0002);  // tie to even (2)
  EXPECT_EQ(f32_to_bf16(bits_to_f32(0x00008001u)), 0x0001);
}

TEST(DTypeConversion, Fp16RoundsToNearestEven) {
  const float ulp = std::ldexp(1.0f, -10);  // fp16 spacing just above 1.0
  EXPECT_EQ(f32_to_f16(1.0f + ulp / 2), 0x3c00);      // tie, even stays
  EXPECT_EQ(f32_to_f16(1.0f + 3 * ulp / 2), 0x3c02);  // tie, rounds up to even
  EXPECT_EQ(f32_to_f16(std::nextafter(1.0f + ulp / 2, 2.0f)), 0x3c01);
  // Overflow: 65520 is the tie between 65504 (odd mantissa) and 65536, so it goes to Inf.
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(std::nextafter(65520.0f, 0.0f)), 0x7bff);
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);
  EXPECT_EQ(f32_to_f16(-65520.0f), 0xfc00);
  EXPECT_EQ(f32_to_f16(1e10f), 0x7c00);
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::max()), 0x7c00);
  // Subnormals.
  const float tiny = std::ldexp(1.0f, -24);
  EXPECT_EQ(f32_to_f16(tiny), 0x0001);
  EXPECT_EQ(f32_to_f16(tiny / 2), 0x0000);  // tie to even: 0
  EXPECT_EQ(f32_to_f16(-tiny / 2), 0x8000);  // keeps the sign
  EXPECT_EQ(f32_to_f16(std::nextafter(tiny / 2, 1.0f)), 0x0001);
  EXPECT_EQ(f32_to_f16(3 * tiny / 2), 0x0002);  // tie to even: 2
  EXPECT_EQ(f32_to_f16(5 * tiny / 2), 0x0002);  // tie to even: 2
  EXPECT_EQ(f32_to_f16(tiny / 4), 0x0000);
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(f32_to_f16(std::ldexp(1023.5f, -24)), 0x0400);  // largest subnormal + half: tie up to normal
  EXPECT_EQ(f32_to_f16(std::ldexp(1022.5f, -24)), 0x03fe);  // tie to even
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -14)), 0x0400);
}

TEST(DTypeConversion, SpecialValuesSurvive) {
  const float inf = std::numeric_limits<float>::infinity();
  const float qnan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(f32_to_bf16(inf), 0x7f80);
  EXPECT_EQ(f32_to_bf16(-inf), 0xff80);
  EXPECT_EQ(f32_to_f16(inf), 0x7c00);
  EXPECT_EQ(f32_to_f16(-inf), 0xfc00);
  EXPECT_EQ(f32_to_bf16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_bf16(0.0f), 0x0000);
  EXPECT_EQ(f32_to_f16(0.0f), 0x0000);
  EXPECT_TRUE(std::signbit(bf16_to_f32(0x8000)));
  EXPECT_TRUE(std::signbit(f16_to_f32(0x8000)));
  EXPECT_EQ(bf16_to_f32(0xff80), -inf);
  EXPECT_EQ(f16_to_f32(0xfc00), -inf);
  // NaNs whose payload sits only in the low bits must not truncate to Inf; results are quiet.
  for (uint32_t bits : {0x7fc00000u, 0x7f800001u, 0xff800001u, 0x7fa00000u, 0x7f800100u, f32_to_bits(qnan)}) {
    const float f = bits_to_f32(bits);
    const uint16_t b = f32_to_bf16(f), h = f32_to_f16(f);
    EXPECT_TRUE(std::isnan(bf16_to_f32(b))) << std::hex << bits;
    EXPECT_TRUE(std::isnan(f16_to_f32(h))) << std::hex << bits;
    EXPECT_NE(b & 0x0040u, 0u) << "bf16 NaN not quiet " << std::hex << bits;
    EXPECT_NE(h & 0x0200u, 0u) << "fp16 NaN not quiet " << std::hex << bits;
    EXPECT_EQ(b >> 15, bits >> 31);
    EXPECT_EQ(h >> 15, bits >> 31);
  }
}

TEST(DTypeConversion, RoundToAndElementAccess) {
  const float x = 1.0f + std::ldexp(3.0f, -12);
  EXPECT_EQ(round_to(DType::F32, x), x);
  EXPECT_EQ(round_to(DType::BF16, x), 1.0f);
  EXPECT_EQ(round_to(DType::F16, x), 1.0f + std::ldexp(1.0f, -10));
  EXPECT_EQ(round_to(DType::F16, 1e6f), std::numeric_limits<float>::infinity());

  uint8_t buf[4] = {0, 0, 0, 0};
  store_element(buf, DType::F32, 1.5f);
  EXPECT_EQ(buf[0], 0x00);
  EXPECT_EQ(buf[3], 0x3f);  // little-endian 0x3fc00000
  EXPECT_EQ(buf[2], 0xc0);
  EXPECT_EQ(load_element(buf, DType::F32), 1.5f);

  store_element(buf, DType::BF16, x);
  EXPECT_EQ(buf[0], 0x80);
  EXPECT_EQ(buf[1], 0x3f);
  EXPECT_EQ(load_element(buf, DType::BF16), 1.0f);

  store_element(buf, DType::F16, -2.0f);
  EXPECT_EQ(buf[0], 0x00);
  EXPECT_EQ(buf[1], 0xc0);
  EXPECT_EQ(load_element(buf, DType::F16), -2.0f);

  // Unaligned access works (memcpy based).
  uint8_t wide[9] = {};
  store_element(wide + 1, DType::F32, -3.25f);
  EXPECT_EQ(load_element(wide + 1, DType::F32), -3.25f);
  store_element(wide + 5, DType::F16, 0.5f);
  EXPECT_EQ(load_element(wide + 5, DType::F16), 0.5f);
}

#if defined(__FLT16_MAX__)
// An independent reference: the compiler's _Float16 conversion (IEEE binary16, RNE).
TEST(DTypeConversion, RowConversionsMatchElementConversions) {
  // load_elements/store_elements (the datapath's row moves) must agree bit for bit with
  // load_element/store_element: every 16-bit pattern, and a spread of fp32 values (ties,
  // NaNs, infinities, subnormals) stored into each dtype, contiguous and strided.
  std::vector<uint16_t> patterns(65536);
  for (uint32_t h = 0; h < 65536; ++h) patterns[h] = uint16_t(h);
  std::vector<float> values;
  for (uint32_t u = 0; u < 0xffffffffu - 0x10001u; u += 0x10001u) values.push_back(bits_to_f32(u));
  for (uint32_t h = 0; h < 65536; ++h) values.push_back(bits_to_f32((h << 16) | 0x8000u));  // bf16 ties
  for (DType t : {DType::F32, DType::BF16, DType::F16}) {
    const size_t es = dtype_size(t);
    for (int64_t stride_elems : {1, 3}) {
      const int64_t stride = stride_elems * int64_t(es);
      // Loads: the 16-bit patterns (twice over for fp32, as pairs).
      const int64_t n = int64_t(patterns.size() * 2 / es);
      std::vector<uint8_t> src(size_t(n * stride));
      for (int64_t i = 0; i < n; ++i) std::memcpy(&src[size_t(i * stride)], &patterns[size_t(i * int64_t(es) / 2) % patterns.size()], 2);
      std::vector<float> got(static_cast<size_t>(n));
      load_elements(src.data(), stride, t, n, got.data());
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(f32_to_bits(got[size_t(i)]), f32_to_bits(load_element(&src[size_t(i * stride)], t))) << int(t) << " " << i;
      // Stores.
      const int64_t m = int64_t(values.size());
      std::vector<uint8_t> bulk(size_t(m * stride), 0xab), one(size_t(m * stride), 0xab);
      store_elements(bulk.data(), stride, t, m, values.data());
      for (int64_t i = 0; i < m; ++i) store_element(&one[size_t(i * stride)], t, values[size_t(i)]);
      ASSERT_EQ(bulk, one) << int(t) << " stride " << stride;
    }
  }
}

TEST(DTypeConversion, Fp16MatchesCompilerFloat16) {
  uint32_t state = 0x2545f491u;
  for (int i = 0; i < 300000; ++i) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    // Keep exponents in and around fp16's range (including subnormals and overflow) most of the time.
    const uint32_t bits = (i % 4 == 0) ? state : ((state & 0x807fffffu) | ((0x60u + (state >> 24) % 0x30u) << 23));
    const float f = bits_to_f32(bits);
    if (std::isnan(f)) continue;
    const _Float16 ref = static_cast<_Float16>(f);
    uint16_t want;
    std::memcpy(&want, &ref, 2);
    ASSERT_EQ(f32_to_f16(f), want) << std::hex << bits;
    ASSERT_EQ(f16_to_f32(want), static_cast<float>(ref)) << std::hex << want;
  }
}
#endif

}  // namespace
}  // namespace trn2::test

// Conversions between float32 and the 16-bit and 8-bit types: exhaustive round trips over
// every 16-bit and 8-bit pattern, round-to-nearest-even ties, special values, and independent
// references (the compiler's float16; for fp8, a decoder written from the format's definition
// and the nearest value found by searching all 256).
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
  EXPECT_EQ(dtype_size(DType::F8E4M3), 1u);
  EXPECT_EQ(dtype_size(DType::F8E5M2), 1u);
  EXPECT_STREQ(dtype_name(DType::F8E4M3), "float8_e4m3");
  EXPECT_STREQ(dtype_name(DType::F8E5M2), "float8_e5m2");
  EXPECT_TRUE(is_fp8(DType::F8E4M3) && is_fp8(DType::F8E5M2));
  EXPECT_FALSE(is_fp8(DType::F32) || is_fp8(DType::BF16) || is_fp8(DType::F16));
}

TEST(DTypeConversion, ParseAcceptsKnownNamesOnly) {
  const struct { const char* name; DType want; } good[] = {
      {"float32", DType::F32}, {"fp32", DType::F32},   {"bfloat16", DType::BF16},
      {"bf16", DType::BF16},   {"float16", DType::F16}, {"fp16", DType::F16},
      {"float8_e4m3", DType::F8E4M3}, {"float8_e5m2", DType::F8E5M2},
      {"int8", DType::I8},     {"uint8", DType::U8},    {"int16", DType::I16},
      {"uint16", DType::U16},  {"int32", DType::I32},   {"uint32", DType::U32}};
  for (const auto& g : good) {
    DType t = g.want == DType::F32 ? DType::F16 : DType::F32;
    EXPECT_TRUE(parse_dtype(g.name, t)) << g.name;
    EXPECT_EQ(t, g.want) << g.name;
  }
  // float8_e4m3fn is Trn3's OCP format, not trn2's float8_e4m3.
  for (const char* bad : {"", "float64", "f32", "FP32", "bfloat", "int64", "uint64", "i8", "INT8", "bool_", " fp16", "fp16 ", "float8_e4m3fn", "fp8",
                          "float8", "float8_e5m2fnuz"}) {
    DType t = DType::BF16;
    EXPECT_FALSE(parse_dtype(bad, t)) << bad;
    EXPECT_EQ(t, DType::BF16) << "output changed for rejected '" << bad << "'";
  }
  for (int i = 0; i < kNumDTypes; ++i) {
    const DType t = DType(i);
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

// ---- fp8: float8_e4m3 (bias 7) and float8_e5m2 (bias 15), IEEE-754 style -----------------

// The value of an 8-bit pattern from the format's definition alone, in double: sign, E
// exponent bits, M mantissa bits, bias 2^(E-1) - 1; exponent 0 is subnormal, all-ones is
// infinity (mantissa 0) or NaN.
double fp8_reference(uint32_t h, int E, int M) {
  const int bias = (1 << (E - 1)) - 1;
  const int sign = (h >> 7) & 1, exp = int(h >> M) & ((1 << E) - 1), mant = int(h) & ((1 << M) - 1);
  double v;
  if (exp == (1 << E) - 1) v = mant ? std::nan("") : std::numeric_limits<double>::infinity();
  else if (exp == 0) v = std::ldexp(double(mant), 1 - bias - M);
  else v = std::ldexp(1.0 + double(mant) / double(1 << M), exp - bias);
  return sign ? -v : v;
}

struct Fp8Format {
  DType type;
  int E, M;
  uint8_t (*encode)(float);
  float (*decode)(uint8_t);
  uint8_t quiet_nan;  // positive
};
const Fp8Format kFp8[] = {{DType::F8E4M3, 4, 3, f32_to_f8e4m3, f8e4m3_to_f32, 0x7c},
                          {DType::F8E5M2, 5, 2, f32_to_f8e5m2, f8e5m2_to_f32, 0x7e}};

TEST(DTypeConversion, Fp8DecodesEveryPatternAsTheFormatDefines) {
  for (const Fp8Format& f : kFp8)
    for (uint32_t h = 0; h < 256; ++h) {
      const double want = fp8_reference(h, f.E, f.M);
      const float got = f.decode(uint8_t(h));
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got)) << dtype_name(f.type) << " " << h;
        EXPECT_EQ(std::signbit(got), (h & 0x80u) != 0) << dtype_name(f.type) << " " << h;
      } else {
        ASSERT_EQ(double(got), want) << dtype_name(f.type) << " " << h;
        EXPECT_EQ(std::signbit(got), (h & 0x80u) != 0) << dtype_name(f.type) << " " << h;  // -0 too
      }
    }
}

TEST(DTypeConversion, Fp8DecodesKnownValues) {
  // e4m3: 0 0111 000 = 2^0; 0 1110 111 = 1.875 x 2^7 = 240 (the largest finite); 0 1111 000
  // = Inf; 0 0001 000 = 2^-6 (smallest normal); 0 0000 001 = 2^-9 (smallest subnormal).
  EXPECT_EQ(f8e4m3_to_f32(0x38), 1.0f);
  EXPECT_EQ(f8e4m3_to_f32(0x77), 240.0f);
  EXPECT_EQ(f8e4m3_to_f32(0xf7), -240.0f);
  EXPECT_EQ(f8e4m3_to_f32(0x78), std::numeric_limits<float>::infinity());
  EXPECT_EQ(f8e4m3_to_f32(0x08), std::ldexp(1.0f, -6));
  EXPECT_EQ(f8e4m3_to_f32(0x01), std::ldexp(1.0f, -9));
  EXPECT_EQ(f8e4m3_to_f32(0x07), std::ldexp(7.0f, -9));  // largest subnormal
  EXPECT_EQ(f8e4m3_to_f32(0x3b), 1.375f);                // 0 0111 011
  EXPECT_TRUE(std::isnan(f8e4m3_to_f32(0x79)) && std::isnan(f8e4m3_to_f32(0x7f)));
  // e5m2: 0 01111 00 = 1; 0 11110 11 = 1.75 x 2^15 = 57344; 0 11111 00 = Inf; 0 00001 00 =
  // 2^-14; 0 00000 01 = 2^-16.
  EXPECT_EQ(f8e5m2_to_f32(0x3c), 1.0f);
  EXPECT_EQ(f8e5m2_to_f32(0x7b), 57344.0f);
  EXPECT_EQ(f8e5m2_to_f32(0x7c), std::numeric_limits<float>::infinity());
  EXPECT_EQ(f8e5m2_to_f32(0xfc), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(f8e5m2_to_f32(0x04), std::ldexp(1.0f, -14));
  EXPECT_EQ(f8e5m2_to_f32(0x01), std::ldexp(1.0f, -16));
  EXPECT_EQ(f8e5m2_to_f32(0xc1), -2.5f);  // 1 10000 01
  EXPECT_TRUE(std::isnan(f8e5m2_to_f32(0x7d)) && std::isnan(f8e5m2_to_f32(0x7f)));
}

TEST(DTypeConversion, Fp8EveryPatternRoundTrips) {
  for (const Fp8Format& f : kFp8)
    for (uint32_t h = 0; h < 256; ++h) {
      const float v = f.decode(uint8_t(h));
      if (std::isnan(v)) {
        // Any NaN comes back as the quiet NaN of its sign.
        EXPECT_EQ(f.encode(v), uint8_t(f.quiet_nan | (h & 0x80u))) << dtype_name(f.type) << " " << h;
      } else {
        ASSERT_EQ(f.encode(v), h) << dtype_name(f.type) << " " << h;  // zeros, subnormals, Inf included
      }
    }
}

TEST(DTypeConversion, Fp8E4m3RoundsToNearestEven) {
  // Just above 1.0 (0x38) the spacing is 2^-3 = 0.125.
  EXPECT_EQ(f32_to_f8e4m3(1.0625f), 0x38);   // tie between 1 (mantissa 000) and 1.125 (001): even, down
  EXPECT_EQ(f32_to_f8e4m3(1.1875f), 0x3a);   // tie between 1.125 (001) and 1.25 (010): even, up
  EXPECT_EQ(f32_to_f8e4m3(std::nextafter(1.0625f, 2.0f)), 0x39);
  EXPECT_EQ(f32_to_f8e4m3(std::nextafter(1.0625f, 0.0f)), 0x38);
  EXPECT_EQ(f32_to_f8e4m3(-1.1875f), 0xba);
  EXPECT_EQ(f32_to_f8e4m3(1.9375f), 0x40);   // tie between 1.875 (111) and 2: carries into the exponent
  // Between 2 and 4 the values are 2 x 1.abc: 3 is 0 1000 100 (0x44), 3.25 is 0 1000 101
  // (0x45); pi is 0.108 from 3.25 and 0.142 from 3.
  EXPECT_EQ(f32_to_f8e4m3(3.14159265f), 0x45);
  // Subnormals: units of 2^-9.
  const float unit = std::ldexp(1.0f, -9);
  EXPECT_EQ(f32_to_f8e4m3(unit / 2), 0x00);                        // tie between 0 and 1 unit: 0
  EXPECT_EQ(f32_to_f8e4m3(-unit / 2), 0x80);                       // keeps the sign
  EXPECT_EQ(f32_to_f8e4m3(std::nextafter(unit / 2, 1.0f)), 0x01);
  EXPECT_EQ(f32_to_f8e4m3(1.5f * unit), 0x02);                     // tie between 1 and 2: 2
  EXPECT_EQ(f32_to_f8e4m3(2.5f * unit), 0x02);                     // tie between 2 and 3: 2
  EXPECT_EQ(f32_to_f8e4m3(6.5f * unit), 0x06);                     // tie between 6 and 7: 6
  EXPECT_EQ(f32_to_f8e4m3(7.5f * unit), 0x08);                     // tie between 7 and 8 = 2^-6, the smallest normal
  EXPECT_EQ(f32_to_f8e4m3(unit / 4), 0x00);
  EXPECT_EQ(f32_to_f8e4m3(std::numeric_limits<float>::denorm_min()), 0x00);
  EXPECT_EQ(f32_to_f8e4m3(std::ldexp(1.0f, -6)), 0x08);
  // Overflow. The top binade (2^7) holds 128, 144, ..., 224, 240: 232 is the tie between 224
  // (mantissa 110, even) and 240 (111), so 224; 248 is the tie between 240 (odd) and 256,
  // which the format has not got: it rounds up, to Inf. No saturation.
  EXPECT_EQ(f32_to_f8e4m3(232.0f), 0x76);
  EXPECT_EQ(f32_to_f8e4m3(240.0f), 0x77);
  EXPECT_EQ(f32_to_f8e4m3(std::nextafter(248.0f, 0.0f)), 0x77);
  EXPECT_EQ(f32_to_f8e4m3(248.0f), 0x78);
  EXPECT_EQ(f32_to_f8e4m3(-248.0f), 0xf8);
  EXPECT_EQ(f32_to_f8e4m3(1e10f), 0x78);
  EXPECT_EQ(f32_to_f8e4m3(std::numeric_limits<float>::max()), 0x78);
  EXPECT_EQ(f32_to_f8e4m3(std::numeric_limits<float>::infinity()), 0x78);
  EXPECT_EQ(f32_to_f8e4m3(-std::numeric_limits<float>::infinity()), 0xf8);
}

TEST(DTypeConversion, Fp8E5m2RoundsToNearestEven) {
  // Just above 1.0 (0x3c) the spacing is 2^-2 = 0.25.
  EXPECT_EQ(f32_to_f8e5m2(1.125f), 0x3c);   // tie between 1 (00) and 1.25 (01): down
  EXPECT_EQ(f32_to_f8e5m2(1.375f), 0x3e);   // tie between 1.25 (01) and 1.5 (10): up
  EXPECT_EQ(f32_to_f8e5m2(std::nextafter(1.125f, 2.0f)), 0x3d);
  EXPECT_EQ(f32_to_f8e5m2(1.875f), 0x40);   // tie between 1.75 (11) and 2: carries into the exponent
  EXPECT_EQ(f32_to_f8e5m2(-1.375f), 0xbe);
  // Subnormals: units of 2^-16.
  const float unit = std::ldexp(1.0f, -16);
  EXPECT_EQ(f32_to_f8e5m2(unit / 2), 0x00);
  EXPECT_EQ(f32_to_f8e5m2(-unit / 2), 0x80);
  EXPECT_EQ(f32_to_f8e5m2(1.5f * unit), 0x02);
  EXPECT_EQ(f32_to_f8e5m2(3.5f * unit), 0x04);  // tie between 3 (the largest subnormal) and 4 = 2^-14
  EXPECT_EQ(f32_to_f8e5m2(std::nextafter(3.5f * unit, 0.0f)), 0x03);
  // Overflow: the top binade (2^15) holds 32768, 40960, 49152, 57344; 61440 is the tie
  // between 57344 (mantissa 11, odd) and 65536: Inf.
  EXPECT_EQ(f32_to_f8e5m2(53248.0f), 0x7a);  // tie between 49152 (10) and 57344 (11): even, down
  EXPECT_EQ(f32_to_f8e5m2(57344.0f), 0x7b);
  EXPECT_EQ(f32_to_f8e5m2(std::nextafter(61440.0f, 0.0f)), 0x7b);
  EXPECT_EQ(f32_to_f8e5m2(61440.0f), 0x7c);
  EXPECT_EQ(f32_to_f8e5m2(-61440.0f), 0xfc);
  EXPECT_EQ(f32_to_f8e5m2(std::numeric_limits<float>::max()), 0x7c);
}

TEST(DTypeConversion, Fp8NaNsAndZeros) {
  for (const Fp8Format& f : kFp8) {
    // A NaN, whatever its payload (quiet, signalling, payload only in the low bits), becomes
    // the quiet NaN of its sign, never Inf.
    for (uint32_t bits : {0x7fc00000u, 0x7f800001u, 0x7fa00000u, 0x7f800100u, 0xffc00000u, 0xff800001u}) {
      const uint8_t h = f.encode(bits_to_f32(bits));
      EXPECT_EQ(h, uint8_t(f.quiet_nan | ((bits >> 24) & 0x80u))) << dtype_name(f.type) << " " << std::hex << bits;
    }
    EXPECT_EQ(f.encode(0.0f), 0x00);
    EXPECT_EQ(f.encode(-0.0f), 0x80);
    EXPECT_TRUE(std::signbit(f.decode(0x80)));
  }
}

TEST(DTypeConversion, Fp8MatchesTheNearestValueFoundBySearch) {
  // An independent reference: the nearest finite fp8 value by searching all 256 patterns (a
  // tie goes to the even pattern), Inf past the largest finite value plus half an ulp.
  uint32_t state = 0x9e3779b9u;
  for (const Fp8Format& f : kFp8) {
    std::vector<std::pair<double, uint32_t>> finite;
    for (uint32_t h = 0; h < 128; ++h)
      if (std::isfinite(fp8_reference(h, f.E, f.M))) finite.push_back({fp8_reference(h, f.E, f.M), h});
    const double top = finite.back().first, ulp = top - finite[finite.size() - 2].first;
    for (int i = 0; i < 200000; ++i) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      // Exponents from well below the subnormals to past the top, most of the time.
      const uint32_t bits = (i % 8 == 0) ? state : ((state & 0x807fffffu) | ((0x60u + (state >> 24) % 0x40u) << 23));
      const float x = bits_to_f32(bits);
      if (std::isnan(x)) continue;
      const double a = std::fabs(double(x));
      uint32_t want;
      if (a >= top + ulp / 2) {
        want = ((1u << f.E) - 1) << f.M;  // Inf
      } else {
        want = 0;
        double best = std::numeric_limits<double>::infinity();
        for (const auto& [v, h] : finite) {
          const double d = std::fabs(v - a);
          if (d < best || (d == best && (h & 1u) == 0)) {
            best = d;
            want = h;
          }
        }
      }
      want |= (bits >> 24) & 0x80u;
      ASSERT_EQ(f.encode(x), want) << dtype_name(f.type) << " " << std::hex << bits << " = " << x;
    }
  }
}

TEST(DTypeConversion, Fp8ElementAndRowAccess) {
  EXPECT_EQ(round_to(DType::F8E4M3, 1.1f), 1.125f);
  EXPECT_EQ(round_to(DType::F8E5M2, 1.1f), 1.0f);
  EXPECT_EQ(round_to(DType::F8E4M3, 300.0f), std::numeric_limits<float>::infinity());
  uint8_t b[3] = {0xab, 0xab, 0xab};
  store_element(b + 1, DType::F8E4M3, -2.0f);  // 1 1000 000
  EXPECT_EQ(b[0], 0xab);
  EXPECT_EQ(b[1], 0xc0);
  EXPECT_EQ(b[2], 0xab);
  EXPECT_EQ(load_element(b + 1, DType::F8E4M3), -2.0f);
  store_element(b + 1, DType::F8E5M2, 0.75f);  // 0 01110 10
  EXPECT_EQ(b[1], 0x3a);
  EXPECT_EQ(load_element(b + 1, DType::F8E5M2), 0.75f);
  // Rows agree with elements, contiguous and strided: every pattern loaded, a spread of
  // values (ties, subnormals, overflow, NaN) stored.
  std::vector<float> values;
  for (uint32_t u = 0; u < 0xffffffffu - 0x10001u; u += 0x10001u) values.push_back(bits_to_f32(u));
  for (const Fp8Format& f : kFp8)
    for (int64_t stride : {1, 3}) {
      std::vector<uint8_t> src(size_t(256 * stride));
      for (int64_t h = 0; h < 256; ++h) src[size_t(h * stride)] = uint8_t(h);
      std::vector<float> got(256);
      load_elements(src.data(), stride, f.type, 256, got.data());
      for (int64_t h = 0; h < 256; ++h)
        ASSERT_EQ(f32_to_bits(got[size_t(h)]), f32_to_bits(load_element(&src[size_t(h * stride)], f.type))) << h;
      const int64_t m = int64_t(values.size());
      std::vector<uint8_t> bulk(size_t(m * stride), 0xab), one(size_t(m * stride), 0xab);
      store_elements(bulk.data(), stride, f.type, m, values.data());
      for (int64_t i = 0; i < m; ++i) store_element(&one[size_t(i * stride)], f.type, values[size_t(i)]);
      ASSERT_EQ(bulk, one) << dtype_name(f.type) << " stride " << stride;
    }
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

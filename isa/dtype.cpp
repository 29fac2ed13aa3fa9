#include "isa/dtype.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace trn2::isa {

namespace {
uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
// fp32 -> bf16, written as selects without branches so that row loops over it vectorise:
// NaN stays NaN (quietened); otherwise round to nearest even on the 16 dropped bits (Inf
// and overflow to Inf come out right).
inline uint16_t bf16_rne(float f) {
  const uint32_t u = bits_of(f);
  const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  const uint32_t nan = (u >> 16) | 0x0040u;
  return uint16_t((u & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
}

// An IEEE-754-style 8-bit float with E exponent bits and M mantissa bits (bias 2^(E-1) - 1):
// the fp8 formats trn2 runs. Integer arithmetic only, so the result does not depend on the
// host's floating-point rounding mode.
template <int E, int M>
struct Fp8 {
  static constexpr int kBias = (1 << (E - 1)) - 1;
  static constexpr uint32_t kDropped = 23 - M;  // fp32 mantissa bits that do not fit
  static constexpr uint8_t kInf = uint8_t(((1u << E) - 1) << M);
  static constexpr uint8_t kQuietNan = uint8_t(kInf | (1u << (M - 1)));
  // fp32 bits of the largest finite value plus half an ulp: the tie between it (odd
  // mantissa) and 2^(emax + 1), which rounds to even, up, past the format. 248 for e4m3,
  // 61440 for e5m2. At or above it (infinity included) a value becomes infinity.
  static constexpr uint32_t kOverflow =
      (uint32_t((1 << E) - 2 - kBias + 127) << 23) | (((1u << (M + 1)) - 1) << (kDropped - 1));
  // fp32 bits of the smallest normal, 2^(1 - bias).
  static constexpr uint32_t kMinNormal = uint32_t(1 - kBias + 127) << 23;

  static uint8_t encode(float f) {
    const uint32_t u = bits_of(f);
    const uint8_t sign = uint8_t((u >> 24) & 0x80u);
    const uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return uint8_t(sign | kQuietNan);
    if (a >= kOverflow) return uint8_t(sign | kInf);
    if (a < kMinNormal) return uint8_t(sign | subnormal(a));
    // Normal: rebias the exponent (127 -> bias) and round the dropped bits to nearest even; a
    // carry out of the mantissa moves up to the next exponent, which kOverflow keeps finite.
    const uint32_t rebased = a - (uint32_t(127 - kBias) << 23);
    const uint32_t rounding = ((1u << (kDropped - 1)) - 1) + ((rebased >> kDropped) & 1u);
    return uint8_t(sign | ((rebased + rounding) >> kDropped));
  }

  // |f| < 2^(1 - bias), as a count of the smallest subnormal 2^(1 - bias - M), rounded to
  // nearest even; a count of 2^M is the smallest normal, which the encoding reads right.
  static uint32_t subnormal(uint32_t a) {
    // |f| = m * 2^(e - 150) with the implicit bit for normals; fp32 subnormals use e = 1.
    const uint32_t e = a >> 23;
    const uint32_t m = e ? ((a & 0x7fffffu) | 0x800000u) : (a & 0x7fffffu);
    const uint32_t shift = uint32_t(151 - kBias - M) - (e ? e : 1u);  // >= kDropped + 1
    if (shift > 24) return 0;  // m < 2^24 is below half of the smallest subnormal
    const uint32_t q = m >> shift, rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
    return q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
  }

  static float decode(uint8_t h) {
    const uint32_t sign = uint32_t(h & 0x80u) << 24;
    const uint32_t exp = (h >> M) & ((1u << E) - 1), mant = h & ((1u << M) - 1);
    if (exp == 0) {  // subnormal: mant * 2^(1 - bias - M), exact in fp32
      const float v = std::ldexp(float(mant), 1 - kBias - M);
      return sign ? -v : v;
    }
    if (exp == (1u << E) - 1)  // infinity, or a NaN made quiet with its payload kept
      return float_of(sign | 0x7f800000u | (mant ? 0x400000u | (mant << kDropped) : 0u));
    return float_of(sign | ((exp + 127 - kBias) << 23) | (mant << kDropped));
  }
};
using E4M3 = Fp8<4, 3>;
using E5M2 = Fp8<5, 2>;
static_assert(E4M3::kOverflow == 0x43780000u, "e4m3 overflows from 248");
static_assert(E5M2::kOverflow == 0x47700000u, "e5m2 overflows from 61440");

// |f| (its fp32 bits `a`, not a NaN) rounded to the nearest integer, ties to even, capped at
// 2^40 (past every integer type's range, so the cap only saturates). Integer arithmetic only,
// so the result does not depend on the host's rounding mode.
uint64_t round_magnitude(uint32_t a) {
  const uint32_t e = a >> 23;
  if (e >= 127 + 40) return uint64_t(1) << 40;  // infinity too
  if (e < 126) return 0;                         // below 0.5 (subnormals, zero)
  // |f| = m * 2^(e - 150), the implicit bit set (e >= 126: normal).
  const uint64_t m = (a & 0x7fffffu) | 0x800000u;
  if (e >= 150) return m << (e - 150);
  const uint32_t shift = 150 - e;  // 1 .. 24
  const uint64_t q = m >> shift, rem = m & ((uint64_t(1) << shift) - 1), half = uint64_t(1) << (shift - 1);
  return q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
}

// Little-endian two's-complement integers of each width, read and written as int64.
int64_t load_int(const uint8_t* p, DType t) {
  switch (t) {
    case DType::I8: return int8_t(*p);
    case DType::U8: return *p;
    case DType::I16: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case DType::U16: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case DType::I32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::U32: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: return 0;
  }
}

void store_int(uint8_t* p, DType t, int64_t v) {
  switch (dtype_size(t)) {
    case 1: *p = uint8_t(v); return;
    case 2: { const uint16_t w = uint16_t(v); std::memcpy(p, &w, 2); return; }
    default: { const uint32_t w = uint32_t(v); std::memcpy(p, &w, 4); return; }
  }
}
}  // namespace

size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::BF16:
    case DType::F16: return 2;
    case DType::F8E4M3:
    case DType::F8E5M2:
    case DType::I8:
    case DType::U8: return 1;
    case DType::I16:
    case DType::U16: return 2;
    case DType::I32:
    case DType::U32: return 4;
  }
  return 4;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "float32";
    case DType::BF16: return "bfloat16";
    case DType::F16: return "float16";
    case DType::F8E4M3: return "float8_e4m3";
    case DType::F8E5M2: return "float8_e5m2";
    case DType::I8: return "int8";
    case DType::U8: return "uint8";
    case DType::I16: return "int16";
    case DType::U16: return "uint16";
    case DType::I32: return "int32";
    case DType::U32: return "uint32";
  }
  return "?";
}

// The fp8 types go by nki.language's names only: float8_e4m3fn (OCP, Trn3) is another format.
bool parse_dtype(const std::string& s, DType& out) {
  if (s == "float32" || s == "fp32") out = DType::F32;
  else if (s == "bfloat16" || s == "bf16") out = DType::BF16;
  else if (s == "float16" || s == "fp16") out = DType::F16;
  else if (s == "float8_e4m3") out = DType::F8E4M3;
  else if (s == "float8_e5m2") out = DType::F8E5M2;
  else if (s == "int8") out = DType::I8;
  else if (s == "uint8") out = DType::U8;
  else if (s == "int16") out = DType::I16;
  else if (s == "uint16") out = DType::U16;
  else if (s == "int32") out = DType::I32;
  else if (s == "uint32") out = DType::U32;
  else return false;
  return true;
}

bool is_fp8(DType t) { return t == DType::F8E4M3 || t == DType::F8E5M2; }

bool is_integer(DType t) { return t >= DType::I8 && t <= DType::U32; }

int64_t int_min(DType t) {
  switch (t) {
    case DType::I8: return -128;
    case DType::I16: return -32768;
    case DType::I32: return -2147483648LL;
    default: return 0;
  }
}

int64_t int_max(DType t) {
  switch (t) {
    case DType::I8: return 127;
    case DType::U8: return 255;
    case DType::I16: return 32767;
    case DType::U16: return 65535;
    case DType::I32: return 2147483647LL;
    case DType::U32: return 4294967295LL;
    default: return 0;
  }
}

int64_t f32_to_int(DType t, float f) {
  const uint32_t u = bits_of(f), a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return 0;  // NaN
  const int64_t mag = int64_t(round_magnitude(a));
  const int64_t v = (u >> 31) ? -mag : mag;
  return std::min(std::max(v, int_min(t)), int_max(t));
}

float int_to_f32(int64_t v) {
  const bool neg = v < 0;
  uint64_t mag = neg ? uint64_t(0) - uint64_t(v) : uint64_t(v);
  if (mag >= (uint64_t(1) << 24)) {
    // Keep the top 24 bits, rounding the rest to nearest even; a carry to 2^24 drops a bit.
    int shift = 0;
    while ((mag >> shift) >= (uint64_t(1) << 24)) ++shift;
    const uint64_t q = mag >> shift, rem = mag & ((uint64_t(1) << shift) - 1), half = uint64_t(1) << (shift - 1);
    const uint64_t r = q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
    const float f = std::ldexp(float(r), shift);  // r <= 2^24: exact, and so is the scaling
    return neg ? -f : f;
  }
  const float f = float(mag);  // < 2^24: exact
  return neg ? -f : f;
}

uint16_t f32_to_bf16(float f) { return bf16_rne(f); }

float bf16_to_f32(uint16_t h) { return float_of(uint32_t(h) << 16); }

uint16_t f32_to_f16(float f) {
  const uint32_t u = bits_of(f);
  const uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  const uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return uint16_t(sign | 0x7e00u | ((a >> 13) & 0x3ffu));  // NaN, quiet
  if (a >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to >= 65520: Inf
  if (a < 0x38800000u) {
    // Result is subnormal (or zero) in fp16: the value in units of 2^-24, rounded to nearest
    // even with integer arithmetic (independent of the floating-point rounding mode).
    // |f| = m * 2^(e - 150) with the implicit bit for normals; f32 subnormals use e = 1.
    const uint32_t e = a >> 23;
    const uint32_t m = e ? ((a & 0x7fffffu) | 0x800000u) : (a & 0x7fffffu);
    const uint32_t shift = 126u - (e ? e : 1u);  // >= 14 because e <= 112 here
    if (shift > 24) return sign;                 // below half of 2^-24 (m < 2^24): rounds to 0
    uint32_t q = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;  // may carry into the smallest normal
    return uint16_t(sign | q);
  }
  // Normal: rebias exponent (127 -> 15) and round the 13 dropped mantissa bits to nearest even.
  const uint32_t rebased = a - (uint32_t(127 - 15) << 23);
  const uint32_t rounding = 0xfffu + ((rebased >> 13) & 1u);
  return uint16_t(sign | ((rebased + rounding) >> 13));
}

uint8_t f32_to_f8e4m3(float f) { return E4M3::encode(f); }
float f8e4m3_to_f32(uint8_t h) { return E4M3::decode(h); }
uint8_t f32_to_f8e5m2(float f) { return E5M2::encode(f); }
float f8e5m2_to_f32(uint8_t h) { return E5M2::decode(h); }

float f16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0) {
    const float v = float(mant) / 16777216.0f;  // subnormal: mant * 2^-24, exact
    return sign ? -v : v;
  }
  if (exp == 31) return float_of(sign | 0x7f800000u | (mant << 13));
  return float_of(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

float round_to(DType t, float f) {
  switch (t) {
    case DType::F32: return f;
    case DType::BF16: return bf16_to_f32(f32_to_bf16(f));
    case DType::F16: return f16_to_f32(f32_to_f16(f));
    case DType::F8E4M3: return f8e4m3_to_f32(f32_to_f8e4m3(f));
    case DType::F8E5M2: return f8e5m2_to_f32(f32_to_f8e5m2(f));
    case DType::I8:
    case DType::U8:
    case DType::I16:
    case DType::U16:
    case DType::I32:
    case DType::U32: return int_to_f32(f32_to_int(t, f));
  }
  return f;
}

float load_element(const uint8_t* p, DType t) {
  if (t == DType::F32) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  if (t == DType::F8E4M3) return f8e4m3_to_f32(*p);
  if (t == DType::F8E5M2) return f8e5m2_to_f32(*p);
  if (is_integer(t)) return int_to_f32(load_int(p, t));
  uint16_t h;
  std::memcpy(&h, p, 2);
  return t == DType::BF16 ? bf16_to_f32(h) : f16_to_f32(h);
}

void store_element(uint8_t* p, DType t, float v) {
  if (t == DType::F32) {
    std::memcpy(p, &v, 4);
    return;
  }
  if (t == DType::F8E4M3) {
    *p = f32_to_f8e4m3(v);
    return;
  }
  if (t == DType::F8E5M2) {
    *p = f32_to_f8e5m2(v);
    return;
  }
  if (is_integer(t)) {
    store_int(p, t, f32_to_int(t, v));
    return;
  }
  const uint16_t h = t == DType::BF16 ? f32_to_bf16(v) : f32_to_f16(v);
  std::memcpy(p, &h, 2);
}

namespace {

// fp16 -> fp32 of every 16-bit pattern, made once by f16_to_f32 itself so it is exact.
const float* f16_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (uint32_t h = 0; h < 65536; ++h) t[h] = f16_to_f32(uint16_t(h));
    return t;
  }();
  return table.data();
}

// fp8 -> fp32 of every 8-bit pattern of one format, made once by its decoder.
template <class Format>
const float* fp8_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(256);
    for (uint32_t h = 0; h < 256; ++h) t[h] = Format::decode(uint8_t(h));
    return t;
  }();
  return table.data();
}

void load_fp8(const uint8_t* p, int64_t stride, const float* table, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = table[p[i * stride]];
}

template <class Format>
void store_fp8(uint8_t* p, int64_t stride, int64_t n, const float* in) {
  for (int64_t i = 0; i < n; ++i) p[i * stride] = Format::encode(in[i]);
}

// The loops below are the hot path of every simulated copy and matmul: written so that the
// compiler vectorises the contiguous case (plain shifts and selects, no calls). Built for
// AVX2 hosts and for baseline x86-64 (whose SSE2 has no 32-to-16-bit pack), chosen at load
// time; integer operations only, so both give the same bits.
__attribute__((target_clones("avx2", "default"))) void load_bf16(const uint8_t* p, int64_t stride, int64_t n, float* out) {
  if (stride == 2) {
    for (int64_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      out[i] = float_of(uint32_t(h) << 16);
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, p + i * stride, 2);
    out[i] = float_of(uint32_t(h) << 16);
  }
}

__attribute__((target_clones("avx2", "default"))) void store_bf16(uint8_t* p, int64_t stride, int64_t n,
                                                                  const float* in) {
  if (stride == 2) {
    for (int64_t i = 0; i < n; ++i) {
      const uint16_t h = bf16_rne(in[i]);
      std::memcpy(p + 2 * i, &h, 2);
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t h = bf16_rne(in[i]);
    std::memcpy(p + i * stride, &h, 2);
  }
}

}  // namespace

void load_elements(const uint8_t* p, int64_t stride, DType t, int64_t n, float* out) {
  switch (t) {
    case DType::F32:
      if (stride == 4) {
        std::memcpy(out, p, size_t(n) * 4);
      } else {
        for (int64_t i = 0; i < n; ++i) std::memcpy(&out[i], p + i * stride, 4);
      }
      return;
    case DType::BF16:
      load_bf16(p, stride, n, out);
      return;
    case DType::F16: {
      const float* table = f16_table();
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, p + i * stride, 2);
        out[i] = table[h];
      }
      return;
    }
    case DType::F8E4M3:
      load_fp8(p, stride, fp8_table<E4M3>(), n, out);
      return;
    case DType::F8E5M2:
      load_fp8(p, stride, fp8_table<E5M2>(), n, out);
      return;
    case DType::I8:
    case DType::U8:
    case DType::I16:
    case DType::U16:
    case DType::I32:
    case DType::U32:
      for (int64_t i = 0; i < n; ++i) out[i] = int_to_f32(load_int(p + i * stride, t));
      return;
  }
}

void store_elements(uint8_t* p, int64_t stride, DType t, int64_t n, const float* in) {
  switch (t) {
    case DType::F32:
      if (stride == 4) {
        std::memcpy(p, in, size_t(n) * 4);
      } else {
        for (int64_t i = 0; i < n; ++i) std::memcpy(p + i * stride, &in[i], 4);
      }
      return;
    case DType::BF16:
      store_bf16(p, stride, n, in);
      return;
    case DType::F16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = f32_to_f16(in[i]);
        std::memcpy(p + i * stride, &h, 2);
      }
      return;
    case DType::F8E4M3:
      store_fp8<E4M3>(p, stride, n, in);
      return;
    case DType::F8E5M2:
      store_fp8<E5M2>(p, stride, n, in);
      return;
    case DType::I8:
    case DType::U8:
    case DType::I16:
    case DType::U16:
    case DType::I32:
    case DType::U32:
      for (int64_t i = 0; i < n; ++i) store_int(p + i * stride, t, f32_to_int(t, in[i]));
      return;
  }
}

}  // namespace trn2::isa

#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
namespace trn2::isa {
// F8E4M3 and F8E5M2 are nki.language's float8_e4m3 (1S,4E,3M) and float8_e5m2 (1S,5E,2M), the
// fp8 formats trn2 runs. Both are IEEE-754-style, as ml_dtypes defines its float8_e4m3 and
// float8_e5m2 (the NKI simulator's fp8 storage): exponent bias 7 and 15, subnormals at exponent
// 0, infinities and NaNs at exponent all-ones; the largest finite values are 240 and 57344.
// (float8_e4m3fn, the OCP format with no infinity and 448 at the top, is Trn3's: the compiler
// refuses it on Trn1/Trn2, error NCC_EVRF051.)
//
// I8 .. U32 are nki.language's int8, uint8, int16, uint16, int32 and uint32 (two's complement,
// little-endian). The engines and the DMA compute in fp32 (nki.isa: arithmetic operators
// "convert input elements into float32"), so an integer is read as the nearest fp32 (exact up
// to 16 bits and for |x| <= 2^24; int32/uint32 beyond round to nearest even) and written by
// rounding to the nearest integer, ties to even, saturating to the type's range, NaN -> 0 (an
// assumption: the Neuron docs do not say; docs/timing-model.md, Integers).
enum class DType : uint8_t { F32, BF16, F16, F8E4M3, F8E5M2, I8, U8, I16, U16, I32, U32 };
constexpr int kNumDTypes = 11;
size_t dtype_size(DType t);
// float32, bfloat16, float16, float8_e4m3, float8_e5m2, int8, uint8, int16, uint16, int32, uint32
const char* dtype_name(DType t);
bool parse_dtype(const std::string& s, DType& out);
bool is_fp8(DType t);
bool is_integer(DType t);  // int8 .. uint32
// The integer types' ranges, [lo, hi] (only for is_integer types).
int64_t int_min(DType t);
int64_t int_max(DType t);
// fp32 -> integer of type t: round to nearest, ties to even; values past the range (infinities
// included) saturate to its ends; NaN becomes 0.
int64_t f32_to_int(DType t, float f);
// An integer (in t's range) -> fp32: exact to 2^24, then round to nearest even.
float int_to_f32(int64_t v);
uint16_t f32_to_bf16(float f);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float f16_to_f32(uint16_t h);
// Round to nearest even; magnitudes from the largest finite value plus half an ulp up (248
// and 61440) become infinities, as IEEE conversion does (no saturation); a NaN becomes the
// quiet NaN of its sign (exponent all-ones, top mantissa bit set: 0x7c / 0x7e).
uint8_t f32_to_f8e4m3(float f);
float f8e4m3_to_f32(uint8_t h);
uint8_t f32_to_f8e5m2(float f);
float f8e5m2_to_f32(uint8_t h);
float round_to(DType t, float f);
float load_element(const uint8_t* p, DType t);
void store_element(uint8_t* p, DType t, float v);
// `n` elements `stride` bytes apart, converted as load_element/store_element would, one
// call per run of elements: the simulator's datapath moves whole rows through these.
void load_elements(const uint8_t* p, int64_t stride, DType t, int64_t n, float* out);
void store_elements(uint8_t* p, int64_t stride, DType t, int64_t n, const float* in);
}

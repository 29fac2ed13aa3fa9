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
enum class DType : uint8_t { F32, BF16, F16, F8E4M3, F8E5M2 };
constexpr int kNumDTypes = 5;
size_t dtype_size(DType t);
const char* dtype_name(DType t);  // float32, bfloat16, float16, float8_e4m3, float8_e5m2
bool parse_dtype(const std::string& s, DType& out);
bool is_fp8(DType t);
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

#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
namespace trn2::isa {
enum class DType : uint8_t { F32, BF16, F16 };
size_t dtype_size(DType t);
const char* dtype_name(DType t);
bool parse_dtype(const std::string& s, DType& out);
uint16_t f32_to_bf16(float f);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float f16_to_f32(uint16_t h);
float round_to(DType t, float f);
float load_element(const uint8_t* p, DType t);
void store_element(uint8_t* p, DType t, float v);
// `n` elements `stride` bytes apart, converted as load_element/store_element would, one
// call per run of elements: the simulator's datapath moves whole rows through these.
void load_elements(const uint8_t* p, int64_t stride, DType t, int64_t n, float* out);
void store_elements(uint8_t* p, int64_t stride, DType t, int64_t n, const float* in);
}

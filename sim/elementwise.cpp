#include "sim/elementwise.h"

#include <algorithm>
#include <cmath>

namespace trn2::sim {

namespace {

// In fp32, as the engines' ALUs compute (a comparison gives 1.0 or 0.0).
float alu(isa::AluOp op, float a, float b) {
  switch (op) {
    case isa::AluOp::Add: return a + b;
    case isa::AluOp::Subtract: return a - b;
    case isa::AluOp::Multiply: return a * b;
    case isa::AluOp::Max: return std::max(a, b);
    case isa::AluOp::Min: return std::min(a, b);
    case isa::AluOp::Divide: return a / b;
    case isa::AluOp::Pow: return std::pow(a, b);
    case isa::AluOp::IsEqual: return a == b ? 1.0f : 0.0f;
    case isa::AluOp::IsGt: return a > b ? 1.0f : 0.0f;
    case isa::AluOp::IsGe: return a >= b ? 1.0f : 0.0f;
    case isa::AluOp::IsLt: return a < b ? 1.0f : 0.0f;
    case isa::AluOp::IsLe: return a <= b ? 1.0f : 0.0f;
  }
  return 0.0f;
}

// In fp32 (ACT's lookup tables approximate these; the model gives the function itself).
float activate(isa::ActFunc f, float x) {
  switch (f) {
    case isa::ActFunc::Identity: return x;
    case isa::ActFunc::Relu: return x > 0.0f ? x : 0.0f;
    case isa::ActFunc::Exp: return std::exp(x);
    case isa::ActFunc::Tanh: return std::tanh(x);
    case isa::ActFunc::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case isa::ActFunc::Silu: return x / (1.0f + std::exp(-x));
    case isa::ActFunc::Gelu: return 0.5f * x * (1.0f + std::erf(x * 0.70710678f));
    case isa::ActFunc::Rsqrt: return 1.0f / std::sqrt(x);
    case isa::ActFunc::Sqrt: return std::sqrt(x);
    case isa::ActFunc::Square: return x * x;
  }
  return 0.0f;
}

// dst = f(src), element by element, a partition row at a time.
template <typename F>
void map_rows(const isa::Instruction& in, const CoreMemory& m, F&& f) {
  const int64_t n = in.dst.free_elements();
  float* row = scratch_row(0, size_t(n));
  const Rows src = rows_of(m, in.src), dst = rows_of(m, in.dst);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    load_row(m, in.src, src, p, row);
    for (int64_t j = 0; j < n; ++j) row[j] = f(row[j]);
    store_row(m, in.dst, dst, p, row);
  }
}

}  // namespace

void tensor_tensor(const isa::Instruction& in, const CoreMemory& m) {
  const int64_t n = in.dst.free_elements();
  float* a = scratch_row(0, size_t(n));
  float* b = scratch_row(1, size_t(n));
  const Rows src = rows_of(m, in.src), src2 = rows_of(m, in.src2), dst = rows_of(m, in.dst);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    load_row(m, in.src, src, p, a);
    load_row(m, in.src2, src2, p, b);
    for (int64_t j = 0; j < n; ++j) a[j] = alu(in.alu, a[j], b[j]);
    store_row(m, in.dst, dst, p, a);
  }
}

void tensor_scalar(const isa::Instruction& in, const CoreMemory& m) {
  map_rows(in, m, [&](float x) { return alu(in.alu, x, in.value); });
}

void activation(const isa::Instruction& in, const CoreMemory& m) {
  map_rows(in, m, [&](float x) { return activate(in.func, x * in.scale + in.bias); });
}

void tensor_reduce(const isa::Instruction& in, const CoreMemory& m) {
  const int64_t n = in.src.free_elements();
  float* row = scratch_row(0, size_t(n));
  float out = 0.0f;
  const Rows src = rows_of(m, in.src), dst = rows_of(m, in.dst);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    load_row(m, in.src, src, p, row);
    float acc = row[0];
    for (int64_t j = 1; j < n; ++j) acc = alu(in.alu, acc, row[j]);
    out = in.negate ? -acc : acc;
    store_row(m, in.dst, dst, p, &out);
  }
}

void iota(const isa::Instruction& in, const CoreMemory& m) {
  // Element f of partition p (both counted within the pattern) = start + f*step + p*partition_step.
  const int64_t n = in.dst.free_elements();
  float* row = scratch_row(0, size_t(n));
  const Rows dst = rows_of(m, in.dst);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    for (int64_t f = 0; f < n; ++f) row[f] = in.value + float(f) * in.scale + float(p) * in.bias;
    store_row(m, in.dst, dst, p, row);
  }
}

}  // namespace trn2::sim

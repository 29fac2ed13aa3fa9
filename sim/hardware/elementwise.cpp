#include "sim/hardware/elementwise.h"

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

// The per-partition values of an instruction's operands: the immediate, or partition p's
// element of the operand's [P, 1] pattern.
struct Operands {
  Operands(const isa::Instruction& in, const CoreMemory& m, float imm0, float imm1)
      : in_(in), m_(m), imm0_(imm0), imm1_(imm1) {
    if (in.operand0_tile) rows0_ = rows_of(m, in.operand0);
    if (in.operand1_tile) rows1_ = rows_of(m, in.operand1);
  }
  float first(int p) const { return in_.operand0_tile ? value(in_.operand0, rows0_, p) : imm0_; }
  float second(int p) const { return in_.operand1_tile ? value(in_.operand1, rows1_, p) : imm1_; }

 private:
  float value(const isa::AccessPattern& a, const Rows& rows, int p) const {
    float v = 0.0f;
    load_row(m_, a, rows, p, &v);
    return v;
  }
  const isa::Instruction& in_;
  const CoreMemory& m_;
  float imm0_, imm1_;
  Rows rows0_{}, rows1_{};
};

void tensor_scalar(const isa::Instruction& in, const CoreMemory& m) {
  const int64_t n = in.dst.free_elements();
  float* row = scratch_row(0, size_t(n));
  const Rows src = rows_of(m, in.src), dst = rows_of(m, in.dst);
  const Operands ops(in, m, in.value, in.value1);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    const float s0 = ops.first(p), s1 = ops.second(p);
    load_row(m, in.src, src, p, row);
    for (int64_t j = 0; j < n; ++j) row[j] = in.reverse0 ? alu(in.alu, s0, row[j]) : alu(in.alu, row[j], s0);
    if (in.two_ops)
      for (int64_t j = 0; j < n; ++j) row[j] = in.reverse1 ? alu(in.alu1, s1, row[j]) : alu(in.alu1, row[j], s1);
    store_row(m, in.dst, dst, p, row);
  }
}

void scalar_tensor_tensor(const isa::Instruction& in, const CoreMemory& m) {
  const int64_t n = in.dst.free_elements();
  float* a = scratch_row(0, size_t(n));
  float* b = scratch_row(1, size_t(n));
  const Rows src = rows_of(m, in.src), src2 = rows_of(m, in.src2), dst = rows_of(m, in.dst);
  const Operands ops(in, m, in.value, 0.0f);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    const float s = ops.first(p);
    load_row(m, in.src, src, p, a);
    load_row(m, in.src2, src2, p, b);
    for (int64_t j = 0; j < n; ++j) {
      const float first = in.reverse0 ? alu(in.alu, s, a[j]) : alu(in.alu, a[j], s);
      a[j] = in.reverse1 ? alu(in.alu1, b[j], first) : alu(in.alu1, first, b[j]);
    }
    store_row(m, in.dst, dst, p, a);
  }
}

void activation(const isa::Instruction& in, const CoreMemory& m) {
  const int64_t n = in.dst.free_elements();
  float* row = scratch_row(0, size_t(n));
  const Rows src = rows_of(m, in.src), dst = rows_of(m, in.dst);
  const Rows sums = in.reduce_tile ? rows_of(m, in.reduce_res) : Rows{};
  const Operands ops(in, m, in.scale, in.bias);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    const float scale = ops.first(p), bias = ops.second(p);
    load_row(m, in.src, src, p, row);
    for (int64_t j = 0; j < n; ++j) row[j] = activate(in.func, row[j] * scale + bias);
    if (in.reduce_tile) {
      // The fp32 results, before dst's rounding, added in order along the free dimension.
      float sum = 0.0f;
      for (int64_t j = 0; j < n; ++j) sum += row[j];
      store_row(m, in.reduce_res, sums, p, &sum);
    }
    store_row(m, in.dst, dst, p, row);
  }
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

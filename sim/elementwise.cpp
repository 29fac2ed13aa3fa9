#include "sim/elementwise.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace trn2::sim {

float alu(isa::AluOp op, float a, float b) {
  switch (op) {
    case isa::AluOp::Add: return a + b;
    case isa::AluOp::Subtract: return a - b;
    case isa::AluOp::Multiply: return a * b;
    case isa::AluOp::Max: return std::max(a, b);
  }
  return 0.0f;
}

namespace {

float activate(isa::ActFunc f, float x) {
  switch (f) {
    case isa::ActFunc::Identity: return x;
    case isa::ActFunc::Relu: return x > 0.0f ? x : 0.0f;
    case isa::ActFunc::Exp: return std::exp(x);
  }
  return 0.0f;
}

// dst = f(src), element by element, a partition row at a time.
template <typename F>
void map_rows(const isa::Instruction& in, const CoreMemory& m, F&& f) {
  std::vector<float> row(size_t(in.dst.free_elements()));
  for (int p = 0; p < in.dst.partition_count; ++p) {
    gather_row(m, in.src, p, row.data());
    for (float& x : row) x = f(x);
    scatter_row(m, in.dst, p, row.data());
  }
}

}  // namespace

void tensor_tensor(const isa::Instruction& in, const CoreMemory& m) {
  const size_t n = size_t(in.dst.free_elements());
  std::vector<float> a(n), b(n);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    gather_row(m, in.src, p, a.data());
    gather_row(m, in.src2, p, b.data());
    for (size_t f = 0; f < n; ++f) a[f] = alu(in.alu, a[f], b[f]);
    scatter_row(m, in.dst, p, a.data());
  }
}

void tensor_scalar(const isa::Instruction& in, const CoreMemory& m) {
  map_rows(in, m, [&](float x) { return alu(in.alu, x, in.value); });
}

void activation(const isa::Instruction& in, const CoreMemory& m) {
  map_rows(in, m, [&](float x) { return activate(in.func, x * in.scale + in.bias); });
}

void iota(const isa::Instruction& in, const CoreMemory& m) {
  // Element f of partition p (both counted within the pattern) = start + f*step + p*partition_step.
  const size_t n = size_t(in.dst.free_elements());
  std::vector<float> row(n);
  for (int p = 0; p < in.dst.partition_count; ++p) {
    for (size_t f = 0; f < n; ++f) row[f] = in.value + float(f) * in.scale + float(p) * in.bias;
    scatter_row(m, in.dst, p, row.data());
  }
}

}  // namespace trn2::sim

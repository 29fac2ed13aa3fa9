#include "sim/hardware/vector_engine.h"

#include <algorithm>
#include <cmath>

namespace trn2::sim {

namespace {
// BF16/FP16: the v3 performance mode's dtypes (ARCH2). fp8 and the integers (int16/uint16
// included) are not among them, so they move at the fp32 rate (ARCH2's datapath table, too,
// gives other dtypes half BF16/FP16's width).
bool is16(isa::DType t) { return t == isa::DType::BF16 || t == isa::DType::F16; }
// A memset's zero fill runs at two elements a cycle for any 2-byte dtype: the law is one of
// bytes written (int16/uint16 included; no integer-specific figure is public).
bool two_bytes(isa::DType t) { return isa::dtype_size(t) == 2; }

// tensor_tensor streams its two inputs in one pass when one comes from PSUM and the other
// from SBUF (two read ports), or when everything is contiguous in SBUF and the op is add,
// subtract or multiply; otherwise it takes two passes (nki.isa tensor_tensor cost). nki.isa
// names BF16 for the all-SBUF case; a public trn2 profile measures fp32 adds [128, 1000] and
// [128, 2000] SBUF->SBUF at one element per cycle too (1.20 and 2.24 us), so any dtype.
double tensor_tensor_passes(const isa::Instruction& in) {
  const isa::Space a = in.src.space, b = in.src2.space;
  const bool psum_and_sbuf = (a == isa::Space::PSUM) != (b == isa::Space::PSUM);
  const bool all_sbuf = a == isa::Space::SBUF && b == isa::Space::SBUF && in.dst.space == isa::Space::SBUF;
  const bool contiguous = in.src.inner_contiguous() && in.src2.inner_contiguous() && in.dst.inner_contiguous();
  const bool simple_op = in.alu != isa::AluOp::Max;
  return psum_and_sbuf || (all_sbuf && contiguous && simple_op) ? 1.0 : 2.0;
}
}  // namespace

double VectorEngine::cost_cycles(const isa::Instruction& in) const {
  const double n = double(in.dst.free_elements());
  if (in.op == isa::Opcode::Memset) {
    const bool half = in.value == 0.0f && two_bytes(in.dst.dtype);
    return std::max(hw_.min_ii_cycles, half ? std::ceil(n / 2) : n);
  }
  if (in.op == isa::Opcode::TensorTensor) return std::max(hw_.min_ii_cycles, n * tensor_tensor_passes(in));
  if (in.op == isa::Opcode::ScalarTensorTensor) {
    // nki.isa scalar_tensor_tensor (2.26 docs): N cycles when src and src2 are bf16, op0 is
    // subtract, op1 multiply and N even; else 2N.
    const bool one_pass = in.src.dtype == isa::DType::BF16 && in.src2.dtype == isa::DType::BF16 &&
                          in.alu == isa::AluOp::Subtract && in.alu1 == isa::AluOp::Multiply && int64_t(n) % 2 == 0;
    return std::max(hw_.min_ii_cycles, one_pass ? n : 2 * n);
  }
  if (in.op == isa::Opcode::TensorReduce) {
    // nki.isa tensor_reduce (2.26 docs): N/2 cycles when input and output are bf16 and the op
    // is add or max, else N; N counts the input's elements.
    const double m = double(in.src.free_elements());
    const bool half = in.src.dtype == isa::DType::BF16 && in.dst.dtype == isa::DType::BF16 &&
                      (in.alu == isa::AluOp::Add || in.alu == isa::AluOp::Max);
    return std::max(hw_.min_ii_cycles, half ? std::ceil(m / 2) : m);
  }
  double mode = 1;
  const bool sbuf_both = in.src.space == isa::Space::SBUF && in.dst.space == isa::Space::SBUF;
  const bool contiguous = in.src.inner_contiguous() && in.dst.inner_contiguous();
  if (is16(in.dst.dtype) && sbuf_both && contiguous && is16(in.src.dtype))
    mode = hw_.vector_fast_mode_sbuf;
  else if (is16(in.dst.dtype) && (is16(in.src.dtype) || in.src.space == isa::Space::PSUM))
    mode = hw_.vector_fast_mode_other;
  return std::max(hw_.min_ii_cycles, std::ceil(n / mode));
}

}  // namespace trn2::sim

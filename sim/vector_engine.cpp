#include "sim/vector_engine.h"

#include <algorithm>
#include <cmath>

namespace trn2::sim {

namespace {
bool is16(isa::DType t) { return isa::dtype_size(t) == 2; }
}  // namespace

double VectorEngine::cost_cycles(const isa::Instruction& in) const {
  const double n = double(in.dst.free_elements());
  if (in.op == isa::Opcode::Memset) {
    const bool half = in.value == 0.0f && is16(in.dst.dtype);
    return std::max(hw_.min_ii_cycles, half ? std::ceil(n / 2) : n);
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

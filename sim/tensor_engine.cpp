#include "sim/tensor_engine.h"

#include <algorithm>
#include <cmath>

namespace trn2::sim {

namespace {
double fp32_factor(const isa::Instruction& in, const HardwareConfig& hw) {
  return in.src.dtype == isa::DType::F32 ? hw.matmul_fp32_slowdown : 1.0;
}
}  // namespace

double TensorEngine::load_stationary_cycles(const isa::Instruction& in) const {
  return std::ceil(double(in.src.free_elements()) / hw_.load_stationary_speedup) * fp32_factor(in, hw_);
}

double TensorEngine::cost_cycles(const isa::Instruction& in) const {
  if (in.op == isa::Opcode::Transpose)
    return double(std::max<int64_t>(in.src.partition_count, std::min<int64_t>(64, in.src.free_elements())));
  const int64_t m = in.src.free_elements(), n = in.src2.free_elements();
  return double(std::max<int64_t>(std::min<int64_t>(64, m), n)) * fp32_factor(in, hw_);
}

ComputeEngine::Slot TensorEngine::schedule(const isa::Instruction& in, double ready_ns) {
  if (in.op != isa::Opcode::Matmul) {
    const Slot s = ComputeEngine::schedule(in, ready_ns);
    load_free_at_ns_ = s.finish_ns;
    return s;
  }
  const double load_start = std::max(ready_ns, load_free_at_ns_);
  const double load_end = load_start + cycles_to_ns(load_stationary_cycles(in));
  const double multiply_start = std::max(load_end, free_at_ns_);
  const double finish = multiply_start + cycles_to_ns(cost_cycles(in));
  load_free_at_ns_ = multiply_start;
  free_at_ns_ = finish;
  return {load_start, finish};
}

}  // namespace trn2::sim

#include "sim/hardware/tensor_engine.h"

#include <algorithm>
#include <cmath>

namespace trn2::sim {

namespace {
// fp32 streams at a quarter of the rate: a 4-byte element. A transpose of int32/uint32 (the
// only other 4-byte operands the PE takes; nc_matmul refuses integers) moves at the same rate.
double fp32_factor(const isa::Instruction& in, const HardwareConfig& hw) {
  return isa::dtype_size(in.src.dtype) == 4 ? hw.matmul_fp32_slowdown : 1.0;
}

// The cycles an operand of `free` elements per partition streams for. In double_row mode each
// PE takes matmul_fp8_double_row_speedup (2) fp8 pairs a cycle, so a [K, 2, M] x [K, 2, N]
// instruction streams its 2M and 2N elements in M and N cycles: the time of a bf16 [K, M] x
// [K, N] (the Trainium2 architecture guide: a double FP8 LoadStationary/MultiplyMoving over
// 256 contraction rows "takes the same amount of time" as a BF16 one over 128). fp8 without
// it streams one element a cycle, as bf16 (nki.isa.nc_matmul 2.26 gives float8_e4m3,
// float8_e5m2, bfloat16, float16 and tfloat32 the same cycles).
double streamed(int64_t free, const isa::Instruction& in, const HardwareConfig& hw) {
  if (in.perf_mode != isa::PerfMode::DoubleRow) return double(free);
  return std::ceil(double(free) / hw.matmul_fp8_double_row_speedup);
}
}  // namespace

double TensorEngine::load_stationary_cycles(const isa::Instruction& in) const {
  return std::ceil(streamed(in.src.free_elements(), in, hw_) / hw_.load_stationary_speedup) * fp32_factor(in, hw_);
}

double PeThrottle::limit_at(double t_ns) const {
  if (!started_ || start_limit_ >= 1.0 || t_ns >= ramp_start_ns_ + ramp_ns_) return 1.0;
  return start_limit_ + (1.0 - start_limit_) * (t_ns - ramp_start_ns_) / ramp_ns_;
}

double PeThrottle::run(double start_ns, double work_ns) {
  if (!started_ || start_ns - busy_until_ns_ >= idle_ns_) ramp_start_ns_ = start_ns;  // (re-)engaged
  started_ = true;
  const double full_at = ramp_start_ns_ + ramp_ns_;
  double end = start_ns + work_ns;
  if (start_limit_ < 1.0 && ramp_ns_ > 0 && start_ns < full_at) {
    // The limit rises linearly, L(t) = a + b (t - start): the work done by t is the area
    // under it, a d + b d^2 / 2 for d = t - start, until the ramp ends; then full rate.
    const double a = limit_at(start_ns), b = (1.0 - start_limit_) / ramp_ns_;
    const double ramp_work = (a + 1.0) / 2.0 * (full_at - start_ns);
    end = work_ns <= ramp_work ? start_ns + (std::sqrt(a * a + 2.0 * b * work_ns) - a) / b
                               : full_at + (work_ns - ramp_work);
  }
  busy_until_ns_ = end;
  return end;
}

double TensorEngine::throttled(const isa::Instruction& in, double start_ns) {
  const double end = throttle_.run(start_ns, cycles_to_ns(cost_cycles(in)));
  // A step line of the limit in force at each instruction's start, a point per change of at
  // least 1% (and the return to 1), so that a long run at full rate adds nothing.
  const double limit = throttle_.limit_at(start_ns);
  if (std::fabs(limit - traced_limit_) >= 0.01 || (limit == 1.0 && traced_limit_ != 1.0)) {
    trace_counter("pe_utilization_limit", start_ns, limit);
    traced_limit_ = limit;
  }
  return end;
}

double TensorEngine::cost_cycles(const isa::Instruction& in) const {
  if (in.op == isa::Opcode::Transpose)
    return double(std::max<int64_t>(in.src.partition_count, std::min<int64_t>(64, in.src.free_elements()))) *
           fp32_factor(in, hw_);
  // max(min(64, M), N): M the stationary's columns (per half in double_row mode), N the
  // moving's streaming cycles.
  const double m = double(std::min<int64_t>(64, isa::matmul_shape(in).m));
  return std::max(m, streamed(in.src2.free_elements(), in, hw_)) * fp32_factor(in, hw_);
}

ComputeEngine::Slot TensorEngine::schedule(const isa::Instruction& in, double ready_ns) {
  if (in.op != isa::Opcode::Matmul) {
    const double start = std::max(ready_ns, free_at_ns_);
    free_at_ns_ = load_free_at_ns_ = throttled(in, start);
    return {start, free_at_ns_};
  }
  const double load_start = std::max(ready_ns, load_free_at_ns_);
  const double load_end = load_start + cycles_to_ns(load_stationary_cycles(in));
  const double multiply_start = std::max(load_end, free_at_ns_);
  const double finish = throttled(in, multiply_start);
  load_free_at_ns_ = multiply_start;
  free_at_ns_ = finish;
  return {load_start, finish};
}

}  // namespace trn2::sim

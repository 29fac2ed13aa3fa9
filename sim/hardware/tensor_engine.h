#pragma once
// The PE array (128x128 systolic). A matmul is LoadStationary + MultiplyMoving; the next
// stationary loads in the background while the current multiply runs. A transpose is a
// matmul against the identity (the compiled stream shows LoadStationary + MultiplyMoving), so
// fp32 data moves at the fp32 rate. dI/dt throttling (PeThrottle) slows the array after idle
// spells.
#include "sim/hardware/compute_engine.h"

namespace trn2::sim {

// The PE's dI/dt throttling (Neuron Explorer's "Understanding throttling", trn2): after work
// begins the array runs at `start_limit` of its rate, ramping linearly to full over `ramp_ns`;
// utilisation under 50% over a ~3 us window re-engages the limit, which the model takes as
// an idle gap of at least `idle_ns` (half the window) before an instruction.
class PeThrottle {
 public:
  explicit PeThrottle(const HardwareConfig& hw)
      : start_limit_(hw.pe_throttle_start_limit), ramp_ns_(hw.pe_throttle_ramp_ns), idle_ns_(hw.pe_throttle_idle_ns) {}
  // When `work_ns` of full-rate PE work started at `start_ns` ends.
  double run(double start_ns, double work_ns);
  // The utilisation limit at `t_ns` (1: none).
  double limit_at(double t_ns) const;

 private:
  double start_limit_, ramp_ns_, idle_ns_;
  double ramp_start_ns_ = 0, busy_until_ns_ = 0;
  bool started_ = false;
};

class TensorEngine : public ComputeEngine {
 public:
  TensorEngine(sc_core::sc_module_name name, Scoreboard& scoreboard, const CoreMemory& memory, const HardwareConfig& hw,
               Trace& trace, int core)
      : ComputeEngine(name, isa::Engine::Tensor, hw.pe_clock_ghz, scoreboard, memory, hw, trace, core), throttle_(hw) {}

  // LoadStationary of [K, M]: ceil(M / load_stationary_speedup) cycles (fast load, ARCH1/PERF),
  // x matmul_fp32_slowdown for fp32; in double_row mode [K, 2, M] streams its 2M elements
  // matmul_fp8_double_row_speedup (2) at a time, so M again.
  double load_stationary_cycles(const isa::Instruction& in) const;

 protected:
  Slot schedule(const isa::Instruction& in, double ready_ns) override;
  // MultiplyMoving: max(min(64, M), N) cycles, x matmul_fp32_slowdown for fp32 (nki.isa
  // nc_matmul); in double_row mode moving [K, 2, N] streams its 2N elements
  // matmul_fp8_double_row_speedup (2) at a time (N cycles for a 2 x K contraction). Transpose: max(P, min(64, F)) (nki.isa nc_transpose), x matmul_fp32_slowdown
  // for fp32 (a public trn2 profile: one fp32 128 x 128 transpose per ~214 ns).
  double cost_cycles(const isa::Instruction& in) const override;

 private:
  // The multiply (or transpose) of `in` from `start_ns` at the throttled rate: its end.
  double throttled(const isa::Instruction& in, double start_ns);

  double load_free_at_ns_ = 0;  // the stationary buffer frees when the multiply using it starts
  PeThrottle throttle_;
  double traced_limit_ = -1;  // the last utilisation limit put on the trace's counter
};

}  // namespace trn2::sim

#pragma once
// The PE array (128x128 systolic). A matmul is LoadStationary + MultiplyMoving; the next
// stationary loads in the background while the current multiply runs.
#include "sim/compute_engine.h"

namespace trn2::sim {

class TensorEngine : public ComputeEngine {
 public:
  TensorEngine(sc_core::sc_module_name name, Scoreboard& scoreboard, const CoreMemory& memory, const HardwareConfig& hw,
               Trace& trace, int core)
      : ComputeEngine(name, isa::Engine::Tensor, hw.pe_clock_ghz, scoreboard, memory, hw, trace, core) {}

  // LoadStationary of [K, M]: ceil(M / load_stationary_speedup) cycles (fast load, ARCH1/PERF),
  // x matmul_fp32_slowdown for fp32.
  double load_stationary_cycles(const isa::Instruction& in) const;

 protected:
  Slot schedule(const isa::Instruction& in, double ready_ns) override;
  // MultiplyMoving: max(min(64, M), N) cycles, x matmul_fp32_slowdown for fp32 (nki.isa
  // nc_matmul). Transpose: max(P, min(64, F)) (nki.isa nc_transpose).
  double cost_cycles(const isa::Instruction& in) const override;

 private:
  double load_free_at_ns_ = 0;  // the stationary buffer frees when the multiply using it starts
};

}  // namespace trn2::sim

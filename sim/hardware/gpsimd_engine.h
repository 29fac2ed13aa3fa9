#pragma once
// GpSimdE (POOL), 1.2 GHz, 8 cores x 512-bit SIMD.
// tensor_copy, memset, tensor_tensor and tensor_scalar cost max(MIN_II, N) cycles, N =
// elements per partition (each of the 8 cores serves 16 partitions with 512-bit SIMD: one
// fp32 element per partition per cycle; no public figure gives more); iota costs a fixed
// ~150 cycles + N (nki.isa).
#include <algorithm>

#include "sim/hardware/compute_engine.h"

namespace trn2::sim {

class GpSimdEngine : public ComputeEngine {
 public:
  GpSimdEngine(sc_core::sc_module_name name, Scoreboard& scoreboard, const CoreMemory& memory, const HardwareConfig& hw,
               Trace& trace, int core)
      : ComputeEngine(name, isa::Engine::GpSimd, hw.pool_clock_ghz, scoreboard, memory, hw, trace, core) {}

  double cost_cycles(const isa::Instruction& in) const override {
    const double n = double(in.dst.free_elements());
    if (in.op == isa::Opcode::Iota) return hw_.iota_overhead_cycles + n;
    return std::max(hw_.min_ii_cycles, n);
  }
};

}  // namespace trn2::sim

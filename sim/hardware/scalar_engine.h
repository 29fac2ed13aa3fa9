#pragma once
// ScalarE (ACT), 1.2 GHz, 128 lanes, one input tensor per instruction.
// tensor_copy, memset and activation cost max(MIN_II, N) cycles, N = elements per partition
// (nki.isa); each result comes act_fixed_latency_ns later (a public trn2 profile: ~157 ns).
#include <algorithm>

#include "sim/hardware/compute_engine.h"

namespace trn2::sim {

class ScalarEngine : public ComputeEngine {
 public:
  ScalarEngine(sc_core::sc_module_name name, Scoreboard& scoreboard, const CoreMemory& memory, const HardwareConfig& hw,
               Trace& trace, int core)
      : ComputeEngine(name, isa::Engine::Scalar, hw.act_clock_ghz, scoreboard, memory, hw, trace, core) {}

  double cost_cycles(const isa::Instruction& in) const override {
    return std::max(hw_.min_ii_cycles, double(in.dst.free_elements()));
  }
  double fixed_latency_ns() const override { return hw_.act_fixed_latency_ns; }
};

}  // namespace trn2::sim

#pragma once
// VectorE (DVE), 0.96 GHz, 128 lanes. tensor_copy: max(MIN_II, N) cycles, N divided by the
// v3 performance mode (4x 16-bit SBUF->SBUF contiguous, 2x 16-bit strided or from PSUM);
// tensor_scalar: as tensor_copy; tensor_tensor: max(MIN_II, N) or max(MIN_II, 2N) (see
// tensor_tensor_passes); memset: max(MIN_II, N/2) for a zero fill of a 16-bit dtype, else
// max(MIN_II, N); tensor_reduce: max(MIN_II, N/2) for bf16 add or max, else max(MIN_II, N),
// N the input's elements (nki.isa, ARCH2). Each result comes dve_fixed_latency_ns after the
// instruction's cycles (a public trn2 profile: ~156 ns over N cycles).
#include "sim/hardware/compute_engine.h"

namespace trn2::sim {

class VectorEngine : public ComputeEngine {
 public:
  VectorEngine(sc_core::sc_module_name name, Scoreboard& scoreboard, const CoreMemory& memory, const HardwareConfig& hw,
               Trace& trace, int core)
      : ComputeEngine(name, isa::Engine::Vector, hw.dve_clock_ghz, scoreboard, memory, hw, trace, core) {}

  double cost_cycles(const isa::Instruction& in) const override;
  double fixed_latency_ns() const override { return hw_.dve_fixed_latency_ns; }
};

}  // namespace trn2::sim

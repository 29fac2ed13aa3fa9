#pragma once
// ScalarE (ACT), 1.2 GHz, 128 lanes, one input tensor per instruction.
// tensor_copy, memset and activation cost max(MIN_II, N) cycles, N = elements per partition
// (nki.isa); each result comes act_fixed_latency_ns later (a public trn2 profile: ~157 ns).
// An activation whose function's table is not the one loaded first loads it:
// act_table_load_ns (public trn2 profiles: ACT_TABLE_LOAD 1283 ns). The kernel's first table
// is loaded in the NEFF's preamble, before its first DMA, so it costs the body nothing; the
// identity (a copy) needs no table. Which functions share a table is not public: each other
// function is taken to have its own (docs/timing-model.md).
#include <algorithm>
#include <optional>

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

  // The table load, if any, runs on the engine just before the activation.
  Slot schedule(const isa::Instruction& in, double ready_ns) override {
    Slot slot = ComputeEngine::schedule(in, ready_ns);
    const double load = table_load_ns(in);
    free_at_ns_ += load;
    slot.finish_ns += load;
    return slot;
  }

 private:
  double table_load_ns(const isa::Instruction& in) {
    if (in.op != isa::Opcode::Activation || in.func == isa::ActFunc::Identity) return 0.0;
    const bool first = !loaded_.has_value();
    if (!first && *loaded_ == in.func) return 0.0;
    loaded_ = in.func;
    return first ? 0.0 : hw_.act_table_load_ns;
  }
  std::optional<isa::ActFunc> loaded_;  // the function whose table ACT holds
};

}  // namespace trn2::sim

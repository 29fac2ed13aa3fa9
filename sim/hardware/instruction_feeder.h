#pragma once
// The front end of a streamed run: one SC_THREAD per core runs the kernel's emitter, which
// puts each instruction here as it makes it. The instruction is validated, checked for
// races (isa::HazardChecker) and pushed into the core's scoreboard, which holds the emitter
// back while the window is full. Emitting takes no simulated time.
#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "isa/hazards.h"
#include "isa/sink.h"
#include "isa/validate.h"
#include "sim/simulation/hazard_gate.h"
#include "sim/hardware/scoreboard.h"

namespace trn2::sim {

// Emits core `core`'s stream into `sink` in order; returns the core's allocation records
// (wanted only when `keep_allocations`). Throws what the kernel throws.
using CoreEmitter =
    std::function<std::vector<isa::Allocation>(int core, isa::InstructionSink& sink, bool keep_allocations)>;

class InstructionFeeder : public sc_core::sc_module, private isa::InstructionSink {
 public:
  // `header`: the program without its streams (tensors, HBM size, one empty stream per core).
  InstructionFeeder(sc_core::sc_module_name name, const isa::Program& header, const isa::Limits& limits,
                    CoreEmitter emit, std::vector<Scoreboard*> scoreboards, HazardMode hazards);

  // Every core's allocation records, once the run is over: only when the scoreboards keep
  // their history (a traced run), since the trace's occupancy counters are their one use.
  const std::vector<isa::Allocation>& allocations() const { return allocations_; }

 private:
  void run(int core);
  void put(int core, const isa::Instruction& in) override;

  const isa::Program& header_;
  isa::Limits limits_;
  CoreEmitter emit_;
  std::vector<Scoreboard*> scoreboards_;
  HazardMode hazard_mode_;
  std::unique_ptr<isa::HazardChecker> hazards_;
  size_t hazards_reported_ = 0;
  size_t finished_ = 0;  // emitters done
  std::vector<isa::Allocation> allocations_;
};

}  // namespace trn2::sim

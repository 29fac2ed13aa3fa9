#pragma once
// An engine with its sequencer: runs its own instruction stream in order, each instruction
// starting when the engine is free and its dependencies' semaphores have been signalled.
// Subclasses give the engine's cost laws (in its own clock's cycles).
#include <systemc>
#include <vector>

#include "isa/instruction.h"
#include "sim/hardware/datapath.h"
#include "sim/configuration/hardware_config.h"
#include "sim/hardware/scoreboard.h"
#include "sim/hardware/stats.h"
#include "sim/reporting/timeline.h"
#include "sim/reporting/trace.h"

namespace trn2::sim {

class ComputeEngine : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(ComputeEngine);
  ComputeEngine(sc_core::sc_module_name name, isa::Engine kind, double clock_ghz, Scoreboard& scoreboard,
                const CoreMemory& memory, const HardwareConfig& hw, Trace& trace, int core);

  const EngineStats& stats() const { return stats_; }
  void record_timeline(Timeline* t, int track) {
    timeline_ = t;
    timeline_track_ = track;
  }
  // Puts each instruction's busy time at its index in `ns` (sized to the core's stream).
  void record_instruction_times(std::vector<double>* ns) { instruction_ns_ = ns; }
  isa::Engine engine_kind() const { return kind_; }

 protected:
  struct Slot {
    double start_ns, finish_ns;
  };
  // When instruction `in`, ready at `ready_ns`, starts and finishes. The default: it starts
  // when the engine is free and keeps the engine for cost_cycles() of its clock; its result
  // is there fixed_latency_ns() later (the pipeline's depth), which the next instruction
  // does not wait for unless it depends on this one.
  virtual Slot schedule(const isa::Instruction& in, double ready_ns);
  virtual double cost_cycles(const isa::Instruction& in) const = 0;
  virtual double fixed_latency_ns() const { return 0.0; }
  double cycles_to_ns(double cycles) const { return cycles / clock_ghz_; }
  // A value of one of this core's counter tracks on the trace (if tracing).
  void trace_counter(const char* name, double at_ns, double value);

  const HardwareConfig& hw_;
  double free_at_ns_ = 0;

 private:
  void run();
  void trace_instruction(uint32_t i, const isa::Instruction& in, double ready_ns, double start_ns, double finish_ns,
                         double free_ns);

  isa::Engine kind_;
  double clock_ghz_;
  Scoreboard& scoreboard_;
  CoreMemory memory_;
  EngineStats stats_;
  Trace& trace_;
  int core_;
  Timeline* timeline_ = nullptr;
  int timeline_track_ = 0;
  std::vector<double>* instruction_ns_ = nullptr;  // a whole program whose instructions name their source
};

}  // namespace trn2::sim

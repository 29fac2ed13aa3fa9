#pragma once
// Runs a Program on the model once: loads the HBM image, elaborates the LogicalCore,
// simulates to completion and collects what happened. A SystemC model elaborates once per
// process, so call this at most once per process.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "isa/instruction.h"
#include "sim/configuration/hardware_config.h"
#include "sim/hardware/instruction_feeder.h"
#include "sim/hardware/stats.h"
#include "sim/reporting/trace.h"

namespace trn2::sim {

struct CoreResult {
  EngineStats engines[isa::kNumComputeEngines];  // pe, dve, act, pool
  DmaStats dma;
  double finish_ns = 0;
};

// The instructions of one `source` (isa::Instruction::source) and the time they took.
struct SourceTime {
  std::string source;
  int64_t instructions = 0;
  unsigned engines = 0;  // bit isa::Engine: the engines (dma for DMA queues) they ran on
  // Summed over them: a compute instruction's busy time (as in its engine's active time), a
  // DMA's from issue to its last engine's end (its slice on the trace's queue track).
  double busy_ns = 0;
};

struct SimResult {
  double total_ns = 0;  // kernel body: first instruction issue to last completion
  std::vector<CoreResult> cores;
  int64_t hbm_read_bytes = 0, hbm_write_bytes = 0;
  // Every HBM tensor's bytes at the end, but read-only ones (inputs: the program left them
  // as they were loaded, and copying a kernel's inputs would double its peak memory).
  std::map<std::string, std::vector<uint8_t>> tensors;
  double host_seconds = 0;  // the model (elaboration, simulation, results), not the loading of inputs
  int64_t instructions = 0;
  int64_t trace_events = 0;
  // Busy fraction per time bin: [core * 5 + track], tracks pe, dve, act, pool, dma. Empty
  // unless TraceOptions::utilisation asked for it.
  std::vector<std::vector<double>> utilisation;
  double utilisation_bin_ns = 0;
  bool trace_truncated = false;
  size_t window = 0;          // the instruction window per core (0: the whole program)
  size_t window_peak = 0;     // most instructions waiting to run on one core at any time
  // A whole program whose instructions name their source: the time by source, most first
  // (ties by source). Empty otherwise (a streamed kernel's instructions have none).
  std::vector<SourceTime> by_source;
};

// Where a tensor's bytes live in the model's HBM, by name (all its bytes(), zeroed until
// loaded); throws std::invalid_argument naming an unknown tensor.
using TensorBytes = std::function<uint8_t*(const std::string& name)>;
// Writes the inputs into HBM in place, once, before the simulation starts: no second copy of
// them need exist (a kernel's seeded inputs are made there, and its reference read there).
using InputLoader = std::function<void(const TensorBytes& tensor)>;

// The whole program is in memory (validated and checked by the caller).
SimResult simulate(const isa::Program& program, const HardwareConfig& hw, const InputLoader& load,
                   const TraceOptions& trace = {});
// The same with `inputs` mapping tensor names to their initial bytes (exact size required);
// taken by value so that a caller who moves them in does not hold them while the model runs.
SimResult simulate(const isa::Program& program, const HardwareConfig& hw,
                   std::map<std::string, std::vector<uint8_t>> inputs, const TraceOptions& trace = {});

// A program made while it runs: `emit` makes each core's stream of `header` (which has
// empty streams), at most `window` instructions per core waiting to run at a time; each
// instruction is validated and checked for hazards as it comes. Memory then follows the
// window and the tensors, not the length of the program. Throws WindowTooSmall if the
// window ever held back an instruction that could have started (the timing would differ
// from the whole program's), and what `emit`, the validation or the hazard check threw.
struct StreamedProgram {
  isa::Program header;
  CoreEmitter emit;
  size_t window = 0;
  HazardMode hazards = HazardMode::Fail;
};
SimResult simulate(const StreamedProgram& program, const HardwareConfig& hw, const InputLoader& load,
                   const TraceOptions& trace = {});

}  // namespace trn2::sim

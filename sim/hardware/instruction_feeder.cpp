// sc_spawn: one emitter thread per core, made at elaboration.
#define SC_INCLUDE_DYNAMIC_PROCESSES

#include "sim/hardware/instruction_feeder.h"

#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

namespace trn2::sim {

namespace {
// The emitter (a kernel builder, the race check and validation) runs on a SystemC thread's
// own stack; SystemC's default is sized for small process bodies.
constexpr size_t kEmitterStackBytes = size_t(1) << 20;
// The race check keeps the clocks of this many recent instructions per core (80 bytes each
// with 16 queues), and older ones only while their accesses are on file, each in a hash map
// node (isa::StreamOrder). A read stays on file until the bytes it read are written again:
// in the conv kernel, a matmul's read of a filter column until the next channel tile's
// filter, some 8k instructions later. Keeping 16k in the ring spares those a node each (a
// 2% of host instructions on the largest shape, 6% of its wall time), for 1.3 MiB a core.
constexpr size_t kRecentClocks = 16384;
}  // namespace

InstructionFeeder::InstructionFeeder(sc_core::sc_module_name name, const isa::Program& header,
                                     const isa::Limits& limits, CoreEmitter emit, std::vector<Scoreboard*> scoreboards,
                                     HazardMode hazards)
    : sc_module(name), header_(header), limits_(limits), emit_(std::move(emit)), scoreboards_(std::move(scoreboards)),
      hazard_mode_(hazards) {
  if (hazards != HazardMode::Off)
    hazards_ = std::make_unique<isa::HazardChecker>(header, limits, 16, kRecentClocks);
  for (size_t c = 0; c < scoreboards_.size(); ++c) {
    sc_core::sc_spawn_options options;
    options.set_stack_size(kEmitterStackBytes);
    sc_core::sc_spawn([this, c] { run(int(c)); }, ("emit_core" + std::to_string(c)).c_str(), &options);
  }
}

void InstructionFeeder::run(int core) {
  Scoreboard& sb = *scoreboards_[size_t(core)];
  try {
    std::vector<isa::Allocation> a = emit_(core, *this, sb.keeps_history());
    allocations_.insert(allocations_.end(), a.begin(), a.end());
    if (hazards_ && ++finished_ == scoreboards_.size() && hazards_->lost_orders() > 0)
      spdlog::warn("race check: the order of {} dependencies was no longer held and was guessed from below; a race "
                   "it reported may not be one (check.hazards with simulator.window_instructions 0 keeps every order)",
                   hazards_->lost_orders());
  } catch (const sc_core::sc_unwind_exception&) {
    throw;  // SystemC unwinding a killed or reset thread: not ours to stop
  } catch (const RunAborted&) {
    // Another thread ended the run; its error is the one reported.
  } catch (...) {
    sb.fail(std::current_exception());
  }
  sb.close();
}

void InstructionFeeder::put(int core, const isa::Instruction& in) {
  Scoreboard& sb = *scoreboards_[size_t(core)];
  const uint32_t index = uint32_t(sb.pushed());
  isa::validate_instruction(header_, limits_, size_t(core), index, in);
  if (hazards_) {
    hazards_->add(core, index, in);
    const auto& found = hazards_->found();
    for (; hazards_reported_ < found.size(); ++hazards_reported_) {
      // A program our own kernel builder made is wrong: an internal error, as gate_hazards says.
      if (hazard_mode_ == HazardMode::Fail)
        throw std::logic_error("the kernel builder made a program with a hazard: " + found[hazards_reported_].message);
      spdlog::warn("{}", found[hazards_reported_].message);
    }
  }
  sb.push(in);
}

}  // namespace trn2::sim

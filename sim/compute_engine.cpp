#include "sim/compute_engine.h"

#include <algorithm>

namespace trn2::sim {

ComputeEngine::ComputeEngine(sc_core::sc_module_name name, isa::Engine kind, double clock_ghz,
                             const std::vector<isa::Instruction>& stream, Scoreboard& scoreboard,
                             const CoreMemory& memory, const HardwareConfig& hw)
    : sc_module(name), hw_(hw), kind_(kind), clock_ghz_(clock_ghz), stream_(stream),
      scoreboard_(scoreboard), memory_(memory) {
  for (uint32_t i = 0; i < stream.size(); ++i)
    if (stream[i].engine == kind) mine_.push_back(i);
  SC_THREAD(run);
}

ComputeEngine::Slot ComputeEngine::schedule(const isa::Instruction& in, double ready_ns) {
  const double start = std::max(ready_ns, free_at_ns_);
  const double finish = start + cycles_to_ns(cost_cycles(in));
  free_at_ns_ = finish;
  return {start, finish};
}

void ComputeEngine::run() {
  for (uint32_t i : mine_) {
    const isa::Instruction& in = stream_[i];
    const double ready = scoreboard_.wait_ready(i, hw_.semaphore_latency_ns);
    const double previous_finish = stats_.last_finish_ns;
    const Slot slot = schedule(in, ready);
    wait_until(slot.start_ns);
    execute(in, memory_);
    scoreboard_.publish(i, slot.finish_ns);
    stats_.instructions += 1;
    stats_.active_ns += slot.finish_ns - std::max(slot.start_ns, previous_finish);
    stats_.last_finish_ns = slot.finish_ns;
  }
}

}  // namespace trn2::sim

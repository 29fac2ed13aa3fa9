#include "sim/dma_queue.h"

#include <algorithm>

namespace trn2::sim {

DmaShape dma_shape(const isa::Instruction& in) {
  // The on-chip side sets the rows (partitions); an HBM->HBM copy uses the source's rows.
  const isa::AccessPattern& rows = in.dst.space != isa::Space::HBM ? in.dst : in.src;
  const int64_t per_row = rows.free_elements();
  int64_t run = std::min(in.src.run_elements(), in.dst.run_elements());
  run = std::max<int64_t>(1, std::min(run, per_row));
  DmaShape s;
  s.partitions = rows.partition_count;
  s.descriptors = int64_t(rows.partition_count) * ((per_row + run - 1) / run);
  s.bytes = in.src.total_elements() * int64_t(isa::dtype_size(in.src.dtype));
  return s;
}

double DescriptorGenerators::generate(double ready) {
  double& free_at = *std::min_element(free_at_.begin(), free_at_.end());
  free_at = std::max(free_at, ready) + ns_;
  return free_at;
}

DmaQueue::DmaQueue(sc_core::sc_module_name name, int queue, Scoreboard& scoreboard, const CoreMemory& memory,
                   const HardwareConfig& hw, DmaArbiter& arbiter, DescriptorGenerators& dge, Trace& trace, int core)
    : sc_module(name), scoreboard_(scoreboard), memory_(memory), hw_(hw), arbiter_(arbiter), dge_(dge), queue_(queue),
      trace_(trace), core_(core) {
  SC_THREAD(run);
}

void DmaQueue::run() {
  const int slot = isa::kNumComputeEngines + queue_;
  uint32_t i = 0;
  while (const isa::Instruction* next = scoreboard_.next(slot, i)) {
    const isa::Instruction& in = *next;
    // The fixed latency already holds the semaphore-to-start cost, so no extra edge latency.
    const double ready = scoreboard_.wait_ready(i, 0.0);
    double issue = std::max(ready, last_issue_ns_ + hw_.dma_issue_ns);
    const bool hardware_dge =
        in.dge == isa::DgeMode::HwDge || (in.dge == isa::DgeMode::Unknown && hw_.dge_unknown_as_hwdge == 1);
    if (hardware_dge) issue = dge_.generate(issue);
    last_issue_ns_ = issue;
    scoreboard_.check_not_late(i, issue);
    run_ahead_to(issue);
    execute(in, memory_);
    if (trace_.enabled())
      trace_.instant(core_, trace_engine_tid(int(isa::Engine::Dma)), "dma_trigger", issue,
                     "{\"pc\":" + std::to_string(i) + ",\"queue\":" + std::to_string(queue_) + ",\"dge_mode\":\"" +
                         (hardware_dge ? "hwdge" : "none") + "\"}");
    const DmaShape shape = dma_shape(in);
    arbiter_.post({issue + hw_.dma_fixed_latency_ns, core_, queue_, i, issue, shape.partitions, shape.descriptors,
                   shape.bytes, in.src.space, in.dst.space});
    scoreboard_.release(slot);  // the arbiter publishes its finish
  }
}

}  // namespace trn2::sim

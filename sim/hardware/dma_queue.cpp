#include "sim/hardware/dma_queue.h"

#include <algorithm>

namespace trn2::sim {

DmaShape dma_shape(const isa::Instruction& in, const HardwareConfig& hw) {
  // The on-chip side sets the rows (partitions); an HBM->HBM copy uses the source's rows.
  const isa::AccessPattern& rows = in.dst.space != isa::Space::HBM ? in.dst : in.src;
  const int64_t per_row = rows.free_elements();
  int64_t run = std::min(in.src.run_elements(), in.dst.run_elements());
  run = std::max<int64_t>(1, std::min(run, per_row));
  DmaShape s;
  s.partitions = rows.partition_count;
  // A casting DMA reads one width and writes another: the wider side bounds the transfer. An
  // accumulating one (dst += src) also reads dst, a second stream as large as the first.
  // Neither has a public throughput figure; both are costed as the bytes they stream.
  const int64_t esize = int64_t(std::max(isa::dtype_size(in.src.dtype), isa::dtype_size(in.dst.dtype)));
  s.bytes = in.src.total_elements() * esize * (in.accumulate ? 2 : 1);
  const int64_t runs_per_row = (per_row + run - 1) / run;
  if (runs_per_row > 1) {  // a descriptor per run
    s.descriptors = int64_t(rows.partition_count) * runs_per_row;
    return s;
  }
  // Rows that are one run each: the hardware packs whole rows of an engine's share into one
  // descriptor, up to dma_descriptor_contiguous_bytes when the rows follow each other in HBM
  // and dma_descriptor_strided_bytes when they do not (public trn2 NEFFs: [128, 2000] fp32
  // rows of one tensor as 32,000-byte descriptors, 4,000-byte rows 8,000 bytes apart one per
  // descriptor, 512-byte rows 4 KiB apart eight per descriptor).
  const isa::AccessPattern& far = in.src.space == isa::Space::HBM ? in.src : in.dst;
  const int64_t row_bytes = per_row * esize;
  const bool follow = far.space == isa::Space::HBM && far.partition_step == per_row;
  const int64_t cap = follow ? hw.dma_descriptor_contiguous_bytes : hw.dma_descriptor_strided_bytes;
  const int64_t rows_each = std::max<int64_t>(1, cap / std::max<int64_t>(1, row_bytes));
  // Partitions spread over the engines as the arbiter spreads them: contiguous shares.
  const int64_t p = rows.partition_count, used = std::min<int64_t>(p, hw.dma_engines);
  s.descriptors = 0;
  for (int64_t e = 0; e < used; ++e) {
    const int64_t share = p * (e + 1) / used - p * e / used;
    s.descriptors += (share + rows_each - 1) / rows_each;
  }
  return s;
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
    const double ready = scoreboard_.wait_ready(i, 0.0, 0.0);
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
    const DmaShape shape = dma_shape(in, hw_);
    arbiter_.post({issue + hw_.dma_fixed_latency_ns, core_, queue_, i, posted_++, issue, shape.partitions,
                   shape.descriptors, shape.bytes, in.src.space, in.dst.space});
    scoreboard_.release(slot);  // the arbiter publishes its finish
  }
}

}  // namespace trn2::sim

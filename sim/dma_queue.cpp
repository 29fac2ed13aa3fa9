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

DmaQueue::DmaQueue(sc_core::sc_module_name name, int queue, const std::vector<isa::Instruction>& stream,
                   Scoreboard& scoreboard, const CoreMemory& memory, const HardwareConfig& hw,
                   std::vector<std::unique_ptr<DmaEngine>>& engines, DmaStats& stats,
                   std::vector<std::pair<double, double>>& active_intervals, Trace& trace, int core)
    : sc_module(name), stream_(stream), mine_(scoreboard.instructions_of(isa::kNumComputeEngines + queue)),
      scoreboard_(scoreboard), memory_(memory), hw_(hw), engines_(engines), stats_(stats), active_(active_intervals),
      queue_(queue), trace_(trace), core_(core) {
  SC_THREAD(run);
}

void DmaQueue::run() {
  for (uint32_t i : mine_) {
    const isa::Instruction& in = stream_[i];
    // The fixed latency already holds the semaphore-to-start cost, so no extra edge latency.
    const double ready = scoreboard_.wait_ready(i, 0.0);
    const double issue = std::max(ready, last_issue_ns_ + hw_.dma_issue_ns);
    last_issue_ns_ = issue;
    wait_until(issue);
    execute(in, memory_);
    if (trace_.enabled())
      trace_.instant(core_, trace_engine_tid(int(isa::Engine::Dma)), "dma_trigger", issue,
                     "{\"pc\":" + std::to_string(i) + ",\"queue\":" + std::to_string(queue_) + "}");
    const double start = issue + hw_.dma_fixed_latency_ns;
    const DmaShape shape = dma_shape(in);
    const bool hbm_read = in.src.space == isa::Space::HBM, hbm_write = in.dst.space == isa::Space::HBM;
    // Partitions go to engines in contiguous groups, starting at the queue's own engine so
    // that small transfers on different queues use different engines.
    const int used = std::min<int>(shape.partitions, int(engines_.size()));
    double finish = start;
    for (int e = 0; e < used; ++e) {
      const int64_t rows = int64_t(shape.partitions) * (e + 1) / used - int64_t(shape.partitions) * e / used;
      const int64_t bytes = shape.bytes * rows / shape.partitions;
      const int64_t descriptors = shape.descriptors * rows / shape.partitions;
      const int engine = (queue_ + e) % int(engines_.size());
      const DmaEngine::Span span = engines_[size_t(engine)]->move(start, bytes, descriptors, hbm_read, hbm_write);
      finish = std::max(finish, span.end_ns);
      if (timeline_) timeline_->add(timeline_track_, span.begin_ns, span.end_ns, 1.0 / double(engines_.size()));
      if (trace_.enabled()) {
        if (e == 0) scoreboard_.mark(i, trace_dma_engine_tid(engine), span.begin_ns);
        const std::string args = "{\"pc\":" + std::to_string(i) + ",\"bytes\":" + std::to_string(bytes) +
                                 ",\"descriptors\":" + std::to_string(descriptors) + "}";
        trace_.slice(core_, trace_dma_engine_tid(engine), "dma_copy", span.begin_ns, span.end_ns, args);
        if (hbm_read) trace_.hbm_bytes(core_, false, span.begin_ns, span.end_ns, bytes);
        if (hbm_write) trace_.hbm_bytes(core_, true, span.begin_ns, span.end_ns, bytes);
      }
    }
    if (trace_.enabled()) {
      const std::string args = "{\"pc\":" + std::to_string(i) + ",\"queue\":" + std::to_string(queue_) +
                               ",\"bytes\":" + std::to_string(shape.bytes) + ",\"descriptors\":" +
                               std::to_string(shape.descriptors) + ",\"src\":\"" + isa::space_name(in.src.space) +
                               "\",\"dst\":\"" + isa::space_name(in.dst.space) + "\"}";
      trace_.async(core_, trace_queue_tid(queue_), "dma_copy", (uint64_t(core_) << 32) | i, issue, finish, args);
      trace_.dma_in_flight(core_, issue, finish);
    }
    scoreboard_.publish(i, finish);
    stats_.transfers += 1;
    stats_.descriptors += shape.descriptors;
    stats_.bytes += shape.bytes;
    stats_.last_finish_ns = std::max(stats_.last_finish_ns, finish);
    active_.emplace_back(start, finish);
  }
}

}  // namespace trn2::sim

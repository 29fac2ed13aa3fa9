#include "sim/hardware/neuron_core.h"

#include <algorithm>
#include <string>

namespace trn2::sim {

NeuronCore::NeuronCore(sc_core::sc_module_name name, Hbm& hbm, DmaArbiter& arbiter, const HardwareConfig& hw,
                       Trace& trace, int index, size_t window, bool keep_history, RunAbort& abort)
    : sc_module(name),
      sbuf_("sbuf", hw.limits.partitions, size_t(hw.limits.sbuf_partition_bytes)),
      psum_("psum", hw.limits.partitions, size_t(hw.limits.psum_partition_bytes), size_t(hw.limits.psum_bank_bytes)),
      scoreboard_(index, hw.limits.dma_queues, window, std::max({0.0, hw.semaphore_latency_ns, hw.dma_completion_latency_ns}), keep_history,
                  abort),
      dge_(hw.dge_instances, hw.hwdge_issue_ns), arbiter_(arbiter), index_(index) {
  const CoreMemory mem{&hbm, &sbuf_, &psum_};
  engines_.push_back(std::make_unique<TensorEngine>("pe", scoreboard_, mem, hw, trace, index));
  engines_.push_back(std::make_unique<VectorEngine>("dve", scoreboard_, mem, hw, trace, index));
  engines_.push_back(std::make_unique<ScalarEngine>("act", scoreboard_, mem, hw, trace, index));
  engines_.push_back(std::make_unique<GpSimdEngine>("pool", scoreboard_, mem, hw, trace, index));
  for (int e = 0; e < hw.dma_engines; ++e)
    dma_engines_.push_back(std::make_unique<DmaEngine>(("dma_engine_" + std::to_string(e)).c_str(),
                                                       hw.dma_engine_bandwidth_gbps, hw.dma_descriptor_overhead_ns,
                                                       hw.dma_engine_warmup_ns, hbm));
  for (int q = 0; q < hw.limits.dma_queues; ++q)
    dma_queues_.push_back(
        std::make_unique<DmaQueue>(("dma_queue_" + std::to_string(q)).c_str(), q, scoreboard_, mem, hw, arbiter, dge_, trace, index));
  CoreDma dma;
  dma.core = index;
  dma.engines = &dma_engines_;
  dma.scoreboard = &scoreboard_;
  dma.stats = &dma_stats_;
  dma.active = &dma_active_;
  arbiter.attach(dma);
}

DmaStats NeuronCore::dma_stats() const {
  DmaStats s = dma_stats_;  // what the arbiter counted, plus what is derived from the parts:
  s.active_ns = dma_active_.length();  // the union of the transfer intervals
  for (const auto& e : dma_engines_) s.engine_busy_ns += e->busy_ns();
  return s;
}

void NeuronCore::record_timeline(Timeline* t, int first_track) {
  for (size_t e = 0; e < engines_.size(); ++e) engines_[e]->record_timeline(t, first_track + int(e));
  arbiter_.core(index_).timeline = t;
  arbiter_.core(index_).timeline_track = first_track + isa::kNumComputeEngines;
}

void NeuronCore::record_instruction_times(const std::vector<isa::Instruction>& stream, std::vector<double>* ns) {
  for (auto& e : engines_) e->record_instruction_times(ns);
  arbiter_.core(index_).stream = &stream;
  arbiter_.core(index_).instruction_ns = ns;
}

double NeuronCore::finish_ns() const {
  double t = dma_stats_.last_finish_ns;
  for (const auto& e : engines_) t = std::max(t, e->stats().last_finish_ns);
  return t;
}

}  // namespace trn2::sim

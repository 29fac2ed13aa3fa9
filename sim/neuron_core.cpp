#include "sim/neuron_core.h"

#include <algorithm>
#include <string>

namespace trn2::sim {

NeuronCore::NeuronCore(sc_core::sc_module_name name, const std::vector<isa::Instruction>& stream,
                       Hbm& hbm, const HardwareConfig& hw, Trace& trace, int index)
    : sc_module(name), stream_(stream),
      sbuf_("sbuf", hw.limits.partitions, size_t(hw.limits.sbuf_partition_bytes)),
      psum_("psum", hw.limits.partitions, size_t(hw.limits.psum_partition_bytes), size_t(hw.limits.psum_bank_bytes)),
      scoreboard_(stream, hw.limits.dma_queues) {
  const CoreMemory mem{&hbm, &sbuf_, &psum_};
  engines_.push_back(std::make_unique<TensorEngine>("pe", stream, scoreboard_, mem, hw, trace, index));
  engines_.push_back(std::make_unique<VectorEngine>("dve", stream, scoreboard_, mem, hw, trace, index));
  engines_.push_back(std::make_unique<ScalarEngine>("act", stream, scoreboard_, mem, hw, trace, index));
  engines_.push_back(std::make_unique<GpSimdEngine>("pool", stream, scoreboard_, mem, hw, trace, index));
  for (int e = 0; e < hw.dma_engines; ++e)
    dma_engines_.push_back(std::make_unique<DmaEngine>(("dma_engine_" + std::to_string(e)).c_str(),
                                                       hw.dma_engine_bandwidth_gbps, hw.dma_descriptor_overhead_ns, hbm));
  for (int q = 0; q < hw.limits.dma_queues; ++q)
    dma_queues_.push_back(std::make_unique<DmaQueue>(("dma_queue_" + std::to_string(q)).c_str(), q, stream,
                                                     scoreboard_, mem, hw, dma_engines_, dma_stats_, dma_intervals_,
                                                     trace, index));
}

const DmaStats& NeuronCore::dma_stats() const {
  // Active time is the union of the transfer intervals: overlapping transfers count once.
  std::sort(dma_intervals_.begin(), dma_intervals_.end());
  double active = 0, open_start = 0, open_end = -1;
  for (const auto& [s, e] : dma_intervals_) {
    if (s > open_end) {
      if (open_end > open_start) active += open_end - open_start;
      open_start = s;
      open_end = e;
    } else {
      open_end = std::max(open_end, e);
    }
  }
  if (open_end > open_start) active += open_end - open_start;
  dma_stats_.active_ns = active;
  dma_stats_.engine_busy_ns = 0;
  for (const auto& e : dma_engines_) dma_stats_.engine_busy_ns += e->busy_ns();
  return dma_stats_;
}

void NeuronCore::record_timeline(Timeline* t, int first_track) {
  for (size_t e = 0; e < engines_.size(); ++e) engines_[e]->record_timeline(t, first_track + int(e));
  for (auto& q : dma_queues_) q->record_timeline(t, first_track + isa::kNumComputeEngines);
}

double NeuronCore::finish_ns() const {
  double t = dma_stats_.last_finish_ns;
  for (const auto& e : engines_) t = std::max(t, e->stats().last_finish_ns);
  return t;
}

}  // namespace trn2::sim

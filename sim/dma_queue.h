#pragma once
// A DMA queue of one core: issues its DMA instructions in order. Each instruction pays the
// fixed start latency once (descriptor fetch, semaphore-to-start), then its descriptors
// (contiguous runs) are spread over the core's DMA engines by partition, so 128 partitions
// over 16 engines give each engine 8. The instruction ends when its last engine does.
#include <memory>
#include <systemc>
#include <vector>

#include "isa/instruction.h"
#include "sim/datapath.h"
#include "sim/dma_engine.h"
#include "sim/hardware_config.h"
#include "sim/scoreboard.h"
#include "sim/stats.h"
#include "sim/timeline.h"
#include "sim/trace.h"

namespace trn2::sim {

struct DmaShape {
  int partitions;            // rows spread over engines
  int64_t descriptors;       // in all
  int64_t bytes;             // in all
};
// How an instruction splits into descriptors: a descriptor is a run of elements contiguous
// on both sides, at most one partition row long.
DmaShape dma_shape(const isa::Instruction& in);

class DmaQueue : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(DmaQueue);
  DmaQueue(sc_core::sc_module_name name, int queue, const std::vector<isa::Instruction>& stream,
           Scoreboard& scoreboard, const CoreMemory& memory, const HardwareConfig& hw,
           std::vector<std::unique_ptr<DmaEngine>>& engines, DmaStats& stats,
           std::vector<std::pair<double, double>>& active_intervals, Trace& trace, int core);
  void record_timeline(Timeline* t, int track) {
    timeline_ = t;
    timeline_track_ = track;
  }

 private:
  void run();

  const std::vector<isa::Instruction>& stream_;
  const std::vector<uint32_t>& mine_;
  Scoreboard& scoreboard_;
  CoreMemory memory_;
  const HardwareConfig& hw_;
  std::vector<std::unique_ptr<DmaEngine>>& engines_;
  DmaStats& stats_;
  std::vector<std::pair<double, double>>& active_;
  int queue_;
  Trace& trace_;
  int core_;
  Timeline* timeline_ = nullptr;
  int timeline_track_ = 0;
  double last_issue_ns_ = -1e300;  // no issue yet: the first instruction is not held back
};

}  // namespace trn2::sim

#pragma once
// Serves the DMA transfers of both cores at their start times. The DMA engines of a core and
// the HBM stack are shared, and who gets them first decides who waits: transfers that start
// at the same time are served in a fixed order, never in the order the SystemC scheduler
// happened to run their queues. The queues take turns, as the hardware's DMA rings do: a
// queue's n-th transfer goes before any queue's (n+1)-th, then by core, queue, instruction.
// (Lowest queue first, as before, let a busy low queue starve a higher one.) A queue posts a transfer when it
// issues it; the transfer starts dma_fixed_latency_ns later, so every transfer starting at a
// time has been posted before the arbiter serves that time.
#include <cstdint>
#include <memory>
#include <queue>
#include <vector>

#include <systemc>

#include "isa/access.h"
#include "isa/instruction.h"
#include "sim/hardware/dma_engine.h"
#include "sim/hardware/scoreboard.h"
#include "sim/hardware/stats.h"
#include "sim/reporting/timeline.h"
#include "sim/reporting/trace.h"

namespace trn2::sim {

// One core's side of the arbiter: its engines, its semaphores and where its counts go.
struct CoreDma {
  int core = 0;
  std::vector<std::unique_ptr<DmaEngine>>* engines = nullptr;
  Scoreboard* scoreboard = nullptr;
  DmaStats* stats = nullptr;
  IntervalUnion* active = nullptr;
  Timeline* timeline = nullptr;
  int timeline_track = 0;
  // A whole program's stream whose instructions name their source (null otherwise): the
  // trace's slices carry each transfer's source, and `instruction_ns` (sized to the stream)
  // gets each transfer's time from issue to its last engine's end.
  const std::vector<isa::Instruction>* stream = nullptr;
  std::vector<double>* instruction_ns = nullptr;
};

struct DmaRequest {
  double start_ns;
  int core, queue;
  uint32_t index;     // the instruction, in its core's stream
  uint64_t turn;      // transfers its queue posted before it
  double issue_ns;
  int partitions;     // rows spread over the engines
  int64_t descriptors, bytes;
  isa::Space src, dst;
};

class DmaArbiter : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(DmaArbiter);
  DmaArbiter(sc_core::sc_module_name name, Trace& trace);
  void attach(const CoreDma& core);  // in core order, before the simulation starts
  CoreDma& core(int c) { return cores_[size_t(c)]; }
  void post(const DmaRequest& r);

 private:
  struct Later {  // for a min-heap: the request served first on top
    bool operator()(const DmaRequest& a, const DmaRequest& b) const;
  };
  void run();
  void serve(const DmaRequest& r);

  Trace& trace_;
  std::vector<CoreDma> cores_;
  std::priority_queue<DmaRequest, std::vector<DmaRequest>, Later> pending_;
  sc_core::sc_event posted_;
};

}  // namespace trn2::sim

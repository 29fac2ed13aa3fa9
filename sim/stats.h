#pragma once
// What the model counts while it runs; the report is made from these.
#include <cstdint>

namespace trn2::sim {

struct EngineStats {
  int64_t instructions = 0;
  double active_ns = 0;   // time the engine was busy executing
  double last_finish_ns = 0;
  // Idle time spent waiting for a dependency, by the producer's kind: pe, dve, act, pool, dma.
  double waited_on_ns[5] = {0, 0, 0, 0, 0};
};

struct DmaStats {
  int64_t transfers = 0;     // DMA instructions
  int64_t descriptors = 0;
  int64_t bytes = 0;
  double active_ns = 0;      // union of the intervals some transfer of this core was moving data
  double engine_busy_ns = 0; // summed over the DMA engines
  double last_finish_ns = 0;
};

}  // namespace trn2::sim

#pragma once
// What the model counts while it runs; the report is made from these.
#include <algorithm>
#include <cstdint>

#include "isa/instruction.h"

namespace trn2::sim {

struct EngineStats {
  int64_t instructions = 0;
  int64_t by_opcode[isa::kNumOpcodes] = {};  // the same, by opcode
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

// The length of the union of intervals given in order of their start (overlaps count once),
// kept as it goes: one open interval, not a list. A start a little before the open
// interval's (times rounded to SystemC's picoseconds) extends it.
class IntervalUnion {
 public:
  void add(double start, double end) {
    if (start > open_end_) {
      if (open_end_ > open_start_) closed_ += open_end_ - open_start_;
      open_start_ = start;
      open_end_ = end;
    } else {
      open_start_ = std::min(open_start_, start);
      open_end_ = std::max(open_end_, end);
    }
  }
  double length() const { return closed_ + (open_end_ > open_start_ ? open_end_ - open_start_ : 0.0); }

 private:
  double closed_ = 0, open_start_ = 0, open_end_ = -1;
};

}  // namespace trn2::sim

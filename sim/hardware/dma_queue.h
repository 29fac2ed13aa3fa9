#pragma once
// A DMA queue of one core: issues its DMA instructions in order, one every dma_issue_ns at
// most. An instruction moves its data when it issues (dependencies guarantee nothing reads
// or overwrites it early) and is handed to the DmaArbiter, which starts it
// dma_fixed_latency_ns later (descriptor fetch, semaphore-to-start) on the core's DMA
// engines: its descriptors (contiguous runs) spread by partition, so 128 partitions over 16
// engines give each engine 8. The instruction ends when its last engine does.
// A hardware-DGE instruction (dge_mode hwdge, or unknown where the config takes it so) first
// has its descriptors made by one of the core's DGE blocks, hwdge_issue_ns each (ARCH2,
// nki-dge.rst: about 600 ns per instruction, two instances per core); the queue waits for it.
#include <systemc>

#include <vector>

#include "isa/instruction.h"
#include "sim/hardware/datapath.h"
#include "sim/hardware/descriptor_generators.h"
#include "sim/hardware/dma_arbiter.h"
#include "sim/configuration/hardware_config.h"
#include "sim/hardware/scoreboard.h"
#include "sim/reporting/trace.h"

namespace trn2::sim {

struct DmaShape {
  int partitions;            // rows spread over engines
  int64_t descriptors;       // in all
  int64_t bytes;             // in all
};
// How an instruction splits into descriptors: a run of elements contiguous on both sides, at
// most one partition row long; rows that are one run each are packed, whole, several to a
// descriptor (see dma_shape's comment).
DmaShape dma_shape(const isa::Instruction& in, const HardwareConfig& hw);

class DmaQueue : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(DmaQueue);
  DmaQueue(sc_core::sc_module_name name, int queue, Scoreboard& scoreboard, const CoreMemory& memory,
           const HardwareConfig& hw, DmaArbiter& arbiter, DescriptorGenerators& dge, Trace& trace, int core);

 private:
  void run();

  Scoreboard& scoreboard_;
  CoreMemory memory_;
  const HardwareConfig& hw_;
  DmaArbiter& arbiter_;
  DescriptorGenerators& dge_;
  int queue_;
  Trace& trace_;
  int core_;
  double last_issue_ns_ = -1e300;  // no issue yet: the first instruction is not held back
  uint64_t posted_ = 0;            // transfers handed to the arbiter, for its turns
};

}  // namespace trn2::sim

#pragma once
// One physical NeuronCore: private SBUF and PSUM, the four compute engines, 16 DMA engines
// and the DMA queues, all running this core's instruction stream.
#include <memory>
#include <systemc>
#include <vector>

#include "sim/hardware/dma_arbiter.h"
#include "sim/hardware/dma_engine.h"
#include "sim/hardware/dma_queue.h"
#include "sim/hardware/gpsimd_engine.h"
#include "sim/hardware/psum.h"
#include "sim/hardware/sbuf.h"
#include "sim/hardware/scalar_engine.h"
#include "sim/hardware/tensor_engine.h"
#include "sim/hardware/vector_engine.h"

namespace trn2::sim {

class NeuronCore : public sc_core::sc_module {
 public:
  // The core's instructions are pushed into its scoreboard (scoreboard().push) before or
  // while it runs; `window` and `keep_history` are the scoreboard's capacity and history.
  NeuronCore(sc_core::sc_module_name name, Hbm& hbm, DmaArbiter& arbiter, const HardwareConfig& hw, Trace& trace,
             int index, size_t window, bool keep_history, RunAbort& abort);

  // Compute engines in isa::Engine order: pe, dve, act, pool.
  const ComputeEngine& engine(isa::Engine e) const { return *engines_[size_t(e)]; }
  DmaStats dma_stats() const;
  // Records busy time on tracks first_track + 0..3 (pe, dve, act, pool) and + 4 (DMA engines).
  void record_timeline(Timeline* t, int first_track);
  // For a whole program whose instructions name their source: `stream` is this core's (it
  // outlives the run), and each instruction's time goes to its index in `ns` (sized to it).
  void record_instruction_times(const std::vector<isa::Instruction>& stream, std::vector<double>* ns);
  double finish_ns() const;
  const Scoreboard& scoreboard() const { return scoreboard_; }
  Scoreboard& scoreboard() { return scoreboard_; }

 private:
  Sbuf sbuf_;
  Psum psum_;
  Scoreboard scoreboard_;
  std::vector<std::unique_ptr<ComputeEngine>> engines_;
  std::vector<std::unique_ptr<DmaEngine>> dma_engines_;
  DescriptorGenerators dge_;  // before the queues that use it
  std::vector<std::unique_ptr<DmaQueue>> dma_queues_;
  DmaArbiter& arbiter_;
  int index_;
  DmaStats dma_stats_;  // counted by the DmaArbiter
  IntervalUnion dma_active_;
};

}  // namespace trn2::sim

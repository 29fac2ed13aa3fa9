#pragma once
// One logical core (LNC=2): two physical NeuronCores sharing one HBM stack. With lnc=1
// the program has one stream and only one core is built.
#include <memory>
#include <systemc>
#include <vector>

#include "isa/instruction.h"
#include "sim/hardware/dma_arbiter.h"
#include "sim/hardware/hbm.h"
#include "sim/hardware/neuron_core.h"

namespace trn2::sim {

class LogicalCore : public sc_core::sc_module {
 public:
  // One NeuronCore per stream of `program` (only its header is used: the instructions are
  // pushed into each core's scoreboard); `window` and `keep_history` as for the Scoreboard.
  LogicalCore(sc_core::sc_module_name name, const isa::Program& program, const HardwareConfig& hw, Trace& trace,
              size_t window, bool keep_history);

  Hbm& hbm() { return hbm_; }
  const Hbm& hbm() const { return hbm_; }
  int cores() const { return int(cores_.size()); }
  const NeuronCore& core(int i) const { return *cores_[size_t(i)]; }
  NeuronCore& core(int i) { return *cores_[size_t(i)]; }
  // The first error of the run, if it failed (see RunAbort).
  std::exception_ptr failure() const { return abort_.error(); }

 private:
  RunAbort abort_;  // before the cores, whose scoreboards refer to it
  Hbm hbm_;
  DmaArbiter dma_arbiter_;
  std::vector<std::unique_ptr<NeuronCore>> cores_;
};

}  // namespace trn2::sim

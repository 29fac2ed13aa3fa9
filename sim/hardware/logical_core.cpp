#include "sim/hardware/logical_core.h"

#include <string>

namespace trn2::sim {

LogicalCore::LogicalCore(sc_core::sc_module_name name, const isa::Program& program, const HardwareConfig& hw,
                         Trace& trace, size_t window, bool keep_history)
    : sc_module(name), hbm_("hbm", size_t(program.hbm_bytes), hw.hbm_bandwidth_gbps), dma_arbiter_("dma_arbiter", trace) {
  for (size_t c = 0; c < program.cores.size(); ++c)
    cores_.push_back(std::make_unique<NeuronCore>(("core" + std::to_string(c)).c_str(), hbm_, dma_arbiter_, hw, trace, int(c), window,
                                                  keep_history, abort_));
}

}  // namespace trn2::sim

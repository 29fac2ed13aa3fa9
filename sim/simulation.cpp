#include "sim/simulation.h"

#include <chrono>
#include <cstring>
#include <stdexcept>

#include "sim/logical_core.h"
#include "sim/occupancy.h"

namespace trn2::sim {

SimResult simulate(const isa::Program& program, const HardwareConfig& hw,
                   std::map<std::string, std::vector<uint8_t>> inputs, const TraceOptions& trace_options) {
  const auto t0 = std::chrono::steady_clock::now();
  Trace trace(trace_options, int(program.cores.size()), hw.dma_engines, hw.limits.dma_queues);
  LogicalCore lc("logical_core", program, hw, trace);
  constexpr int kTracks = isa::kNumComputeEngines + 1;
  Timeline timeline(lc.cores() * kTracks);
  for (int c = 0; c < lc.cores(); ++c) lc.core(c).record_timeline(&timeline, c * kTracks);
  for (const auto& [name, bytes] : inputs) {
    const isa::HbmTensor* t = program.find_tensor(name);
    if (!t) throw std::invalid_argument("input '" + name + "' is not a tensor of the program");
    if (int64_t(bytes.size()) != t->bytes())
      throw std::invalid_argument("input '" + name + "' has " + std::to_string(bytes.size()) +
                                  " bytes, the tensor needs " + std::to_string(t->bytes()));
    std::memcpy(lc.hbm().data() + t->base, bytes.data(), bytes.size());
  }
  inputs.clear();  // HBM holds them now
  sc_core::sc_start();

  SimResult r;
  for (int c = 0; c < lc.cores(); ++c) {
    const NeuronCore& core = lc.core(c);
    CoreResult cr;
    for (int e = 0; e < isa::kNumComputeEngines; ++e) cr.engines[e] = core.engine(isa::Engine(e)).stats();
    cr.dma = core.dma_stats();
    cr.finish_ns = core.finish_ns();
    r.total_ns = std::max(r.total_ns, cr.finish_ns);
    r.cores.push_back(cr);
  }
  // Every instruction must have run: a stream blocked forever would otherwise pass unnoticed.
  int64_t ran = 0;
  for (const CoreResult& cr : r.cores) {
    ran += cr.dma.transfers;
    for (const EngineStats& es : cr.engines) ran += es.instructions;
  }
  if (ran != int64_t(program.instruction_count()))
    throw std::runtime_error("simulation ended with " + std::to_string(program.instruction_count() - size_t(ran)) +
                             " of " + std::to_string(program.instruction_count()) + " instructions never issued");
  r.hbm_read_bytes = lc.hbm().read_bytes();
  r.hbm_write_bytes = lc.hbm().write_bytes();
  for (const auto& t : program.tensors)
    r.tensors[t.name].assign(lc.hbm().data() + t.base, lc.hbm().data() + t.base + t.bytes());
  r.instructions = int64_t(program.instruction_count());
  if (trace.enabled())
    for (int c = 0; c < lc.cores(); ++c)
      trace_occupancy(trace, c, program.allocations, lc.core(c).scoreboard(), hw.limits.psum_bank_bytes);
  trace.close();
  for (int t = 0; t < lc.cores() * kTracks; ++t) r.utilisation.push_back(timeline.utilisation(t));
  r.utilisation_bin_ns = timeline.bin_ns();
  r.trace_events = trace.events_written();
  r.trace_truncated = trace.truncated();
  r.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace trn2::sim

#include "sim/simulation/simulation.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <cstring>
#include <stdexcept>

#include "sim/hardware/logical_core.h"
#include "sim/reporting/occupancy.h"

namespace trn2::sim {

namespace {

bool names_sources(const isa::Program& p) {
  for (const auto& stream : p.cores)
    for (const isa::Instruction& in : stream)
      if (!in.source.empty()) return true;
  return false;
}

// Each source's instructions, engines and summed time (`ns`: per core, per instruction).
std::vector<SourceTime> time_by_source(const isa::Program& p, const std::vector<std::vector<double>>& ns) {
  std::map<std::string, SourceTime> by;
  for (size_t c = 0; c < p.cores.size(); ++c)
    for (size_t i = 0; i < p.cores[c].size(); ++i) {
      const isa::Instruction& in = p.cores[c][i];
      if (in.source.empty()) continue;
      SourceTime& s = by[in.source];
      s.instructions += 1;
      s.engines |= 1u << unsigned(in.engine);
      s.busy_ns += ns[c][i];
    }
  std::vector<SourceTime> out;
  for (auto& [source, s] : by) {
    s.source = source;
    out.push_back(std::move(s));
  }
  // Stable: equal times keep the map's order of their sources.
  std::stable_sort(out.begin(), out.end(), [](const SourceTime& a, const SourceTime& b) { return a.busy_ns > b.busy_ns; });
  return out;
}

// Runs the model over `header`'s cores; `feed` pushes (or starts pushing) the instructions
// once the cores exist and returns the allocation records for the trace's counters. `whole`:
// the program, when it is all in memory (its sources' times are then recorded).
SimResult run_model(const isa::Program& header, const HardwareConfig& hw, const InputLoader& load,
                    const TraceOptions& trace_options, size_t window, const isa::Program* whole,
                    const std::function<const std::vector<isa::Allocation>*(LogicalCore&)>& feed) {
  const auto t0 = std::chrono::steady_clock::now();
  Trace trace(trace_options, int(header.cores.size()), hw.dma_engines, hw.limits.dma_queues);
  LogicalCore lc("logical_core", header, hw, trace, window, trace.enabled());
  constexpr int kTracks = isa::kNumComputeEngines + 1;
  Timeline timeline(trace_options.utilisation ? lc.cores() * kTracks : 0);
  if (trace_options.utilisation)
    for (int c = 0; c < lc.cores(); ++c) lc.core(c).record_timeline(&timeline, c * kTracks);
  // Time per instruction, only for a program that says where its instructions came from.
  std::vector<std::vector<double>> instruction_ns;
  if (whole && names_sources(*whole)) {
    instruction_ns.resize(size_t(lc.cores()));  // sized first: the cores keep pointers into it
    for (int c = 0; c < lc.cores(); ++c) {
      instruction_ns[size_t(c)].assign(whole->cores[size_t(c)].size(), 0.0);
      lc.core(c).record_instruction_times(whole->cores[size_t(c)], &instruction_ns[size_t(c)]);
    }
  }
  const auto loading = std::chrono::steady_clock::now();
  load([&](const std::string& name) {
    const isa::HbmTensor* t = header.find_tensor(name);
    if (!t) throw std::invalid_argument("input '" + name + "' is not a tensor of the program");
    return lc.hbm().data() + t->base;
  });
  // The loader's time (making or copying the inputs, and whatever else the caller does
  // there) is not the model's.
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - loading).count();
  const std::vector<isa::Allocation>* allocations = feed(lc);
  sc_core::sc_start();
  if (std::exception_ptr e = lc.failure()) std::rethrow_exception(e);

  SimResult r;
  int64_t pushed = 0;
  for (int c = 0; c < lc.cores(); ++c) {
    const NeuronCore& core = lc.core(c);
    CoreResult cr;
    for (int e = 0; e < isa::kNumComputeEngines; ++e) cr.engines[e] = core.engine(isa::Engine(e)).stats();
    cr.dma = core.dma_stats();
    cr.finish_ns = core.finish_ns();
    r.total_ns = std::max(r.total_ns, cr.finish_ns);
    r.cores.push_back(cr);
    pushed += int64_t(core.scoreboard().pushed());
    r.window_peak = std::max(r.window_peak, core.scoreboard().peak_waiting());
  }
  // Every instruction must have run: a stream blocked forever would otherwise pass unnoticed.
  int64_t ran = 0;
  for (const CoreResult& cr : r.cores) {
    ran += cr.dma.transfers;
    for (const EngineStats& es : cr.engines) ran += es.instructions;
  }
  if (ran != pushed)
    throw std::runtime_error("simulation ended with " + std::to_string(pushed - ran) + " of " +
                             std::to_string(pushed) + " instructions never issued");
  r.hbm_read_bytes = lc.hbm().read_bytes();
  r.hbm_write_bytes = lc.hbm().write_bytes();
  for (const auto& t : header.tensors)
    if (!t.read_only) r.tensors[t.name].assign(lc.hbm().data() + t.base, lc.hbm().data() + t.base + t.bytes());
  r.instructions = pushed;
  r.window = window;
  if (trace.enabled())
    for (int c = 0; c < lc.cores(); ++c)
      trace_occupancy(trace, c, *allocations, lc.core(c).scoreboard(), hw.limits.psum_bank_bytes);
  trace.close();
  if (trace_options.utilisation) {
    for (int t = 0; t < lc.cores() * kTracks; ++t) r.utilisation.push_back(timeline.utilisation(t));
    r.utilisation_bin_ns = timeline.bin_ns();
  }
  if (!instruction_ns.empty()) r.by_source = time_by_source(*whole, instruction_ns);
  r.trace_events = trace.events_written();
  r.trace_truncated = trace.truncated();
  r.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - load_seconds;
  return r;
}

}  // namespace

SimResult simulate(const isa::Program& program, const HardwareConfig& hw,
                   std::map<std::string, std::vector<uint8_t>> inputs, const TraceOptions& trace) {
  return simulate(
      program, hw,
      [&](const TensorBytes& tensor) {
        for (auto& [name, bytes] : inputs) {
          uint8_t* at = tensor(name);
          const int64_t want = program.find_tensor(name)->bytes();
          if (int64_t(bytes.size()) != want)
            throw std::invalid_argument("input '" + name + "' has " + std::to_string(bytes.size()) +
                                        " bytes, the tensor needs " + std::to_string(want));
          std::memcpy(at, bytes.data(), bytes.size());
          std::vector<uint8_t>().swap(bytes);  // HBM holds them now
        }
      },
      trace);
}

SimResult simulate(const isa::Program& program, const HardwareConfig& hw, const InputLoader& load,
                   const TraceOptions& trace) {
  return run_model(program, hw, load, trace, 0, &program, [&](LogicalCore& lc) {
    // An unbounded window: the whole program goes in, uncopied, before the simulation starts.
    for (int c = 0; c < lc.cores(); ++c) {
      Scoreboard& sb = lc.core(c).scoreboard();
      for (const isa::Instruction& in : program.cores[size_t(c)]) sb.push_borrowed(in);
      sb.close();
    }
    return &program.allocations;
  });
}

SimResult simulate(const StreamedProgram& program, const HardwareConfig& hw, const InputLoader& load,
                   const TraceOptions& trace) {
  std::unique_ptr<InstructionFeeder> feeder;
  return run_model(program.header, hw, load, trace, program.window, nullptr, [&](LogicalCore& lc) {
    std::vector<Scoreboard*> scoreboards;
    for (int c = 0; c < lc.cores(); ++c) scoreboards.push_back(&lc.core(c).scoreboard());
    feeder = std::make_unique<InstructionFeeder>("feeder", program.header, hw.limits, program.emit, scoreboards,
                                                 program.hazards);
    return &feeder->allocations();
  });
}

}  // namespace trn2::sim

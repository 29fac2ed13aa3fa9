#include "sim/reporting/report.h"

#include <algorithm>
#include <cmath>

#include <sys/resource.h>

namespace trn2::sim {

namespace {

// How fast the host ran: the whole run and the model alone, and the memory it took.
nlohmann::json simulator_block(const SimResult& s, double host) {
  const double instructions = double(s.instructions);
  return {{"host_seconds", host},
          {"simulated_instructions", s.instructions},
          {"instructions", s.instructions},  // the older name, kept for existing readers
          {"instructions_per_host_second", host > 0 ? instructions / host : 0.0},
          {"simulated_ns_per_host_second", host > 0 ? s.total_ns / host : 0.0},
          {"model_instructions_per_host_second", s.host_seconds > 0 ? instructions / s.host_seconds : 0.0},
          {"peak_rss_bytes", peak_rss_bytes()},
          // Instructions per core that may wait to run at once (0: the whole program was
          // made first), and the most that did.
          {"window_instructions", s.window},
          {"window_peak_instructions", s.window_peak}};
}

}  // namespace

namespace {
// What the figures leave out, with what public measurements say it costs (docs/validation.md).
nlohmann::json not_modelled() {
  return nlohmann::json::array(
      {{{"what", "the NEFF launch around the kernel body"},
        {"effect", "a profile's total_time adds ~13 us of preamble and ~2.4 us of tail; a benchmark's NCL ~11 us"}},
       {{"what", "the compiler's scheduling beyond the program (e.g. the order of DMA triggers)"},
        {"effect", "CS149 asst4's 1024x1024 transpose: its stores ran after all copies, 11% longer than the model"}},
       {{"what", "a DMA queue's limit of 16 transfers in flight"},
        {"effect", "none unless a queue has more than 16 transfers outstanding"}},
       {{"what", "software DGE (dge_mode swdge)"}, {"effect", "refused: no public cost figure"}},
       {{"what", "TDP-driven (thermal) PE throttling; only dI/dt throttling is modelled"},
        {"effect", "a sustained fp32 matmul agrees within 6% without it"}},
       {{"what", "HBM banks, pages and refresh (one shared bandwidth figure)"},
        {"effect", "not measured separately; DMA-bound public kernels agree within 3-18%"}},
       {{"what", "PE row/column tiling (nc_matmul tile_position): matmuls on disjoint PE tiles in parallel"},
        {"effect", "not in the ISA; each PE instruction uses the whole array, one after another"}},
       {{"what", "which activation functions share an ACT table (not public)"},
        {"effect", "each non-identity function has its own: a switch between two that share one is charged 1.283 us"}}});
}
}  // namespace

nlohmann::json timing_report(const SimResult& s, const HardwareConfig& hw, double pe_macs, double host_seconds) {
  using nlohmann::json;
  json cores = json::array();
  for (const auto& c : s.cores) {
    json engines;
    for (int e = 0; e < isa::kNumComputeEngines; ++e) {
      const EngineStats& es = c.engines[e];
      json by_opcode = json::object();
      for (int op = 0; op < isa::kNumOpcodes; ++op)
        if (es.by_opcode[op] > 0) by_opcode[isa::opcode_name(isa::Opcode(op))] = es.by_opcode[op];
      engines[isa::engine_name(isa::Engine(e))] = {
          {"instruction_count", es.instructions}, {"instruction_count_by_opcode", by_opcode},
          {"active_time_us", es.active_ns / 1e3},
          {"busy_percent", s.total_ns > 0 ? 100.0 * es.active_ns / s.total_ns : 0.0},
          {"idle_time_us", (s.total_ns - es.active_ns) / 1e3}};
      json waited;
      for (int k = 0; k < 5; ++k) waited[k < 4 ? isa::engine_name(isa::Engine(k)) : "dma"] = es.waited_on_ns[k] / 1e3;
      engines[isa::engine_name(isa::Engine(e))]["idle_waiting_on_us"] = waited;
    }
    json dma_efficiency = {
        {"engine_busy_time_us", c.dma.engine_busy_ns / 1e3},
        {"achieved_gbps_per_busy_engine", c.dma.engine_busy_ns > 0 ? double(c.dma.bytes) / c.dma.engine_busy_ns : 0.0},
        {"configured_engine_gbps", hw.dma_engine_bandwidth_gbps},
        {"average_bytes_per_descriptor", c.dma.descriptors > 0 ? double(c.dma.bytes) / double(c.dma.descriptors) : 0.0}};
    cores.push_back({{"engines", engines}, {"dma_efficiency", dma_efficiency}, {"dma_transfer_count", c.dma.transfers},
                     {"dma_descriptor_count", c.dma.descriptors}, {"dma_bytes", c.dma.bytes},
                     {"dma_active_time_us", c.dma.active_ns / 1e3}, {"finish_time_us", c.finish_ns / 1e3}});
  }
  // MFU: the MACs over what the PE arrays of the cores used could do in the run.
  // The PE array is partitions x partitions (128 x 128 on trn2).
  const double pe_macs_per_ns = double(s.cores.size()) * double(hw.limits.partitions) * double(hw.limits.partitions) * hw.pe_clock_ghz;
  const double hbm_bytes = double(s.hbm_read_bytes + s.hbm_write_bytes);
  // Roofline: the run cannot beat moving its HBM bytes at the stack's peak, nor doing its
  // MACs at the PE arrays' peak.
  const double hbm_bound_ns = hbm_bytes / hw.hbm_bandwidth_gbps;
  const double pe_bound_ns = pe_macs / pe_macs_per_ns;
  const double bound_ns = std::max(hbm_bound_ns, pe_bound_ns);
  json roofline = {{"hbm_bound_us", hbm_bound_ns / 1e3}, {"pe_bound_us", pe_bound_ns / 1e3},
                   {"limited_by", hbm_bound_ns >= pe_bound_ns ? "hbm" : "pe"},
                   {"run_over_bound", bound_ns > 0 ? s.total_ns / bound_ns : 0.0}};
  return {{"roofline", roofline},
          {"hbm_achieved_gbps", s.total_ns > 0 ? hbm_bytes / s.total_ns : 0.0},
          {"hbm_peak_gbps", hw.hbm_bandwidth_gbps},
          {"total_time_us", s.total_ns / 1e3},
          {"neuroncore_cycle_count", int64_t(std::llround(s.total_ns * hw.profiler_clock_ghz))},
          {"cores", cores},
          {"hbm_read_bytes", s.hbm_read_bytes},
          {"hbm_write_bytes", s.hbm_write_bytes},
          {"mfu_estimated_percent", s.total_ns > 0 ? 100.0 * pe_macs / (pe_macs_per_ns * s.total_ns) : 0.0},
          {"mbu_estimated_percent", s.total_ns > 0 ? 100.0 * hbm_bytes / (hw.hbm_bandwidth_gbps * s.total_ns) : 0.0},
          {"simulator", simulator_block(s, host_seconds)},
          {"not_modelled", not_modelled()}};
}

int64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return int64_t(u.ru_maxrss) * 1024;  // Linux reports kilobytes
}

double program_pe_macs(const isa::Program& p, const HardwareConfig& hw) {
  double macs = 0;
  for (const auto& stream : p.cores)
    for (const auto& in : stream)
      if (in.op == isa::Opcode::Matmul) {
        // Each MAC over its dtype's peak: the fp32 peak is a quarter of bf16's; the fp8 peak
        // twice bf16's (ARCH2: 158 vs 79 TFLOPS), reached only in double_row mode.
        const isa::MatmulShape s = isa::matmul_shape(in);
        const double weight = in.src.dtype == isa::DType::F32 ? hw.matmul_fp32_slowdown
                              : isa::is_fp8(in.src.dtype) && isa::is_fp8(in.src2.dtype)
                                  ? 1.0 / hw.matmul_fp8_double_row_speedup
                                  : 1.0;
        macs += double(s.k) * double(s.m) * double(s.n) * weight;
      }
  return macs;
}

}  // namespace trn2::sim

#pragma once
// Every timing and size figure of the model. Defaults are trn2's (configs/trn2.json names
// the public source of each); a run config's "hardware" section overrides any field.
#include <nlohmann/json.hpp>

#include "isa/validate.h"

namespace trn2::sim {

struct HardwareConfig {
  double pe_clock_ghz = 2.4;
  double dve_clock_ghz = 0.96;
  double act_clock_ghz = 1.2;
  double pool_clock_ghz = 1.2;
  double profiler_clock_ghz = 1.2;      // neuroncore_cycle_count is reported at this clock
  double min_ii_cycles = 64;            // minimum initiation interval of a compute instruction
  double semaphore_latency_ns = 40;     // cross-engine dependency edge into a compute engine
  double dma_completion_latency_ns = 430;  // a DMA's end seen by a dependent compute engine
  double dve_fixed_latency_ns = 156;    // DVE: an instruction's result this long after its cycles
  double act_fixed_latency_ns = 157;    // ACT: the same
  double act_table_load_ns = 1283;      // ACT: loading another function's table (docs/timing-model.md)
  double matmul_fp32_slowdown = 4;      // fp32 matmul runs at 1/4 rate
  double load_stationary_speedup = 4;   // fast LoadStationary vs MultiplyMoving of equal free size
  // nc_matmul perf_mode double_row (fp8 only): each PE takes this many fp8 pairs a cycle, so
  // the operands stream this many elements per partition per cycle.
  double matmul_fp8_double_row_speedup = 2;
  // dI/dt throttling of the PE: after an idle spell the array runs at this fraction of its
  // rate, ramping linearly to full over pe_throttle_ramp_ns; an idle gap of at least
  // pe_throttle_idle_ns (utilisation under 50% over a 3 us window) re-engages it. 1: off.
  double pe_throttle_start_limit = 0.5;
  double pe_throttle_ramp_ns = 3000;
  double pe_throttle_idle_ns = 1500;
  double vector_fast_mode_sbuf = 4;     // DVE tensor_copy, 16-bit, SBUF->SBUF, contiguous
  double vector_fast_mode_other = 2;    // DVE tensor_copy, 16-bit, strided or one side PSUM
  double iota_overhead_cycles = 150;    // POOL iota: this + N cycles
  int dma_engines = 16;
  double dma_engine_bandwidth_gbps = 23;   // GB/s = bytes per ns, sustained
  double dma_descriptor_overhead_ns = 8;
  double dma_engine_warmup_ns = 600;       // an engine's first descriptor of the run, extra
  // Whole rows merge into one descriptor up to these bytes: rows contiguous in HBM, or not.
  int64_t dma_descriptor_contiguous_bytes = 32768;
  int64_t dma_descriptor_strided_bytes = 4096;
  double dma_fixed_latency_ns = 800;
  double dma_issue_ns = 0;                 // queue issue gap (descriptors precomputed: dge none)
  double hwdge_issue_ns = 600;             // one hardware-DGE instruction's time on a DGE instance
  int dge_instances = 2;                   // hardware DGE blocks per core, shared by its queues
  int dge_unknown_as_hwdge = 0;            // dge_mode unknown (the compiler's choice): 0 none, 1 hwdge
  double hbm_bandwidth_gbps = 725;         // one HBM stack, shared by the two cores
  isa::Limits limits;

  // Reads a JSON object of overrides; unknown keys and wrong types throw std::invalid_argument
  // naming "hardware.<key>".
  void apply(const nlohmann::json& overrides);
  nlohmann::json to_json() const;
  // Each field's documented range, {"name": [min, max]} (docs/timing-model.md, "Ranges").
  static nlohmann::json ranges();
};

}  // namespace trn2::sim

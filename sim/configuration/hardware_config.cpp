#include "sim/configuration/hardware_config.h"

#include "isa/json_file.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>

namespace trn2::sim {

namespace {

// A number as people write it: 128, 4194305, 0.001, 1e+300 (not 128.000000 or 4.1943e+06).
std::string bound(double v) {
  char text[40];
  if (v == std::floor(v) && std::fabs(v) < 1e19) std::snprintf(text, sizeof text, "%.0f", v);
  else std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

// Every figure has a documented range (docs/timing-model.md, "Ranges"): wide enough for any
// hardware worth asking about, narrow enough that no figure can drive simulated time past
// what SystemC counts or a product past int64.
template <typename T>
void read_number(const nlohmann::json& v, const std::string& key, T& out, double min_value, double max_value) {
  if (!v.is_number()) throw std::invalid_argument("hardware." + key + ": expected a number");
  if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) throw std::invalid_argument("hardware." + key + ": expected an integer");
  }
  const double d = v.get<double>();
  if (!(d >= min_value && d <= max_value))
    throw std::invalid_argument("hardware." + key + ": " + bound(d) + " is outside its range [" + bound(min_value) +
                                ", " + bound(max_value) + "]");
  out = v.get<T>();
}

// Visits every field with its JSON name; one list serves apply() and to_json().
template <typename F>
void for_each_field(HardwareConfig& c, F&& f) {
  f("pe_clock_ghz", c.pe_clock_ghz, 1e-3, 100);
  f("dve_clock_ghz", c.dve_clock_ghz, 1e-3, 100);
  f("act_clock_ghz", c.act_clock_ghz, 1e-3, 100);
  f("pool_clock_ghz", c.pool_clock_ghz, 1e-3, 100);
  f("profiler_clock_ghz", c.profiler_clock_ghz, 1e-3, 100);
  f("min_ii_cycles", c.min_ii_cycles, 0.0, 1e5);
  f("semaphore_latency_ns", c.semaphore_latency_ns, 0.0, 1e6);
  f("dma_completion_latency_ns", c.dma_completion_latency_ns, 0.0, 1e6);
  f("dve_fixed_latency_ns", c.dve_fixed_latency_ns, 0.0, 1e6);
  f("act_fixed_latency_ns", c.act_fixed_latency_ns, 0.0, 1e6);
  f("act_table_load_ns", c.act_table_load_ns, 0.0, 1e6);
  f("matmul_fp32_slowdown", c.matmul_fp32_slowdown, 1.0, 64);
  f("load_stationary_speedup", c.load_stationary_speedup, 1.0, 64);
  f("matmul_fp8_double_row_speedup", c.matmul_fp8_double_row_speedup, 1.0, 64);
  f("pe_throttle_start_limit", c.pe_throttle_start_limit, 0.01, 1);
  f("pe_throttle_ramp_ns", c.pe_throttle_ramp_ns, 0.0, 1e9);
  f("pe_throttle_idle_ns", c.pe_throttle_idle_ns, 0.0, 1e9);
  f("vector_fast_mode_sbuf", c.vector_fast_mode_sbuf, 1.0, 64);
  f("vector_fast_mode_other", c.vector_fast_mode_other, 1.0, 64);
  f("iota_overhead_cycles", c.iota_overhead_cycles, 0.0, 1e6);
  f("dma_engines", c.dma_engines, 1.0, 64);
  f("dma_queues", c.limits.dma_queues, 1.0, 64);
  f("dma_engine_bandwidth_gbps", c.dma_engine_bandwidth_gbps, 1e-3, 1e5);
  f("dma_descriptor_overhead_ns", c.dma_descriptor_overhead_ns, 0.0, 1e6);
  f("dma_engine_warmup_ns", c.dma_engine_warmup_ns, 0.0, 1e6);
  f("dma_descriptor_contiguous_bytes", c.dma_descriptor_contiguous_bytes, 1.0, 1073741824);
  f("dma_descriptor_strided_bytes", c.dma_descriptor_strided_bytes, 1.0, 1073741824);
  f("dma_fixed_latency_ns", c.dma_fixed_latency_ns, 0.0, 1e6);
  f("dma_issue_ns", c.dma_issue_ns, 0.0, 1e6);
  f("hwdge_issue_ns", c.hwdge_issue_ns, 0.0, 1e6);
  f("dge_instances", c.dge_instances, 1.0, 64);
  f("dge_unknown_as_hwdge", c.dge_unknown_as_hwdge, 0.0, 1);
  f("hbm_bandwidth_gbps", c.hbm_bandwidth_gbps, 1e-3, 1e6);
  f("partitions", c.limits.partitions, 1.0, 128);
  f("sbuf_partition_bytes", c.limits.sbuf_partition_bytes, 64.0, 4194304);
  f("psum_partition_bytes", c.limits.psum_partition_bytes, 64.0, 1048576);
  f("psum_bank_bytes", c.limits.psum_bank_bytes, 64.0, 1048576);
  f("matmul_stationary_free_max", c.limits.matmul_stationary_free_max, 1.0, 1048576);
  f("matmul_moving_free_max", c.limits.matmul_moving_free_max, 1.0, 1048576);
  f("hbm_bytes", c.limits.hbm_bytes, 1.0, 1099511627776);
}

}  // namespace

void HardwareConfig::apply(const nlohmann::json& overrides) {
  if (!overrides.is_object()) throw std::invalid_argument("hardware: expected an object");
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    if (it.key() == "sources") continue;  // documentation of where each figure comes from
    bool found = false;
    for_each_field(*this, [&](const char* name, auto& field, double min_value, double max_value) {
      if (it.key() == name) {
        read_number(it.value(), name, field, min_value, max_value);
        found = true;
      }
    });
    if (!found) throw std::invalid_argument("hardware." + isa::printable(it.key()) + ": unknown key");
  }
  // Ranges are per field (above); what is left relates two fields. The model allocates every
  // partition's SBUF and one module per PSUM bank: the ranges keep those within a few times
  // trn2's and every product far from int64 overflow.
  if (limits.psum_bank_bytes > limits.psum_partition_bytes || limits.psum_partition_bytes % limits.psum_bank_bytes != 0)
    throw std::invalid_argument("hardware.psum_bank_bytes: " + std::to_string(limits.psum_bank_bytes) +
                                " does not divide hardware.psum_partition_bytes " +
                                std::to_string(limits.psum_partition_bytes) + " into whole banks");
}

nlohmann::json HardwareConfig::ranges() {
  nlohmann::json j;
  HardwareConfig c;
  for_each_field(c, [&](const char* name, auto&, double lo, double hi) { j[name] = {lo, hi}; });
  return j;
}

nlohmann::json HardwareConfig::to_json() const {
  nlohmann::json j;
  HardwareConfig copy = *this;
  for_each_field(copy, [&](const char* name, auto& field, double, double) { j[name] = field; });
  return j;
}

}  // namespace trn2::sim

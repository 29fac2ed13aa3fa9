#include "sim/hardware_config.h"

#include <functional>
#include <limits>
#include <map>
#include <stdexcept>

namespace trn2::sim {

namespace {

template <typename T>
void read_number(const nlohmann::json& v, const std::string& key, T& out, double min_value) {
  if (!v.is_number()) throw std::invalid_argument("hardware." + key + ": expected a number");
  if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) throw std::invalid_argument("hardware." + key + ": expected an integer");
  }
  const double d = v.get<double>();
  if (!(d >= min_value)) throw std::invalid_argument("hardware." + key + ": must be at least " + std::to_string(min_value));
  // Checked before narrowing, so 2^32 + 1 partitions cannot pass as 1.
  if (std::is_integral_v<T> && !(d <= double(std::numeric_limits<T>::max())))
    throw std::invalid_argument("hardware." + key + ": exceeds " + std::to_string(std::numeric_limits<T>::max()));
  out = v.get<T>();
}

// Visits every field with its JSON name; one list serves apply() and to_json().
template <typename F>
void for_each_field(HardwareConfig& c, F&& f) {
  f("pe_clock_ghz", c.pe_clock_ghz, 1e-3);
  f("dve_clock_ghz", c.dve_clock_ghz, 1e-3);
  f("act_clock_ghz", c.act_clock_ghz, 1e-3);
  f("pool_clock_ghz", c.pool_clock_ghz, 1e-3);
  f("profiler_clock_ghz", c.profiler_clock_ghz, 1e-3);
  f("min_ii_cycles", c.min_ii_cycles, 0.0);
  f("semaphore_latency_ns", c.semaphore_latency_ns, 0.0);
  f("dma_completion_latency_ns", c.dma_completion_latency_ns, 0.0);
  f("dve_fixed_latency_ns", c.dve_fixed_latency_ns, 0.0);
  f("act_fixed_latency_ns", c.act_fixed_latency_ns, 0.0);
  f("matmul_fp32_slowdown", c.matmul_fp32_slowdown, 1.0);
  f("load_stationary_speedup", c.load_stationary_speedup, 1.0);
  f("pe_throttle_start_limit", c.pe_throttle_start_limit, 0.01);
  f("pe_throttle_ramp_ns", c.pe_throttle_ramp_ns, 0.0);
  f("pe_throttle_idle_ns", c.pe_throttle_idle_ns, 0.0);
  f("vector_fast_mode_sbuf", c.vector_fast_mode_sbuf, 1.0);
  f("vector_fast_mode_other", c.vector_fast_mode_other, 1.0);
  f("iota_overhead_cycles", c.iota_overhead_cycles, 0.0);
  f("dma_engines", c.dma_engines, 1.0);
  f("dma_queues", c.limits.dma_queues, 1.0);
  f("dma_engine_bandwidth_gbps", c.dma_engine_bandwidth_gbps, 1e-3);
  f("dma_descriptor_overhead_ns", c.dma_descriptor_overhead_ns, 0.0);
  f("dma_engine_warmup_ns", c.dma_engine_warmup_ns, 0.0);
  f("dma_descriptor_contiguous_bytes", c.dma_descriptor_contiguous_bytes, 1.0);
  f("dma_descriptor_strided_bytes", c.dma_descriptor_strided_bytes, 1.0);
  f("dma_fixed_latency_ns", c.dma_fixed_latency_ns, 0.0);
  f("dma_issue_ns", c.dma_issue_ns, 0.0);
  f("hwdge_issue_ns", c.hwdge_issue_ns, 0.0);
  f("dge_instances", c.dge_instances, 1.0);
  f("dge_unknown_as_hwdge", c.dge_unknown_as_hwdge, 0.0);
  f("hbm_bandwidth_gbps", c.hbm_bandwidth_gbps, 1e-3);
  f("partitions", c.limits.partitions, 1.0);
  f("sbuf_partition_bytes", c.limits.sbuf_partition_bytes, 64.0);
  f("psum_partition_bytes", c.limits.psum_partition_bytes, 64.0);
  f("psum_bank_bytes", c.limits.psum_bank_bytes, 64.0);
  f("matmul_stationary_free_max", c.limits.matmul_stationary_free_max, 1.0);
  f("matmul_moving_free_max", c.limits.matmul_moving_free_max, 1.0);
  f("hbm_bytes", c.limits.hbm_bytes, 1.0);
}

}  // namespace

void HardwareConfig::apply(const nlohmann::json& overrides) {
  if (!overrides.is_object()) throw std::invalid_argument("hardware: expected an object");
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    if (it.key() == "sources") continue;  // documentation of where each figure comes from
    bool found = false;
    for_each_field(*this, [&](const char* name, auto& field, double min_value) {
      if (it.key() == name) {
        read_number(it.value(), name, field, min_value);
        found = true;
      }
    });
    if (!found) throw std::invalid_argument("hardware." + it.key() + ": unknown key");
  }
  if (limits.partitions > 128) throw std::invalid_argument("hardware.partitions: exceeds 128");
  if (limits.dma_queues > 64) throw std::invalid_argument("hardware.dma_queues: exceeds 64");
  if (dma_engines > 64) throw std::invalid_argument("hardware.dma_engines: exceeds 64");
  if (pe_throttle_start_limit > 1) throw std::invalid_argument("hardware.pe_throttle_start_limit: exceeds 1 (1: no throttling)");
  if (dge_instances > 64) throw std::invalid_argument("hardware.dge_instances: exceeds 64");
  if (dge_unknown_as_hwdge > 1)
    throw std::invalid_argument("hardware.dge_unknown_as_hwdge: expected 0 (none) or 1 (hwdge)");
  // The model allocates every partition's SBUF and one module per PSUM bank, and the kernel
  // builder multiplies these sizes: keep them within a few times trn2's and far from int64
  // overflow.
  auto at_most = [](const char* key, int64_t value, int64_t max) {
    if (value > max) throw std::invalid_argument(std::string("hardware.") + key + ": exceeds " + std::to_string(max));
  };
  at_most("sbuf_partition_bytes", limits.sbuf_partition_bytes, int64_t(1) << 22);
  at_most("psum_partition_bytes", limits.psum_partition_bytes, int64_t(1) << 20);
  at_most("psum_bank_bytes", limits.psum_bank_bytes, limits.psum_partition_bytes);
  if (limits.psum_partition_bytes % limits.psum_bank_bytes != 0)
    throw std::invalid_argument("hardware.psum_partition_bytes: " + std::to_string(limits.psum_partition_bytes) +
                                " is not a whole number of " + std::to_string(limits.psum_bank_bytes) + "-byte banks");
  at_most("matmul_stationary_free_max", limits.matmul_stationary_free_max, int64_t(1) << 20);
  at_most("matmul_moving_free_max", limits.matmul_moving_free_max, int64_t(1) << 20);
  at_most("hbm_bytes", limits.hbm_bytes, int64_t(1) << 40);
}

nlohmann::json HardwareConfig::to_json() const {
  nlohmann::json j;
  HardwareConfig copy = *this;
  for_each_field(copy, [&](const char* name, auto& field, double) { j[name] = field; });
  return j;
}

}  // namespace trn2::sim

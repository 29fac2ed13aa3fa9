#pragma once
// One of a core's 16 DMA engines: moves descriptors at its own bandwidth, paying a
// per-descriptor overhead; traffic to or from HBM also takes its share of the stack. Its
// first descriptor of the run takes warmup_ns longer (public trn2 timelines: each engine's
// first descriptor runs 0.38-1.21 us where the others take 0.16).
#include <systemc>

#include "sim/hardware/hbm.h"

namespace trn2::sim {

class DmaEngine : public sc_core::sc_module {
 public:
  DmaEngine(sc_core::sc_module_name name, double bandwidth_gbps, double descriptor_overhead_ns, double warmup_ns,
            Hbm& hbm)
      : sc_module(name), bytes_per_ns_(bandwidth_gbps), descriptor_ns_(descriptor_overhead_ns), warmup_ns_(warmup_ns),
        hbm_(hbm) {}

  struct Span {
    double begin_ns, end_ns;
  };
  // Moves `bytes` in `descriptors` starting no earlier than `start_ns`; returns when the
  // engine began and ended. hbm_read/hbm_write: which sides are HBM.
  Span move(double start_ns, int64_t bytes, int64_t descriptors, bool hbm_read, bool hbm_write);

  double busy_ns() const { return busy_ns_; }

 private:
  double bytes_per_ns_;
  double descriptor_ns_;
  double warmup_ns_;  // paid once, by the first transfer
  Hbm& hbm_;
  double free_at_ns_ = 0;
  double busy_ns_ = 0;
};

}  // namespace trn2::sim

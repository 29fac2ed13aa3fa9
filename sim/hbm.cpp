#include "sim/hbm.h"

#include <algorithm>
#include <new>

namespace trn2::sim {

Hbm::Hbm(sc_core::sc_module_name name, size_t bytes, double bandwidth_gbps)
    : sc_module(name), bytes_(static_cast<uint8_t*>(std::calloc(std::max<size_t>(bytes, 1), 1))), size_(bytes),
      bytes_per_ns_(bandwidth_gbps) {
  if (!bytes_) throw std::bad_alloc();
}

double Hbm::transfer(double start_ns, int64_t bytes, bool write) {
  const double duration = double(bytes) / bytes_per_ns_;
  const double begin = std::max(start_ns, free_at_ns_);
  free_at_ns_ = begin + duration;
  busy_ns_ += duration;
  (write ? write_bytes_ : read_bytes_) += bytes;
  return free_at_ns_;
}

}  // namespace trn2::sim

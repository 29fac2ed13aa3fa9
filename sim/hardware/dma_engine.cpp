#include "sim/hardware/dma_engine.h"

#include <algorithm>

namespace trn2::sim {

DmaEngine::Span DmaEngine::move(double start_ns, int64_t bytes, int64_t descriptors, bool hbm_read, bool hbm_write) {
  const double begin = std::max(start_ns, free_at_ns_);
  double end = begin + double(descriptors) * descriptor_ns_ + double(bytes) / bytes_per_ns_ + warmup_ns_;
  warmup_ns_ = 0;
  if (hbm_read) end = std::max(end, hbm_.transfer(begin, bytes, false));
  if (hbm_write) end = std::max(end, hbm_.transfer(begin, bytes, true));
  busy_ns_ += end - begin;
  free_at_ns_ = end;
  return {begin, end};
}

}  // namespace trn2::sim

#pragma once
// The bytes an access pattern touches, row by row, and where two patterns first meet: the
// geometry the race check (isa/hazards) reports with.
#include <cstdint>

#include "isa/access.h"
#include "isa/dtype.h"

namespace trn2::isa {

struct Run {
  int64_t lo, hi;  // bytes
};

// Calls f(lo, hi) for each run of contiguous bytes of row `i` of a pattern: bytes within the
// partition for SBUF/PSUM, absolute HBM addresses for HBM.
template <typename F>
void for_each_run(const AccessPattern& a, int i, F&& f) {
  const int64_t run = a.run_elements();
  const int64_t es = int64_t(dtype_size(a.dtype));
  const int64_t row = a.offset + (a.space == Space::HBM ? int64_t(i) * a.partition_step : 0);
  const int64_t n = a.free_elements();
  for (int64_t flat = 0; flat < n; flat += run) {
    const int64_t e = row + a.free_offset(flat);
    f(a.base + e * es, a.base + (e + run) * es);
  }
}

inline int partition_of(const AccessPattern& a, int i) { return a.start_partition + i * int(a.partition_step); }

// Whether every byte of the bounding box [partitions] x [byte extent] is touched.
bool dense(const AccessPattern& a);

// The first bytes two patterns of one memory both touch; partition -1 for HBM.
bool exact_overlap(const AccessPattern& a, const AccessPattern& b, int& partition, Run& bytes);

// The first bytes `a` (on chip) touches of the box partitions [p_lo, p_hi) x bytes
// [b_lo, b_hi) that some dense on-chip access touches whole (each of its partitions one run,
// the box's bytes): as exact_overlap with that access.
bool overlap_with_box(const AccessPattern& a, int p_lo, int p_hi, int64_t b_lo, int64_t b_hi, int& partition,
                      Run& bytes);

}  // namespace trn2::isa

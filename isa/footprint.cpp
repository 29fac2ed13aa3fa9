#include "isa/footprint.h"

#include <algorithm>
#include <vector>

namespace trn2::isa {

namespace {

// Row index of partition p in a (SBUF/PSUM), or -1.
int row_of(const AccessPattern& a, int p) {
  const int d = p - a.start_partition;
  if (d < 0 || d % int(a.partition_step) != 0) return -1;
  const int r = d / int(a.partition_step);
  return r < a.partition_count ? r : -1;
}

std::vector<Run> sorted_runs(const AccessPattern& a, int row_lo, int row_hi) {
  std::vector<Run> runs;
  for (int i = row_lo; i < row_hi; ++i) for_each_run(a, i, [&](int64_t lo, int64_t hi) { runs.push_back({lo, hi}); });
  std::sort(runs.begin(), runs.end(), [](const Run& x, const Run& y) { return x.lo < y.lo; });
  return runs;
}

bool first_common(const std::vector<Run>& x, const std::vector<Run>& y, Run& out) {
  // Two sorted lists of runs (a list's runs may overlap each other when a pattern touches an
  // element twice); advancing the side whose run ends first never skips a common byte.
  size_t i = 0, j = 0;
  while (i < x.size() && j < y.size()) {
    const int64_t lo = std::max(x[i].lo, y[j].lo), hi = std::min(x[i].hi, y[j].hi);
    if (lo < hi) {
      out = {lo, hi};
      return true;
    }
    if (x[i].hi < y[j].hi) ++i; else ++j;
  }
  return false;
}

}  // namespace

bool dense(const AccessPattern& a) {
  const int64_t run = a.run_elements();
  if (run != a.free_elements()) return false;
  if (a.space == Space::HBM) return a.partition_count == 1 || a.partition_step == run;
  return a.partition_count == 1 || a.partition_step == 1;
}

bool exact_overlap(const AccessPattern& a, const AccessPattern& b, int& partition, Run& bytes) {
  if (a.space == Space::HBM) {
    partition = -1;
    return first_common(sorted_runs(a, 0, a.partition_count), sorted_runs(b, 0, b.partition_count), bytes);
  }
  for (int i = 0; i < a.partition_count; ++i) {
    const int p = partition_of(a, i), j = row_of(b, p);
    if (j < 0) continue;
    if (first_common(sorted_runs(a, i, i + 1), sorted_runs(b, j, j + 1), bytes)) {
      partition = p;
      return true;
    }
  }
  return false;
}

bool overlap_with_box(const AccessPattern& a, int p_lo, int p_hi, int64_t b_lo, int64_t b_hi, int& partition,
                      Run& bytes) {
  const std::vector<Run> run = {{b_lo, b_hi}};
  for (int i = 0; i < a.partition_count; ++i) {
    const int p = partition_of(a, i);
    if (p < p_lo || p >= p_hi) continue;
    if (first_common(sorted_runs(a, i, i + 1), run, bytes)) {
      partition = p;
      return true;
    }
  }
  return false;
}

}  // namespace trn2::isa

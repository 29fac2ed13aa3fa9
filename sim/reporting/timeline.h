#pragma once
// Busy time per track in time bins, for the HTML report's timeline picture. Memory stays
// bounded: when a run outgrows the bins, they double in width and merge pairwise.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace trn2::sim {

class Timeline {
 public:
  explicit Timeline(int tracks, size_t max_bins = 1024, double first_bin_ns = 100);

  // Track `t` was busy over [start, end); `weight` scales it (1/16 for one of 16 DMA engines).
  // Inline for the common slice inside one bin: every instruction, and every DMA engine's
  // share of every transfer, comes through here.
  void add(int t, double start_ns, double end_ns, double weight = 1.0) {
    if (end_ns <= start_ns) return;
    if (end_ns > span_ns_) grow_to(end_ns);
    const size_t first = size_t(start_ns / bin_ns_);
    const size_t last = std::min(max_bins_ - 1, size_t(end_ns / bin_ns_));
    if (first == last) {
      busy_[size_t(t)][first] += (end_ns - start_ns) * weight;
      return;
    }
    add_across_bins(t, start_ns, end_ns, weight, first, last);
  }

  double bin_ns() const { return bin_ns_; }
  // Fraction of each bin track `t` was busy, 0 to 1.
  std::vector<double> utilisation(int t) const;

 private:
  void grow_to(double end_ns);
  void add_across_bins(int t, double start_ns, double end_ns, double weight, size_t first, size_t last);

  size_t max_bins_;
  double bin_ns_;
  double span_ns_;  // bin_ns_ * max_bins_: where the bins end
  std::vector<std::vector<double>> busy_;  // [track][bin] busy ns
};

}  // namespace trn2::sim

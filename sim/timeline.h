#pragma once
// Busy time per track in time bins, for the HTML report's timeline picture. Memory stays
// bounded: when a run outgrows the bins, they double in width and merge pairwise.
#include <cstddef>
#include <vector>

namespace trn2::sim {

class Timeline {
 public:
  explicit Timeline(int tracks, size_t max_bins = 1024, double first_bin_ns = 100);

  // Track `t` was busy over [start, end); `weight` scales it (1/16 for one of 16 DMA engines).
  void add(int t, double start_ns, double end_ns, double weight = 1.0);

  double bin_ns() const { return bin_ns_; }
  // Fraction of each bin track `t` was busy, 0 to 1.
  std::vector<double> utilisation(int t) const;

 private:
  void grow_to(double end_ns);

  size_t max_bins_;
  double bin_ns_;
  std::vector<std::vector<double>> busy_;  // [track][bin] busy ns
};

}  // namespace trn2::sim

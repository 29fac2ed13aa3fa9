#include "sim/timeline.h"

#include <algorithm>

namespace trn2::sim {

Timeline::Timeline(int tracks, size_t max_bins, double first_bin_ns)
    : max_bins_(max_bins), bin_ns_(first_bin_ns), busy_(size_t(tracks), std::vector<double>(max_bins, 0.0)) {}

void Timeline::grow_to(double end_ns) {
  while (end_ns > bin_ns_ * double(max_bins_)) {
    for (auto& bins : busy_) {
      for (size_t b = 0; b < max_bins_ / 2; ++b) bins[b] = bins[2 * b] + bins[2 * b + 1];
      std::fill(bins.begin() + long(max_bins_ / 2), bins.end(), 0.0);
    }
    bin_ns_ *= 2;
  }
}

void Timeline::add(int t, double start_ns, double end_ns, double weight) {
  if (end_ns <= start_ns) return;
  grow_to(end_ns);
  auto& bins = busy_[size_t(t)];
  const size_t first = size_t(start_ns / bin_ns_);
  const size_t last = std::min(max_bins_ - 1, size_t(end_ns / bin_ns_));
  if (first == last) {  // most slices sit inside one bin
    bins[first] += (end_ns - start_ns) * weight;
    return;
  }
  for (size_t b = first; b <= last; ++b) {
    const double lo = std::max(start_ns, double(b) * bin_ns_), hi = std::min(end_ns, double(b + 1) * bin_ns_);
    if (hi > lo) bins[b] += (hi - lo) * weight;
  }
}

std::vector<double> Timeline::utilisation(int t) const {
  std::vector<double> u(busy_[size_t(t)]);
  for (double& v : u) v = std::min(1.0, v / bin_ns_);
  return u;
}

}  // namespace trn2::sim

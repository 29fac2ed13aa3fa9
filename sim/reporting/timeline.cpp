#include "sim/reporting/timeline.h"

#include <algorithm>

namespace trn2::sim {

Timeline::Timeline(int tracks, size_t max_bins, double first_bin_ns)
    : max_bins_(max_bins),
      bin_ns_(first_bin_ns),
      span_ns_(first_bin_ns * double(max_bins)),
      busy_(size_t(tracks), std::vector<double>(max_bins, 0.0)) {}

void Timeline::grow_to(double end_ns) {
  while (end_ns > span_ns_) {
    for (auto& bins : busy_) {
      for (size_t b = 0; b < max_bins_ / 2; ++b) bins[b] = bins[2 * b] + bins[2 * b + 1];
      std::fill(bins.begin() + long(max_bins_ / 2), bins.end(), 0.0);
    }
    bin_ns_ *= 2;
    span_ns_ = bin_ns_ * double(max_bins_);
  }
}

void Timeline::add_across_bins(int t, double start_ns, double end_ns, double weight, size_t first, size_t last) {
  auto& bins = busy_[size_t(t)];
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

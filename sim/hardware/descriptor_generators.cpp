#include "sim/hardware/descriptor_generators.h"

#include "sim/hardware/scoreboard.h"

namespace trn2::sim {

double DescriptorGenerators::generate(double ready) {
  // No request starts before the clock (check_not_late holds queues to it): bookings that
  // ended before it can never be in the way again.
  const double now = now_ns();
  for (auto& bookings : busy_) {
    size_t done = 0;
    while (done < bookings.size() && bookings[done].second < now) ++done;
    if (done > 0) bookings.erase(bookings.begin(), bookings.begin() + std::ptrdiff_t(done));
  }
  // The earliest start at or after `ready` on each instance, between its bookings.
  size_t best = 0;
  double best_start = 0;
  size_t best_at = 0;
  for (size_t k = 0; k < busy_.size(); ++k) {
    double t = ready;
    size_t at = 0;
    for (const auto& [start, end] : busy_[k]) {
      if (t + ns_ <= start) break;  // fits before this booking
      t = std::max(t, end);
      ++at;
    }
    if (k == 0 || t < best_start) best = k, best_start = t, best_at = at;
  }
  auto& bookings = busy_[best];
  bookings.insert(bookings.begin() + std::ptrdiff_t(best_at), {best_start, best_start + ns_});
  return best_start + ns_;
}

}  // namespace trn2::sim

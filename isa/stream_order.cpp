#include "isa/stream_order.h"

#include <algorithm>

namespace trn2::isa {

namespace {
// The smallest power of two >= n (n > 0).
size_t power_of_two_at_least(size_t n) {
  size_t p = 1;
  while (p < n) p *= 2;
  return p;
}
}  // namespace

StreamOrder::StreamOrder(int slots, size_t recent)
    : slots_(size_t(slots)), recent_(recent ? power_of_two_at_least(recent) : 0), ring_mask_(recent_ - 1),
      count_(slots_, 0), last_clock_(slots_ * slots_, 0), current_(slots_, 0) {
  if (recent_) {
    ring_.assign(recent_ * slots_, 0);
    ring_pins_.assign(recent_, 0);
  }
}

void StreamOrder::add(uint32_t n, const Instruction& in) {
  const size_t s = size_t(slot_of(in));
  // The slot's previous instruction comes first (in-order engines and queues).
  std::copy_n(&last_clock_[s * slots_], slots_, current_.begin());
  missing_.clear();
  for (uint32_t d : in.deps) {
    // Already known to come first (an instruction joined so far follows it, so its clock
    // holds d's): reading d's clock, often long out of cache, would change nothing.
    if (current_[place_[d].slot] > place_[d].seq) continue;
    if (const uint32_t* c = clock_of(d, n)) join(c);
    else missing_.push_back(d);
  }
  for (uint32_t d : missing_) {
    if (current_[place_[d].slot] > place_[d].seq) continue;  // implied by the others
    current_[place_[d].slot] = place_[d].seq + 1;
    ++lost_orders_;
  }
  current_seq_ = count_[s]++;
  current_slot_ = uint8_t(s);
  current_[s] = current_seq_ + 1;
  place_.push_back({current_slot_, current_seq_});
  std::copy(current_.begin(), current_.end(), &last_clock_[s * slots_]);
  store(n);
}

void StreamOrder::pin(uint32_t i) {
  if (!recent_) return;  // every clock is kept
  if (in_ring(i)) ++ring_pins_[ring_at(i)];
  else ++spilled_.at(i).pins;
}

void StreamOrder::unpin(uint32_t i) {
  if (!recent_) return;
  if (in_ring(i)) {
    --ring_pins_[ring_at(i)];
    return;
  }
  auto it = spilled_.find(i);
  if (--it->second.pins > 0) return;
  free_clocks_.push_back(it->second.clock);
  spilled_.erase(it);
}

const uint32_t* StreamOrder::clock_of(uint32_t d, uint32_t n) const {
  if (!recent_) return &all_[size_t(d) * slots_];
  if (size_t(n - d) <= recent_) return &ring_[ring_at(d) * slots_];
  auto it = spilled_.find(d);
  return it == spilled_.end() ? nullptr : &clock_pool_[size_t(it->second.clock) * slots_];
}

void StreamOrder::store(uint32_t n) {
  if (!recent_) {
    all_.insert(all_.end(), current_.begin(), current_.end());
    return;
  }
  uint32_t* slot = &ring_[ring_at(n) * slots_];
  uint32_t& pins = ring_pins_[ring_at(n)];
  // The ring's oldest clock leaves it now; keep it aside while its accesses are on file.
  if (pins > 0) {
    uint32_t clock;
    if (free_clocks_.empty()) {
      clock = uint32_t(clock_pool_.size() / slots_);
      clock_pool_.insert(clock_pool_.end(), slot, slot + slots_);
    } else {
      clock = free_clocks_.back();
      free_clocks_.pop_back();
      std::copy(slot, slot + slots_, &clock_pool_[size_t(clock) * slots_]);
    }
    spilled_.emplace(uint32_t(n - recent_), Spilled{pins, clock});
    pins = 0;
  }
  latest_ = n;
  std::copy(current_.begin(), current_.end(), slot);
}

}  // namespace trn2::isa

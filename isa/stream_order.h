#pragma once
// The happens-before order of one core's stream, as vector clocks over its engines and DMA
// queues: what the race check (isa/hazards) asks whether two accesses are ordered.
//
// clock(i)[s] = how many instructions of slot s happen before or are instruction i. Built in
// stream order, which is a topological order (dependencies point to earlier instructions).
//
// A later instruction needs an earlier one's clock only if it depends on it, and not even
// then if the dependency is already implied (a clock joined before shows it): every
// instruction's slot and place there (5 bytes) are kept to tell. With `recent` = 0 every
// clock is kept. Otherwise the clocks of the last `recent` instructions (rounded up to a
// power of two) are kept, and older ones only while an access of theirs is still on file
// (pinned). A kernel builder finds dependencies among the accesses it keeps, so its
// dependencies are nearly always at hand; one that is not (its accesses all covered by later
// ones since) is almost always implied by the others. Only if it is not is its order
// guessed, from below: the instruction is taken to follow that dependency itself but not,
// through it, what came before it (counted in lost_orders(); a race may then be reported
// that is not one, never the other way round).
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "isa/instruction.h"

namespace trn2::isa {

class StreamOrder {
 public:
  StreamOrder(int slots, size_t recent);

  // Instruction `n` (the count so far) of the stream.
  void add(uint32_t n, const Instruction& in);
  // The current instruction's slot and sequence number within it.
  uint8_t slot() const { return current_slot_; }
  uint32_t seq() const { return current_seq_; }
  // Whether the instruction `seq` of `slot` happens before the current one.
  bool before_current(uint8_t slot, uint32_t seq) const { return current_[slot] > seq; }

  uint64_t lost_orders() const { return lost_orders_; }
  // Accesses on file of instruction i (only ever the current one is pinned). Counted in a
  // flat array while i's clock is in the ring (most accesses are pruned by then), in a map
  // once it has left with its clock.
  void pin(uint32_t i);
  void unpin(uint32_t i);

 private:
  void join(const uint32_t* c) {
    for (size_t k = 0; k < slots_; ++k) current_[k] = current_[k] > c[k] ? current_[k] : c[k];
  }
  // The clock of instruction d, or nullptr if it is no longer kept.
  const uint32_t* clock_of(uint32_t d, uint32_t n) const;
  // Whether instruction i's clock is in the ring (i is at most the latest instruction).
  bool in_ring(uint32_t i) const { return size_t(latest_ - i) < recent_; }
  // Instruction i's place in the ring: a mask, not a division (several per instruction).
  size_t ring_at(uint32_t i) const { return size_t(i) & ring_mask_; }
  void store(uint32_t n);

  size_t slots_, recent_;  // recent_: a power of two (0: every clock)
  size_t ring_mask_;
  std::vector<uint32_t> count_;
  std::vector<uint32_t> last_clock_;  // per slot: the clock of its latest instruction
  std::vector<uint32_t> current_;
  uint32_t current_seq_ = 0;
  uint8_t current_slot_ = 0;
  struct Place {
    uint8_t slot;
    uint32_t seq;
  } __attribute__((packed));
  std::vector<Place> place_;  // every instruction's
  std::vector<uint32_t> missing_;
  uint64_t lost_orders_ = 0;
  std::vector<uint32_t> all_;   // recent_ == 0: every clock
  std::vector<uint32_t> ring_;  // the last recent_ clocks
  uint32_t latest_ = 0;              // the latest instruction stored
  std::vector<uint32_t> ring_pins_;  // accesses on file of the instructions in the ring
  // Instructions older than the ring with accesses on file: how many, and where their clock
  // is kept (a slot of clock_pool_, reused once they are gone: no allocation per clock).
  struct Spilled {
    uint32_t pins;
    uint32_t clock;
  };
  std::unordered_map<uint32_t, Spilled> spilled_;
  std::vector<uint32_t> clock_pool_;
  std::vector<uint32_t> free_clocks_;
};

}  // namespace trn2::isa

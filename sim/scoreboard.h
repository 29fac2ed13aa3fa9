#pragma once
// The semaphores of one core: which instructions have been issued and when each finishes.
// Engines wait here for their instruction's dependencies, as the hardware's sequencers wait
// on the semaphores the compiler inserted.
#include <memory>
#include <systemc>
#include <vector>

#include "isa/instruction.h"

namespace trn2::sim {

// Slots: one per compute engine (isa::Engine order), then one per DMA queue.
int slot_of(const isa::Instruction& in);

class Scoreboard {
 public:
  Scoreboard(const std::vector<isa::Instruction>& stream, int dma_queues);

  // Blocks the calling SC_THREAD until every dependency of instruction `i` has been issued;
  // returns the earliest start time in ns: each dependency's finish, plus `semaphore_ns` when
  // it ran on another engine or queue.
  // `critical_slot`, if given, receives the slot of the dependency that set the time (-1: none).
  double wait_ready(uint32_t i, double semaphore_ns, int* critical_slot = nullptr);
  void publish(uint32_t i, double finish_ns);
  double finish(uint32_t i) const { return finish_ns_[i]; }
  // Where instruction i shows in the trace: its track and a time inside its slice.
  void mark(uint32_t i, int tid, double at_ns) {
    trace_tid_[i] = tid;
    trace_at_ns_[i] = at_ns;
  }
  int trace_tid(uint32_t i) const { return trace_tid_[i]; }
  // The instructions of one slot (an engine or a DMA queue), in stream order: each engine
  // and queue takes its own list from here, made in one pass over the stream.
  const std::vector<uint32_t>& instructions_of(int slot) const { return by_slot_[size_t(slot)]; }
  double trace_at(uint32_t i) const { return trace_at_ns_[i]; }

 private:
  const std::vector<isa::Instruction>& stream_;
  std::vector<uint8_t> slot_;  // slot_of(stream_[i]), kept apart so waits need not touch the instruction
  std::vector<std::vector<uint32_t>> by_slot_;
  std::vector<double> finish_ns_;
  std::vector<uint8_t> issued_;
  std::vector<int> trace_tid_;
  std::vector<double> trace_at_ns_;
  std::vector<std::unique_ptr<sc_core::sc_event>> issued_event_;  // per slot
};

// Waits the calling SC_THREAD until simulated time `t_ns` (no-op if already there).
void wait_until(double t_ns);
double now_ns();

}  // namespace trn2::sim

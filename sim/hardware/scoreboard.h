#pragma once
// One core's instruction window and semaphores. A producer (the whole program at once, or a
// kernel builder running as the model runs) pushes the core's stream in order; each engine
// and DMA queue takes its own instructions from here in order, waits for their
// dependencies' semaphores, as the hardware's sequencers wait on the semaphores the compiler
// inserted, and publishes when each finishes.
//
// Memory follows the window, not the program: an instruction is kept only until its engine
// has run it, and its finish time only until no later instruction can still be held back by
// it (see retire()). A bounded window (capacity) holds the producer back while that many
// instructions wait to run; were that ever to delay an engine that could have started, the
// run stops with an error rather than report a timing the program would not have.
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "isa/instruction.h"
#include "sim/hardware/ring_queue.h"
#include "sim/simulation/run_abort.h"

namespace trn2::sim {

// The window held an instruction back that could have started: the timing would be wrong.
struct WindowTooSmall : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An instruction would finish past kMaxSimulatedNs: SystemC counts time in picoseconds in 64
// bits (~1.8e16 ns), so the model stops well before, naming the bound. With every hardware
// figure in its range only an absurdly long program gets here.
constexpr double kMaxSimulatedNs = 1e15;  // 11.6 days of trn2 time
struct SimulatedTimeLimit : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Slots: one per compute engine (isa::Engine order), then one per DMA queue (isa::slot_of).

class Scoreboard {
 public:
  // `capacity`: instructions pushed but not yet run before push() blocks (0: unbounded).
  // `retire_after_ns`: the longest latency a dependency edge adds to its finish time.
  // `keep_history`: keep every instruction's finish time and trace position (for the trace's
  // flow arrows and occupancy counters), which makes memory grow with the program.
  // `abort` ends the run on the first error of any core's scoreboard or emitter.
  Scoreboard(int core, int dma_queues, size_t capacity, double retire_after_ns, bool keep_history, RunAbort& abort);

  // ---- the producer ----
  // Appends a copy of the next instruction of the stream (its index is the count pushed
  // before it), into a node whose buffers are reused from instruction to instruction.
  // Blocks the calling SC_THREAD while the window is full; never blocks when unbounded, so
  // a whole program may be pushed before the simulation starts. Throws RunAborted once the
  // run has failed.
  void push(const isa::Instruction& in);
  // The same without a copy: the caller keeps `in` alive and unchanged until the run ends
  // (a whole program in memory). Never blocks; use with an unbounded window.
  void push_borrowed(const isa::Instruction& in);
  void close();  // the stream has ended
  uint64_t pushed() const { return pushed_; }
  size_t peak_waiting() const { return peak_waiting_; }  // most instructions pushed and not yet run

  // ---- engines and queues ----
  // The next instruction of `slot`, blocking the calling SC_THREAD until there is one;
  // nullptr once the stream has ended or the run has failed. Valid until release(slot).
  const isa::Instruction* next(int slot, uint32_t& index);
  // Blocks until every dependency of instruction `i` (the slot's current one) has been
  // issued; returns the earliest start time in ns: each dependency's finish, plus
  // `semaphore_ns` when it ran on another engine, or `dma_semaphore_ns` on a DMA queue (a
  // transfer's end is the sum of its DMA engines' semaphores). `critical_slot`, if given,
  // receives the slot of the dependency that set the time (-1: none). Returns at once, with
  // a meaningless time, once the run has failed (the caller's next next() ends it).
  double wait_ready(uint32_t i, double semaphore_ns, double dma_semaphore_ns, int* critical_slot = nullptr);
  // Instruction `i` issued and finishes at `finish_ns`: its semaphore.
  void publish(uint32_t i, double finish_ns);
  // The slot is done with its current instruction (which is freed): the next one may come.
  void release(int slot);
  // Called by an engine about to start instruction `i` at `start_ns`: if that is in the
  // past, the window held the instruction back, and the run is stopped with an error.
  void check_not_late(uint32_t i, double start_ns);

  // ---- the trace (needs keep_history) ----
  void mark(uint32_t i, int tid, double at_ns);
  int trace_tid(uint32_t i) const { return history_[i].tid; }
  int trace_slot(uint32_t i) const { return history_[i].slot; }
  double trace_at(uint32_t i) const { return history_[i].at_ns; }
  double finish(uint32_t i) const { return history_[i].finish_ns; }
  bool keeps_history() const { return keep_history_; }

  // Ends the run with an error (see RunAbort); simulate() throws the first once the
  // simulation has wound down.
  void fail(std::exception_ptr error) { abort_.fail(std::move(error)); }

 private:
  struct Entry {
    uint32_t index;
    const isa::Instruction* in;
    isa::Instruction* owned;  // the node `in` lives in, if push() made it; else borrowed
  };
  struct Semaphore {
    double finish_ns = 0;
    uint8_t slot = 0;
    bool issued = false;
  };
  struct History {
    double finish_ns = 0, at_ns = 0;
    int tid = 0, slot = 0;
  };
  void enqueue(const isa::Instruction* in, isa::Instruction* owned);
  // Forgets the oldest semaphores that can no longer hold anything back.
  void retire();

  int core_;
  size_t capacity_;
  double retire_after_ns_;
  bool keep_history_;
  bool closed_ = false;
  uint64_t pushed_ = 0;
  size_t waiting_ = 0, peak_waiting_ = 0;
  bool producer_blocked_ = false;
  std::vector<RingQueue<Entry>> queued_;  // per slot: pushed, not yet run
  // Where pushed instructions live: nodes are reused once run, and never move while queued,
  // so next()'s pointer stays valid while the producer pushes more.
  std::vector<std::unique_ptr<isa::Instruction>> nodes_;
  std::vector<isa::Instruction*> free_nodes_;
  RingQueue<Semaphore> semaphores_;         // from index retired_ on
  uint64_t retired_ = 0;
  std::vector<History> history_;
  // Per issuing slot: the slots blocked in wait_ready() on one of its instructions (a thread
  // waits for one thing at a time, so at most one entry per waiting slot).
  struct Waiter {
    uint64_t index;
    int slot;
  };
  std::vector<std::vector<Waiter>> waiters_;
  RunAbort& abort_;
  std::vector<std::unique_ptr<sc_core::sc_event>> pushed_event_;  // per slot
  std::vector<std::unique_ptr<sc_core::sc_event>> dependency_issued_;  // per waiting slot
  sc_core::sc_event space_event_;
};

// Waits the calling SC_THREAD until simulated time `t_ns` (no-op if already there).
void wait_until(double t_ns);
double now_ns();

// Engines and DMA queues run ahead of simulated time (temporal decoupling, as a TLM-2.0
// quantum keeper lets an initiator do): an instruction's start and finish follow from its
// dependencies' finish times and its engine's own, all known once those have issued, so
// neither its numbers nor its timing need the SystemC clock to have reached it. Two things do
// need the clock: the DMA arbiter serves transfers in simulated-time order (a queue posting
// early only helps it), and a scoreboard forgets a finish time once the clock has passed it
// by enough (Scoreboard::retire). So an engine about to start at `t_ns` waits for the clock
// only when that is more than kRunAheadNs ahead of it: in a program without DMA the clock
// still moves, and what the scoreboards hold stays bounded. Waiting for the clock at every
// instruction would cost a coroutine switch each and change no bit of the results.
constexpr double kRunAheadNs = 10000;
inline void run_ahead_to(double t_ns) {
  if (t_ns > now_ns() + kRunAheadNs) wait_until(t_ns);
}

}  // namespace trn2::sim

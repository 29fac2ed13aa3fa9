#include "sim/hardware/scoreboard.h"

#include <algorithm>
#include <cstdio>

namespace trn2::sim {

namespace {
// Simulated time is kept in SystemC's picoseconds: allow for the rounding of ns to ps.
constexpr double kTimeSlackNs = 0.01;
}  // namespace

Scoreboard::Scoreboard(int core, int dma_queues, size_t capacity, double retire_after_ns, bool keep_history,
                       RunAbort& abort)
    : core_(core), capacity_(capacity), retire_after_ns_(retire_after_ns), keep_history_(keep_history),
      queued_(size_t(isa::kNumComputeEngines + dma_queues)), waiters_(queued_.size()), abort_(abort) {
  for (size_t s = 0; s < queued_.size(); ++s) {
    pushed_event_.push_back(std::make_unique<sc_core::sc_event>());
    dependency_issued_.push_back(std::make_unique<sc_core::sc_event>());
  }
  abort_.on_fail([this] {
    for (auto& e : pushed_event_) e->notify(sc_core::SC_ZERO_TIME);
    for (auto& e : dependency_issued_) e->notify(sc_core::SC_ZERO_TIME);
    space_event_.notify(sc_core::SC_ZERO_TIME);
  });
}

void Scoreboard::push(const isa::Instruction& in) {
  while (capacity_ != 0 && waiting_ >= capacity_ && !abort_.failed()) {
    producer_blocked_ = true;
    sc_core::wait(space_event_);
  }
  if (abort_.failed()) throw RunAborted{};
  if (free_nodes_.empty()) {
    nodes_.push_back(std::make_unique<isa::Instruction>());
    free_nodes_.push_back(nodes_.back().get());
  }
  isa::Instruction* node = free_nodes_.back();
  free_nodes_.pop_back();
  *node = in;  // copy-assigned: the node's dependency list keeps its capacity
  enqueue(node, node);
}

void Scoreboard::push_borrowed(const isa::Instruction& in) { enqueue(&in, nullptr); }

void Scoreboard::enqueue(const isa::Instruction* in, isa::Instruction* owned) {
  const int slot = isa::slot_of(*in);  // validation keeps queues below dma_queues
  // Instruction indices are 32-bit (isa::Instruction::deps).
  if (pushed_ > UINT32_MAX) throw std::length_error("a core's stream exceeds 2^32 instructions");
  queued_[size_t(slot)].push_back({uint32_t(pushed_++), in, owned});
  semaphores_.push_back({0.0, uint8_t(slot), false});
  if (keep_history_) history_.push_back({0.0, 0.0, 0, slot});
  peak_waiting_ = std::max(peak_waiting_, ++waiting_);
  // Before the simulation starts there is nobody to wake, and notify is not allowed yet.
  if (sc_core::sc_is_running()) pushed_event_[size_t(slot)]->notify(sc_core::SC_ZERO_TIME);
}

void Scoreboard::close() {
  closed_ = true;
  if (sc_core::sc_is_running())
    for (auto& e : pushed_event_) e->notify(sc_core::SC_ZERO_TIME);
}

const isa::Instruction* Scoreboard::next(int slot, uint32_t& index) {
  RingQueue<Entry>& q = queued_[size_t(slot)];
  if (abort_.failed()) return nullptr;
  while (q.empty()) {
    if (closed_ || abort_.failed()) return nullptr;
    sc_core::wait(*pushed_event_[size_t(slot)]);
  }
  // The slot's next instructions were written when they were pushed, up to a window of
  // instructions ago, and are likely out of cache by the time the engine takes them: start
  // loading the one after next while this one runs, and the dependency list of the next
  // (whose node the previous call loaded: reading a node not yet loaded would wait for it).
  if (q.size() > 2) {
    const char* bytes = reinterpret_cast<const char*>(q[2].in);
    for (size_t line = 0; line < sizeof(isa::Instruction); line += 64) __builtin_prefetch(bytes + line);
  }
  if (q.size() > 1 && !q[1].in->deps.empty()) __builtin_prefetch(q[1].in->deps.data());
  index = q.front().index;
  return q.front().in;
}

double Scoreboard::wait_ready(uint32_t i, double semaphore_ns, double dma_semaphore_ns, int* critical_slot) {
  const int me = semaphores_[i - retired_].slot;  // not issued yet, so not retired
  double ready = 0.0;
  if (critical_slot) *critical_slot = -1;
  const isa::Instruction& in = *queued_[size_t(me)].front().in;
  for (uint32_t d : in.deps) {
    // A retired semaphore finished early enough that it cannot hold anything back (retire()).
    if (d < retired_) continue;
    const int from = semaphores_[d - retired_].slot;
    // Each slot issues in stream order, so `d` issued ends the wait; publish(d) wakes us.
    while (d >= retired_ && !semaphores_[d - retired_].issued) {
      if (abort_.failed()) return ready;
      waiters_[size_t(from)].push_back({d, me});
      sc_core::wait(*dependency_issued_[size_t(me)]);
    }
    if (d < retired_) continue;  // retired while we waited
    const double edge = from == me ? 0.0 : from >= isa::kNumComputeEngines ? dma_semaphore_ns : semaphore_ns;
    const double t = semaphores_[d - retired_].finish_ns + edge;
    if (t > ready) {
      ready = t;
      if (critical_slot) *critical_slot = from;
    }
  }
  return ready;
}

void Scoreboard::publish(uint32_t i, double finish_ns) {
  if (!(finish_ns <= kMaxSimulatedNs)) {
    char message[200];
    std::snprintf(message, sizeof message,
                  "simulated time: core %d instruction %u would finish at %.4g ns, past the model's bound of %.0e ns",
                  core_, i, finish_ns, kMaxSimulatedNs);
    fail(std::make_exception_ptr(SimulatedTimeLimit(message)));
    finish_ns = kMaxSimulatedNs;  // what waits on it wakes, and the run ends with the error
  }
  Semaphore& s = semaphores_[i - retired_];
  s.finish_ns = finish_ns;
  s.issued = true;
  if (keep_history_) history_[i].finish_ns = finish_ns;
  // Wake only the slots waiting for this instruction or an earlier one of its slot (a slot
  // issues in stream order), not every slot waiting on this one: DVE, waiting for the last
  // matmul of a PSUM accumulation, would wake at each matmul before it.
  std::vector<Waiter>& w = waiters_[s.slot];
  for (size_t k = 0; k < w.size();) {
    if (w[k].index > i) {
      ++k;
      continue;
    }
    dependency_issued_[size_t(w[k].slot)]->notify(sc_core::SC_ZERO_TIME);
    w[k] = w.back();
    w.pop_back();
  }
  retire();
}

void Scoreboard::release(int slot) {
  if (isa::Instruction* owned = queued_[size_t(slot)].front().owned) free_nodes_.push_back(owned);
  queued_[size_t(slot)].pop_front();
  --waiting_;
  // A full window wakes the producer once half of it has run, not once per instruction: a
  // switch to the producer's thread per instruction would cost as much as running it.
  if (producer_blocked_ && waiting_ <= capacity_ / 2) {
    producer_blocked_ = false;
    space_event_.notify(sc_core::SC_ZERO_TIME);
  }
}

void Scoreboard::retire() {
  // A dependency matters to a later instruction only through its finish time (plus at most
  // retire_after_ns of edge latency). Engines and queues never start an instruction before
  // the time they ask for its dependencies (check_not_late holds them to it), so a finish
  // time that far in the past can never be the latest of a later instruction's dependencies.
  const double horizon = now_ns() - retire_after_ns_ - kTimeSlackNs;
  while (!semaphores_.empty() && semaphores_.front().issued && semaphores_.front().finish_ns < horizon) {
    semaphores_.pop_front();
    ++retired_;
  }
}

void Scoreboard::check_not_late(uint32_t i, double start_ns) {
  if (start_ns >= now_ns() - kTimeSlackNs) return;
  char message[200];
  std::snprintf(message, sizeof message,
                "a window of %zu instructions held back core %d instruction %u, ready at %.3f ns, until %.3f ns",
                capacity_, core_, i, start_ns, now_ns());
  fail(std::make_exception_ptr(WindowTooSmall(message)));
}

void Scoreboard::mark(uint32_t i, int tid, double at_ns) {
  history_[i].tid = tid;
  history_[i].at_ns = at_ns;
}

double now_ns() {
  // Asked several times per instruction, mostly at a time already asked about (engines run
  // ahead of the clock): the clock's ticks are converted once per simulated time. The same
  // conversion, so the same bits; a cache keyed by the ticks is right for any simulation.
  static sc_dt::uint64 ticks = ~sc_dt::uint64(0);
  static double ns = 0;
  const sc_core::sc_time& t = sc_core::sc_time_stamp();
  if (t.value() != ticks) {
    ticks = t.value();
    ns = t.to_seconds() * 1e9;
  }
  return ns;
}

void wait_until(double t_ns) {
  const double now = now_ns();
  if (t_ns > now) sc_core::wait(sc_core::sc_time(t_ns - now, sc_core::SC_NS));
}

}  // namespace trn2::sim

#include "sim/scoreboard.h"

#include <algorithm>

namespace trn2::sim {

int slot_of(const isa::Instruction& in) {
  return in.engine == isa::Engine::Dma ? isa::kNumComputeEngines + in.queue : int(in.engine);
}

Scoreboard::Scoreboard(const std::vector<isa::Instruction>& stream, int dma_queues)
    : stream_(stream), slot_(stream.size()), by_slot_(size_t(isa::kNumComputeEngines + dma_queues)),
      finish_ns_(stream.size(), 0.0), issued_(stream.size(), 0), trace_tid_(stream.size(), 0),
      trace_at_ns_(stream.size(), 0.0) {
  for (int s = 0; s < isa::kNumComputeEngines + dma_queues; ++s)
    issued_event_.push_back(std::make_unique<sc_core::sc_event>());
  for (uint32_t i = 0; i < stream.size(); ++i) {
    const int s = slot_of(stream[i]);  // validation keeps queues below dma_queues
    slot_[i] = uint8_t(s);
    by_slot_[size_t(s)].push_back(i);
  }
}

double Scoreboard::wait_ready(uint32_t i, double semaphore_ns, int* critical_slot) {
  const int me = slot_[i];
  double ready = 0.0;
  if (critical_slot) *critical_slot = -1;
  for (uint32_t d : stream_[i].deps) {
    // Each slot issues in stream order, so waiting on its event until `d` is issued ends.
    const int from = slot_[d];
    while (!issued_[d]) sc_core::wait(*issued_event_[size_t(from)]);
    const double t = finish_ns_[d] + (from == me ? 0.0 : semaphore_ns);
    if (t > ready) {
      ready = t;
      if (critical_slot) *critical_slot = from;
    }
  }
  return ready;
}

void Scoreboard::publish(uint32_t i, double finish_ns) {
  finish_ns_[i] = finish_ns;
  issued_[i] = 1;
  issued_event_[size_t(slot_[i])]->notify(sc_core::SC_ZERO_TIME);
}

double now_ns() { return sc_core::sc_time_stamp().to_seconds() * 1e9; }

void wait_until(double t_ns) {
  const double now = now_ns();
  if (t_ns > now) sc_core::wait(sc_core::sc_time(t_ns - now, sc_core::SC_NS));
}

}  // namespace trn2::sim

#include "sim/hardware/dma_arbiter.h"

#include <algorithm>
#include <string>
#include <tuple>

#include "isa/json_file.h"

namespace trn2::sim {

namespace {
// Simulated time is kept in SystemC's picoseconds: allow for the rounding of ns to ps.
constexpr double kTimeSlackNs = 0.01;
}  // namespace

bool DmaArbiter::Later::operator()(const DmaRequest& a, const DmaRequest& b) const {
  return std::tie(a.start_ns, a.turn, a.core, a.queue, a.index) > std::tie(b.start_ns, b.turn, b.core, b.queue, b.index);
}

DmaArbiter::DmaArbiter(sc_core::sc_module_name name, Trace& trace) : sc_module(name), trace_(trace) {
  SC_THREAD(run);
}

void DmaArbiter::attach(const CoreDma& core) { cores_.push_back(core); }

void DmaArbiter::post(const DmaRequest& r) {
  // The arbiter sleeps until the earliest start it knows: only a new earliest wakes it.
  const bool earliest = pending_.empty() || r.start_ns < pending_.top().start_ns;
  pending_.push(r);
  if (earliest) posted_.notify(sc_core::SC_ZERO_TIME);
}

void DmaArbiter::run() {
  for (;;) {
    if (pending_.empty()) {
      sc_core::wait(posted_);
      continue;
    }
    const double first = pending_.top().start_ns;
    if (first > now_ns() + kTimeSlackNs) {
      // A transfer posted meanwhile may start earlier than the first one known now.
      sc_core::wait(sc_core::sc_time(first - now_ns(), sc_core::SC_NS), posted_);
      continue;
    }
    // With no fixed latency, a transfer may be posted at its own start time: let everything
    // else at this time run first, so that it is served with the others that start now.
    while (sc_core::sc_pending_activity_at_current_time()) sc_core::wait(sc_core::SC_ZERO_TIME);
    while (!pending_.empty() && pending_.top().start_ns <= now_ns() + kTimeSlackNs) {
      const DmaRequest r = pending_.top();
      pending_.pop();
      serve(r);
    }
  }
}

void DmaArbiter::serve(const DmaRequest& r) {
  CoreDma& c = cores_[size_t(r.core)];
  std::vector<std::unique_ptr<DmaEngine>>& engines = *c.engines;
  const bool hbm_read = r.src == isa::Space::HBM, hbm_write = r.dst == isa::Space::HBM;
  // Partitions go to engines in contiguous groups, starting at the queue's own engine so
  // that small transfers on different queues use different engines.
  const int used = std::min<int>(r.partitions, int(engines.size()));
  // Engines that get equal shares (128 partitions over 16) need no division per engine:
  // bytes * (P / used) / P is bytes / used exactly.
  const bool even = r.partitions % used == 0;
  const int64_t even_bytes = r.bytes / used, even_descriptors = r.descriptors / used;
  const int n = int(engines.size());
  const double share = 1.0 / double(n);  // of the core's DMA track, per engine
  const bool traced = trace_.enabled();
  // The transfer's source as a trace arg, on its queue's slice and its engines' ("" if none).
  const std::string source = traced && c.stream && !(*c.stream)[r.index].source.empty()
                                 ? ",\"source\":\"" + isa::printable((*c.stream)[r.index].source) + "\""
                                 : std::string();
  double finish = r.start_ns;
  int engine = r.queue % n;
  for (int e = 0; e < used; ++e, engine = engine + 1 == n ? 0 : engine + 1) {
    int64_t bytes = even_bytes, descriptors = even_descriptors;
    if (!even) {
      const int64_t rows = int64_t(r.partitions) * (e + 1) / used - int64_t(r.partitions) * e / used;
      bytes = r.bytes * rows / r.partitions;
      descriptors = r.descriptors * rows / r.partitions;
    }
    const DmaEngine::Span span = engines[size_t(engine)]->move(r.start_ns, bytes, descriptors, hbm_read, hbm_write);
    finish = std::max(finish, span.end_ns);
    if (c.timeline) c.timeline->add(c.timeline_track, span.begin_ns, span.end_ns, share);
    if (traced) {
      if (e == 0) c.scoreboard->mark(r.index, trace_dma_engine_tid(engine), span.begin_ns);
      const std::string args = "{\"pc\":" + std::to_string(r.index) + ",\"bytes\":" + std::to_string(bytes) +
                               ",\"descriptors\":" + std::to_string(descriptors) + source + "}";
      trace_.slice(r.core, trace_dma_engine_tid(engine), "dma_copy", span.begin_ns, span.end_ns, args);
      if (hbm_read) trace_.hbm_bytes(r.core, false, span.begin_ns, span.end_ns, bytes);
      if (hbm_write) trace_.hbm_bytes(r.core, true, span.begin_ns, span.end_ns, bytes);
    }
  }
  if (traced) {
    const std::string args = "{\"pc\":" + std::to_string(r.index) + ",\"queue\":" + std::to_string(r.queue) +
                             ",\"bytes\":" + std::to_string(r.bytes) + ",\"descriptors\":" +
                             std::to_string(r.descriptors) + ",\"src\":\"" + isa::space_name(r.src) +
                             "\",\"dst\":\"" + isa::space_name(r.dst) + "\"" + source + "}";
    trace_.async(r.core, trace_queue_tid(r.queue), "dma_copy", (uint64_t(r.core) << 32) | r.index, r.issue_ns, finish,
                 args);
    trace_.dma_in_flight(r.core, r.issue_ns, finish);
  }
  c.stats->transfers += 1;
  c.stats->descriptors += r.descriptors;
  c.stats->bytes += r.bytes;
  c.stats->last_finish_ns = std::max(c.stats->last_finish_ns, finish);
  c.active->add(r.start_ns, finish);  // served in order of start
  if (c.instruction_ns) (*c.instruction_ns)[r.index] = finish - r.issue_ns;
  c.scoreboard->publish(r.index, finish);
}

}  // namespace trn2::sim

#include "sim/hardware/compute_engine.h"

#include <algorithm>
#include <cstdio>

#include "isa/json_file.h"

namespace trn2::sim {

ComputeEngine::ComputeEngine(sc_core::sc_module_name name, isa::Engine kind, double clock_ghz,
                             Scoreboard& scoreboard, const CoreMemory& memory, const HardwareConfig& hw, Trace& trace,
                             int core)
    : sc_module(name), hw_(hw), kind_(kind), clock_ghz_(clock_ghz), scoreboard_(scoreboard), memory_(memory),
      trace_(trace), core_(core) {
  SC_THREAD(run);
}

ComputeEngine::Slot ComputeEngine::schedule(const isa::Instruction& in, double ready_ns) {
  const double start = std::max(ready_ns, free_at_ns_);
  free_at_ns_ = start + cycles_to_ns(cost_cycles(in));
  return {start, free_at_ns_ + fixed_latency_ns()};
}

void ComputeEngine::run() {
  uint32_t i = 0;
  while (const isa::Instruction* next = scoreboard_.next(int(kind_), i)) {
    const isa::Instruction& in = *next;
    int critical = -1;
    const double ready =
        scoreboard_.wait_ready(i, hw_.semaphore_latency_ns, hw_.dma_completion_latency_ns, &critical);
    const double previous_finish = stats_.last_finish_ns;
    const Slot slot = schedule(in, ready);
    scoreboard_.check_not_late(i, slot.start_ns);
    run_ahead_to(slot.start_ns);
    execute(in, memory_);
    // The busy part of the slot: a background LoadStationary may start under the previous
    // instruction, which must not be counted (or drawn) twice.
    const double busy_from = std::max(slot.start_ns, previous_finish);
    stats_.instructions += 1;
    stats_.by_opcode[int(in.op)] += 1;
    stats_.active_ns += slot.finish_ns - busy_from;
    stats_.last_finish_ns = slot.finish_ns;
    // Of the idle gap before this instruction, the part until its last dependency was
    // satisfied was spent waiting on that dependency's engine (or on DMA).
    const double waited = std::min(ready, busy_from) - previous_finish;
    if (critical >= 0 && waited > 0) stats_.waited_on_ns[std::min(critical, isa::kNumComputeEngines)] += waited;
    if (timeline_) timeline_->add(timeline_track_, busy_from, slot.finish_ns);
    if (instruction_ns_) (*instruction_ns_)[i] = slot.finish_ns - busy_from;
    if (trace_.enabled()) trace_instruction(i, in, ready, busy_from, slot.finish_ns, previous_finish);
    scoreboard_.publish(i, slot.finish_ns);
    scoreboard_.release(int(kind_));  // last: it frees `in`
  }
}

void ComputeEngine::trace_counter(const char* name, double at_ns, double value) {
  if (!trace_.enabled()) return;
  char args[64];
  std::snprintf(args, sizeof args, "{\"value\":%.4f}", value);
  trace_.counter(core_, name, at_ns, args);
}

void ComputeEngine::trace_instruction(uint32_t i, const isa::Instruction& in, double ready_ns, double start_ns,
                                      double finish_ns, double free_ns) {
  const int tid = trace_engine_tid(int(kind_));
  scoreboard_.mark(i, tid, start_ns);
  std::string operands = isa::brief(in.dst) + " <- ";
  if (in.op == isa::Opcode::Memset) operands += std::to_string(in.value);
  else operands += isa::brief(in.src);
  if (in.op == isa::Opcode::Matmul) operands += ", " + isa::brief(in.src2);
  const int64_t bytes = in.dst.total_elements() * int64_t(isa::dtype_size(in.dst.dtype));
  char numbers[200];
  std::snprintf(numbers, sizeof numbers, "\"pc\":%u,\"opcode\":\"%s\",\"bytes\":%lld,\"cycles\":%.1f,\"waited_ns\":%.3f", i,
                isa::opcode_name(in.op), static_cast<long long>(bytes), (finish_ns - start_ns) * clock_ghz_,
                std::max(0.0, ready_ns - free_ns));
  std::string args = std::string("{") + numbers + ",\"operands\":\"" + operands + "\"";
  if (!in.source.empty()) args += ",\"source\":\"" + isa::printable(in.source) + "\"";
  args += "}";
  trace_.slice(core_, tid, isa::opcode_name(in.op), start_ns, finish_ns, args);
  const int me = isa::slot_of(in);
  for (uint32_t d : in.deps)
    if (scoreboard_.trace_slot(d) != me) trace_.flow(core_, scoreboard_.trace_tid(d), scoreboard_.trace_at(d), tid, start_ns);
}

}  // namespace trn2::sim

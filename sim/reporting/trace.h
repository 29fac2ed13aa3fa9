#pragma once
// A Chrome trace event file (opens in Perfetto and chrome://tracing), written as the model
// runs so that memory does not grow with the trace. One process per physical core, one
// track per compute engine and per DMA engine; DMA instructions are async slices on their
// queue's track (they overlap in a queue) and their triggers instants on the SP track; flow
// arrows follow cross-engine dependencies; counters give HBM bandwidth, DMA transfers in
// flight and SBUF/PSUM occupancy. Timestamps are microseconds from the kernel start. An
// instruction's slices carry its `source` as an arg when it has one.
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace trn2::sim {

// The trace file cannot be written: bad input (a path the user gave), not an internal error.
struct TraceFileError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct TraceOptions {
  std::string path;              // empty: no trace
  int64_t max_events = 2000000;  // stop writing events past this many
  double window_start_us = 0;    // only events overlapping [start, end) are written
  double window_end_us = 1e300;
  double counter_bin_ns = 1000;  // HBM bandwidth is averaged over bins of this width
  // Record each engine's busy time over time (SimResult::utilisation, the HTML report's
  // timeline). Off unless asked for: it costs a division or two for every instruction and
  // for each of the sixteen DMA engines' share of every transfer.
  bool utilisation = false;
};

// Track ids within a core's process.
int trace_engine_tid(int engine);   // pe, dve, act, pool: 1-4; 5: SP (the DMA trigger)
int trace_queue_tid(int queue);     // 100 + queue
int trace_dma_engine_tid(int e);    // 200 + engine

class Trace {
 public:
  Trace(const TraceOptions& options, int cores, int dma_engines, int dma_queues);
  ~Trace();
  bool enabled() const { return out_.is_open(); }

  void slice(int core, int tid, const char* name, double start_ns, double end_ns, const std::string& args_json);
  void async(int core, int tid, const char* name, uint64_t id, double start_ns, double end_ns, const std::string& args_json);
  // A point event on a track (a DMA trigger on the SP track).
  void instant(int core, int tid, const char* name, double at_ns, const std::string& args_json);
  // A value of a counter track at a time.
  void counter(int core, const char* name, double at_ns, const std::string& args_json);
  // An arrow from a point in a producer's slice to the start of a consumer's slice.
  void flow(int core, int from_tid, double from_ns, int to_tid, double to_ns);
  // Bytes moved to or from HBM by `core` over [start, end), for the bandwidth counters.
  void hbm_bytes(int core, bool write, double start_ns, double end_ns, int64_t bytes);
  // A DMA transfer of `core` was in flight over [start, end), for the in-flight counter.
  void dma_in_flight(int core, double start_ns, double end_ns);

  int64_t events_written() const { return events_; }
  bool truncated() const { return truncated_; }
  // Writes the counters and the closing bracket; called by the destructor if not before.
  // Throws TraceFileError when any write failed (a full disk, /dev/full).
  void close();

 private:
  bool admit(double start_ns, double end_ns);
  void emit(const std::string& event);
  bool finish();  // writes the end of the file; false when any write failed

  TraceOptions options_;
  std::ofstream out_;
  int64_t events_ = 0;
  uint64_t next_flow_ = 1;
  bool first_ = true, truncated_ = false;
  int cores_;
  std::vector<std::vector<double>> hbm_bins_;  // [core * 2 + write][bin] = bytes
  std::vector<std::vector<double>> in_flight_bins_;  // [core][bin] = transfer-ns
};

}  // namespace trn2::sim

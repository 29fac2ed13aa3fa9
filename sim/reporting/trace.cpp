#include "sim/reporting/trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace trn2::sim {

int trace_engine_tid(int engine) { return 1 + engine; }
int trace_queue_tid(int queue) { return 100 + queue; }
int trace_dma_engine_tid(int e) { return 200 + e; }

namespace {
// Time in units of 0.1 ns, so that a slice's start plus its duration is exactly its end
// (rounding start and duration separately would let neighbours overlap by a rounding step).
int64_t tenths(double ns) { return std::llround(ns * 10.0); }

std::string us_of_tenths(int64_t t) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%lld.%04lld", t < 0 ? "-" : "", static_cast<long long>(std::llabs(t) / 10000),
                static_cast<long long>(std::llabs(t) % 10000));
  return buf;
}

std::string us(double ns) { return us_of_tenths(tenths(ns)); }
std::string meta(const char* what, int pid, int tid, const std::string& name, int sort) {
  return "{\"ph\":\"M\",\"name\":\"" + std::string(what) + "\",\"pid\":" + std::to_string(pid) + ",\"tid\":" +
         std::to_string(tid) + ",\"args\":{\"name\":\"" + name + "\"}}" +
         (sort >= 0 ? ",\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":" + std::to_string(pid) + ",\"tid\":" +
                          std::to_string(tid) + ",\"args\":{\"sort_index\":" + std::to_string(sort) + "}}"
                    : "");
}
}  // namespace

Trace::Trace(const TraceOptions& options, int cores, int dma_engines, int dma_queues)
    : options_(options), cores_(cores), hbm_bins_(size_t(cores) * 2), in_flight_bins_(size_t(cores)) {
  if (options.path.empty()) return;
  out_.open(options.path);
  if (!out_) throw TraceFileError("--trace: cannot write " + options.path);
  out_ << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"trn2sim\",\"timestamps\":\"microseconds from the kernel start\","
          "\"clocks\":\"pe 2.4 GHz, dve 0.96 GHz, act and pool 1.2 GHz (engine cycles in each slice's args)\"},\n\"traceEvents\":[\n";
  static const char* const kEngines[] = {"PE (tensor)", "DVE (vector)", "ACT (scalar)", "POOL (gpsimd)", "SP (sync)"};
  for (int c = 0; c < cores; ++c) {
    std::string m = "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" + std::to_string(c) +
                    ",\"args\":{\"name\":\"NeuronCore " + std::to_string(c) + "\"}}";
    for (int e = 0; e < 5; ++e) m += ",\n" + meta("thread_name", c, trace_engine_tid(e), kEngines[e], e);
    for (int q = 0; q < dma_queues; ++q)
      m += ",\n" + meta("thread_name", c, trace_queue_tid(q), "DMA queue " + std::to_string(q), 10 + q);
    for (int e = 0; e < dma_engines; ++e)
      m += ",\n" + meta("thread_name", c, trace_dma_engine_tid(e), "DMA engine " + std::to_string(e), 100 + e);
    out_ << (first_ ? "" : ",\n") << m;
    first_ = false;
  }
}

Trace::~Trace() {
  if (out_.is_open()) finish();  // an aborted run: its caller throws away the file
}

bool Trace::admit(double start_ns, double end_ns) {
  if (!out_.is_open()) return false;
  if (end_ns < options_.window_start_us * 1000 || start_ns >= options_.window_end_us * 1000) return false;
  if (events_ >= options_.max_events) {
    truncated_ = true;
    return false;
  }
  return true;
}

void Trace::emit(const std::string& event) {
  out_ << ",\n" << event;
  ++events_;
}

void Trace::slice(int core, int tid, const char* name, double start_ns, double end_ns, const std::string& args_json) {
  if (!admit(start_ns, end_ns)) return;
  emit("{\"ph\":\"X\",\"name\":\"" + std::string(name) + "\",\"pid\":" + std::to_string(core) + ",\"tid\":" +
       std::to_string(tid) + ",\"ts\":" + us(start_ns) + ",\"dur\":" + us_of_tenths(tenths(end_ns) - tenths(start_ns)) +
       ",\"args\":" + args_json + "}");
}

void Trace::async(int core, int tid, const char* name, uint64_t id, double start_ns, double end_ns, const std::string& args_json) {
  if (!admit(start_ns, end_ns)) return;
  const std::string common = "\"name\":\"" + std::string(name) + "\",\"cat\":\"dma\",\"id\":" + std::to_string(id) +
                             ",\"pid\":" + std::to_string(core) + ",\"tid\":" + std::to_string(tid);
  emit("{\"ph\":\"b\"," + common + ",\"ts\":" + us(start_ns) + ",\"args\":" + args_json + "}");
  out_ << ",\n{\"ph\":\"e\"," << common << ",\"ts\":" << us(end_ns) << "}";
}

void Trace::instant(int core, int tid, const char* name, double at_ns, const std::string& args_json) {
  if (!admit(at_ns, at_ns)) return;
  emit("{\"ph\":\"i\",\"s\":\"t\",\"name\":\"" + std::string(name) + "\",\"pid\":" + std::to_string(core) +
       ",\"tid\":" + std::to_string(tid) + ",\"ts\":" + us(at_ns) + ",\"args\":" + args_json + "}");
}

void Trace::counter(int core, const char* name, double at_ns, const std::string& args_json) {
  if (!admit(at_ns, at_ns)) return;
  emit("{\"ph\":\"C\",\"name\":\"" + std::string(name) + "\",\"pid\":" + std::to_string(core) + ",\"ts\":" +
       us(at_ns) + ",\"args\":" + args_json + "}");
}

void Trace::flow(int core, int from_tid, double from_ns, int to_tid, double to_ns) {
  if (!admit(from_ns, to_ns)) return;
  const uint64_t id = next_flow_++;
  const std::string pid = std::to_string(core);
  emit("{\"ph\":\"s\",\"name\":\"dependency\",\"cat\":\"dep\",\"id\":" + std::to_string(id) + ",\"pid\":" + pid +
       ",\"tid\":" + std::to_string(from_tid) + ",\"ts\":" + us(from_ns) + "}");
  out_ << ",\n{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"dependency\",\"cat\":\"dep\",\"id\":" << id << ",\"pid\":" << pid
       << ",\"tid\":" << to_tid << ",\"ts\":" << us(to_ns) << "}";
}

namespace {
// Adds `amount`, spread evenly over [start, end), to fixed-width bins.
void spread(std::vector<double>& bins, double bin_ns, double start_ns, double end_ns, double amount) {
  const size_t first = size_t(start_ns / bin_ns);
  if (end_ns <= start_ns) {
    if (bins.size() <= first) bins.resize(first + 1, 0.0);
    bins[first] += amount;
    return;
  }
  const size_t last = size_t(end_ns / bin_ns);
  if (bins.size() <= last) bins.resize(last + 1, 0.0);
  for (size_t b = first; b <= last; ++b) {
    const double lo = std::max(start_ns, double(b) * bin_ns), hi = std::min(end_ns, double(b + 1) * bin_ns);
    if (hi > lo) bins[b] += amount * (hi - lo) / (end_ns - start_ns);
  }
}
}  // namespace

void Trace::hbm_bytes(int core, bool write, double start_ns, double end_ns, int64_t bytes) {
  if (!out_.is_open() || bytes <= 0) return;
  spread(hbm_bins_[size_t(core * 2 + (write ? 1 : 0))], options_.counter_bin_ns, start_ns, end_ns, double(bytes));
}

void Trace::dma_in_flight(int core, double start_ns, double end_ns) {
  if (!out_.is_open() || end_ns <= start_ns) return;
  spread(in_flight_bins_[size_t(core)], options_.counter_bin_ns, start_ns, end_ns, end_ns - start_ns);
}

void Trace::close() {
  if (out_.is_open() && !finish()) throw TraceFileError("--trace: writing " + options_.path + " failed");
}

bool Trace::finish() {
  if (!out_.is_open()) return true;
  // HBM bandwidth counters, GB/s per bin: per core read and write, and the shared stack.
  size_t nbins = 0;
  for (const auto& b : hbm_bins_) nbins = std::max(nbins, b.size());
  for (const auto& b : in_flight_bins_) nbins = std::max(nbins, b.size());
  const double w = options_.counter_bin_ns;
  for (size_t b = 0; b <= nbins; ++b) {
    const double t = double(b) * w;
    if (t < options_.window_start_us * 1000 || t >= options_.window_end_us * 1000) continue;
    double total = 0;
    for (int c = 0; c < cores_; ++c) {
      const auto& rd = hbm_bins_[size_t(c * 2)];
      const auto& wr = hbm_bins_[size_t(c * 2 + 1)];
      const double r = b < rd.size() ? rd[b] / w : 0.0, x = b < wr.size() ? wr[b] / w : 0.0;
      total += r + x;
      out_ << ",\n{\"ph\":\"C\",\"name\":\"HBM GB/s\",\"pid\":" << c << ",\"ts\":" << us(t)
           << ",\"args\":{\"read\":" << r << ",\"write\":" << x << "}}";
      const auto& fl = in_flight_bins_[size_t(c)];
      out_ << ",\n{\"ph\":\"C\",\"name\":\"DMA transfers in flight\",\"pid\":" << c << ",\"ts\":" << us(t)
           << ",\"args\":{\"mean\":" << (b < fl.size() ? fl[b] / w : 0.0) << "}}";
    }
    out_ << ",\n{\"ph\":\"C\",\"name\":\"HBM stack GB/s\",\"pid\":0,\"ts\":" << us(t) << ",\"args\":{\"total\":" << total << "}}";
  }
  out_ << ",\n{\"ph\":\"M\",\"name\":\"trace_info\",\"pid\":0,\"args\":{\"events\":" << events_
       << ",\"truncated\":" << (truncated_ ? "true" : "false") << ",\"counter_bin_ns\":" << w << "}}\n]}\n";
  out_.flush();
  const bool ok = bool(out_);  // every write of the run, the flush included (a full disk)
  out_.close();
  return ok && bool(out_);
}

}  // namespace trn2::sim

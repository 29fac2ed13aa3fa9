// The Perfetto trace (--trace): well-formed, complete, non-overlapping per track, and
// consistent with the report.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace trn2::test {
namespace {

using nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

int run(const std::string& args) {
  const int rc = std::system((std::string(TRN2SIM_BINARY) + " " + args + " > /dev/null").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class Trace : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // CTest runs each case of this suite in its own process, possibly at the same time:
    // every process writes its own files, in its private directory.
    const std::string dir = temp_dir();
    std::ofstream(dir + "/trace_cfg.json") << R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", "batch": 2,
        "channels": 12, "width": 700, "kernel_size": 130, "dtype": "bfloat16", "stride": 2, "padding": [3, 2]}})";
    ASSERT_EQ(run(dir + "/trace_cfg.json --trace " + dir + "/trace.json --report " + dir + "/trace_report.json" +
                  " --dump-program " + dir + "/trace_program.json"),
              0);
    trace_ = new json(read_json(dir + "/trace.json"));
    report_ = new json(read_json(dir + "/trace_report.json"));
    program_ = new json(read_json(dir + "/trace_program.json"));
  }
  static void TearDownTestSuite() {
    delete trace_;
    delete report_;
    delete program_;
  }
  void SetUp() override { ASSERT_NE(trace_, nullptr) << "the traced run failed (see above)"; }
  static const json& events() { return (*trace_)["traceEvents"]; }
  static json* trace_;
  static json* report_;
  static json* program_;
};
json* Trace::trace_ = nullptr;
json* Trace::report_ = nullptr;
json* Trace::program_ = nullptr;

TEST_F(Trace, NamesTheCoresAndTracks) {
  std::set<std::string> processes, threads;
  for (const auto& e : events()) {
    if (e["ph"] != "M") continue;
    if (e["name"] == "process_name") processes.insert(e["args"]["name"].get<std::string>());
    if (e["name"] == "thread_name") threads.insert(e["args"]["name"].get<std::string>());
  }
  EXPECT_EQ(processes, (std::set<std::string>{"NeuronCore 0", "NeuronCore 1"}));
  for (const char* t : {"PE (tensor)", "DVE (vector)", "ACT (scalar)", "POOL (gpsimd)", "SP (sync)", "DMA queue 0", "DMA engine 15"})
    EXPECT_TRUE(threads.count(t)) << t;
  EXPECT_TRUE(trace_->contains("otherData"));
}

TEST_F(Trace, SlicesAreCompleteAndDoNotOverlapOnATrack) {
  std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> tracks;
  for (const auto& e : events()) {
    if (e["ph"] != "X") continue;
    ASSERT_TRUE(e.contains("ts") && e.contains("dur") && e.contains("pid") && e.contains("tid")) << e.dump();
    EXPECT_GE(e["dur"].get<double>(), 0.0);
    tracks[{e["pid"].get<int>(), e["tid"].get<int>()}].emplace_back(e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>());
  }
  EXPECT_FALSE(tracks.empty());
  for (auto& [track, slices] : tracks) {
    std::sort(slices.begin(), slices.end());
    for (size_t i = 1; i < slices.size(); ++i)
      EXPECT_GE(slices[i].first, slices[i - 1].second - 1e-4)  // timestamps are printed to 0.1 ns
          << "overlap on pid " << track.first << " tid " << track.second << " at " << slices[i].first;
  }
}

TEST_F(Trace, EveryInstructionAppearsExactlyOnce) {
  // Compute instructions are slices on engine tracks (tid 1-4); DMA instructions are async
  // slices on their queue's track.
  for (int core = 0; core < 2; ++core) {
    std::map<int64_t, int> seen;
    for (const auto& e : events()) {
      if (e["pid"] != core || !e.contains("args") || !e["args"].contains("pc")) continue;
      const bool compute_slice = e["ph"] == "X" && e["tid"].get<int>() < 100;
      if (compute_slice || e["ph"] == "b") seen[e["args"]["pc"].get<int64_t>()] += 1;
    }
    const size_t n = (*program_)["cores"][core].size();
    ASSERT_EQ(seen.size(), n) << "core " << core;
    for (const auto& [pc, count] : seen) EXPECT_EQ(count, 1) << "core " << core << " pc " << pc;
    EXPECT_EQ(seen.begin()->first, 0);
    EXPECT_EQ(seen.rbegin()->first, int64_t(n) - 1);
  }
}

TEST_F(Trace, SpTrackHasOneTriggerPerDma) {
  for (int core = 0; core < 2; ++core) {
    std::set<int64_t> dma_pcs, triggers;
    const json& stream = (*program_)["cores"][core];
    for (size_t i = 0; i < stream.size(); ++i)
      if (stream[i]["op"] == "dma_copy") dma_pcs.insert(int64_t(i));
    for (const auto& e : events())
      if (e["ph"] == "i" && e["pid"] == core && e["tid"] == 5) {
        EXPECT_EQ(e["name"], "dma_trigger");
        EXPECT_TRUE(triggers.insert(e["args"]["pc"].get<int64_t>()).second) << "pc triggered twice";
      }
    EXPECT_EQ(triggers, dma_pcs) << "core " << core;
  }
}

TEST_F(Trace, OccupancyCountersStayWithinTheMemoriesAndReturnToZero) {
  // Each counter steps at the start and end of a buffer's life: it must never go negative,
  // never exceed the memory, rise above zero, and end at zero when every buffer is dead.
  const std::map<std::string, std::pair<std::string, int64_t>> counters = {
      {"SBUF bytes allocated (per partition)", {"bytes", 212984}}, {"PSUM banks in use", {"banks", 8}}};
  for (int core = 0; core < 2; ++core)
    for (const auto& [name, series] : counters) {
      int64_t peak = 0, last = -1, samples = 0;
      double last_ts = -1;
      for (const auto& e : events()) {
        if (e["ph"] != "C" || e["pid"] != core || e["name"] != name) continue;
        const int64_t v = e["args"][series.first].get<int64_t>();
        EXPECT_GE(v, 0) << name;
        EXPECT_LE(v, series.second) << name;
        EXPECT_GT(e["ts"].get<double>(), last_ts) << name << ": one sample per time, in time order";
        last_ts = e["ts"].get<double>();
        peak = std::max(peak, v);
        last = v;
        ++samples;
      }
      EXPECT_GT(samples, 2) << name << " core " << core;
      EXPECT_GT(peak, 0) << name;
      EXPECT_EQ(last, 0) << name << " core " << core;
    }
}

TEST_F(Trace, EngineBusyTimeEqualsItsSlices) {
  const char* engines[] = {"pe", "dve", "act", "pool"};
  for (int core = 0; core < 2; ++core)
    for (int e = 0; e < 4; ++e) {
      double sum = 0;
      int slices = 0;
      for (const auto& ev : events())
        if (ev["ph"] == "X" && ev["pid"] == core && ev["tid"] == e + 1) {
          sum += ev["dur"].get<double>();
          ++slices;
        }
      const json& stats = (*report_)["cores"][core]["engines"][engines[e]];
      EXPECT_EQ(slices, stats["instruction_count"].get<int>());
      EXPECT_NEAR(sum, stats["active_time_us"].get<double>(), 1e-4 * (slices + 1)) << engines[e];
    }
}

TEST_F(Trace, HbmCountersAddUpToTheReportsBytes) {
  double bin_ns = 0, read = 0, write = 0;
  for (const auto& e : events())
    if (e["ph"] == "M" && e["name"] == "trace_info") bin_ns = e["args"]["counter_bin_ns"].get<double>();
  ASSERT_GT(bin_ns, 0);
  for (const auto& e : events())
    if (e["ph"] == "C" && e["name"] == "HBM GB/s") {
      read += e["args"]["read"].get<double>() * bin_ns;  // GB/s = bytes per ns
      write += e["args"]["write"].get<double>() * bin_ns;
    }
  EXPECT_NEAR(read, (*report_)["hbm_read_bytes"].get<double>(), 1e-6 * read + 1);
  EXPECT_NEAR(write, (*report_)["hbm_write_bytes"].get<double>(), 1e-6 * write + 1);
}

TEST_F(Trace, DmaInFlightCounterMatchesTheQueueSlices) {
  // The mean number in flight per bin, times the bin width, adds up to the summed durations
  // of the DMA instructions (the async slices on the queue tracks).
  double bin_ns = 0, counted = 0;
  std::map<int64_t, double> begin;
  double slices = 0;
  for (const auto& e : events()) {
    if (e["ph"] == "M" && e["name"] == "trace_info") bin_ns = e["args"]["counter_bin_ns"].get<double>();
    if (e["ph"] == "b") begin[e["id"].get<int64_t>()] = e["ts"].get<double>();
    if (e["ph"] == "e") slices += (e["ts"].get<double>() - begin.at(e["id"].get<int64_t>())) * 1000;
  }
  for (const auto& e : events())
    if (e["ph"] == "C" && e["name"] == "DMA transfers in flight") counted += e["args"]["mean"].get<double>() * bin_ns;
  EXPECT_GT(slices, 0);
  EXPECT_NEAR(counted, slices, 1e-6 * slices + 0.1 * double(begin.size()));
}

TEST_F(Trace, SlicesCarryOperandsAndCycles) {
  for (const auto& e : events())
    if (e["ph"] == "X" && e["tid"].get<int>() < 100) {
      for (const char* key : {"pc", "opcode", "bytes", "cycles", "waited_ns", "operands"})
        ASSERT_TRUE(e["args"].contains(key)) << key << " missing in " << e.dump();
      EXPECT_NE(e["args"]["operands"].get<std::string>().find(" <- "), std::string::npos);
    }
}

TEST_F(Trace, PeThrottlingIsACounterTrack) {
  // The PE starts throttled at half rate (dI/dt limit) and the limit rises from there: the
  // trace's pe_utilization_limit counter starts at 0.5 and never leaves [0.5, 1].
  std::vector<double> limits;
  for (const auto& e : events())
    if (e["ph"] == "C" && e["name"] == "pe_utilization_limit") limits.push_back(e["args"]["value"].get<double>());
  ASSERT_FALSE(limits.empty());
  EXPECT_NEAR(limits.front(), 0.5, 1e-3);
  for (double l : limits) {
    EXPECT_GE(l, 0.5 - 1e-9);
    EXPECT_LE(l, 1.0);
  }
}

TEST_F(Trace, DependencyFlowsArePaired) {
  std::map<int64_t, int> starts, finishes;
  for (const auto& e : events()) {
    if (e["ph"] == "s") starts[e["id"].get<int64_t>()] += 1;
    if (e["ph"] == "f") finishes[e["id"].get<int64_t>()] += 1;
  }
  EXPECT_GT(starts.size(), 0u);
  EXPECT_EQ(starts, finishes);
}

TEST(TraceLimits, MaxEventsAndWindow) {
  const std::string dir = temp_dir();
  std::ofstream(dir + "/limit_cfg.json") << R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", "channels": 16, "width": 2000, "kernel_size": 4}})";
  ASSERT_EQ(run(dir + "/limit_cfg.json --trace " + dir + "/limited.json --trace-max-events 50"), 0);
  const json t = read_json(dir + "/limited.json");
  int64_t timed = 0;
  bool truncated = false;
  for (const auto& e : t["traceEvents"]) {
    // Counted events: slices, async and flow starts, instants, the occupancy counters and
    // the PE's utilisation limit (the binned HBM/DMA counters are summaries written at the
    // end, outside the cap).
    const bool occupancy = e["ph"] == "C" && (e["name"].get<std::string>().rfind("SBUF", 0) == 0 ||
                                              e["name"].get<std::string>().rfind("PSUM", 0) == 0 ||
                                              e["name"] == "pe_utilization_limit");
    if (e["ph"] == "X" || e["ph"] == "b" || e["ph"] == "s" || e["ph"] == "i" || occupancy) ++timed;
    if (e["ph"] == "M" && e["name"] == "trace_info") truncated = e["args"]["truncated"].get<bool>();
  }
  EXPECT_EQ(timed, 50);
  EXPECT_TRUE(truncated);
  ASSERT_EQ(run(dir + "/limit_cfg.json --trace " + dir + "/window.json --trace-window 5:6"), 0);
  // Held in a variable: a range-for over a member of the temporary would read freed memory.
  const json window = read_json(dir + "/window.json");
  for (const auto& e : window["traceEvents"])
    if (e["ph"] == "X") {
      EXPECT_LT(e["ts"].get<double>(), 6.0);
      EXPECT_GT(e["ts"].get<double>() + e["dur"].get<double>(), 5.0 - 1e-4);
    }
  EXPECT_EQ(run(dir + "/limit_cfg.json --trace " + dir + "/w.json --trace-window 6:5"), 2);
}

}  // namespace
}  // namespace trn2::test

// The streamed run (simulator.window_instructions > 0: each core's program made by its
// emitter while the model runs, held in a bounded window) against the whole-program run
// (window 0): the same report, figure for figure, and the same output bytes. A window too
// small to hold what the engines could already run stops the run with exit 2. Each run is a
// process of the binary (a SystemC model elaborates once per process).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace trn2::test {
namespace {

using nlohmann::json;

json load_config(const std::string& relative) {
  std::ifstream f(std::string(TRN2SIM_SOURCE_DIR) + "/" + relative);
  return json::parse(f);
}

// The config with simulator.window_instructions set (window < 0: left at its default).
std::string config_with_window(const std::string& relative, const std::string& tag, int64_t window) {
  json c = load_config(relative);
  if (window >= 0) c["simulator"] = {{"window_instructions", window}};
  std::string name = relative;
  for (char& ch : name)
    if (ch == '/' || ch == '.') ch = '_';
  return write_file(name + "_" + tag + ".json", c.dump());
}

struct KernelRunOutcome {
  Outcome outcome;
  json report;
  std::string npy;
};

KernelRunOutcome run_with_window(const std::string& relative, const std::string& tag, int64_t window) {
  const std::string cfg = config_with_window(relative, tag, window);
  const std::string report = temp_path(tag + "_report.json"), npy = temp_path(tag + "_out.npy");
  KernelRunOutcome r;
  r.outcome = run_binary(cfg + " --report " + report + " --output-npy " + npy);
  if (r.outcome.status == 0) {
    r.report = json::parse(slurp(report));
    r.npy = slurp(npy);
  }
  return r;
}

// Everything the report says about the simulated run; the simulator block also holds host
// time and memory, which differ from run to run, so only its counts are kept.
json simulated_part(json report) {
  const json s = report["simulator"];
  report.erase("simulator");
  report["simulator_counts"] = {{"instructions", s["instructions"]}, {"simulated_instructions", s["simulated_instructions"]}};
  return report;
}

struct StreamCase {
  const char* config;  // relative to the source tree
  int64_t window;      // the small window
};

void PrintTo(const StreamCase& c, std::ostream* os) { *os << c.config << " window " << c.window; }

class Streaming : public ::testing::TestWithParam<StreamCase> {};

TEST_P(Streaming, SmallAndDefaultWindowsMatchTheWholeProgram) {
  const StreamCase& c = GetParam();
  const KernelRunOutcome whole = run_with_window(c.config, "whole", 0);
  ASSERT_EQ(whole.outcome.status, 0) << whole.outcome.out;
  ASSERT_FALSE(whole.npy.empty());
  const json expected = simulated_part(whole.report);
  ASSERT_GT(expected["neuroncore_cycle_count"].get<int64_t>(), 0);
  ASSERT_TRUE(expected["numerics"]["pass"].get<bool>());

  for (const int64_t window : {c.window, int64_t(-1)}) {
    const std::string tag = window < 0 ? "default" : "w" + std::to_string(window);
    const KernelRunOutcome streamed = run_with_window(c.config, tag, window);
    ASSERT_EQ(streamed.outcome.status, 0) << tag << ": " << streamed.outcome.out;
    const json got = simulated_part(streamed.report);
    // The figures named one by one first, so that a failure says which one moved.
    EXPECT_EQ(got["neuroncore_cycle_count"], expected["neuroncore_cycle_count"]) << tag;
    EXPECT_EQ(got["total_time_us"], expected["total_time_us"]) << tag;
    EXPECT_EQ(got["hbm_read_bytes"], expected["hbm_read_bytes"]) << tag;
    EXPECT_EQ(got["hbm_write_bytes"], expected["hbm_write_bytes"]) << tag;
    ASSERT_EQ(got["cores"].size(), expected["cores"].size()) << tag;
    for (size_t k = 0; k < expected["cores"].size(); ++k) {
      const json &g = got["cores"][k], &e = expected["cores"][k];
      for (const char* engine : {"pe", "dve", "act", "pool"}) {
        EXPECT_EQ(g["engines"][engine]["instruction_count"], e["engines"][engine]["instruction_count"])
            << tag << " core " << k << " " << engine;
        EXPECT_EQ(g["engines"][engine]["active_time_us"], e["engines"][engine]["active_time_us"])
            << tag << " core " << k << " " << engine;
      }
      for (const char* dma : {"dma_transfer_count", "dma_descriptor_count", "dma_bytes", "dma_active_time_us"})
        EXPECT_EQ(g[dma], e[dma]) << tag << " core " << k << " " << dma;
      EXPECT_EQ(g["dma_efficiency"], e["dma_efficiency"]) << tag << " core " << k;
    }
    // Then the whole report: nothing else may move either.
    EXPECT_EQ(got, expected) << tag;
    EXPECT_TRUE(streamed.npy == whole.npy) << tag << ": the output .npy bytes differ";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Configs, Streaming,
    ::testing::Values(
        // Padding and stride; its padding edge loads tie at the DMA arbiter.
        StreamCase{"configs/matrix/n2_c64_w1000_s7_stride2_pad3_fp32.json", 64},
        // Uneven padding, fp16, batch 3; also has equal-time DMA requests.
        StreamCase{"configs/matrix/n3_c6_w700_s200_pad5_2_fp16.json", 64},
        // lnc 2, bf16.
        StreamCase{"configs/matrix/n4_c256_w512_s128_bf16.json", 64},
        // 20576 instructions per core: the default window (4096) fills too. 64 is too small
        // for this shape (the run stops with the window error), 128 is enough.
        StreamCase{"configs/matrix/n1_c8192_w128_s3_fp16.json", 128},
        // The default config: nkilib's stream loads the second channel tile's filter ~2180
        // instructions after the first, and it is ready at 0 (a buffer of its own), so a
        // window below that holds it back (2048 does; the run stops with the window error).
        StreamCase{"configs/depthwise_default.json", 2304}),
    [](const ::testing::TestParamInfo<StreamCase>& info) {
      std::string name = info.param.config;
      name = name.substr(name.rfind('/') + 1);
      name = name.substr(0, name.size() - 5);
      for (char& ch : name)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return name;
    });

TEST(StreamingWindow, TooSmallAWindowExitsTwoNamingTheSetting) {
  // 8 instructions cannot hold the default config's first loads and what waits on them:
  // the run must stop rather than report a timing the program would not have.
  const Outcome o = run_binary(config_with_window("configs/depthwise_default.json", "w8", 8));
  EXPECT_EQ(o.status, 2) << o.out;
  const std::string head = "trn2sim: error: simulator.window_instructions: a window of 8 instructions held back core 0 instruction ";
  EXPECT_EQ(o.out.rfind(head, 0), 0u) << o.out;
  EXPECT_NE(o.out.find("(raise it; 0: no window)"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find('\n'), o.out.size() - 1) << "one line: " << o.out;
  EXPECT_EQ(o.out.find("total time"), std::string::npos) << "no report of a run that stopped: " << o.out;
}

TEST(StreamingWindow, DumpedProgramIsTheWholeProgram) {
  // A streamed run keeps only the program's header; --dump-program must still write every
  // instruction, the same as the whole-program run does.
  const char* config = "configs/matrix/n2_c10_w129_s3_stride3_pad1_fp16.json";
  const std::string whole = temp_path("dump_whole.json"), streamed = temp_path("dump_streamed.json");
  const Outcome a = run_binary(config_with_window(config, "dump_whole", 0) + " --dump-program " + whole);
  ASSERT_EQ(a.status, 0) << a.out;
  const Outcome b = run_binary(config_with_window(config, "dump_streamed", 64) + " --dump-program " + streamed);
  ASSERT_EQ(b.status, 0) << b.out;
  const json pa = json::parse(slurp(whole)), pb = json::parse(slurp(streamed));
  ASSERT_EQ(pa["cores"].size(), 2u);
  EXPECT_GT(pa["cores"][0].size(), 0u);
  EXPECT_EQ(pa, pb);
}

TEST(StreamingWindow, TraceHasTheWholeProgramsEvents) {
  // The trace of a streamed run (which keeps each instruction's history and the emitter's
  // allocation records for the occupancy counters) has the same events as the whole-program
  // run's. Only as a set: equal-time events of different threads may be written in another
  // order.
  const char* config = "configs/matrix/n2_c64_w1000_s7_stride2_pad3_fp32.json";
  auto events = [&](const std::string& tag, int64_t window) {
    const std::string trace = temp_path(tag + "_trace.json");
    const Outcome o = run_binary(config_with_window(config, tag, window) + " --trace " + trace);
    EXPECT_EQ(o.status, 0) << tag << ": " << o.out;
    const json t = json::parse(slurp(trace));
    std::vector<std::string> v;
    for (const json& e : t["traceEvents"]) v.push_back(e.dump());
    std::sort(v.begin(), v.end());
    return v;
  };
  const std::vector<std::string> whole = events("trace_whole", 0), streamed = events("trace_streamed", 64);
  EXPECT_GT(whole.size(), 1000u);
  size_t occupancy = 0, flows = 0;
  for (const std::string& e : whole) {
    occupancy += e.find("SBUF bytes allocated") != std::string::npos;  // from the allocation records
    flows += e.find("\"name\":\"dependency\"") != std::string::npos;  // from the history
  }
  EXPECT_GT(occupancy, 0u);
  EXPECT_GT(flows, 0u);
  EXPECT_TRUE(whole == streamed) << whole.size() << " events against " << streamed.size();
}

}  // namespace
}  // namespace trn2::test

// The trn2sim binary: a good run exits 0 with a summary; bad input exits 2 with one line
// naming the problem.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "isa/npy.h"

namespace trn2::test {
namespace {

std::string write_config(const std::string& name, const std::string& text) {
  return write_file(name + ".json", text);
}

std::string kernel_config(const std::string& kernel_fields) {
  return R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", )" + kernel_fields + R"(}, "inputs": {"seed": 3}})";
}

TEST(Cli, GoodRunExitsZeroAndReports) {
  const std::string cfg = write_config("good", kernel_config(R"("batch": 1, "channels": 8, "width": 200, "kernel_size": 4, "dtype": "bfloat16")"));
  const std::string report = temp_path("good_report.json");
  const Outcome o = run_binary(cfg + " --report " + report);
  EXPECT_EQ(o.status, 0) << o.out;
  EXPECT_NE(o.out.find("PASS"), std::string::npos) << o.out;
  std::ifstream f(report);
  const auto j = nlohmann::json::parse(f);
  for (const char* key : {"total_time_us", "neuroncore_cycle_count", "hbm_read_bytes", "hbm_write_bytes",
                          "mfu_estimated_percent", "mbu_estimated_percent", "numerics", "simulator", "cores"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_TRUE(j["numerics"]["pass"].get<bool>());
  EXPECT_EQ(j["cores"].size(), 2u);
  EXPECT_EQ(j["hbm_write_bytes"].get<int64_t>(), 8 * 197 * 2);  // the output, once
  EXPECT_GT(j["cores"][0]["engines"]["pe"]["instruction_count"].get<int64_t>(), 0);
}

TEST(Cli, ReportsSimulatorSpeedAndMemory) {
  // The simulator block's figures exist and are consistent with the program that ran; no
  // thresholds on them (host speed belongs to bench/, not to tests).
  const std::string cfg = write_config("speed", kernel_config(R"("batch": 2, "channels": 4, "width": 300, "kernel_size": 5, "dtype": "float32")"));
  const std::string report = temp_path("speed_report.json");
  const std::string program = temp_path("speed_program.json");
  const Outcome o = run_binary(cfg + " --report " + report + " --dump-program " + program);
  ASSERT_EQ(o.status, 0) << o.out;
  std::ifstream rf(report), pf(program);
  const auto j = nlohmann::json::parse(rf);
  const auto p = nlohmann::json::parse(pf);
  int64_t count = 0;
  for (const auto& stream : p["cores"]) count += int64_t(stream.size());
  ASSERT_GT(count, 0);
  const auto& s = j["simulator"];
  for (const char* key : {"host_seconds", "simulated_instructions", "instructions_per_host_second",
                          "simulated_ns_per_host_second", "peak_rss_bytes", "phase_seconds"})
    ASSERT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["simulated_instructions"].get<int64_t>(), count);
  EXPECT_GT(s["host_seconds"].get<double>(), 0.0);
  EXPECT_GT(s["instructions_per_host_second"].get<double>(), 0.0);
  EXPECT_GT(s["simulated_ns_per_host_second"].get<double>(), 0.0);
  // The rates are the counts over the host time they claim.
  const double host = s["host_seconds"].get<double>();
  EXPECT_NEAR(s["instructions_per_host_second"].get<double>() * host, double(count), 1e-6 * double(count));
  EXPECT_NEAR(s["simulated_ns_per_host_second"].get<double>() * host, j["total_time_us"].get<double>() * 1e3,
              1e-6 * j["total_time_us"].get<double>() * 1e3);
  // At least the model's own memories (SBUF, PSUM) are resident; a 64-bit process under 1 TiB.
  EXPECT_GT(s["peak_rss_bytes"].get<int64_t>(), int64_t(1) << 20);
  EXPECT_LT(s["peak_rss_bytes"].get<int64_t>(), int64_t(1) << 40);
  double phases = 0;
  for (const auto& [name, secs] : s["phase_seconds"].items()) {
    EXPECT_GE(secs.get<double>(), 0.0) << name;
    phases += secs.get<double>();
  }
  EXPECT_NEAR(phases, host, 1e-9 + 1e-9 * host);
}

TEST(Cli, HelpAndVersion) {
  EXPECT_EQ(run_binary("--help").status, 0);
  const Outcome v = run_binary("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("trn2sim"), std::string::npos);
}

struct BadCase {
  const char* name;
  std::string config;
  const char* message;
};

void expect_rejected(const BadCase& c) {
  const Outcome o = run_binary(write_config(c.name, c.config));
  EXPECT_EQ(o.status, 2) << c.name << ": " << o.out;
  EXPECT_NE(o.out.find(c.message), std::string::npos) << c.name << ": " << o.out;
  // One line.
  EXPECT_EQ(o.out.find('\n'), o.out.size() - 1) << c.name << ": " << o.out;
}

TEST(Cli, BadJson) { expect_rejected({"bad_json", "{\"kernel\": ", "not valid JSON"}); }

TEST(Cli, UnknownKey) {
  expect_rejected({"unknown_key", kernel_config(R"("channels": 8, "width": 64, "kernel_size": 3, "colour": 1)"),
                   "kernel.colour: unknown key"});
}

TEST(Cli, UnknownHardwareKey) {
  expect_rejected({"unknown_hw", R"({"hardware": {"hbm_speed": 1}, "kernel": {"name": "depthwise_conv1d_implicit_gemm"}})",
                   "hardware.hbm_speed: unknown key"});
}

TEST(Cli, OddChannels) {
  expect_rejected({"odd_c", kernel_config(R"("channels": 7, "width": 64, "kernel_size": 3)"),
                   "kernel.channels 7 must be divisible by lnc 2"});
}

TEST(Cli, KernelLargerThanWidth) {
  expect_rejected({"s_gt_w", kernel_config(R"("channels": 8, "width": 64, "kernel_size": 65)"),
                   "kernel.kernel_size 65 exceeds the padded width 64"});
}

TEST(Cli, UnknownDtype) {
  expect_rejected({"dtype", kernel_config(R"("channels": 8, "width": 64, "kernel_size": 3, "dtype": "float64")"),
                   "kernel.dtype: unknown dtype"});
}

TEST(Cli, UnsupportedDilation) {
  expect_rejected({"dilation", kernel_config(R"("channels": 8, "width": 64, "kernel_size": 3, "dilation": 2)"),
                   "kernel.dilation must be 1"});
}

TEST(Cli, MissingConfigFile) {
  const Outcome o = run_binary("/nonexistent/config.json");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.out.find("cannot open"), std::string::npos) << o.out;
}

TEST(Cli, WrongTypeField) {
  expect_rejected({"wrong_type", kernel_config(R"("channels": "eight", "width": 64, "kernel_size": 3)"),
                   "kernel.channels: expected an integer"});
}


TEST(Cli, SameConfigSameBitsAndCycles) {
  const std::string cfg = write_config("determinism", kernel_config(R"("channels": 6, "width": 300, "kernel_size": 9, "dtype": "float16", "stride": 2, "padding": [3, 1])"));
  const std::string dir = temp_dir();
  ASSERT_EQ(run_binary(cfg + " --output-npy " + dir + "/d1.npy --report " + dir + "/d1.json").status, 0);
  ASSERT_EQ(run_binary(cfg + " --output-npy " + dir + "/d2.npy --report " + dir + "/d2.json").status, 0);
  EXPECT_EQ(slurp(dir + "/d1.npy"), slurp(dir + "/d2.npy"));
  const auto r1 = nlohmann::json::parse(slurp(dir + "/d1.json"));
  const auto r2 = nlohmann::json::parse(slurp(dir + "/d2.json"));
  EXPECT_EQ(r1["neuroncore_cycle_count"], r2["neuroncore_cycle_count"]);
  EXPECT_EQ(r1["total_time_us"], r2["total_time_us"]);
  EXPECT_EQ(r1["cores"], r2["cores"]);
}

TEST(Cli, NpyInputsAndOutput) {
  // Inputs written here (input all 1.0, filter 0.5 for c=0 and 2.0 for c=1, fp32), so the
  // output is known without the simulator's reference: each of the Q = 10 - 3 + 1 = 8
  // outputs of channel c is 3 x filter[c].
  const std::string dir = temp_dir();
  std::vector<float> input(2 * 10, 1.0f), filter = {0.5f, 0.5f, 0.5f, 2.0f, 2.0f, 2.0f};
  trn2::isa::write_npy(dir + "/x.npy", {1, 2, 1, 10}, "<f4", input.data(), input.size() * 4);
  trn2::isa::write_npy(dir + "/f.npy", {2, 1, 1, 3}, "<f4", filter.data(), filter.size() * 4);
  const std::string cfg = write_config("npy_inputs",
      R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", "channels": 2, "width": 10, "kernel_size": 3},
          "inputs": {"input": "x.npy", "filter": "f.npy"}})");
  const Outcome o = run_binary(cfg + " --output-npy " + dir + "/y.npy");
  ASSERT_EQ(o.status, 0) << o.out;
  const trn2::isa::NpyArray y = trn2::isa::read_npy(dir + "/y.npy");
  ASSERT_EQ(y.shape, (std::vector<size_t>{1, 2, 1, 8}));
  ASSERT_EQ(y.descr, "<f4");
  const float* v = reinterpret_cast<const float*>(y.data.data());
  for (int q = 0; q < 8; ++q) {
    EXPECT_EQ(v[q], 1.5f) << q;
    EXPECT_EQ(v[8 + q], 6.0f) << q;
  }
}

TEST(Cli, NpyInputWithWrongShape) {
  const std::string dir = temp_dir();
  std::vector<float> input(20, 1.0f);
  trn2::isa::write_npy(dir + "/bad_x.npy", {1, 2, 10}, "<f4", input.data(), input.size() * 4);
  trn2::isa::write_npy(dir + "/bad_f.npy", {2, 1, 1, 3}, "<f4", input.data(), 24);
  expect_rejected({"npy_bad_shape",
                   R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", "channels": 2, "width": 10, "kernel_size": 3},
                       "inputs": {"input": "bad_x.npy", "filter": "bad_f.npy"}})",
                   "has shape (1,2,10,) but the kernel needs (1,2,1,10,)"});
}


TEST(Cli, RandomSmallShapesMatchTheReference) {
  // A fixed-seed sweep over the kernel's whole parameter space at small sizes (lnc, dtype,
  // stride, padding, partial tiles, S > 128, buffer counts): every run must pass its
  // numerics check. Each run is its own process, so the binary is spawned.
  uint64_t state = 20261125;
  auto pick = [&](int64_t lo, int64_t hi) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + int64_t((state >> 33) % uint64_t(hi - lo + 1));
  };
  const char* dtypes[] = {"float32", "bfloat16", "float16"};
  for (int t = 0; t < 24; ++t) {
    const int64_t lnc = pick(1, 2), channels = pick(1, 140) * lnc, width = pick(1, 600);
    const int64_t pl = pick(0, 10), pr = pick(0, 10);
    const int64_t s = pick(1, std::min<int64_t>(width + pl + pr, 300));
    const std::string kernel = "\"batch\": " + std::to_string(pick(1, 3)) + ", \"channels\": " + std::to_string(channels) +
                               ", \"width\": " + std::to_string(width) + ", \"kernel_size\": " + std::to_string(s) +
                               ", \"dtype\": \"" + dtypes[pick(0, 2)] + "\", \"stride\": " + std::to_string(pick(1, 16)) +
                               ", \"padding\": [" + std::to_string(pl) + ", " + std::to_string(pr) +
                               "], \"lnc\": " + std::to_string(lnc) + ", \"buffers\": " + std::to_string(pick(1, 4));
    const Outcome o = run_binary(write_config("random_" + std::to_string(t), kernel_config(kernel)));
    EXPECT_EQ(o.status, 0) << kernel << "\n" << o.out;
  }
}


TEST(Cli, KernelTilesFollowTheConfiguredLimits) {
  // A smaller machine (64 partitions, 1 KiB PSUM banks, 256-wide moving tiles): the kernel
  // tiles to fit and still computes the right numbers.
  const Outcome o = run_binary(write_config("small_machine",
      R"({"hardware": {"partitions": 64, "psum_bank_bytes": 1024, "matmul_moving_free_max": 256},
          "kernel": {"name": "depthwise_conv1d_implicit_gemm", "channels": 200, "width": 900, "kernel_size": 70,
                     "dtype": "bfloat16", "padding": [2, 3]}})"));
  EXPECT_EQ(o.status, 0) << o.out;
}

TEST(Cli, TensorLargerThanTheHbmStack) {
  expect_rejected({"huge", kernel_config(R"("channels": 2, "width": 4000000000, "kernel_size": 3, "lnc": 1)"),
                   "beyond the stack's 25769803776 bytes"});
}


TEST(Cli, OutOfRangeValuesAreNotTruncated) {
  expect_rejected({"lnc_big", kernel_config(R"("channels": 8, "width": 64, "kernel_size": 3, "lnc": 4294967298)"),
                   "kernel.lnc: must be 1 or 2, got 4294967298"});
  expect_rejected({"buffers_big", kernel_config(R"("channels": 8, "width": 64, "kernel_size": 3, "buffers": 4294967297)"),
                   "kernel.buffers: must be 1 to 8, got 4294967297"});
}

TEST(Cli, HugePaddingIsRejected) {
  expect_rejected({"pad_huge", kernel_config(R"("channels": 2, "width": 10, "kernel_size": 3, "padding": [1000000000000, 0])"),
                   "kernel.padding exceeds 1048576"});
  expect_rejected({"pad_max", kernel_config(R"("channels": 2, "width": 10, "kernel_size": 3, "padding": [9223372036854775807, 5])"),
                   "kernel.padding exceeds 1048576"});
}

}  // namespace
}  // namespace trn2::test

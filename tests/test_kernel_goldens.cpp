// Whole-kernel goldens: the cycle count and the instruction, transfer and byte counts of a
// few configs, exactly. A change to the timing model or the kernel that moves them must
// regenerate them with scripts/regen_goldens.sh and explain the change in its commit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "sim/simulation/kernel_run.h"

namespace trn2::test {
namespace {

nlohmann::json pinned_fields(const nlohmann::json& report) {
  nlohmann::json g;
  g["neuroncore_cycle_count"] = report["neuroncore_cycle_count"];
  g["hbm_read_bytes"] = report["hbm_read_bytes"];
  g["hbm_write_bytes"] = report["hbm_write_bytes"];
  for (const auto& core : report["cores"]) {
    nlohmann::json c;
    for (const auto& [engine, stats] : core["engines"].items()) c[engine] = stats["instruction_count"];
    c["dma_transfer_count"] = core["dma_transfer_count"];
    c["dma_descriptor_count"] = core["dma_descriptor_count"];
    g["cores"].push_back(c);
  }
  return g;
}

class KernelGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(KernelGolden, MatchesGolden) {
  const std::string src = TRN2SIM_SOURCE_DIR;
  const std::string name = GetParam();
  const std::string config = src + "/configs/" + name + ".json";
  std::string flat = name;
  for (char& ch : flat)
    if (ch == '/') ch = '_';
  const std::string golden = src + "/tests/goldens/" + flat + ".json";
  const sim::RunConfig rc = sim::load_run_config(config);
  const sim::KernelRun run = sim::run_kernel(rc);
  ASSERT_TRUE(run.numerics.pass);
  const nlohmann::json got = pinned_fields(sim::make_report(rc, run));
  if (std::getenv("TRN2SIM_UPDATE_GOLDENS")) {
    std::ofstream(golden) << got.dump(2) << "\n";
    GTEST_SKIP() << "wrote " << golden;
  }
  std::ifstream f(golden);
  ASSERT_TRUE(f) << "no golden " << golden << ": run scripts/regen_goldens.sh";
  const nlohmann::json want = nlohmann::json::parse(f);
  EXPECT_EQ(got, want) << "got:\n" << got.dump(2) << "\nwant:\n" << want.dump(2);
}

INSTANTIATE_TEST_SUITE_P(Configs, KernelGolden,
                         ::testing::Values("depthwise_default", "depthwise_lnc1", "matrix/n1_c2_w128_s3_bf16",
                                           "matrix/n2_c64_w1000_s7_stride2_pad3_fp32",
                                           "matrix/n3_c6_w700_s200_pad5_2_fp16", "matrix/n4_c130_w300_s5_fp32"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string s = info.param;
                           for (char& ch : s)
                             if (ch == '/') ch = '_';
                           return s;
                         });

}  // namespace
}  // namespace trn2::test

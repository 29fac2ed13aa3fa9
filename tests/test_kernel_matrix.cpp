// The depthwise conv1d kernel over its public test matrix (configs/matrix/, one config per
// shape): the simulated output must match the double-precision reference within the
// config's tolerance (1e-2 absolute and relative, as the public version's tests use).
#include <gtest/gtest.h>

#include <cmath>

#include "isa/hazards.h"
#include "kernels/depthwise_conv1d.h"
#include "sim/kernel_run.h"

namespace trn2::test {
namespace {

class KernelMatrix : public ::testing::TestWithParam<const char*> {};

TEST_P(KernelMatrix, MatchesReference) {
  const std::string path = std::string(TRN2SIM_SOURCE_DIR) + "/configs/matrix/" + GetParam() + ".json";
  const sim::RunConfig rc = sim::load_run_config(path);
  const sim::KernelRun run = sim::run_kernel(rc);
  // Recompute the comparison here rather than trusting run.numerics alone.
  const auto& k = rc.kernel;
  ASSERT_EQ(run.output.size(), size_t(k.batch * k.channels * k.out_width()));
  EXPECT_TRUE(run.numerics.pass) << run.numerics.mismatches << " mismatches, max abs error " << run.numerics.max_abs_error;
  EXPECT_LE(run.numerics.max_abs_error, rc.atol + rc.rtol * 1e3);
  double energy = 0;
  for (float v : run.output) energy += std::fabs(v);
  EXPECT_GT(energy, 0.0) << "an all-zero output would mean nothing was computed";
  EXPECT_GT(run.sim.total_ns, 0.0);
}

// The builder's programs must be free of races and uninitialised reads for every shape: a
// static check, so it holds for every timing, not only the simulated one.
TEST_P(KernelMatrix, HasNoHazards) {
  const std::string path = std::string(TRN2SIM_SOURCE_DIR) + "/configs/matrix/" + GetParam() + ".json";
  const sim::RunConfig rc = sim::load_run_config(path);
  const isa::Program program = kernels::build_depthwise_conv1d(rc.kernel, rc.hw.limits);
  const auto hazards = isa::find_hazards(program, rc.hw.limits);
  for (const auto& h : hazards) ADD_FAILURE() << h.message;
  EXPECT_TRUE(hazards.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Public, KernelMatrix,
    ::testing::Values("seed_n1_c384_w2051_s4_fp32", "n1_c2_w128_s3_bf16", "n4_c256_w512_s128_bf16",
                      "n1_c2048_w2048_s256_bf16", "n1_c8192_w4096_s4093_bf16",
                      "n2_c64_w1000_s7_stride2_pad3_fp32", "n1_c32_w5000_s31_stride16_pad10_bf16",
                      "n3_c6_w700_s200_pad5_2_fp16", "n4_c130_w300_s5_fp32", "n1_c4_w5000_s4093_fp32",
                      "n1_c8192_w128_s3_fp16", "n2_c10_w129_s3_stride3_pad1_fp16",
                      "n1_c16_w128_s128_pad10_fp32"),
    [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace trn2::test

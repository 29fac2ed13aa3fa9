// The depthwise conv1d kernel over its public test matrix (configs/matrix/, one config per
// shape), in every variant: the simulated output must match the double-precision reference
// within the config's tolerance (1e-2 absolute and relative, as the public version's tests
// use), and the program must be free of races.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "isa/hazards.h"
#include "kernels/depthwise_conv1d.h"
#include "sim/simulation/kernel_run.h"

namespace trn2::test {
namespace {

using Case = std::tuple<const char*, kernels::Conv1dVariant>;
class KernelMatrix : public ::testing::TestWithParam<Case> {};

sim::RunConfig config_of(const Case& c) {
  const std::string path = std::string(TRN2SIM_SOURCE_DIR) + "/configs/matrix/" + std::get<0>(c) + ".json";
  sim::RunConfig rc = sim::load_run_config(path);
  rc.kernel.variant = std::get<1>(c);
  if (rc.kernel.variant == kernels::Conv1dVariant::Vector) rc.window = 0;  // as its kernel.name would set
  return rc;
}

TEST_P(KernelMatrix, MatchesReference) {
  const sim::RunConfig rc = config_of(GetParam());
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
  const sim::RunConfig rc = config_of(GetParam());
  const isa::Program program = kernels::build_depthwise_conv1d(rc.kernel, rc.hw.limits);
  const auto hazards = isa::find_hazards(program, rc.hw.limits);
  for (const auto& h : hazards) ADD_FAILURE() << h.message;
  EXPECT_TRUE(hazards.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Public, KernelMatrix,
    ::testing::Combine(::testing::Values("seed_n1_c384_w2051_s4_fp32", "n1_c2_w128_s3_bf16", "n4_c256_w512_s128_bf16",
                                         "n1_c2048_w2048_s256_bf16", "n1_c8192_w4096_s4093_bf16",
                                         "n2_c64_w1000_s7_stride2_pad3_fp32", "n1_c32_w5000_s31_stride16_pad10_bf16",
                                         "n3_c6_w700_s200_pad5_2_fp16", "n4_c130_w300_s5_fp32",
                                         "n1_c4_w5000_s4093_fp32", "n1_c8192_w128_s3_fp16",
                                         "n2_c10_w129_s3_stride3_pad1_fp16", "n1_c16_w128_s128_pad10_fp32",
                                         "n1_c8_w512_s3_bf16_fp16_filter"),
                       ::testing::Values(kernels::Conv1dVariant::Nkilib, kernels::Conv1dVariant::FilterOnce,
                                         kernels::Conv1dVariant::QTiled, kernels::Conv1dVariant::Vector)),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(std::get<0>(info.param)) + "_" + kernels::variant_name(std::get<1>(info.param));
    });

}  // namespace
}  // namespace trn2::test

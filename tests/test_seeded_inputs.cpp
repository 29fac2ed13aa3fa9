// The seeded inputs of a kernel run (sim::seeded_bytes): the same seed gives the same bytes,
// the input and filter seeds (n, n + 1) give unrelated streams, the values have the
// documented distribution: mean 0, variance 1, within +-2 sqrt(3), rounded to the dtype, and
// the bytes do not depend on how many threads made them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "isa/dtype.h"
#include "sim/simulation/kernel_run.h"

namespace trn2::test {
namespace {

std::vector<float> values(const std::vector<uint8_t>& bytes, isa::DType t) {
  const size_t es = isa::dtype_size(t);
  std::vector<float> v(bytes.size() / es);
  isa::load_elements(bytes.data(), int64_t(es), t, int64_t(v.size()), v.data());
  return v;
}

TEST(SeededInputs, SameSeedSameBytesOtherSeedOtherBytes) {
  EXPECT_EQ(sim::seeded_bytes(1000, 5, isa::DType::BF16), sim::seeded_bytes(1000, 5, isa::DType::BF16));
  EXPECT_NE(sim::seeded_bytes(1000, 5, isa::DType::BF16), sim::seeded_bytes(1000, 6, isa::DType::BF16));
}

TEST(SeededInputs, MeanZeroVarianceOneBoundedAndUncorrelatedAcrossSeeds) {
  const size_t n = 200000;
  const std::vector<float> a = values(sim::seeded_bytes(n, 0, isa::DType::F32), isa::DType::F32);
  const std::vector<float> b = values(sim::seeded_bytes(n, 1, isa::DType::F32), isa::DType::F32);
  double sum = 0, sq = 0, cross = 0, peak = 0;
  for (size_t i = 0; i < n; ++i) {
    sum += a[i];
    sq += double(a[i]) * a[i];
    cross += double(a[i]) * b[i];
    peak = std::max(peak, double(std::fabs(a[i])));
  }
  // Standard errors over 200,000 values: about 0.0022 for the mean, 0.003 for the variance
  // of this (light-tailed) distribution and 0.0022 for the correlation; bounds are 5x that.
  EXPECT_NEAR(sum / n, 0.0, 0.011);
  EXPECT_NEAR(sq / n, 1.0, 0.015);
  EXPECT_NEAR(cross / n, 0.0, 0.011);
  EXPECT_LE(peak, 2 * std::sqrt(3.0));
}

TEST(SeededInputs, RoundedToTheDtype) {
  // bf16 bytes are the fp32 values of the same seed rounded to nearest even.
  const size_t n = 5000;
  const std::vector<float> f32 = values(sim::seeded_bytes(n, 9, isa::DType::F32), isa::DType::F32);
  const std::vector<float> bf16 = values(sim::seeded_bytes(n, 9, isa::DType::BF16), isa::DType::BF16);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(bf16[i], isa::round_to(isa::DType::BF16, f32[i])) << i;
}

TEST(SeededInputs, SameBytesOnAnyThreadCount) {
  // Sizes not a multiple of the generator's 4096-value blocks: one above the split threshold
  // (2^20 values), one of fewer blocks (6) than the 7 threads asked for. Threads 0: as many as
  // the size is worth.
  for (isa::DType dt : {isa::DType::BF16, isa::DType::F32})
    for (size_t n : {(size_t(3) << 20) + 123, size_t(5 * 4096 + 17)}) {
      const size_t bytes = n * isa::dtype_size(dt);
      std::vector<uint8_t> one(bytes), many(bytes);
      sim::seeded_fill(one.data(), n, 3, dt, 1);
      for (unsigned threads : {2u, 3u, 7u, 0u}) {
        std::fill(many.begin(), many.end(), uint8_t(0xff));  // NaN in either dtype: no value has it
        sim::seeded_fill(many.data(), n, 3, dt, threads);
        ASSERT_EQ(std::memcmp(one.data(), many.data(), bytes), 0)
            << isa::dtype_name(dt) << " n " << n << " threads " << threads;
      }
    }
}

}  // namespace
}  // namespace trn2::test

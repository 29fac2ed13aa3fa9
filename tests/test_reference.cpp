// The kernel's reference (what the simulated output is checked against) equals the
// convolution's definition written the plain way, bit for bit: the fast loop order must keep
// each output's sum in ascending s; and its rows split over threads give the same bits.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "isa/dtype.h"
#include "kernels/depthwise_conv1d.h"
#include "sim/simulation/kernel_run.h"

namespace trn2::test {
namespace {

std::vector<double> plain_reference(const kernels::DepthwiseConv1dParams& p, const std::vector<float>& input,
                                    const std::vector<float>& filter) {
  const int64_t N = p.batch, C = p.channels, W = p.width, S = p.kernel_size, Q = p.out_width();
  std::vector<double> out(size_t(N * C * Q));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t q = 0; q < Q; ++q) {
        double sum = 0.0;
        for (int64_t s = 0; s < S; ++s) {
          const int64_t w = q * p.stride + s - p.pad_left;
          if (w >= 0 && w < W) sum += double(input[size_t((n * C + c) * W + w)]) * double(filter[size_t(c * S + s)]);
        }
        out[size_t((n * C + c) * Q + q)] = sum;
      }
  return out;
}

TEST(Reference, MatchesThePlainDefinitionBitForBit) {
  std::mt19937 gen(7);
  std::normal_distribution<float> normal;
  struct Shape { int64_t n, c, w, s, stride, pad_l, pad_r; };
  for (const Shape& sh : {Shape{1, 3, 50, 4, 1, 0, 0}, Shape{2, 2, 37, 5, 2, 3, 1}, Shape{1, 2, 20, 20, 3, 10, 10},
                          Shape{1, 1, 9, 3, 16, 2, 0}, Shape{3, 2, 40, 7, 1, 6, 6},
                          // Short rows summed four outputs at a time, with taps in the padding
                          // before, after and on both sides of the ones all four share, or no
                          // tap that all four share (w2 s6).
                          Shape{1, 2, 30, 24, 1, 3, 2}, Shape{1, 2, 20, 16, 1, 1, 1}, Shape{1, 2, 40, 30, 2, 1, 1},
                          Shape{1, 1, 6, 12, 1, 6, 3}, Shape{1, 1, 2, 6, 1, 5, 2}, Shape{2, 1, 8, 4, 1, 0, 0},
                          // Long rows four taps a pass, with outputs at both edges that only
                          // some of a pass's taps reach, and a last pass of fewer taps.
                          Shape{1, 2, 100, 23, 3, 11, 9}, Shape{1, 1, 60, 13, 1, 12, 12}}) {
    kernels::DepthwiseConv1dParams p;
    p.batch = sh.n;
    p.channels = sh.c;
    p.width = sh.w;
    p.kernel_size = sh.s;
    p.stride = sh.stride;
    p.pad_left = sh.pad_l;
    p.pad_right = sh.pad_r;
    std::vector<float> input(size_t(sh.n * sh.c * sh.w)), filter(size_t(sh.c * sh.s));
    for (float& v : input) v = normal(gen);
    for (float& v : filter) v = normal(gen);
    p.dtype = isa::DType::F32;  // the values' own bytes
    const std::vector<double> got = kernels::depthwise_conv1d_reference(
        p, reinterpret_cast<const uint8_t*>(input.data()), reinterpret_cast<const uint8_t*>(filter.data()));
    const std::vector<double> want = plain_reference(p, input, filter);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(double)), 0)
        << "shape n" << sh.n << " c" << sh.c << " w" << sh.w << " s" << sh.s << " stride" << sh.stride;
  }
}

// The reference the kernel run uses reads the tensors' bytes in their dtype, a row at a time:
// it must give the bits of the plain definition over the values those bytes hold.
TEST(Reference, FromTheDtypesBytesMatchesThePlainDefinition) {
  std::mt19937 gen(11);
  std::normal_distribution<float> normal;
  for (isa::DType dt : {isa::DType::BF16, isa::DType::F16, isa::DType::F32}) {
    kernels::DepthwiseConv1dParams p;
    p.batch = 2, p.channels = 3, p.width = 41, p.kernel_size = 6, p.stride = 2, p.pad_left = 4, p.pad_right = 1;
    p.dtype = dt;
    const size_t es = isa::dtype_size(dt);
    std::vector<float> input(size_t(2 * 3 * 41)), filter(size_t(3 * 6));
    for (float& v : input) v = normal(gen);
    for (float& v : filter) v = normal(gen);
    std::vector<uint8_t> in_bytes(input.size() * es), f_bytes(filter.size() * es);
    isa::store_elements(in_bytes.data(), int64_t(es), dt, int64_t(input.size()), input.data());
    isa::store_elements(f_bytes.data(), int64_t(es), dt, int64_t(filter.size()), filter.data());
    // The values the bytes hold (rounded to the dtype), for the plain definition.
    isa::load_elements(in_bytes.data(), int64_t(es), dt, int64_t(input.size()), input.data());
    isa::load_elements(f_bytes.data(), int64_t(es), dt, int64_t(filter.size()), filter.data());
    const std::vector<double> got = kernels::depthwise_conv1d_reference(p, in_bytes.data(), f_bytes.data());
    const std::vector<double> want = plain_reference(p, input, filter);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(double)), 0) << isa::dtype_name(dt);
  }
}

// A kernel run computes the reference's (n, c) rows on several threads: the same bits as one
// thread, for short rows (Q < 16, four outputs at a time) and long ones (four taps a pass),
// whatever the split, including more threads than rows.
TEST(Reference, SameBitsOnAnyThreadCount) {
  for (int64_t width : {40, 300}) {
    kernels::DepthwiseConv1dParams p;
    p.batch = 3, p.channels = 5, p.width = width, p.kernel_size = 30, p.stride = 1, p.pad_left = 3, p.pad_right = 2;
    p.dtype = isa::DType::BF16;
    const std::vector<uint8_t> input = sim::seeded_bytes(size_t(3 * 5 * width), 1, p.dtype);
    const std::vector<uint8_t> filter = sim::seeded_bytes(size_t(5 * 30), 2, p.dtype);
    const std::vector<double> one = kernels::depthwise_conv1d_reference(p, input.data(), filter.data());
    for (unsigned threads : {1u, 2u, 3u, 7u, 16u, 0u}) {
      const std::vector<double> many = sim::reference_output(p, input.data(), filter.data(), threads);
      ASSERT_EQ(many.size(), one.size());
      EXPECT_EQ(std::memcmp(many.data(), one.data(), one.size() * sizeof(double)), 0)
          << "width " << width << " threads " << threads;
    }
  }
}

}  // namespace
}  // namespace trn2::test

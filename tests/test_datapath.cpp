// The datapath's numbers, bit for bit, on cases where a faster implementation could differ.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "isa/access.h"
#include "isa/dtype.h"
#include "sim/hardware/datapath.h"

namespace trn2::test {
namespace {

using isa::DType;
using isa::Space;

// A matmul of one stationary column (SBUF byte 0 of partitions 0..K-1) against a [K, N]
// moving tile (SBUF byte 64) into PSUM row 0.
isa::Instruction one_column_matmul(DType dt, int K, int64_t N) {
  isa::Instruction mm;
  mm.op = isa::Opcode::Matmul;
  mm.engine = isa::Engine::Tensor;
  mm.src = isa::tile(Space::SBUF, dt, 0, 0, K, 1);
  mm.src2 = isa::tile(Space::SBUF, dt, 64, 0, K, N);
  mm.dst = isa::tile(Space::PSUM, DType::F32, 0, 0, 1, N);
  return mm;
}

// The fp32 at row `p`, column `j` of PSUM.
float psum_f32(sim::Psum& psum, int p, int64_t j) {
  float v;
  std::memcpy(&v, psum.at(p, 4 * j), 4);
  return v;
}

TEST(Datapath, MatmulRoundsEveryProductAndSum) {
  // The PE multiplies then adds, each rounded to fp32 (no fused multiply-add). With
  // acc = -(1 + 2^-11) and the product (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24, the rounded product
  // is 1 + 2^-11 and the sum exactly 0; a fused multiply-add would give 2^-24. N = 1 to 8
  // take the fixed-width rows, N = 19 the vector lanes and the scalar tail of the loop; K = 6
  // (four more rows of zeros) takes the longer loop's four rows a pass, K = 2 its last rows.
  sim::Hbm hbm("hbm", 64, 1.0);
  sim::Sbuf sbuf("sbuf", 128, 4096);
  sim::Psum psum("psum", 128, 16384, 2048);
  const sim::CoreMemory mem{&hbm, &sbuf, &psum};
  for (const int K : {2, 6})
  for (const int64_t N : {1, 2, 3, 4, 5, 6, 7, 8, 19}) {
    const float a = 1.0f + std::ldexp(1.0f, -12), b = -(1.0f + std::ldexp(1.0f, -11));
    const float stationary[6] = {1.0f, a, 0.0f, 0.0f, 0.0f, 0.0f};
    const float moving[6] = {b, a, 0.0f, 0.0f, 0.0f, 0.0f};
    for (int k = 0; k < K; ++k) {
      std::memcpy(sbuf.partition(k), &stationary[k], 4);
      for (int64_t j = 0; j < N; ++j) std::memcpy(sbuf.partition(k) + 64 + 4 * j, &moving[k], 4);
    }
    sim::execute(one_column_matmul(DType::F32, K, N), mem);
    for (int64_t j = 0; j < N; ++j) {
      const float got = psum_f32(psum, 0, j);
      EXPECT_EQ(got, 0.0f) << "K " << K << " N " << N << " column " << j << " got " << got;
      EXPECT_FALSE(std::signbit(got)) << "K " << K << " N " << N << " column " << j;
    }
  }
}

TEST(Datapath, MatmulBf16SumsInAscendingPartitionOrder) {
  // Both operands bf16, one stationary column: the conv's matmul, both read in place. A bf16
  // product is exact in fp32 (8-bit significands), so only the order of the sums can show:
  // products 2^24, 1, 1 (then zeros) summed in ascending k give 2^24 + 1 = 2^24 (a tie,
  // rounded to even), then 2^24 again; any other grouping (1 + 1 first) gives 2^24 + 2. N = 1
  // to 8 take the fixed-width rows (4 and 8 as vector lanes), 19 the longer loop; K = 6 takes
  // its four rows a pass.
  sim::Hbm hbm("hbm", 64, 1.0);
  sim::Sbuf sbuf("sbuf", 128, 4096);
  sim::Psum psum("psum", 128, 16384, 2048);
  const sim::CoreMemory mem{&hbm, &sbuf, &psum};
  const float two12 = 4096.0f, two24 = 16777216.0f;
  for (const int K : {3, 6})
  for (const int64_t N : {1, 2, 3, 4, 5, 6, 7, 8, 19}) {
    const float stationary[6] = {two12, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f};
    const float moving[6] = {two12, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f};
    for (int k = 0; k < K; ++k) {
      const uint16_t s = isa::f32_to_bf16(stationary[k]), x = isa::f32_to_bf16(moving[k]);
      std::memcpy(sbuf.partition(k) + 6, &s, 2);  // the column at element 3 of its row
      for (int64_t j = 0; j < N; ++j) std::memcpy(sbuf.partition(k) + 64 + 2 * j, &x, 2);
    }
    isa::Instruction mm = one_column_matmul(DType::BF16, K, N);
    mm.src.offset = 3;
    sim::execute(mm, mem);
    for (int64_t j = 0; j < N; ++j) {
      const float got = psum_f32(psum, 0, j);
      EXPECT_EQ(got, two24) << "K " << K << " N " << N << " column " << j << " got " << got;
    }
  }
}

TEST(Datapath, MatmulEveryColumnOfTheStationary) {
  // out[i][j] = sum_k stationary[k][i] * moving[k][j] for M = 3 columns (the moving tile is
  // staged as fp32 rows once) and for one column (M = 1: the bf16 rows are read in place),
  // with moving rows short enough for the fixed-width path (N = 5) and not (N = 11).
  // Small integers: every product and sum is exact, so the order of additions cannot matter
  // and the expected values are plain integer arithmetic.
  sim::Hbm hbm("hbm", 64, 1.0);
  sim::Sbuf sbuf("sbuf", 128, 4096);
  sim::Psum psum("psum", 128, 16384, 2048);
  const sim::CoreMemory mem{&hbm, &sbuf, &psum};
  for (const int N : {5, 11}) {
    const int K = 4, M = 3;
    auto stat_value = [](int k, int i) { return float(k + 1 - 2 * i); };
    auto mov_value = [](int k, int j) { return float(3 * k - j); };
    for (int k = 0; k < K; ++k) {
      for (int i = 0; i < M; ++i) {
        const float v = stat_value(k, i);
        std::memcpy(sbuf.partition(k) + 4 * i, &v, 4);
      }
      for (int j = 0; j < N; ++j) {
        const uint16_t h = isa::f32_to_bf16(mov_value(k, j));
        std::memcpy(sbuf.partition(k) + 64 + 2 * j, &h, 2);
      }
    }
    isa::Instruction mm;
    mm.op = isa::Opcode::Matmul;
    mm.engine = isa::Engine::Tensor;
    mm.src2 = isa::tile(Space::SBUF, DType::BF16, 64, 0, K, N);
    for (const int columns : {M, 1}) {
      mm.src = isa::tile(Space::SBUF, DType::F32, 0, 0, K, columns);
      mm.dst = isa::tile(Space::PSUM, DType::F32, 0, 0, columns, N);
      sim::execute(mm, mem);
      for (int i = 0; i < columns; ++i)
        for (int j = 0; j < N; ++j) {
          int want = 0;
          for (int k = 0; k < K; ++k) want += int(stat_value(k, i)) * int(mov_value(k, j));
          EXPECT_EQ(psum_f32(psum, i, j), float(want))
              << "N " << N << ", " << columns << " columns: out[" << i << "][" << j << "]";
        }
    }
  }
}

TEST(Datapath, TensorCopyConvertsEveryElementOnce) {
  // dst[p][j] = src[p][j] rounded to dst's dtype, checked against the element-at-a-time
  // conversion: PSUM fp32 rows to SBUF (converted straight into the destination, or through
  // a row of scratch when the rows are not 4-byte aligned) and SBUF to SBUF (through a row
  // of scratch), with values that need rounding in 16 bits.
  sim::Hbm hbm("hbm", 64, 1.0);
  sim::Sbuf sbuf("sbuf", 128, 4096);
  sim::Psum psum("psum", 128, 16384, 2048);
  const sim::CoreMemory mem{&hbm, &sbuf, &psum};
  auto value = [](int p, int j) { return 1.0f + float(p) / 3.0f - float(j) * 0.7071f; };
  for (const Space from : {Space::PSUM, Space::SBUF})
    for (const int64_t src_base : {0, 2})
      for (const DType out : {DType::F32, DType::BF16, DType::F16})
        for (const int n : {1, 4, 37, 128}) {
          const int P = 128;
          const int64_t dst_base = 2048;  // SBUF to SBUF: apart within each partition
          for (int p = 0; p < P; ++p)
            for (int j = 0; j < n; ++j) {
              uint8_t* at = from == Space::PSUM ? psum.at(p, src_base + 4 * j) : sbuf.partition(p) + src_base + 4 * j;
              isa::store_element(at, DType::F32, value(p, j));
            }
          for (int p = 0; p < P; ++p) std::memset(sbuf.partition(p) + dst_base, 0xff, 4 * 128);  // NaN: not written
          isa::Instruction cp;
          cp.op = isa::Opcode::TensorCopy;
          cp.engine = isa::Engine::Vector;
          cp.src = isa::tile(from, DType::F32, src_base, 0, P, n);
          cp.dst = isa::tile(Space::SBUF, out, dst_base, 0, P, n);
          sim::execute(cp, mem);
          const int64_t es = int64_t(isa::dtype_size(out));
          for (int p = 0; p < P; ++p)
            for (int j = 0; j < n; ++j) {
              uint8_t want[4];
              isa::store_element(want, out, value(p, j));
              ASSERT_EQ(std::memcmp(sbuf.partition(p) + dst_base + j * es, want, size_t(es)), 0)
                  << isa::space_name(from) << "+" << src_base << " to " << isa::dtype_name(out) << ", " << n
                  << " per row: [" << p << "][" << j << "]";
            }
        }
}

// The 16 bits at `p`, and 16 bits written there.
uint16_t bits16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
void put16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
float f32_at(const uint8_t* p) { float v; std::memcpy(&v, p, 4); return v; }
void put_f32(uint8_t* p, float v) { std::memcpy(p, &v, 4); }

isa::Instruction dma(isa::AccessPattern dst, isa::AccessPattern src, bool accumulate) {
  isa::Instruction in;
  in.op = isa::Opcode::DmaCopy;
  in.engine = isa::Engine::Dma;
  in.dst = dst;
  in.src = src;
  in.accumulate = accumulate;
  return in;
}

TEST(Datapath, DmaCastRoundsToNearestEven) {
  // fp32 in HBM to bf16 in SBUF (bf16 keeps 7 fraction bits): 1 + 2^-8 is halfway between
  // 1 (0x3f80) and 1 + 2^-7 (0x3f81) and goes to the even 0x3f80; 1 + 3 x 2^-8 is halfway
  // between 0x3f81 and 0x3f82 and goes to 0x3f82; 1 + 2^-8 + 2^-20 is past halfway: 0x3f81.
  // Then back, bf16 to fp32, which is exact: 0x3f81 is 1.0078125.
  sim::Hbm hbm("hbm", 64, 1.0);
  sim::Sbuf sbuf("sbuf", 128, 4096);
  sim::Psum psum("psum", 128, 16384, 2048);
  const sim::CoreMemory mem{&hbm, &sbuf, &psum};
  const float in[3] = {1.0f + std::ldexp(1.0f, -8), 1.0f + 3 * std::ldexp(1.0f, -8),
                       1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)};
  std::memcpy(hbm.data(), in, sizeof in);
  sim::execute(dma(isa::tile(Space::SBUF, DType::BF16, 0, 0, 1, 3), isa::tile(Space::HBM, DType::F32, 0, 0, 1, 3), false), mem);
  EXPECT_EQ(bits16(sbuf.partition(0) + 0), 0x3f80);
  EXPECT_EQ(bits16(sbuf.partition(0) + 2), 0x3f82);
  EXPECT_EQ(bits16(sbuf.partition(0) + 4), 0x3f81);
  sim::execute(dma(isa::tile(Space::HBM, DType::F32, 16, 0, 1, 3), isa::tile(Space::SBUF, DType::BF16, 0, 0, 1, 3), false), mem);
  EXPECT_EQ(f32_at(hbm.data() + 16), 1.0f);
  EXPECT_EQ(f32_at(hbm.data() + 20), 1.015625f);
  EXPECT_EQ(f32_at(hbm.data() + 24), 1.0078125f);
}

TEST(Datapath, DmaAccumulateAddsIntoDst) {
  // fp32 dst += bf16 src: 1.5 + 2.0 (0x4000) = 3.5 and -0.25 + 0.25 (0x3e80) = 0. bf16 dst +=
  // fp32 src, the sum in fp32 then rounded: 1 (0x3f80) + 2^-8 = 1 + 2^-8, a tie, to 0x3f80;
  // 1 + (2^-8 + 2^-20), past the tie, to 0x3f81. An SBUF to SBUF copy of the same partition.
  sim::Hbm hbm("hbm", 64, 1.0);
  sim::Sbuf sbuf("sbuf", 128, 4096);
  sim::Psum psum("psum", 128, 16384, 2048);
  const sim::CoreMemory mem{&hbm, &sbuf, &psum};
  put_f32(sbuf.partition(5) + 0, 1.5f);
  put_f32(sbuf.partition(5) + 4, -0.25f);
  put16(hbm.data() + 0, 0x4000);
  put16(hbm.data() + 2, 0x3e80);
  sim::execute(dma(isa::tile(Space::SBUF, DType::F32, 0, 5, 1, 2), isa::tile(Space::HBM, DType::BF16, 0, 0, 1, 2), true), mem);
  EXPECT_EQ(f32_at(sbuf.partition(5) + 0), 3.5f);
  EXPECT_EQ(f32_at(sbuf.partition(5) + 4), 0.0f);
  put16(sbuf.partition(6) + 0, 0x3f80);
  put16(sbuf.partition(6) + 2, 0x3f80);
  put_f32(sbuf.partition(6) + 64, std::ldexp(1.0f, -8));
  put_f32(sbuf.partition(6) + 68, std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20));
  sim::execute(dma(isa::tile(Space::SBUF, DType::BF16, 0, 6, 1, 2), isa::tile(Space::SBUF, DType::F32, 64, 6, 1, 2), true), mem);
  EXPECT_EQ(bits16(sbuf.partition(6) + 0), 0x3f80);
  EXPECT_EQ(bits16(sbuf.partition(6) + 2), 0x3f81);
  // Accumulating twice adds twice (the same-dtype path too): 3.5 + 2 + 2 = 7.5.
  put16(hbm.data() + 0, 0x4000);
  auto same = dma(isa::tile(Space::SBUF, DType::F32, 0, 5, 1, 1), isa::tile(Space::SBUF, DType::F32, 256, 5, 1, 1), true);
  put_f32(sbuf.partition(5) + 256, 2.0f);
  sim::execute(same, mem);
  sim::execute(same, mem);
  EXPECT_EQ(f32_at(sbuf.partition(5) + 0), 7.5f);
}

TEST(Datapath, TransposeMovesEveryElement) {
  // dst[f][p] = src[p][f], every element distinct (p * F + f, exact in bf16 up to 256), for
  // shapes that fill the gather's blocks of 16 columns, leave a partial one, or have one.
  sim::Hbm hbm("hbm", 64, 1.0);
  sim::Sbuf sbuf("sbuf", 128, 4096);
  sim::Psum psum("psum", 128, 16384, 2048);
  const sim::CoreMemory mem{&hbm, &sbuf, &psum};
  struct Case {
    DType dt;
    int P, F;
  };
  // A destination of contiguous fp32 rows goes in 4 x 4 blocks (P and F multiples of 4, or
  // not, or under 4); any other (bf16 here, exact below 257) through the column gather.
  for (const Case& c : {Case{DType::F32, 128, 40}, Case{DType::F32, 5, 37}, Case{DType::BF16, 5, 37},
                        Case{DType::BF16, 8, 32}, Case{DType::BF16, 3, 1}, Case{DType::F32, 128, 128},
                        Case{DType::F32, 7, 6}})
    for (const DType out : {DType::F32, DType::BF16}) {
      if (out == DType::BF16 && c.P * c.F > 256) continue;
      const int64_t es = int64_t(isa::dtype_size(c.dt)), out_es = int64_t(isa::dtype_size(out));
      for (int p = 0; p < c.P; ++p)
        for (int f = 0; f < c.F; ++f) isa::store_element(sbuf.partition(p) + f * es, c.dt, float(p * c.F + f));
      for (int f = 0; f < c.F; ++f) std::memset(psum.at(f, 0), 0xff, size_t(c.P * out_es));  // NaN: not written
      isa::Instruction tr;
      tr.op = isa::Opcode::Transpose;
      tr.engine = isa::Engine::Tensor;
      tr.src = isa::tile(Space::SBUF, c.dt, 0, 0, c.P, c.F);
      tr.dst = isa::tile(Space::PSUM, out, 0, 0, c.F, c.P);
      sim::execute(tr, mem);
      for (int f = 0; f < c.F; ++f)
        for (int p = 0; p < c.P; ++p)
          ASSERT_EQ(isa::load_element(psum.at(f, p * out_es), out), float(p * c.F + f))
              << isa::dtype_name(c.dt) << " " << c.P << "x" << c.F << " to " << isa::dtype_name(out) << ": dst[" << f
              << "][" << p << "]";
    }
}

}  // namespace
}  // namespace trn2::test

// fp8 operands (float8_e4m3, float8_e5m2) and nc_matmul's perf_mode double_row (issue 16):
// the PE's cost laws on lone matmuls, derived by hand; the numbers of fp8 matmuls against a
// reference computed here from the formats' definitions; every engine and the DMA reading,
// converting and writing fp8; perf_mode in program files; the report's MACs.
//
// The cost-law derivations use configs/trn2.json's defaults: PE 2.4 GHz, LoadStationary
// ceil(M / 4) cycles, MultiplyMoving max(min(64, M), N), and in double_row mode each operand
// streaming matmul_fp8_double_row_speedup = 2 elements per partition per cycle.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "isa/npy.h"
#include "isa/program_json.h"
#include "isa/validate.h"
#include "program_fixture.h"
#include "program_json_fixture.h"
#include "sim/hardware/datapath.h"
#include "sim/reporting/report.h"
#include "sim/simulation/simulation.h"

namespace trn2::test {
namespace {

using isa::Engine;
using isa::Opcode;
using nlohmann::json;

// An fp8 pattern's value from the format's definition (E exponent bits, M mantissa bits,
// bias 2^(E-1) - 1, exponent 0 subnormal), for finite patterns: the reference's own decoder,
// independent of isa::load_element.
float fp8_value(uint8_t h, DType t) {
  const int E = t == DType::F8E4M3 ? 4 : 5, M = 7 - E, bias = (1 << (E - 1)) - 1;
  const int exp = (h >> M) & ((1 << E) - 1), mant = h & ((1 << M) - 1);
  const float v = exp == 0 ? std::ldexp(float(mant), 1 - bias - M)
                           : std::ldexp(1.0f + float(mant) / float(1 << M), exp - bias);
  return (h & 0x80) ? -v : v;
}

// Deterministic finite fp8 patterns (exponent all-ones, Inf and NaN, left out).
std::vector<uint8_t> finite_fp8(size_t n, DType t, uint32_t seed) {
  const uint8_t top = t == DType::F8E4M3 ? 0x78 : 0x7c;
  std::vector<uint8_t> v;
  uint32_t s = seed;
  while (v.size() < n) {
    s = s * 1664525u + 1013904223u;
    const uint8_t h = uint8_t(s >> 24);
    if ((h & 0x7f) < top) v.push_back(h);
  }
  return v;
}

float f32_at(const uint8_t* p) {
  float v;
  std::memcpy(&v, p, 4);
  return v;
}
uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// ---- cost laws -------------------------------------------------------------------------------

sim::HardwareConfig unthrottled() {
  sim::HardwareConfig hw;
  hw.pe_throttle_start_limit = 1;  // the base laws, without dI/dt throttling
  return hw;
}

double run_ns(const isa::Program& p, const sim::HardwareConfig& hw = unthrottled()) {
  isa::validate(p, hw.limits);
  return sim::simulate(p, hw, std::map<std::string, std::vector<uint8_t>>{}).total_ns;
}

// An SBUF operand [128, 2, f]: the two halves of the contraction `f` elements apart.
AccessPattern halves(DType t, int64_t base, int64_t f) {
  AccessPattern a = sbuf(t, base, 128, 2 * f);
  a.ndims = 2;
  a.dims[0] = {f, 2};
  a.dims[1] = {1, f};
  return a;
}

isa::Program lone_double_row(int64_t m, int64_t n) {
  isa::Program p = empty_program();
  isa::Instruction mm = make(Opcode::Matmul, Engine::Tensor, psum(0, int(m), n), halves(DType::F8E4M3, 0, m),
                             halves(DType::F8E5M2, 4096, n));
  mm.perf_mode = isa::PerfMode::DoubleRow;
  p.cores[0].push_back(mm);
  return p;
}

TEST(Fp8Timing, LoneMatmulWithoutPerfModeCostsAsBf16) {
  // nki.isa nc_matmul (2.26) gives fp8 the bf16 cycles. Stationary [128, 128]: load
  // ceil(128 / 4) = 32 cycles; moving [128, 512]: multiply max(min(64, 128), 512) = 512. 544
  // cycles at 2.4 GHz = 226.667 ns, as TimingLaw.MatmulBf16N512.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::Matmul, Engine::Tensor, psum(0, 128, 512), sbuf(DType::F8E4M3, 0, 128, 128),
                            sbuf(DType::F8E5M2, 4096, 128, 512)));
  EXPECT_NEAR(run_ns(p), 544 / 2.4, 1e-3);
}

TEST(Fp8Timing, LoneDoubleRowMatmulContractsTwiceTheRowsInTheSameTime) {
  // The largest double_row tile: stationary [128, 2, 128], moving [128, 2, 512], a contraction
  // over 256 rows. Load: 256 elements per partition at 2 a cycle = 128, ceil(128 / 4) = 32
  // cycles; multiply: 1024 elements per partition at 2 a cycle = 512, max(min(64, 128), 512) =
  // 512. 544 cycles = 226.667 ns: the time of the bf16 matmul over 128 rows, twice the MACs
  // (ARCH2: "takes the same amount of time as the regular BF16/FP16 ... with a 128
  // contraction dimension").
  EXPECT_NEAR(run_ns(lone_double_row(128, 512)), 544 / 2.4, 1e-3);
}

TEST(Fp8Timing, SmallDoubleRowMatmul) {
  // Stationary [128, 2, 16], moving [128, 2, 100]: load 32 / 2 = 16, ceil(16 / 4) = 4 cycles;
  // multiply 200 / 2 = 100, max(min(64, 16), 100) = 100. 104 cycles = 43.333 ns.
  EXPECT_NEAR(run_ns(lone_double_row(16, 100)), 104 / 2.4, 1e-3);
}

TEST(Fp8Timing, ShortDoubleRowMatmulHitsTheStationaryFloor) {
  // Stationary [128, 2, 128], moving [128, 2, 40]: load 32; multiply 80 / 2 = 40 but at least
  // min(64, 128) = 64. 96 cycles = 40 ns.
  EXPECT_NEAR(run_ns(lone_double_row(128, 40)), 96 / 2.4, 1e-3);
}

TEST(Fp8Timing, DoubleRowSpeedupIsAHardwareFigure) {
  // matmul_fp8_double_row_speedup = 1 (no double mode): [128, 2, 128] x [128, 2, 512] streams
  // 256 and 1024 elements one a cycle: load ceil(256 / 4) = 64, multiply max(64, 1024) = 1024.
  // 1088 cycles = 453.333 ns, twice the default's multiply.
  sim::HardwareConfig hw = unthrottled();
  hw.matmul_fp8_double_row_speedup = 1;
  EXPECT_NEAR(run_ns(lone_double_row(128, 512), hw), 1088 / 2.4, 1e-3);
}

TEST(Fp8Timing, BackToBackDoubleRowMatmulsHideTheStationaryLoad) {
  // Two [128, 2, 128] x [128, 2, 512]: the second load (32 cycles) runs under the first
  // multiply: 32 + 512 + 512 = 1056 cycles = 440 ns, as two bf16 [128, 128] x [128, 512].
  isa::Program p = lone_double_row(128, 512);
  isa::Instruction second = p.cores[0][0];
  second.dst.base = 2048;
  p.cores[0].push_back(second);
  EXPECT_NEAR(run_ns(p), 1056 / 2.4, 1e-3);
}

TEST(Fp8Report, MacsCountAgainstTheDtypesPeak) {
  // The PE's fp8 peak is twice bf16's (ARCH2: 158 vs 79 dense TFLOPS), reached in double_row
  // mode only: a double_row [128, 2, 128] x [128, 2, 512] does 256 x 128 x 512 MACs, which
  // count half, 128 x 128 x 512 (the bf16 matmul that takes as long); an fp8 matmul without it,
  // [128, 128] x [128, 512], does 128 x 128 x 512 and counts half of that.
  const sim::HardwareConfig hw;
  EXPECT_EQ(sim::program_pe_macs(lone_double_row(128, 512), hw), 128.0 * 128 * 512);
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::Matmul, Engine::Tensor, psum(0, 128, 512), sbuf(DType::F8E4M3, 0, 128, 128),
                            sbuf(DType::F8E4M3, 4096, 128, 512)));
  EXPECT_EQ(sim::program_pe_macs(p, hw), 128.0 * 128 * 512 / 2);
  p.cores[0][0].src.dtype = p.cores[0][0].src2.dtype = DType::BF16;
  EXPECT_EQ(sim::program_pe_macs(p, hw), 128.0 * 128 * 512);
}

// ---- validation ---------------------------------------------------------------------------

std::string error_of(const isa::Instruction& in) {
  isa::Program p = empty_program();
  p.cores[0].push_back(in);
  try {
    isa::validate(p, isa::Limits{});
  } catch (const isa::ValidationError& e) {
    return e.what();
  }
  return "";
}

TEST(Fp8Validate, WhatTheTensorEngineTakes) {
  // nki.isa.nc_matmul: fp8 mixes with bf16 and fp16 (only fp32 pairs with fp32 alone), and
  // double_row takes both fp8 formats, mixed or not; [K, 2] operands (M = N = 1) are fine.
  EXPECT_EQ(error_of(make(Opcode::Matmul, Engine::Tensor, psum(0, 4, 8), sbuf(DType::F8E4M3, 0, 16, 4),
                          sbuf(DType::BF16, 64, 16, 8))), "");
  EXPECT_EQ(error_of(lone_double_row(128, 512).cores[0][0]), "");
  EXPECT_EQ(error_of(lone_double_row(1, 1).cores[0][0]), "");
  isa::Instruction both_e5m2 = lone_double_row(4, 8).cores[0][0];
  both_e5m2.src.dtype = DType::F8E5M2;
  EXPECT_EQ(error_of(both_e5m2), "");
  // perf_mode belongs to nc_matmul.
  isa::Instruction copy = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F8E4M3, 0, 4, 8), sbuf(DType::F32, 64, 4, 8));
  EXPECT_EQ(error_of(copy), "");
  copy.perf_mode = isa::PerfMode::DoubleRow;
  EXPECT_EQ(error_of(copy), "core 0 instruction 0 (tensor_copy): perf_mode is nc_matmul's only");
  // Per half: a [128, 2, 513] moving tile has 513 columns.
  EXPECT_EQ(error_of(lone_double_row(4, 513).cores[0][0]),
            "core 0 instruction 0 (nc_matmul): moving free size 513 per double_row half exceeds 512");
}

// ---- numerics: the datapath ---------------------------------------------------------------

struct Memory {
  sim::Hbm hbm{"hbm", 4096, 1.0};
  sim::Sbuf sbuf{"sbuf", 128, 8192};
  sim::Psum psum{"psum", 128, 16384, 2048};
  sim::CoreMemory mem{&hbm, &sbuf, &psum};
};

TEST(Fp8Numerics, MatmulAgainstAReference) {
  // e4m3 stationary [32, 5] x e5m2 moving [32, 7], then again accumulating: the reference sums
  // the fp32 products (exact: 4-bit by 3-bit significands) over k ascending, rounding each
  // sum to fp32, as the PE does.
  Memory m;
  const int K = 32, M = 5, N = 7;
  const auto st = finite_fp8(K * M, DType::F8E4M3, 1), mv = finite_fp8(K * N, DType::F8E5M2, 2);
  for (int k = 0; k < K; ++k) {
    std::memcpy(m.sbuf.partition(k), &st[size_t(k * M)], M);
    std::memcpy(m.sbuf.partition(k) + 64, &mv[size_t(k * N)], N);
  }
  isa::Instruction mm = make(Opcode::Matmul, Engine::Tensor, psum(0, M, N), sbuf(DType::F8E4M3, 0, K, M),
                             sbuf(DType::F8E5M2, 64, K, N));
  ASSERT_EQ(error_of(mm), "");
  for (bool accumulate : {false, true}) {
    mm.accumulate = accumulate;
    std::vector<float> before(size_t(M * N));
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) before[size_t(i * N + j)] = f32_at(m.psum.at(i, 4 * j));
    sim::execute(mm, m.mem);
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        float acc = 0.0f;
        for (int k = 0; k < K; ++k)
          acc += fp8_value(st[size_t(k * M + i)], DType::F8E4M3) * fp8_value(mv[size_t(k * N + j)], DType::F8E5M2);
        const float want = accumulate ? before[size_t(i * N + j)] + acc : acc;
        ASSERT_EQ(bits(f32_at(m.psum.at(i, 4 * j))), bits(want)) << "accumulate " << accumulate << " [" << i << "][" << j << "]";
      }
  }
}

TEST(Fp8Numerics, DoubleRowMatmulAgainstAReference) {
  // double_row: e5m2 stationary [16, 2, 5] whose halves are 8 elements apart (not adjacent),
  // e4m3 moving [16, 2, 7] halves 7 apart. dst[i][j] = sum over k of (s[k][0][i] x v[k][0][j] +
  // s[k][1][i] x v[k][1][j]): each PE adds its two products, then the column's sum, k ascending.
  Memory m;
  const int K = 16, M = 5, N = 7, gap = 8;
  const auto st = finite_fp8(K * 2 * gap, DType::F8E5M2, 3), mv = finite_fp8(K * 2 * N, DType::F8E4M3, 4);
  for (int k = 0; k < K; ++k) {
    std::memcpy(m.sbuf.partition(k), &st[size_t(k * 2 * gap)], size_t(2 * gap));
    std::memcpy(m.sbuf.partition(k) + 64, &mv[size_t(k * 2 * N)], size_t(2 * N));
  }
  AccessPattern s = sbuf(DType::F8E5M2, 0, K, 2 * M);
  s.ndims = 2;
  s.dims[0] = {gap, 2};
  s.dims[1] = {1, M};
  AccessPattern v = sbuf(DType::F8E4M3, 64, K, 2 * N);
  v.ndims = 2;
  v.dims[0] = {N, 2};
  v.dims[1] = {1, N};
  isa::Instruction mm = make(Opcode::Matmul, Engine::Tensor, psum(0, M, N), s, v);
  mm.perf_mode = isa::PerfMode::DoubleRow;
  ASSERT_EQ(error_of(mm), "");
  sim::execute(mm, m.mem);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float acc = 0.0f;
      for (int k = 0; k < K; ++k) {
        const float p0 = fp8_value(st[size_t(k * 2 * gap + i)], DType::F8E5M2) * fp8_value(mv[size_t(k * 2 * N + j)], DType::F8E4M3);
        const float p1 =
            fp8_value(st[size_t(k * 2 * gap + gap + i)], DType::F8E5M2) * fp8_value(mv[size_t(k * 2 * N + N + j)], DType::F8E4M3);
        acc += p0 + p1;
      }
      ASSERT_EQ(bits(f32_at(m.psum.at(i, 4 * j))), bits(acc)) << "[" << i << "][" << j << "]";
    }
}

TEST(Fp8Numerics, DoubleRowAddsEachPairBeforeTheColumnSum) {
  // One column, K = 2, e5m2 (4096 = 0 11011 00 = 0x6c, 1 = 0x3c): row 0's pair is (4096 x
  // 4096, 0 x 0), row 1's (1 x 1, 1 x 1). Pair first: 2^24, then 2^24 + (1 + 1) = 2^24 + 2,
  // exact. Adding the four products one at a time instead, in either order of rows and
  // halves, loses both ones: 2^24 + 1 is a tie that rounds to the even 2^24.
  Memory m;
  const uint8_t row0[2] = {0x6c, 0x00}, row1[2] = {0x3c, 0x3c};
  for (int64_t base : {0, 64}) {
    std::memcpy(m.sbuf.partition(0) + base, row0, 2);
    std::memcpy(m.sbuf.partition(1) + base, row1, 2);
  }
  AccessPattern s = sbuf(DType::F8E5M2, 0, 2, 2);
  s.dims[0] = {1, 2};  // [K, 2, 1]: the pair is the only (outermost) free dim
  AccessPattern v = s;
  v.base = 64;
  isa::Instruction mm = make(Opcode::Matmul, Engine::Tensor, psum(0, 1, 1), s, v);
  mm.perf_mode = isa::PerfMode::DoubleRow;
  ASSERT_EQ(error_of(mm), "");
  sim::execute(mm, m.mem);
  EXPECT_EQ(f32_at(m.psum.at(0, 0)), 16777218.0f);
}

TEST(Fp8Numerics, CopiesBetweenTheFormatsRoundOnce) {
  // tensor_copy e4m3 -> e5m2 (through fp32, rounding to e5m2's 2 mantissa bits): 1.125 is the
  // tie between 1 and 1.25: 1 (0x3c); 1.375 the tie between 1.25 (01) and 1.5 (10): 1.5
  // (0x3e); 240 = 1.875 x 2^7, the tie between 1.75 x 2^7 (11) and 2^8: 256 (0 10111 00 =
  // 0x5c); -0 stays -0 (0x80). e5m2 -> e4m3: 57344 is past e4m3's 248: Inf (0x78); 2^-16 and
  // 1.25 x 2^-14 are below half of e4m3's smallest subnormal 2^-9: 0; a NaN (0x7d) becomes
  // e4m3's quiet NaN 0x7c; 0.75 (0 01110 10) is exact (0 0110 100 = 0x34).
  Memory m;
  const uint8_t e4[4] = {0x39, 0x3b, 0x77, 0x80};  // 1.125, 1.375, 240, -0
  const uint8_t e5[5] = {0x7b, 0x01, 0x05, 0x7d, 0x3a};  // 57344, 2^-16, 1.25 x 2^-14, NaN, 0.75
  std::memcpy(m.sbuf.partition(0), e4, 4);
  std::memcpy(m.sbuf.partition(0) + 16, e5, 5);
  for (Engine e : {Engine::Vector, Engine::Scalar, Engine::GpSimd}) {
    std::memset(m.sbuf.partition(0) + 32, 0xab, 32);
    sim::execute(make(Opcode::TensorCopy, e, sbuf(DType::F8E5M2, 32, 1, 4), sbuf(DType::F8E4M3, 0, 1, 4)), m.mem);
    sim::execute(make(Opcode::TensorCopy, e, sbuf(DType::F8E4M3, 48, 1, 5), sbuf(DType::F8E5M2, 16, 1, 5)), m.mem);
    const uint8_t* out = m.sbuf.partition(0);
    const std::vector<uint8_t> to_e5(out + 32, out + 36), to_e4(out + 48, out + 53);
    EXPECT_EQ(to_e5, (std::vector<uint8_t>{0x3c, 0x3e, 0x5c, 0x80})) << isa::engine_name(e);
    EXPECT_EQ(to_e4, (std::vector<uint8_t>{0x78, 0x00, 0x00, 0x7c, 0x34})) << isa::engine_name(e);
    EXPECT_EQ(out[36], 0xab) << "one byte per element";
  }
}

TEST(Fp8Numerics, MemsetIotaAndDmaAccumulate) {
  Memory m;
  // memset: pi in e4m3 is 3.25 (0x45, see DTypeConversion.Fp8E4m3RoundsToNearestEven).
  isa::Instruction set = make(Opcode::Memset, Engine::GpSimd, sbuf(DType::F8E4M3, 0, 2, 3));
  set.value = 3.14159265f;
  sim::execute(set, m.mem);
  for (int p = 0; p < 2; ++p)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(m.sbuf.partition(p)[j], 0x45);
  // iota 0..19 into e4m3: exact to 16; 16..32 step by 2, so 17 is the tie 16 (mantissa 000) /
  // 18 (001): 16; 19 the tie 18 / 20 (010): 20.
  isa::Instruction iota = make(Opcode::Iota, Engine::GpSimd, sbuf(DType::F8E4M3, 16, 1, 20));
  iota.value = 0;
  iota.scale = 1;
  sim::execute(iota, m.mem);
  for (int f = 0; f < 20; ++f) {
    const float want = f <= 16 ? float(f) : f == 17 ? 16.0f : float(f + (f & 1));
    EXPECT_EQ(fp8_value(m.sbuf.partition(0)[16 + f], DType::F8E4M3), want) << f;
  }
  // DMA into e4m3 adding fp32: 1 (0x38) + 0.0625 is the tie 1 / 1.125: 1; 1 + (0.0625 + 2^-20)
  // is past it: 1.125 (0x39). And fp8 HBM -> fp32 SBUF is exact.
  m.sbuf.partition(3)[0] = 0x38;
  m.sbuf.partition(3)[1] = 0x38;
  const float add[2] = {0.0625f, 0.0625f + std::ldexp(1.0f, -20)};
  std::memcpy(m.hbm.data(), add, sizeof add);
  isa::Instruction dma = make(Opcode::DmaCopy, Engine::Dma, isa::tile(Space::SBUF, DType::F8E4M3, 0, 3, 1, 2),
                              hbm(DType::F32, 0, 1, 2));
  dma.accumulate = true;
  sim::execute(dma, m.mem);
  EXPECT_EQ(m.sbuf.partition(3)[0], 0x38);
  EXPECT_EQ(m.sbuf.partition(3)[1], 0x39);
  m.hbm.data()[64] = 0xc1;  // e5m2 1 10000 01 = -2.5
  sim::execute(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 128, 1, 1), hbm(DType::F8E5M2, 64, 1, 1)), m.mem);
  EXPECT_EQ(f32_at(m.sbuf.partition(0) + 128), -2.5f);
}

// ---- whole programs: program files, .npy as |u1, every engine, the race check ------------

TEST(Fp8Program, EveryEngineReadsConvertsAndWritesFp8) {
  // One row of 8, by hand. x (fp32) = 1.0625, 1.1875, 200, 300, -0.5, 2^-10, 3 x 2^-10, 0.3.
  //  0 DMA cast to e4m3: 1 (tie, even), 1.25 (tie, even), 192 (tie of 192 / 208), Inf (past
  //    248), -0.5, 0 (half the smallest subnormal 2^-9: tie, even), 2^-8 (1.5 units: tie, 2),
  //    0.3125 (nearest: 0.3 - 0.28125 > 0.3125 - 0.3).
  //  2 ACT activation identity, scale 2, into e4m3: 2 (0x40), 2.5 (0x42), Inf (384 > 248:
  //    0x78), Inf, -1 (0xb8), 0 (0x00), 2^-7 (4 subnormal units: 0x04), 0.625 (0 0110 010 = 0x32).
  //  3 POOL tensor_copy to e5m2: all exact (2^-7 is normal in e5m2).
  //  4 DVE tensor_tensor add of w (e5m2, from a |u1 .npy: 0.5, 0.25, -1, 1, 1.5, 2, 3, 4) into
  //    fp32: 2.5, 2.75, Inf, Inf, 0.5, 2, 3 + 2^-7, 4.625.
  //  7 DMA cast of step 3's e5m2 to bf16: exact.
  //  8 DVE memset of pi into e4m3: 3.25 (0x45).
  const float x[8] = {1.0625f, 1.1875f, 200.0f, 300.0f, -0.5f, std::ldexp(1.0f, -10), 3 * std::ldexp(1.0f, -10), 0.3f};
  const uint8_t w[8] = {0x38, 0x34, 0xbc, 0x3c, 0x3e, 0x40, 0x42, 0x44};
  const json row = {{1, 8}};
  const json program = {
      {"kernel", "fp8_pipeline"},
      {"tensors",
       {{{"name", "x"}, {"dtype", "float32"}, {"shape", {1, 8}}},
        {{"name", "w"}, {"dtype", "float8_e5m2"}, {"shape", {1, 8}}},
        {{"name", "z"}, {"dtype", "float32"}, {"shape", {1, 8}}},
        {{"name", "y8"}, {"dtype", "float8_e4m3"}, {"shape", {1, 8}}},
        {{"name", "y16"}, {"dtype", "bfloat16"}, {"shape", {1, 8}}},
        {{"name", "m8"}, {"dtype", "float8_e4m3"}, {"shape", {1, 8}}}}},
      {"cores",
       {{dma_op(0, sb("float8_e4m3", 0, 1, row), hb("x", 1, 8), json::array()),
         dma_op(1, sb("float8_e5m2", 32, 1, row), hb("w", 1, 8), json::array()),
         {{"op", "activation"}, {"engine", "act"}, {"func", "identity"}, {"scale", 2}, {"deps", {0}},
          {"dst", sb("float8_e4m3", 64, 1, row)}, {"src", sb("float8_e4m3", 0, 1, row)}},
         {{"op", "tensor_copy"}, {"engine", "pool"}, {"deps", {2}}, {"dst", sb("float8_e5m2", 96, 1, row)},
          {"src", sb("float8_e4m3", 64, 1, row)}},
         {{"op", "tensor_tensor"}, {"engine", "dve"}, {"alu", "add"}, {"deps", {1, 3}}, {"dst", sb("float32", 128, 1, row)},
          {"src", sb("float8_e5m2", 96, 1, row)}, {"src2", sb("float8_e5m2", 32, 1, row)}},
         dma_op(2, hb("z", 1, 8), sb("float32", 128, 1, row), {4}),
         dma_op(3, hb("y8", 1, 8), sb("float8_e4m3", 64, 1, row), {2}),
         dma_op(4, hb("y16", 1, 8), sb("float8_e5m2", 96, 1, row), {3}),
         {{"op", "memset"}, {"engine", "dve"}, {"value", 3.14159265}, {"dst", sb("float8_e4m3", 160, 1, row)}},
         dma_op(5, hb("m8", 1, 8), sb("float8_e4m3", 160, 1, row), {8})}}}};
  const std::string file = write_file("fp8_pipeline.json", program.dump()), x_path = temp_path("fp8_x.npy"),
                    w_path = temp_path("fp8_w.npy"), report = temp_path("fp8_report.json");
  isa::write_npy(x_path, {1, 8}, "<f4", x, sizeof x);
  isa::write_npy(w_path, {1, 8}, "|u1", w, sizeof w);
  const Outcome o = run_binary("run-program " + file + " --input x=" + x_path + " --input w=" + w_path + " --output z=" +
                               temp_path("z.npy") + " --output y8=" + temp_path("y8.npy") + " --output y16=" +
                               temp_path("y16.npy") + " --output m8=" + temp_path("m8.npy") + " --report " + report);
  ASSERT_EQ(o.status, 0) << o.out;  // valid, and no race or uninitialised read (bytes, not elements)
  const std::vector<uint8_t> z = read_raw(temp_path("z.npy"), "<f4");
  const float inf = std::numeric_limits<float>::infinity();
  const float want_z[8] = {2.5f, 2.75f, inf, inf, 0.5f, 2.0f, 3.0f + std::ldexp(1.0f, -7), 4.625f};
  ASSERT_EQ(z.size(), 32u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(f32_at(&z[size_t(4 * i)]), want_z[i]) << i;
  EXPECT_EQ(read_raw(temp_path("y8.npy"), "|u1"), (std::vector<uint8_t>{0x40, 0x42, 0x78, 0x78, 0xb8, 0x00, 0x04, 0x32}));
  const std::vector<uint8_t> y16 = read_raw(temp_path("y16.npy"), "<u2");
  const uint16_t want16[8] = {0x4000, 0x4020, 0x7f80, 0x7f80, 0xbf80, 0x0000, 0x3c00, 0x3f20};
  ASSERT_EQ(y16.size(), 16u);
  EXPECT_EQ(std::memcmp(y16.data(), want16, 16), 0);
  EXPECT_EQ(read_raw(temp_path("m8.npy"), "|u1"), std::vector<uint8_t>(8, 0x45));
  // HBM bytes: reads x (32) and w (8); writes z (32), y8 (8), y16 (16), m8 (8).
  std::ifstream f(report);
  const json r = json::parse(f);
  EXPECT_EQ(r["hbm_read_bytes"], 40);
  EXPECT_EQ(r["hbm_write_bytes"], 64);
}

TEST(Fp8Program, AnFp8InputMustBeRawBytes) {
  // An fp8 tensor reads and writes .npy as raw bytes, |u1 (numpy has no fp8): anything else
  // is refused, naming both.
  const json program = {{"tensors", {{{"name", "w"}, {"dtype", "float8_e5m2"}, {"shape", {1, 8}}}}},
                        {"cores", {json::array()}}};
  const std::string file = write_file("fp8_input.json", program.dump()), w_path = temp_path("fp8_w_f2.npy");
  const uint16_t halfs[8] = {};
  isa::write_npy(w_path, {1, 8}, "<f2", halfs, sizeof halfs);
  const Outcome o = run_binary("run-program " + file + " --input w=" + w_path);
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_NE(o.out.find("holds '<f2' but"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("float8_e5m2 ('|u1')"), std::string::npos) << o.out;
}

TEST(Fp8Program, DoubleRowMatmulFromAProgramFile) {
  // s: e4m3 [8, 6], each row the pair of halves [2, 3]; v: e5m2 [8, 10], halves [2, 5]. A
  // double_row nc_matmul contracts over 8 x 2 rows into PSUM [3, 5], ACT copies it out, a DMA
  // stores it. The reference: each PE's pair summed, then the column, k ascending.
  const int K = 8, M = 3, N = 5;
  const auto s = finite_fp8(K * 2 * M, DType::F8E4M3, 5), v = finite_fp8(K * 2 * N, DType::F8E5M2, 6);
  json stationary = sb("float8_e4m3", 0, K, {{M, 2}, {1, M}}), moving = sb("float8_e5m2", 64, K, {{N, 2}, {1, N}});
  const json out = {{"space", "psum"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", M}, {"dims", {{1, N}}}};
  const json program = {
      {"tensors",
       {{{"name", "s"}, {"dtype", "float8_e4m3"}, {"shape", {K, 2 * M}}},
        {{"name", "v"}, {"dtype", "float8_e5m2"}, {"shape", {K, 2 * N}}},
        {{"name", "out"}, {"dtype", "float32"}, {"shape", {M, N}}}}},
      {"cores",
       {{dma_op(0, sb("float8_e4m3", 0, K, {{1, 2 * M}}), hb("s", K, 2 * M), json::array()),
         dma_op(1, sb("float8_e5m2", 64, K, {{1, 2 * N}}), hb("v", K, 2 * N), json::array()),
         {{"op", "nc_matmul"}, {"engine", "pe"}, {"perf_mode", "double_row"}, {"deps", {0, 1}}, {"src", stationary},
          {"moving", moving}, {"dst", out}},
         {{"op", "tensor_copy"}, {"engine", "act"}, {"deps", {2}}, {"dst", sb("float32", 128, M, {{1, N}})}, {"src", out}},
         dma_op(2, hb("out", M, N), sb("float32", 128, M, {{1, N}}), {3})}}}};
  const std::string file = write_file("fp8_double_row.json", program.dump()), s_path = temp_path("s.npy"),
                    v_path = temp_path("v.npy"), out_path = temp_path("out.npy"), dump = temp_path("fp8_dump.json");
  isa::write_npy(s_path, {size_t(K), size_t(2 * M)}, "|u1", s.data(), s.size());
  isa::write_npy(v_path, {size_t(K), size_t(2 * N)}, "|u1", v.data(), v.size());
  const Outcome o = run_binary("run-program " + file + " --input s=" + s_path + " --input v=" + v_path + " --output out=" +
                               out_path + " --dump-program " + dump);
  ASSERT_EQ(o.status, 0) << o.out;
  const std::vector<uint8_t> got = read_raw(out_path, "<f4");
  ASSERT_EQ(got.size(), size_t(4 * M * N));
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float acc = 0.0f;
      for (int k = 0; k < K; ++k) {
        const float p0 = fp8_value(s[size_t(k * 2 * M + i)], DType::F8E4M3) * fp8_value(v[size_t(k * 2 * N + j)], DType::F8E5M2);
        const float p1 =
            fp8_value(s[size_t(k * 2 * M + M + i)], DType::F8E4M3) * fp8_value(v[size_t(k * 2 * N + N + j)], DType::F8E5M2);
        acc += p0 + p1;
      }
      EXPECT_EQ(bits(f32_at(&got[size_t(4 * (i * N + j))])), bits(acc)) << "[" << i << "][" << j << "]";
    }
  // The dumped program says what ran: the dtypes by name and the perf mode.
  std::ifstream f(dump);
  const json d = json::parse(f);
  EXPECT_EQ(d["tensors"][0]["dtype"], "float8_e4m3");
  EXPECT_EQ(d["tensors"][1]["dtype"], "float8_e5m2");
  EXPECT_EQ(d["cores"][0][2]["perf_mode"], "double_row");
  EXPECT_EQ(d["cores"][0][2]["moving"]["dims"], (json{{N, 2}, {1, N}}));
  EXPECT_FALSE(d["cores"][0][3].contains("perf_mode"));
}

TEST(Fp8ProgramJson, PerfModeRoundTripsAndNoneIsLeftOut) {
  isa::Program p = lone_double_row(4, 8);
  const json j = isa::to_json(p);
  EXPECT_EQ(j["cores"][0][0]["perf_mode"], "double_row");
  EXPECT_EQ(j["cores"][0][0]["src"]["dtype"], "float8_e4m3");
  EXPECT_EQ(j["cores"][0][0]["moving"]["dtype"], "float8_e5m2");
  const isa::Program q = isa::program_from_json(json::parse(j.dump()));
  EXPECT_EQ(q.cores[0][0].perf_mode, isa::PerfMode::DoubleRow);
  EXPECT_EQ(q.cores[0][0].src.dtype, DType::F8E4M3);
  EXPECT_EQ(isa::to_json(q), j);
  p.cores[0][0].perf_mode = isa::PerfMode::None;
  EXPECT_FALSE(isa::to_json(p)["cores"][0][0].contains("perf_mode")) << "none (the default) is dumped as before the key existed";
  // "none" may be written out.
  json k = j;
  k["cores"][0][0]["perf_mode"] = "none";
  EXPECT_EQ(isa::program_from_json(k).cores[0][0].perf_mode, isa::PerfMode::None);
}

TEST(Fp8ProgramJson, TheDocumentedDoubleRowExampleIsValid) {
  // docs/program-format.md's fp8 section: its JSON example is a valid double_row nc_matmul
  // contracting over 256 rows into [128, 512].
  std::ifstream f(std::string(TRN2SIM_SOURCE_DIR) + "/docs/program-format.md");
  const std::string doc((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t section = doc.find("\n## fp8\n");
  ASSERT_NE(section, std::string::npos);
  const size_t open = doc.find("```json\n", section), close = doc.find("```", open + 8);
  ASSERT_NE(open, std::string::npos);
  ASSERT_NE(close, std::string::npos);
  const json example = json::parse(doc.substr(open + 8, close - open - 8));
  const isa::Program p = isa::program_from_json({{"tensors", json::array()}, {"cores", {{example}}}});
  EXPECT_NO_THROW(isa::validate(p, isa::Limits{}));
  const isa::MatmulShape shape = isa::matmul_shape(p.cores[0][0]);
  EXPECT_EQ(shape.k, 256);
  EXPECT_EQ(shape.m, 128);
  EXPECT_EQ(shape.n, 512);
}

}  // namespace
}  // namespace trn2::test

// Each documented cost law, pinned on a lone instruction (or a few) with the figure derived
// by hand from configs/trn2.json's defaults. Each test runs one simulation (its own process).
//
// The defaults the derivations use: PE 2.4 GHz, DVE 0.96 GHz, ACT and POOL 1.2 GHz; MIN_II 64
// cycles; DVE results 156 ns and ACT results 157 ns after their cycles; a cross-engine
// semaphore 40 ns, a DMA's end seen by a compute engine 430 ns after it; a DMA moves data
// 800 ns after it issues, each engine 8 ns per descriptor plus bytes at 23 B/ns, and 600 ns
// more for its first descriptor of the run; HBM 725 B/ns.
#include <gtest/gtest.h>

#include <cmath>

#include "program_fixture.h"
#include "sim/simulation/simulation.h"

namespace trn2::test {
namespace {

using isa::Engine;
using isa::Opcode;

constexpr double kDveFixed = 156, kActFixed = 157;  // ns after an instruction's cycles
constexpr double kSemaphore = 40, kDmaDone = 430;   // edge latencies into a compute engine
constexpr double kDmaFixed = 800, kDescriptor = 8, kDmaBw = 23, kWarmup = 600;

sim::SimResult run(const isa::Program& p, const sim::HardwareConfig& hw = {}) {
  return sim::simulate(p, hw, std::map<std::string, std::vector<uint8_t>>{});
}

// The PE's base laws, without dI/dt throttling (its own tests below).
sim::HardwareConfig unthrottled() {
  sim::HardwareConfig hw;
  hw.pe_throttle_start_limit = 1;
  return hw;
}

double matmul_ns(DType t, int m, int n, const sim::HardwareConfig& hw = unthrottled()) {
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::Matmul, Engine::Tensor, psum(0, m, n), sbuf(t, 0, 128, m), sbuf(t, 4096, 128, n)));
  return run(p, hw).total_ns;
}

TEST(TimingLaw, MatmulBf16N512) {
  // LoadStationary [128, 128]: ceil(128 / 4) = 32 cycles; MultiplyMoving: max(min(64, 128), 512)
  // = 512 cycles. 544 cycles at 2.4 GHz = 226.667 ns.
  EXPECT_NEAR(matmul_ns(DType::BF16, 128, 512), 544 / 2.4, 1e-3);
}

TEST(TimingLaw, MatmulBf16N64) {
  // Load 32 cycles; multiply max(min(64, 128), 64) = 64 cycles: 96 cycles = 40 ns.
  EXPECT_NEAR(matmul_ns(DType::BF16, 128, 64), 96 / 2.4, 1e-3);
}

TEST(TimingLaw, MatmulBf16SmallStationary) {
  // M = 1 (the conv's filter column): load ceil(1/4) = 1 cycle; multiply max(min(64, 1), 300)
  // = 300 cycles: 301 cycles = 125.417 ns.
  EXPECT_NEAR(matmul_ns(DType::BF16, 1, 300), 301 / 2.4, 1e-3);
}

TEST(TimingLaw, MatmulFp32QuarterRate) {
  // fp32 is 4x: load 32 * 4 = 128, multiply 512 * 4 = 2048: 2176 cycles = 906.667 ns.
  EXPECT_NEAR(matmul_ns(DType::F32, 128, 512), 2176 / 2.4, 1e-3);
}

TEST(TimingLaw, BackToBackMatmulsHideTheStationaryLoad) {
  // Two independent bf16 matmuls [128,128] x [128,512]: the second LoadStationary (32 cycles)
  // runs under the first multiply, so the total is 32 + 512 + 512 = 1056 cycles = 440 ns.
  isa::Program p = empty_program();
  for (int i = 0; i < 2; ++i)
    p.cores[0].push_back(make(Opcode::Matmul, Engine::Tensor, psum(2048 * i, 128, 512),
                              sbuf(DType::BF16, 0, 128, 128), sbuf(DType::BF16, 4096, 128, 512)));
  EXPECT_NEAR(run(p, unthrottled()).total_ns, 1056 / 2.4, 1e-3);
}

TEST(TimingLaw, BackToBackFp32MatmulsAsTheTutorialMeasured) {
  // The regression of aws-neuron-sdk's kernel-optimization tutorial (fp32 [4096 x 8192] x
  // [8192 x 8192] on trn2: TensorE active 28.16 ms over 32,768 nc_matmul, 859 ns each).
  // Eight back-to-back fp32 [128,128] x [128,512]: the first load (128 cycles) shows, the
  // others hide: 128 + 8 x 2048 = 16512 cycles = 6880 ns, 853.3 ns per matmul after the
  // first. Throttling on (the default): the array starts at half rate and reaches full rate
  // 3 us after work begins (t = 53.333 ns), so the first 3 us do 2250 ns of work: the 8 x
  // 853.333 = 6826.667 ns of work end at 53.333 + 3000 + (6826.667 - 2250) = 7630 ns.
  isa::Program p = empty_program();
  for (int i = 0; i < 8; ++i)
    p.cores[0].push_back(make(Opcode::Matmul, Engine::Tensor, psum(2048 * (i % 4), 128, 512),
                              sbuf(DType::F32, 0, 128, 128), sbuf(DType::F32, 65536, 128, 512)));
  EXPECT_NEAR(run(p).total_ns, 128 / 2.4 + 3000 + (8 * 2048 / 2.4 - 2250), 1e-3);
}

TEST(TimingLaw, TransposeOnPeBf16) {
  // nc_transpose [128, 64] bf16 -> [64, 128]: max(P, min(64, F)) = max(128, 64) = 128 cycles
  // at 2.4 GHz = 53.333 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(
      make(Opcode::Transpose, Engine::Tensor, psum(0, 64, 128, DType::BF16), sbuf(DType::BF16, 0, 128, 64)));
  EXPECT_NEAR(run(p, unthrottled()).total_ns, 128 / 2.4, 1e-3);
}

TEST(TimingLaw, TransposeOnPeFp32AtTheMatmulRate) {
  // A transpose is a matmul against the identity: fp32 moves at the fp32 rate, 128 x 4 = 512
  // cycles = 213.333 ns (public trn2 profile, CS149 asst4 1024 x 1024 fp32 transpose: one
  // 128 x 128 tile per ~214 ns).
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::Transpose, Engine::Tensor, psum(0, 64, 128), sbuf(DType::F32, 0, 128, 64)));
  EXPECT_NEAR(run(p, unthrottled()).total_ns, 512 / 2.4, 1e-3);
}

// ---- dI/dt throttling of the PE ----------------------------------------------------------

TEST(TimingLaw, ThrottledLoneMatmulStartsAtHalfRate) {
  // bf16 [128,128] x [128,512]: load 32 cycles (13.333 ns, not throttled); the multiply's
  // 512 cycles = 213.333 ns of work start at t0 = 13.333 with the limit at 0.5, rising by
  // 0.5 / 3000 per ns. Work done after d ns: 0.5 d + (0.5 / 3000) d^2 / 2 = 213.333, so d =
  // (sqrt(0.25 + 2 (0.5 / 3000) 213.333) - 0.5) / (0.5 / 3000) = (0.566667 - 0.5) x 6000 =
  // 400 ns. Finish 413.333 ns.
  EXPECT_NEAR(matmul_ns(DType::BF16, 128, 512, sim::HardwareConfig{}), 13.333333 + 400, 1e-3);
}

// A matmul, a DVE copy of `copy_elements` of its PSUM result, and a second matmul that waits
// for the copy.
isa::Program matmul_gap_matmul(int64_t copy_elements) {
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::Matmul, Engine::Tensor, psum(0, 128, 512), sbuf(DType::BF16, 0, 128, 128),
                            sbuf(DType::BF16, 4096, 128, 512)));
  auto copy = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 65536, 128, copy_elements),
                   psum(0, 128, copy_elements));
  copy.deps = {0};
  p.cores[0].push_back(copy);
  auto second = make(Opcode::Matmul, Engine::Tensor, psum(2048, 128, 512), sbuf(DType::BF16, 0, 128, 128),
                     sbuf(DType::BF16, 4096, 128, 512));
  second.deps = {1};
  p.cores[0].push_back(second);
  return p;
}

TEST(TimingLaw, ThrottleReEngagesAfterAnIdleGap) {
  // First matmul as in ThrottledLoneMatmulStartsAtHalfRate: ends at 413.333. The DVE copy of
  // 512 fp32 from PSUM (fp32 destination: no fast mode) starts at 413.333 + 40 (semaphore),
  // takes 512 cycles (533.333 ns) + 156: ends 1142.667. The second matmul's load starts at
  // 1142.667 + 40 = 1182.667 and ends at 1196; the PE was idle since 413.333, 782.7 ns: less
  // than 1500, so the ramp that began at 13.333 goes on: the limit at 1196 is 0.5 + 0.5 x
  // 1182.667 / 3000 = 0.697111, and d solves 0.697111 d + (0.5 / 3000) d^2 / 2 = 213.333:
  // d = (sqrt(0.485964 + 0.071111) - 0.697111) x 6000 = 296.66 ns.
  const double a = 0.5 + 0.5 * (1196 - 13.333333) / 3000, b = 0.5 / 3000;
  const double d = (std::sqrt(a * a + 2 * b * 213.333333) - a) / b;
  EXPECT_NEAR(run(matmul_gap_matmul(512)).total_ns, 1196 + d, 1e-2);
}

TEST(TimingLaw, ThrottleRestartsAfterLongIdle) {
  // As ThrottleReEngagesAfterAnIdleGap, with the copy's result 1500 ns after its cycles
  // (dve_fixed_latency_ns = 1500) to make the gap long: the copy ends at 453.333 + 533.333 +
  // 1500 = 2486.667; the second load runs [2526.667, 2540); the PE was idle since 413.333,
  // 2126.7 ns >= 1500: the limit starts again at 0.5 at 2540, and the multiply takes 400 ns
  // as the first one did: 2940 ns.
  sim::HardwareConfig hw;
  hw.dve_fixed_latency_ns = 1500;
  EXPECT_NEAR(run(matmul_gap_matmul(512), hw).total_ns, 2540 + 400, 1e-2);
}

// ---- DVE, ACT and POOL ---------------------------------------------------------------------

double copy_ns(Engine e, AccessPattern dst, AccessPattern src) {
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::TensorCopy, e, dst, src));
  return run(p).total_ns;
}

TEST(TimingLaw, TensorCopyVectorFp32) {
  // max(MIN_II, N) = max(64, 1024) = 1024 cycles at 0.96 GHz = 1066.667 ns, + 156.
  EXPECT_NEAR(copy_ns(Engine::Vector, sbuf(DType::F32, 0, 128, 1024), sbuf(DType::F32, 8192, 128, 1024)),
              1024 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorCopyVectorBf16FastMode) {
  // bf16 SBUF->SBUF contiguous: 4x mode, 1024 / 4 = 256 cycles = 266.667 ns, + 156.
  EXPECT_NEAR(copy_ns(Engine::Vector, sbuf(DType::BF16, 0, 128, 1024), sbuf(DType::BF16, 8192, 128, 1024)),
              256 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorCopyVectorFromPsumToBf16) {
  // fp32 PSUM -> bf16 SBUF: one side PSUM, 2x mode: 512 / 2 = 256 cycles = 266.667 ns, + 156.
  EXPECT_NEAR(copy_ns(Engine::Vector, sbuf(DType::BF16, 0, 128, 512), psum(0, 128, 512)), 256 / 0.96 + kDveFixed,
              1e-3);
}

TEST(TimingLaw, TensorCopySmallHitsMinII) {
  // 10 elements: max(MIN_II, 10) = 64 cycles on ACT at 1.2 GHz = 53.333 ns, + 157.
  EXPECT_NEAR(copy_ns(Engine::Scalar, sbuf(DType::F32, 0, 128, 10), sbuf(DType::F32, 8192, 128, 10)),
              64 / 1.2 + kActFixed, 1e-3);
}

TEST(TimingLaw, ActCopyFromPsumAsTheTransposeProfileMeasured) {
  // ACT copy [128, 128] fp32 PSUM -> SBUF: 128 cycles at 1.2 GHz (106.667 ns) + 157 =
  // 263.667 ns (public trn2 profile, CS149 asst4 transpose: median 264 ns over 64 copies).
  EXPECT_NEAR(copy_ns(Engine::Scalar, sbuf(DType::F32, 0, 128, 128), psum(0, 128, 128)), 128 / 1.2 + kActFixed,
              1e-3);
}

TEST(TimingLaw, TensorCopyGpSimdHasNoMeasuredFixedLatency) {
  // max(64, 1000) = 1000 cycles at 1.2 GHz = 833.333 ns.
  EXPECT_NEAR(copy_ns(Engine::GpSimd, sbuf(DType::F32, 0, 128, 1000), sbuf(DType::F32, 8192, 128, 1000)), 1000 / 1.2,
              1e-3);
}

double tensor_tensor_ns(isa::AluOp op, AccessPattern dst, AccessPattern a, AccessPattern b) {
  isa::Program p = empty_program();
  auto in = make(Opcode::TensorTensor, Engine::Vector, dst, a, b);
  in.alu = op;
  p.cores[0].push_back(in);
  return run(p).total_ns;
}

TEST(TimingLaw, TensorTensorFp32SbufAddAsTheVectorAddProfileMeasured) {
  // fp32 add, all SBUF, contiguous: one pass, max(MIN_II, N) cycles + 156. N = 1000: 1041.667
  // + 156 = 1197.667 ns; N = 2000: 2083.333 + 156 = 2239.333 ns (public trn2 profile, CS149
  // asst4 vector add: 1202 and 2236 ns).
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Add, sbuf(DType::F32, 0, 128, 1000), sbuf(DType::F32, 4096, 128, 1000),
                               sbuf(DType::F32, 8192, 128, 1000)),
              1000 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorTensorBf16SbufAddIsOnePass) {
  // bf16 everywhere, SBUF, contiguous, add: max(MIN_II, N) = 512 cycles = 533.333 ns, + 156.
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Add, sbuf(DType::BF16, 0, 128, 512), sbuf(DType::BF16, 4096, 128, 512),
                               sbuf(DType::BF16, 8192, 128, 512)),
              512 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorTensorMaxTakesTwoPasses) {
  // max is not among add/subtract/multiply: 2N = 1024 cycles = 1066.667 ns, + 156.
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Max, sbuf(DType::BF16, 0, 128, 512), sbuf(DType::BF16, 4096, 128, 512),
                               sbuf(DType::BF16, 8192, 128, 512)),
              1024 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorTensorStridedTakesTwoPasses) {
  // fp32 add with a strided input (every other element): 2N = 1024 cycles, + 156.
  auto strided = sbuf(DType::F32, 4096, 128, 512);
  strided.dims[0].step = 2;
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Add, sbuf(DType::F32, 0, 128, 512), strided, sbuf(DType::F32, 8192, 128, 512)),
              1024 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorTensorPsumPlusSbufIsOnePass) {
  // One input in PSUM, the other in SBUF (fp32): max(MIN_II, N) = 512 cycles = 533.333 ns, + 156.
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Multiply, sbuf(DType::F32, 0, 128, 512), psum(0, 128, 512),
                               sbuf(DType::F32, 4096, 128, 512)),
              512 / 0.96 + kDveFixed, 1e-3);
}

double tensor_scalar_ns(DType t) {
  isa::Program p = empty_program();
  auto in = make(Opcode::TensorScalar, Engine::Vector, sbuf(t, 0, 128, 1024), sbuf(t, 8192, 128, 1024));
  in.alu = isa::AluOp::Multiply;
  in.value = 2.0f;
  p.cores[0].push_back(in);
  return run(p).total_ns;
}

TEST(TimingLaw, TensorScalarBf16UsesTheFastMode) {
  // bf16 SBUF->SBUF contiguous: 4x mode like tensor_copy: 1024 / 4 = 256 cycles, + 156.
  EXPECT_NEAR(tensor_scalar_ns(DType::BF16), 256 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorScalarFp32) {
  // fp32: no fast mode: max(MIN_II, 1024) = 1024 cycles = 1066.667 ns, + 156.
  EXPECT_NEAR(tensor_scalar_ns(DType::F32), 1024 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, ActivationOnScalarEngine) {
  // max(MIN_II, N) = 700 cycles at 1.2 GHz = 583.333 ns, + 157.
  isa::Program p = empty_program();
  auto in = make(Opcode::Activation, Engine::Scalar, sbuf(DType::F32, 0, 128, 700), sbuf(DType::F32, 8192, 128, 700));
  in.func = isa::ActFunc::Exp;
  p.cores[0].push_back(in);
  EXPECT_NEAR(run(p).total_ns, 700 / 1.2 + kActFixed, 1e-3);
}

TEST(TimingLaw, ActivationReduceResIsFree) {
  // nki.isa.activation: the scalar engine "can reduce along free dimensions without extra
  // performance penalty": the same 700 / 1.2 + 157 = 740.333 ns with a [128, 1] reduce_res.
  isa::Program p = empty_program();
  auto in = make(Opcode::Activation, Engine::Scalar, sbuf(DType::F32, 0, 128, 700), sbuf(DType::F32, 8192, 128, 700));
  in.func = isa::ActFunc::Exp;
  in.reduce_res = sbuf(DType::F32, 4096, 128, 1);
  in.reduce_tile = true;
  p.cores[0].push_back(in);
  EXPECT_NEAR(run(p).total_ns, 700 / 1.2 + kActFixed, 1e-3);
}

// Five independent [128, 512] fp32 activations on ACT: exp, tanh, tanh, identity, exp.
isa::Program five_activations() {
  isa::Program p = empty_program();
  const isa::ActFunc funcs[] = {isa::ActFunc::Exp, isa::ActFunc::Tanh, isa::ActFunc::Tanh, isa::ActFunc::Identity,
                                isa::ActFunc::Exp};
  for (int i = 0; i < 5; ++i) {
    auto in = make(Opcode::Activation, Engine::Scalar, sbuf(DType::F32, 2048 * i, 128, 512),
                   sbuf(DType::F32, 16384, 128, 512));
    in.func = funcs[i];
    p.cores[0].push_back(in);
  }
  return p;
}

TEST(TimingLaw, ActivationLoadsAnotherFunctionsTable) {
  // Each is max(MIN_II, 512) = 512 cycles at 1.2 GHz = 426.667 ns. exp's table came with
  // the preamble (free); tanh loads its table (act_table_load_ns 1283, public trn2
  // profiles: ACT_TABLE_LOAD 1283 ns); the second tanh and the identity load nothing; the
  // last exp loads exp's again. Busy: 5 x 426.667 + 2 x 1283 = 4699.333 ns, + 157.
  EXPECT_NEAR(run(five_activations()).total_ns, 5 * 512 / 1.2 + 2 * 1283 + kActFixed, 1e-3);
}

TEST(TimingLaw, ActivationTableLoadsCostNothingWhenSetToZero) {
  // act_table_load_ns 0: the five back to back, 5 x 426.667 ns, + 157.
  sim::HardwareConfig hw;
  hw.act_table_load_ns = 0;
  EXPECT_NEAR(run(five_activations(), hw).total_ns, 5 * 512 / 1.2 + kActFixed, 1e-3);
}

double reduce_ns(DType t, isa::AluOp op, int64_t n) {
  isa::Program p = empty_program();
  auto in = make(Opcode::TensorReduce, Engine::Vector, sbuf(t, 0, 128, 1), sbuf(t, 4096, 128, n));
  in.alu = op;
  p.cores[0].push_back(in);
  return run(p).total_ns;
}

TEST(TimingLaw, TensorReduceBf16AddAtTwoElementsACycle) {
  // nki.isa tensor_reduce: bf16 in and out, add: N / 2 = 1000 / 2 = 500 cycles at 0.96 GHz =
  // 520.833 ns, + 156.
  EXPECT_NEAR(reduce_ns(DType::BF16, isa::AluOp::Add, 1000), 500 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorReduceFp32AtOneElementACycle) {
  // fp32 (or bf16 min): N = 1000 cycles = 1041.667 ns, + 156.
  EXPECT_NEAR(reduce_ns(DType::F32, isa::AluOp::Max, 1000), 1000 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, TensorReduceSmallHitsMinII) {
  // bf16 add of 100: max(MIN_II, 50) = 64 cycles = 66.667 ns, + 156.
  EXPECT_NEAR(reduce_ns(DType::BF16, isa::AluOp::Add, 100), 64 / 0.96 + kDveFixed, 1e-3);
}

double stt_ns(DType t, isa::AluOp op0, isa::AluOp op1, int64_t n, bool tile_scalar) {
  isa::Program p = empty_program();
  auto in = make(Opcode::ScalarTensorTensor, Engine::Vector, sbuf(t, 0, 128, n), sbuf(t, 4096, 128, n), sbuf(t, 8192, 128, n));
  in.alu = op0, in.alu1 = op1;
  if (tile_scalar) in.operand0 = sbuf(DType::F32, 12288, 128, 1), in.operand0_tile = true;
  p.cores[0].push_back(in);
  return run(p).total_ns;
}

TEST(TimingLaw, ScalarTensorTensorTakesTwoPasses) {
  // nki.isa scalar_tensor_tensor (2.26 docs): 2N = 2 x 500 = 1000 cycles at 0.96 GHz =
  // 1041.667 ns, + 156; a per-partition scalar costs the same.
  EXPECT_NEAR(stt_ns(DType::F32, isa::AluOp::Multiply, isa::AluOp::Add, 500, true), 1000 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, ScalarTensorTensorBf16SubtractMultiplyIsOnePass) {
  // bf16, op0 subtract, op1 multiply, N = 500 even: N = 500 cycles = 520.833 ns, + 156.
  EXPECT_NEAR(stt_ns(DType::BF16, isa::AluOp::Subtract, isa::AluOp::Multiply, 500, false), 500 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, IotaOnGpSimdPaysItsFixedCost) {
  // iota_overhead_cycles + N = 150 + 40 = 190 cycles at 1.2 GHz = 158.333 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::Iota, Engine::GpSimd, sbuf(DType::F32, 0, 128, 40)));
  EXPECT_NEAR(run(p).total_ns, 190 / 1.2, 1e-3);
}

double memset_ns(DType t, float value, int64_t n) {
  isa::Program p = empty_program();
  auto in = make(Opcode::Memset, Engine::Vector, sbuf(t, 0, 128, n));
  in.value = value;
  p.cores[0].push_back(in);
  return run(p).total_ns;
}

TEST(TimingLaw, MemsetZeroBf16HalfCost) {
  // Zero fill of bf16: max(MIN_II, N/2) = 512 cycles at 0.96 GHz = 533.333 ns, + 156.
  EXPECT_NEAR(memset_ns(DType::BF16, 0.0f, 1024), 512 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, MemsetFp32FullCost) {
  // fp32 (or a non-zero value): max(MIN_II, N) = 1024 cycles = 1066.667 ns, + 156.
  EXPECT_NEAR(memset_ns(DType::F32, 1.0f, 1024), 1024 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, SameEngineDependencyPaysTheFixedLatency) {
  // Two dependent DVE copies of 256 fp32: each 256 cycles (266.667 ns) + 156, and the second
  // starts when the first's result is there: 2 x 422.667 = 845.333 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 0, 1, 256), sbuf(DType::F32, 4096, 1, 256)));
  auto second = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 8192, 1, 256), sbuf(DType::F32, 0, 1, 256));
  second.deps = {0};
  p.cores[0].push_back(second);
  EXPECT_NEAR(run(p).total_ns, 2 * (256 / 0.96 + kDveFixed), 1e-3);
}

TEST(TimingLaw, IndependentInstructionsOverlapTheFixedLatency) {
  // Two independent DVE copies of 256 fp32: the second starts when the first's cycles end
  // (266.667), not its result: it ends at 533.333 + 156 = 689.333 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 0, 1, 256), sbuf(DType::F32, 4096, 1, 256)));
  p.cores[0].push_back(make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 8192, 1, 256), sbuf(DType::F32, 12288, 1, 256)));
  EXPECT_NEAR(run(p).total_ns, 2 * 256 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, CrossEngineDependencyPaysTheSemaphore) {
  // A DVE copy of 256 fp32 (266.667 + 156 = 422.667), then an ACT copy of its result: + 40
  // (semaphore), 256 cycles at 1.2 GHz (213.333) + 157: 833 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 0, 1, 256), sbuf(DType::F32, 4096, 1, 256)));
  auto act = make(Opcode::TensorCopy, Engine::Scalar, sbuf(DType::F32, 8192, 1, 256), sbuf(DType::F32, 0, 1, 256));
  act.deps = {0};
  p.cores[0].push_back(act);
  EXPECT_NEAR(run(p).total_ns, 256 / 0.96 + kDveFixed + kSemaphore + 256 / 1.2 + kActFixed, 1e-3);
}

// ---- DMA -------------------------------------------------------------------------------------

TEST(TimingLaw, Dma32KiBOnOneEngine) {
  // One partition of 8192 fp32 = 32768 B: one descriptor on one engine, its first.
  // 800 (fixed) + 600 (first descriptor) + 8 + 32768 / 23 (= 1424.696) = 2832.696 ns. HBM's
  // share, 32768 / 725 = 45.2 ns, is not the bound.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 1, 8192), hbm(DType::F32, 0, 1, 8192)));
  EXPECT_NEAR(run(p).total_ns, kDmaFixed + kWarmup + kDescriptor + 32768 / kDmaBw, 1e-3);
}

TEST(TimingLaw, DmaCastCostsTheWiderSide) {
  // 8192 bf16 from HBM (16384 B) cast to 8192 fp32 in SBUF (32768 B): the wider side, 32768
  // B, one descriptor on one engine: the same 800 + 600 + 8 + 32768 / 23 = 2832.696 ns as
  // the fp32 copy above.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 1, 8192), hbm(DType::BF16, 0, 1, 8192)));
  EXPECT_NEAR(run(p).total_ns, kDmaFixed + kWarmup + kDescriptor + 32768 / kDmaBw, 1e-3);
}

TEST(TimingLaw, DmaAccumulateStreamsDstToo) {
  // 4096 fp32 (16384 B) added into 4096 fp32 in HBM: the engine reads dst as a second stream,
  // 2 x 16384 = 32768 B in one descriptor (one 16384-byte row): 800 + 600 + 8 + 32768 / 23 =
  // 2832.696 ns. HBM's share, 32768 / 725 each way, is not the bound.
  isa::Program p = empty_program();
  auto acc = make(Opcode::DmaCopy, Engine::Dma, hbm(DType::F32, 65536, 1, 4096), hbm(DType::F32, 0, 1, 4096));
  acc.accumulate = true;
  p.cores[0].push_back(acc);
  const sim::SimResult r = run(p);
  EXPECT_NEAR(r.total_ns, kDmaFixed + kWarmup + kDescriptor + 32768 / kDmaBw, 1e-3);
  EXPECT_EQ(r.cores[0].dma.descriptors, 1);
}

TEST(TimingLaw, Dma128PartitionsOver16Engines) {
  // 128 partitions x 512 fp32 (2 KiB rows, one after the other in HBM) = 256 KiB: each of 16
  // engines takes 8 partitions; rows that follow each other in HBM pack up to 32 KiB a
  // descriptor, so each engine's 8 rows (16 KiB) are one descriptor, each engine's first:
  // 600 + 8 + 16384 / 23 = 1320.348 ns. HBM moves all 262144 B in 361.6 ns, less. Total 800 +
  // 1320.348 = 2120.348 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 128, 512), hbm(DType::F32, 0, 128, 512)));
  const sim::SimResult r = run(p);
  EXPECT_NEAR(r.total_ns, kDmaFixed + kWarmup + kDescriptor + 16384 / kDmaBw, 1e-3);
  EXPECT_EQ(r.cores[0].dma.descriptors, 16);
  EXPECT_EQ(r.hbm_read_bytes, 262144);
}

// The descriptors of one load of `rows` x `cols` fp32 from HBM rows `stride` elements apart,
// as the public trn2 NEFFs of CS149 asst4 form them.
int64_t descriptors_of(int rows, int64_t cols, int64_t stride) {
  isa::Program p = empty_program(1, 1 << 23);
  auto src = hbm(DType::F32, 0, rows, cols);
  src.partition_step = stride;
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, rows, cols), src));
  return run(p).cores[0].dma.descriptors;
}

TEST(TimingLaw, DescriptorsPackWholeRowsAsTheNeffsShow) {
  // [128, 2000] fp32 rows one after the other (8000 B): 4 rows = 32000 B <= 32768 a
  // descriptor, 8 rows an engine: 2 each, 32 in all (the NEFF: 2 descriptors of 32,000 B per
  // engine). [128, 1000] fp32 rows 2000 elements apart (4000 B, not following): 4096 / 4000
  // = 1 row a descriptor: 128 (the NEFF: 8 descriptors of 4000 B per engine). [128, 128] fp32
  // rows of a 1024-wide matrix (512 B, 4 KiB apart): 8 rows = 4096 B a descriptor, one per
  // engine: 16 (the NEFF: 2258 packets for 129 transfers, ~16 each).
  EXPECT_EQ(descriptors_of(128, 2000, 2000), 32);
}

TEST(TimingLaw, DescriptorsOfStridedRowsHoldFourKiB) {
  EXPECT_EQ(descriptors_of(128, 1000, 2000), 128);  // see DescriptorsPackWholeRowsAsTheNeffsShow
}

TEST(TimingLaw, DescriptorsOfSmallStridedRowsPackEight) {
  EXPECT_EQ(descriptors_of(128, 128, 1024), 16);  // see DescriptorsPackWholeRowsAsTheNeffsShow
}

TEST(TimingLaw, OnlyAnEngineFirstDescriptorPaysTheWarmup) {
  // Two loads of one partition of 1024 fp32 (4096 B) on queue 0, so on engine 0, both issued
  // at 0 and starting at 800: the first pays the warm-up, 600 + 8 + 4096 / 23 = 786.087, ending
  // at 1586.087; the second follows on the same engine without it: 1586.087 + 186.087 =
  // 1772.174 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 1, 1024), hbm(DType::F32, 0, 1, 1024)));
  p.cores[0].push_back(
      make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 8192, 1, 1024), hbm(DType::F32, 8192, 1, 1024)));
  EXPECT_NEAR(run(p).total_ns, kDmaFixed + kWarmup + 2 * (kDescriptor + 4096 / kDmaBw), 1e-3);
}

TEST(TimingLaw, DmaCompletionIsSeenLaterThanASemaphore) {
  // DMA (one partition, 256 fp32 = 1024 B): 800 + 600 + 8 + 1024 / 23 = 1452.522 ns; a DVE
  // copy of it sees the transfer's end 430 ns later (the sum of its engines' semaphores;
  // public trn2 profile: last load landed -> dependent DVE start 0.34-0.50 us) and takes 256
  // cycles (266.667) + 156: 2305.188 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 1, 256), hbm(DType::F32, 0, 1, 256)));
  auto copy = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 4096, 1, 256), sbuf(DType::F32, 0, 1, 256));
  copy.deps = {0};
  p.cores[0].push_back(copy);
  const double dma = kDmaFixed + kWarmup + kDescriptor + 1024 / kDmaBw;
  EXPECT_NEAR(run(p).total_ns, dma + kDmaDone + 256 / 0.96 + kDveFixed, 1e-3);
}

TEST(TimingLaw, StoreAfterComputeMovesAfterTheFixedLatency) {
  // A DVE copy of 256 fp32 ends (result) at 422.667; the store of it (1024 B) issues then and
  // moves 800 ns later (public trn2 profile: compute end -> dependent store moving 0.74-0.81
  // us): 422.667 + 800 + 600 (the engine's first descriptor) + 8 + 1024 / 23 = 1875.188 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 0, 1, 256), sbuf(DType::F32, 4096, 1, 256)));
  auto store = make(Opcode::DmaCopy, Engine::Dma, hbm(DType::F32, 0, 1, 256), sbuf(DType::F32, 0, 1, 256));
  store.deps = {0};
  p.cores[0].push_back(store);
  EXPECT_NEAR(run(p).total_ns, 256 / 0.96 + kDveFixed + kDmaFixed + kWarmup + kDescriptor + 1024 / kDmaBw, 1e-3);
}

isa::Program two_core_loads(int cores) {
  // Each core loads 128 x 512 fp32 (256 KiB) from its own half of HBM.
  isa::Program p = empty_program(cores);
  for (int c = 0; c < cores; ++c)
    p.cores[size_t(c)].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 128, 512),
                                      hbm(DType::F32, c * 262144, 128, 512)));
  return p;
}

TEST(TimingLaw, TwoCoresContendForHbm) {
  // With HBM at 100 GB/s the stack is the bound: one core's 262144 B take 2621.44 ns; both
  // cores' 524288 B share it and take 5242.88 ns. Plus the 800 ns fixed latency.
  sim::HardwareConfig hw;
  hw.hbm_bandwidth_gbps = 100;
  EXPECT_NEAR(run(two_core_loads(2), hw).total_ns, kDmaFixed + 524288 / 100.0, 1e-3);
}

TEST(TimingLaw, OneCoreAloneGetsAllOfHbm) {
  sim::HardwareConfig hw;
  hw.hbm_bandwidth_gbps = 100;
  EXPECT_NEAR(run(two_core_loads(1), hw).total_ns, kDmaFixed + 262144 / 100.0, 1e-3);
}

// ---- DMA requests that start at the same time -------------------------------------------
// The DMA arbiter serves transfers that start together in turns (a queue's n-th transfer
// before any queue's (n+1)-th), then by core, queue and instruction, whatever order the
// SystemC scheduler ran their queues in; whoever it serves first queues first at the HBM
// stack (a fluid FIFO). With HBM at 10 GB/s, below one DMA engine's 23, and no first-
// descriptor warm-up, the stack bounds every load below, and the order shows in the finish
// times.

isa::Instruction load(int queue, int64_t sbuf_base, int64_t hbm_base, int64_t floats) {
  auto in = make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, sbuf_base, 1, floats), hbm(DType::F32, hbm_base, 1, floats));
  in.queue = queue;
  return in;
}

sim::HardwareConfig slow_hbm() {
  sim::HardwareConfig hw;
  hw.hbm_bandwidth_gbps = 10;
  hw.dma_engine_warmup_ns = 0;
  return hw;
}

TEST(TimingLaw, DmaTieGoesToTheLowerQueue) {
  // One core. Instruction 0 on queue 5 loads one partition of 2048 fp32 (8192 B); instruction
  // 1 on queue 3 loads 1024 fp32 (4096 B). Both are their queues' first (turn 0), issue at 0
  // and start at 800, each on its queue's own engine (5 and 3: no engine is shared). Queue 3
  // is served first, though it comes later in the stream:
  //   queue 3: HBM [800, 800 + 4096 / 10) = [800, 1209.6); its engine alone would take
  //            8 + 4096 / 23 = 186.1 ns, less: it ends at 1209.6.
  //   queue 5: HBM behind it, [1209.6, 1209.6 + 8192 / 10) = [1209.6, 2028.8); it ends there.
  // A DVE copy of 64 fp32 waits on queue 3's load: 1209.6 + 430 + 64 cycles at 0.96 GHz
  // (66.667) + 156 = 1862.267 ns. An ACT copy of 64 fp32 waits on queue 5's load: 2028.8 +
  // 430 + 64 cycles at 1.2 GHz (53.333) + 157 = 2669.133 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(load(5, 0, 0, 2048));
  p.cores[0].push_back(load(3, 16384, 65536, 1024));
  auto after_q3 = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 32768, 1, 64), sbuf(DType::F32, 16384, 1, 64));
  after_q3.deps = {1};
  auto after_q5 = make(Opcode::TensorCopy, Engine::Scalar, sbuf(DType::F32, 40960, 1, 64), sbuf(DType::F32, 0, 1, 64));
  after_q5.deps = {0};
  p.cores[0].push_back(after_q3);
  p.cores[0].push_back(after_q5);
  const sim::SimResult r = run(p, slow_hbm());
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Vector)].last_finish_ns, 1209.6 + kDmaDone + 64 / 0.96 + kDveFixed, 1e-3);
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Scalar)].last_finish_ns, 2028.8 + kDmaDone + 64 / 1.2 + kActFixed, 1e-3);
  EXPECT_NEAR(r.cores[0].dma.last_finish_ns, 2028.8, 1e-3);
  EXPECT_EQ(r.hbm_read_bytes, 8192 + 4096);
}

TEST(TimingLaw, DmaTieGoesToTheLowerCoreBeforeTheLowerQueue) {
  // Core 0 loads 8192 B on queue 7, core 1 loads 4096 B on queue 0, both instruction 0,
  // both starting at 800 on their own cores' engines, sharing the stack. Same turn (0); the
  // core decides before the queue: core 0 first.
  //   core 0: HBM [800, 800 + 819.2) = [800, 1619.2).
  //   core 1: HBM [1619.2, 1619.2 + 409.6) = [1619.2, 2028.8).
  // (By queue first: core 1 at 1209.6, core 0 at 2028.8.)
  isa::Program p = empty_program(2);
  p.cores[0].push_back(load(7, 0, 0, 2048));
  p.cores[1].push_back(load(0, 0, 65536, 1024));
  const sim::SimResult r = run(p, slow_hbm());
  ASSERT_EQ(r.cores.size(), 2u);
  EXPECT_NEAR(r.cores[0].finish_ns, 800 + 819.2, 1e-3);
  EXPECT_NEAR(r.cores[1].finish_ns, 800 + 819.2 + 409.6, 1e-3);
  EXPECT_NEAR(r.total_ns, 2028.8, 1e-3);
}

TEST(TimingLaw, DmaTieOnOneQueueGoesInStreamOrder) {
  // Two loads on queue 4, both issued at 0 (dma_issue_ns 0), so both start at 800: the
  // queue's own order decides (turns 0 and 1). Instruction 0 (4096 B) on engine 4: HBM [800,
  // 1209.6). Instruction 1 (8192 B) also on engine 4: HBM [1209.6, 2028.8).
  isa::Program p = empty_program();
  p.cores[0].push_back(load(4, 16384, 65536, 1024));
  p.cores[0].push_back(load(4, 0, 0, 2048));
  auto after_0 = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 32768, 1, 64), sbuf(DType::F32, 16384, 1, 64));
  after_0.deps = {0};
  auto after_1 = make(Opcode::TensorCopy, Engine::Scalar, sbuf(DType::F32, 40960, 1, 64), sbuf(DType::F32, 0, 1, 64));
  after_1.deps = {1};
  p.cores[0].push_back(after_0);
  p.cores[0].push_back(after_1);
  const sim::SimResult r = run(p, slow_hbm());
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Vector)].last_finish_ns, 1209.6 + kDmaDone + 64 / 0.96 + kDveFixed, 1e-3);
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Scalar)].last_finish_ns, 2028.8 + kDmaDone + 64 / 1.2 + kActFixed, 1e-3);
}

TEST(TimingLaw, DmaQueuesTakeTurns) {
  // Queue 0 posts three loads of 4096 B, queue 1 one, all starting at 800 (issued at 0). The
  // queues take turns: queue 0's first (turn 0), queue 1's (turn 0), then queue 0's second
  // and third. HBM at 10 B/ns: [800, 1209.6), [1209.6, 1619.2) for queue 1's load, then
  // [1619.2, 2028.8) and [2028.8, 2438.4). (Lowest queue first, queue 1 would end last, at
  // 2438.4, behind all of queue 0's.)
  isa::Program p = empty_program();
  for (int i = 0; i < 3; ++i) p.cores[0].push_back(load(0, 16384 * i, 16384 * i, 1024));
  p.cores[0].push_back(load(1, 65536, 65536, 1024));
  auto after_q1 = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 98304, 1, 64), sbuf(DType::F32, 65536, 1, 64));
  after_q1.deps = {3};
  p.cores[0].push_back(after_q1);
  const sim::SimResult r = run(p, slow_hbm());
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Vector)].last_finish_ns, 1619.2 + kDmaDone + 64 / 0.96 + kDveFixed, 1e-3);
  EXPECT_NEAR(r.cores[0].dma.last_finish_ns, 2438.4, 1e-3);
}

// Hardware DGE (dge_mode hwdge): each instruction first takes one of the core's two DGE
// instances for 600 ns (ARCH2, nki-dge.rst); its data then starts dma_fixed_latency_ns later.
// Each load below moves one partition of 1024 fp32 (4096 B) on its queue's own engine:
// 8 + 4096 / 23 = 186.087 ns of engine time (HBM, 4096 / 725 = 5.65 ns each, never binds).
// Without the engines' first-descriptor warm-up (its own test), so that only DGE shows.
constexpr double kLoad4k = kDescriptor + 4096.0 / kDmaBw;

sim::HardwareConfig no_warmup() {
  sim::HardwareConfig hw;
  hw.dma_engine_warmup_ns = 0;
  return hw;
}

isa::Instruction load_with(int queue, int64_t sbuf_base, int64_t hbm_base, isa::DgeMode dge) {
  auto in = load(queue, sbuf_base, hbm_base, 1024);
  in.dge = dge;
  return in;
}

// Three loads on queues 0, 1, 2, all ready at 0, and a DVE copy after load 0.
isa::Program three_loads(isa::DgeMode dge) {
  isa::Program p = empty_program();
  for (int q = 0; q < 3; ++q) p.cores[0].push_back(load_with(q, 16384 * q, 65536 * q, dge));
  auto after_0 = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 65536, 1, 64), sbuf(DType::F32, 0, 1, 64));
  after_0.deps = {0};
  p.cores[0].push_back(after_0);
  return p;
}

TEST(TimingLaw, HardwareDgeTwoInstancesPerCore) {
  // hwdge: loads 0 and 1 take the two DGE instances [0, 600) and start moving at 600 + 800
  // = 1400; load 2 waits for the first instance to free: [600, 1200), moving from 2000,
  // ending at 2000 + 186.087 = 2186.087 ns.
  const sim::SimResult r = run(three_loads(isa::DgeMode::HwDge), no_warmup());
  // The copy after load 0: 1400 + 186.087 + 430 + 64 cycles at 0.96 GHz + 156.
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Vector)].last_finish_ns,
              600 + kDmaFixed + kLoad4k + kDmaDone + 64 / 0.96 + kDveFixed, 1e-3);
  EXPECT_NEAR(r.cores[0].dma.last_finish_ns, 2 * 600 + kDmaFixed + kLoad4k, 1e-3);
}

TEST(TimingLaw, PrecomputedDescriptorsCostNoIssueTime) {
  // The same loads with dge_mode none all start moving at 800.
  EXPECT_NEAR(run(three_loads(isa::DgeMode::None), no_warmup()).cores[0].dma.last_finish_ns, kDmaFixed + kLoad4k, 1e-3);
}

TEST(TimingLaw, HardwareDgeOnOneQueueWaitsForTheQueue) {
  // Two hwdge loads on queue 0: the second waits for the first to issue (queues are in
  // order) at 600, though the other instance is free, so it issues at 1200 and ends at
  // 1200 + 800 + 186.087 = 2186.087 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(load_with(0, 0, 0, isa::DgeMode::HwDge));
  p.cores[0].push_back(load_with(0, 16384, 65536, isa::DgeMode::HwDge));
  EXPECT_NEAR(run(p, no_warmup()).cores[0].dma.last_finish_ns, 2 * 600 + kDmaFixed + kLoad4k, 1e-3);
}

// dge_mode unknown (the compiler's choice) costs as none by default, as hwdge with
// dge_unknown_as_hwdge 1.
isa::Program one_unknown_load() {
  isa::Program p = empty_program();
  p.cores[0].push_back(load_with(0, 0, 0, isa::DgeMode::Unknown));
  return p;
}

TEST(TimingLaw, UnknownDgeModeCostsAsNoneByDefault) {
  EXPECT_NEAR(run(one_unknown_load(), no_warmup()).total_ns, kDmaFixed + kLoad4k, 1e-3);  // 986.087 ns
}

TEST(TimingLaw, UnknownDgeModeCostsAsHwdgeWhenConfigured) {
  sim::HardwareConfig hw = no_warmup();
  hw.dge_unknown_as_hwdge = 1;
  EXPECT_NEAR(run(one_unknown_load(), hw).total_ns, 600 + kDmaFixed + kLoad4k, 1e-3);  // 1586.087 ns
}

}  // namespace
}  // namespace trn2::test

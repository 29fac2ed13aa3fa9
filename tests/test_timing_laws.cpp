// Each documented cost law, pinned on a lone instruction with the figure derived by hand
// from configs/trn2.json's defaults. Each test runs one simulation (its own process).
#include <gtest/gtest.h>

#include "program_fixture.h"
#include "sim/simulation.h"

namespace trn2::test {
namespace {

using isa::Engine;
using isa::Opcode;

sim::SimResult run(const isa::Program& p, const sim::HardwareConfig& hw = {}) { return sim::simulate(p, hw, {}); }

double matmul_ns(DType t, int m, int n) {
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::Matmul, Engine::Tensor, psum(0, m, n), sbuf(t, 0, 128, m), sbuf(t, 4096, 128, n)));
  return run(p).total_ns;
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
  EXPECT_NEAR(run(p).total_ns, 1056 / 2.4, 1e-3);
}

TEST(TimingLaw, TransposeOnPe) {
  // nc_transpose [128, 64] -> [64, 128]: max(P, min(64, F)) = max(128, 64) = 128 cycles
  // at 2.4 GHz = 53.333 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::Transpose, Engine::Tensor, psum(0, 64, 128), sbuf(DType::F32, 0, 128, 64)));
  EXPECT_NEAR(run(p).total_ns, 128 / 2.4, 1e-3);
}

double copy_ns(Engine e, AccessPattern dst, AccessPattern src) {
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::TensorCopy, e, dst, src));
  return run(p).total_ns;
}

TEST(TimingLaw, TensorCopyVectorFp32) {
  // max(MIN_II, N) = max(64, 1024) = 1024 cycles at 0.96 GHz = 1066.667 ns.
  EXPECT_NEAR(copy_ns(Engine::Vector, sbuf(DType::F32, 0, 128, 1024), sbuf(DType::F32, 8192, 128, 1024)), 1024 / 0.96, 1e-3);
}

TEST(TimingLaw, TensorCopyVectorBf16FastMode) {
  // bf16 SBUF->SBUF contiguous: 4x mode, 1024 / 4 = 256 cycles = 266.667 ns.
  EXPECT_NEAR(copy_ns(Engine::Vector, sbuf(DType::BF16, 0, 128, 1024), sbuf(DType::BF16, 8192, 128, 1024)), 256 / 0.96, 1e-3);
}

TEST(TimingLaw, TensorCopyVectorFromPsumToBf16) {
  // fp32 PSUM -> bf16 SBUF: one side PSUM, 2x mode: 512 / 2 = 256 cycles = 266.667 ns.
  EXPECT_NEAR(copy_ns(Engine::Vector, sbuf(DType::BF16, 0, 128, 512), psum(0, 128, 512)), 256 / 0.96, 1e-3);
}

TEST(TimingLaw, TensorCopySmallHitsMinII) {
  // 10 elements: max(MIN_II, 10) = 64 cycles on ACT at 1.2 GHz = 53.333 ns.
  EXPECT_NEAR(copy_ns(Engine::Scalar, sbuf(DType::F32, 0, 128, 10), sbuf(DType::F32, 8192, 128, 10)), 64 / 1.2, 1e-3);
}

TEST(TimingLaw, TensorCopyScalarAndGpSimd) {
  // max(64, 1000) = 1000 cycles at 1.2 GHz = 833.333 ns on either engine.
  EXPECT_NEAR(copy_ns(Engine::GpSimd, sbuf(DType::F32, 0, 128, 1000), sbuf(DType::F32, 8192, 128, 1000)), 1000 / 1.2, 1e-3);
}

double tensor_tensor_ns(isa::AluOp op, AccessPattern dst, AccessPattern a, AccessPattern b) {
  isa::Program p = empty_program();
  auto in = make(Opcode::TensorTensor, Engine::Vector, dst, a, b);
  in.alu = op;
  p.cores[0].push_back(in);
  return run(p).total_ns;
}

TEST(TimingLaw, TensorTensorFp32SbufTakesTwoPasses) {
  // fp32, all SBUF: not the one-pass case, so max(MIN_II, 2N) = 2 * 512 = 1024 cycles at
  // 0.96 GHz = 1066.667 ns.
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Add, sbuf(DType::F32, 0, 128, 512), sbuf(DType::F32, 4096, 128, 512),
                               sbuf(DType::F32, 8192, 128, 512)),
              1024 / 0.96, 1e-3);
}

TEST(TimingLaw, TensorTensorBf16SbufAddIsOnePass) {
  // bf16 everywhere, SBUF, contiguous, add: max(MIN_II, N) = 512 cycles = 533.333 ns.
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Add, sbuf(DType::BF16, 0, 128, 512), sbuf(DType::BF16, 4096, 128, 512),
                               sbuf(DType::BF16, 8192, 128, 512)),
              512 / 0.96, 1e-3);
}

TEST(TimingLaw, TensorTensorBf16MaxTakesTwoPasses) {
  // max is not among add/subtract/multiply: 2N = 1024 cycles = 1066.667 ns.
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Max, sbuf(DType::BF16, 0, 128, 512), sbuf(DType::BF16, 4096, 128, 512),
                               sbuf(DType::BF16, 8192, 128, 512)),
              1024 / 0.96, 1e-3);
}

TEST(TimingLaw, TensorTensorPsumPlusSbufIsOnePass) {
  // One input in PSUM, the other in SBUF (fp32): max(MIN_II, N) = 512 cycles = 533.333 ns.
  EXPECT_NEAR(tensor_tensor_ns(isa::AluOp::Multiply, sbuf(DType::F32, 0, 128, 512), psum(0, 128, 512),
                               sbuf(DType::F32, 4096, 128, 512)),
              512 / 0.96, 1e-3);
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
  // bf16 SBUF->SBUF contiguous: 4x mode like tensor_copy: 1024 / 4 = 256 cycles = 266.667 ns.
  EXPECT_NEAR(tensor_scalar_ns(DType::BF16), 256 / 0.96, 1e-3);
}

TEST(TimingLaw, TensorScalarFp32) {
  // fp32: no fast mode: max(MIN_II, 1024) = 1024 cycles = 1066.667 ns.
  EXPECT_NEAR(tensor_scalar_ns(DType::F32), 1024 / 0.96, 1e-3);
}

TEST(TimingLaw, ActivationOnScalarEngine) {
  // max(MIN_II, N) = 700 cycles at 1.2 GHz = 583.333 ns.
  isa::Program p = empty_program();
  auto in = make(Opcode::Activation, Engine::Scalar, sbuf(DType::F32, 0, 128, 700), sbuf(DType::F32, 8192, 128, 700));
  in.func = isa::ActFunc::Exp;
  p.cores[0].push_back(in);
  EXPECT_NEAR(run(p).total_ns, 700 / 1.2, 1e-3);
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
  // Zero fill of bf16: max(MIN_II, N/2) = 512 cycles at 0.96 GHz = 533.333 ns.
  EXPECT_NEAR(memset_ns(DType::BF16, 0.0f, 1024), 512 / 0.96, 1e-3);
}

TEST(TimingLaw, MemsetFp32FullCost) {
  // fp32 (or a non-zero value): max(MIN_II, N) = 1024 cycles = 1066.667 ns.
  EXPECT_NEAR(memset_ns(DType::F32, 1.0f, 1024), 1024 / 0.96, 1e-3);
}

TEST(TimingLaw, Dma32KiBOnOneEngine) {
  // One partition of 8192 fp32 = 32768 B: one descriptor on one engine.
  // 1300 (fixed) + 10 (descriptor) + 32768 / 23 (= 1424.696) = 2734.696 ns. HBM's share,
  // 32768 / 725 = 45.2 ns, is not the bound.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 1, 8192), hbm(DType::F32, 0, 1, 8192)));
  EXPECT_NEAR(run(p).total_ns, 1300 + 10 + 32768 / 23.0, 1e-3);
}

TEST(TimingLaw, Dma128PartitionsOver16Engines) {
  // 128 partitions x 512 fp32 (2 KiB) = 256 KiB: each of 16 engines takes 8 partitions,
  // 8 descriptors and 16384 B: 80 + 16384 / 23 = 792.348 ns. HBM moves all 262144 B in
  // 361.6 ns, less. Total 1300 + 792.348 = 2092.348 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 128, 512), hbm(DType::F32, 0, 128, 512)));
  const sim::SimResult r = run(p);
  EXPECT_NEAR(r.total_ns, 1300 + 80 + 16384 / 23.0, 1e-3);
  EXPECT_EQ(r.cores[0].dma.descriptors, 128);
  EXPECT_EQ(r.hbm_read_bytes, 262144);
}

TEST(TimingLaw, CrossEngineDependencyPaysSemaphoreLatency) {
  // DMA (one partition, 256 fp32 = 1024 B): 1300 + 10 + 1024 / 23 = 1354.522 ns; then a DVE
  // copy of it waits for the semaphore (136 ns) and takes max(64, 256) = 256 cycles at
  // 0.96 GHz = 266.667 ns. Total 1757.188 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 1, 256), hbm(DType::F32, 0, 1, 256)));
  auto copy = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 4096, 1, 256), sbuf(DType::F32, 0, 1, 256));
  copy.deps = {0};
  p.cores[0].push_back(copy);
  const double dma = 1300 + 10 + 1024 / 23.0;
  EXPECT_NEAR(run(p).total_ns, dma + 136 + 256 / 0.96, 1e-3);
}

TEST(TimingLaw, SameEngineDependencyHasNoSemaphore) {
  // Two dependent DVE copies of 256 fp32: 2 x 256 cycles at 0.96 GHz = 533.333 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 0, 1, 256), sbuf(DType::F32, 4096, 1, 256)));
  auto second = make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 8192, 1, 256), sbuf(DType::F32, 0, 1, 256));
  second.deps = {0};
  p.cores[0].push_back(second);
  EXPECT_NEAR(run(p).total_ns, 512 / 0.96, 1e-3);
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
  // cores' 524288 B share it and take 5242.88 ns. Plus the 1300 ns fixed latency.
  sim::HardwareConfig hw;
  hw.hbm_bandwidth_gbps = 100;
  EXPECT_NEAR(run(two_core_loads(2), hw).total_ns, 1300 + 524288 / 100.0, 1e-3);
}

TEST(TimingLaw, OneCoreAloneGetsAllOfHbm) {
  sim::HardwareConfig hw;
  hw.hbm_bandwidth_gbps = 100;
  EXPECT_NEAR(run(two_core_loads(1), hw).total_ns, 1300 + 262144 / 100.0, 1e-3);
}

}  // namespace
}  // namespace trn2::test

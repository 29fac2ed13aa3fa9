// Each documented cost law, pinned on a lone instruction with the figure derived by hand
// from configs/trn2.json's defaults. Each test runs one simulation (its own process).
#include <gtest/gtest.h>

#include "program_fixture.h"
#include "sim/simulation.h"

namespace trn2::test {
namespace {

using isa::Engine;
using isa::Opcode;

sim::SimResult run(const isa::Program& p, const sim::HardwareConfig& hw = {}) {
  return sim::simulate(p, hw, std::map<std::string, std::vector<uint8_t>>{});
}

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

// ---- DMA requests that start at the same time -------------------------------------------
// The DMA arbiter serves transfers that start together in (core, queue, instruction) order,
// whatever order the SystemC scheduler ran their queues in; whoever it serves first queues
// first at the HBM stack (a fluid FIFO). With HBM at 10 GB/s, below one DMA engine's 23, the
// stack bounds every load below, and the order shows in the finish times.

isa::Instruction load(int queue, int64_t sbuf_base, int64_t hbm_base, int64_t floats) {
  auto in = make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, sbuf_base, 1, floats), hbm(DType::F32, hbm_base, 1, floats));
  in.queue = queue;
  return in;
}

sim::HardwareConfig slow_hbm() {
  sim::HardwareConfig hw;
  hw.hbm_bandwidth_gbps = 10;
  return hw;
}

TEST(TimingLaw, DmaTieGoesToTheLowerQueue) {
  // One core. Instruction 0 on queue 5 loads one partition of 2048 fp32 (8192 B); instruction
  // 1 on queue 3 loads 1024 fp32 (4096 B). Both issue at 0 (dma_issue_ns 0) and start at
  // 1300, each on its queue's own engine (5 and 3: no engine is shared). Queue 3 is served
  // first, though it comes later in the stream:
  //   queue 3: HBM [1300, 1300 + 4096 / 10) = [1300, 1709.6); its engine alone would take
  //            10 + 4096 / 23 = 188.087 ns, less: it ends at 1709.6.
  //   queue 5: HBM behind it, [1709.6, 1709.6 + 8192 / 10) = [1709.6, 2528.8); engine
  //            10 + 8192 / 23 = 366.174 ns, less: it ends at 2528.8.
  // A DVE copy of 64 fp32 waits on queue 3's load: 1709.6 + 136 (semaphore) + 64 cycles at
  // 0.96 GHz (66.667) = 1912.267 ns. An ACT copy of 64 fp32 waits on queue 5's load:
  // 2528.8 + 136 + 64 cycles at 1.2 GHz (53.333) = 2718.133 ns.
  // (Served in stream order instead: queue 5 ends at 2119.2, queue 3 at 2528.8, and the
  // copies at 2731.467 and 2308.533.)
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
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Vector)].last_finish_ns, 1300 + 409.6 + 136 + 64 / 0.96, 1e-3);
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Scalar)].last_finish_ns, 1300 + 409.6 + 819.2 + 136 + 64 / 1.2, 1e-3);
  EXPECT_NEAR(r.cores[0].dma.last_finish_ns, 2528.8, 1e-3);
  EXPECT_NEAR(r.total_ns, 2528.8 + 136 + 64 / 1.2, 1e-3);
  EXPECT_EQ(r.hbm_read_bytes, 8192 + 4096);
}

TEST(TimingLaw, DmaTieGoesToTheLowerCoreBeforeTheLowerQueue) {
  // Core 0 loads 8192 B on queue 7, core 1 loads 4096 B on queue 0, both instruction 0,
  // both starting at 1300 on their own cores' engines, sharing the stack. The core decides
  // before the queue: core 0 first.
  //   core 0: HBM [1300, 1300 + 819.2) = [1300, 2119.2); engine 366.174 ns, less: 2119.2.
  //   core 1: HBM [2119.2, 2119.2 + 409.6) = [2119.2, 2528.8); engine 188.087 ns: 2528.8.
  // (By queue first: core 1 at 1709.6, core 0 at 2528.8.)
  isa::Program p = empty_program(2);
  p.cores[0].push_back(load(7, 0, 0, 2048));
  p.cores[1].push_back(load(0, 0, 65536, 1024));
  const sim::SimResult r = run(p, slow_hbm());
  ASSERT_EQ(r.cores.size(), 2u);
  EXPECT_NEAR(r.cores[0].finish_ns, 1300 + 819.2, 1e-3);
  EXPECT_NEAR(r.cores[1].finish_ns, 1300 + 819.2 + 409.6, 1e-3);
  EXPECT_NEAR(r.total_ns, 2528.8, 1e-3);
}

TEST(TimingLaw, DmaTieOnOneQueueGoesInStreamOrder) {
  // Two loads on queue 4, both issued at 0 (dma_issue_ns 0), so both start at 1300: the
  // queue's own order decides. Instruction 0 (4096 B) on engine 4: HBM [1300, 1709.6).
  // Instruction 1 (8192 B) also on engine 4, free at 1709.6: HBM [1709.6, 2528.8). A DVE copy
  // after instruction 0 ends at 1709.6 + 136 + 66.667 = 1912.267 ns; an ACT copy after
  // instruction 1 at 2528.8 + 136 + 53.333 = 2718.133 ns.
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
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Vector)].last_finish_ns, 1300 + 409.6 + 136 + 64 / 0.96, 1e-3);
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Scalar)].last_finish_ns, 1300 + 409.6 + 819.2 + 136 + 64 / 1.2, 1e-3);
}

// Hardware DGE (dge_mode hwdge): each instruction first takes one of the core's two DGE
// instances for 600 ns (ARCH2, nki-dge.rst); its data then starts dma_fixed_latency_ns later.
// Each load below moves one partition of 1024 fp32 (4096 B) on its queue's own engine:
// 10 + 4096 / 23 = 188.087 ns of engine time (HBM, 4096 / 725 = 5.65 ns each, never binds).
constexpr double kLoad4k = 10 + 4096.0 / 23;

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
  // hwdge: loads 0 and 1 take the two DGE instances [0, 600) and start moving at 600 + 1300
  // = 1900; load 2 waits for the first instance to free: [600, 1200), moving from 2500,
  // ending at 2500 + 188.087 = 2688.087 ns.
  const sim::SimResult r = run(three_loads(isa::DgeMode::HwDge));
  // The copy after load 0: 1900 + 188.087 + 136 (semaphore) + 64 cycles at 0.96 GHz.
  EXPECT_NEAR(r.cores[0].engines[int(Engine::Vector)].last_finish_ns, 1900 + kLoad4k + 136 + 64 / 0.96, 1e-3);
  EXPECT_NEAR(r.cores[0].dma.last_finish_ns, 2 * 600 + 1300 + kLoad4k, 1e-3);
}

TEST(TimingLaw, PrecomputedDescriptorsCostNoIssueTime) {
  // The same loads with dge_mode none all start moving at 1300.
  EXPECT_NEAR(run(three_loads(isa::DgeMode::None)).cores[0].dma.last_finish_ns, 1300 + kLoad4k, 1e-3);
}

TEST(TimingLaw, HardwareDgeOnOneQueueWaitsForTheQueue) {
  // Two hwdge loads on queue 0: the second waits for the first to issue (queues are in
  // order) at 600, though the other instance is free, so it issues at 1200 and ends at
  // 1200 + 1300 + 188.087 = 2688.087 ns.
  isa::Program p = empty_program();
  p.cores[0].push_back(load_with(0, 0, 0, isa::DgeMode::HwDge));
  p.cores[0].push_back(load_with(0, 16384, 65536, isa::DgeMode::HwDge));
  EXPECT_NEAR(run(p).cores[0].dma.last_finish_ns, 2 * 600 + 1300 + kLoad4k, 1e-3);
}

// dge_mode unknown (the compiler's choice) costs as none by default, as hwdge with
// dge_unknown_as_hwdge 1.
isa::Program one_unknown_load() {
  isa::Program p = empty_program();
  p.cores[0].push_back(load_with(0, 0, 0, isa::DgeMode::Unknown));
  return p;
}

TEST(TimingLaw, UnknownDgeModeCostsAsNoneByDefault) {
  EXPECT_NEAR(run(one_unknown_load()).total_ns, 1300 + kLoad4k, 1e-3);  // 1488.087 ns
}

TEST(TimingLaw, UnknownDgeModeCostsAsHwdgeWhenConfigured) {
  sim::HardwareConfig hw;
  hw.dge_unknown_as_hwdge = 1;
  EXPECT_NEAR(run(one_unknown_load(), hw).total_ns, 600 + 1300 + kLoad4k, 1e-3);  // 2088.087 ns
}

}  // namespace
}  // namespace trn2::test

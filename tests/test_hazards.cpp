// The hazard checker (isa/hazards.cpp) on small programs with a deliberately missing
// dependency (RAW, WAR, WAW, cross-core over HBM) and on their correct versions, plus
// uninitialised reads. No simulation: the check is static.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "isa/hazards.h"
#include "kernels/depthwise_conv1d.h"
#include "program_fixture.h"

namespace trn2::test {
namespace {

using isa::Engine;
using isa::Hazard;
using isa::Opcode;

isa::Instruction dma(int queue, AccessPattern dst, AccessPattern src, std::vector<uint32_t> deps = {}) {
  auto in = make(Opcode::DmaCopy, Engine::Dma, dst, src);
  in.queue = queue;
  in.deps = std::move(deps);
  return in;
}

isa::Instruction copy(Engine e, AccessPattern dst, AccessPattern src, std::vector<uint32_t> deps = {}) {
  auto in = make(Opcode::TensorCopy, e, dst, src);
  in.deps = std::move(deps);
  return in;
}

isa::Instruction fill(Engine e, AccessPattern dst, std::vector<uint32_t> deps = {}) {
  auto in = make(Opcode::Memset, e, dst);
  in.deps = std::move(deps);
  return in;
}

std::vector<Hazard> hazards(const isa::Program& p) { return isa::find_hazards(p, isa::Limits{}); }

const AccessPattern kX = sbuf(DType::F32, 0, 128, 64);      // SBUF [0, 256) on 128 partitions
const AccessPattern kY = sbuf(DType::F32, 4096, 128, 64);
const AccessPattern kH = hbm(DType::F32, 0, 128, 64);       // HBM tensor rows

TEST(Hazards, MissingReadAfterWriteIsARace) {
  isa::Program p = empty_program();
  p.cores[0] = {dma(0, kX, kH), copy(Engine::Vector, kY, kX)};
  const auto h = hazards(p);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].kind, Hazard::Kind::Race);
  EXPECT_EQ(h[0].message,
            "race: core 0 instruction 0 (dma_copy on queue 0) writes and core 0 instruction 1 (tensor_copy on dve) "
            "reads sbuf partition 0 bytes [0x0, 0x100), and no dependency path orders them");
  p.cores[0][1].deps = {0};
  EXPECT_TRUE(hazards(p).empty());
}

TEST(Hazards, ReportsNameTheInstructionsSources) {
  isa::Program p = empty_program();
  p.cores[0] = {dma(0, kX, kH), copy(Engine::Vector, kY, kX), copy(Engine::Scalar, kY, sbuf(DType::F32, 8192, 128, 64))};
  p.cores[0][0].source = "kernel.py:3";
  p.cores[0][2].source = "kernel.py:5";
  const auto h = hazards(p);
  ASSERT_EQ(h.size(), 3u);
  // Only the instructions that give a source name one.
  EXPECT_EQ(h[0].message,
            "race: core 0 instruction 0 (dma_copy on queue 0 at kernel.py:3) writes and core 0 instruction 1 "
            "(tensor_copy on dve) reads sbuf partition 0 bytes [0x0, 0x100), and no dependency path orders them");
  EXPECT_EQ(h[1].message,
            "uninitialised read: core 0 instruction 2 (tensor_copy on act at kernel.py:5) reads sbuf partition 0 bytes "
            "[0x2000, 0x2100), which nothing wrote before it");
  EXPECT_EQ(h[2].message,
            "race: core 0 instruction 1 (tensor_copy on dve) writes and core 0 instruction 2 (tensor_copy on act at "
            "kernel.py:5) writes sbuf partition 0 bytes [0x1000, 0x1100), and no dependency path orders them");
}

TEST(Hazards, MissingWriteAfterReadIsARace) {
  isa::Program p = empty_program();
  p.cores[0] = {fill(Engine::GpSimd, kX), copy(Engine::Vector, kY, kX, {0}), dma(3, kX, kH)};
  // The load races with the read (WAR) and with the fill (WAW).
  auto h = hazards(p);
  ASSERT_EQ(h.size(), 2u);
  std::string all = h[0].message + "\n" + h[1].message;
  EXPECT_NE(all.find("instruction 2 (dma_copy on queue 3) writes and core 0 instruction 1 (tensor_copy on dve) reads"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("instruction 0 (memset on pool) writes and core 0 instruction 2 (dma_copy on queue 3) writes"),
            std::string::npos)
      << all;
  // Ordering the load after the read orders it after the fill too (a path through 1).
  p.cores[0][2].deps = {1};
  EXPECT_TRUE(hazards(p).empty());
}

TEST(Hazards, MissingWriteAfterWriteIsARace) {
  isa::Program p = empty_program();
  p.cores[0] = {dma(0, kX, kH), fill(Engine::Scalar, sbuf(DType::F32, 128, 4, 8))};  // overlaps bytes [128, 160)
  const auto h = hazards(p);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].message.find("writes and core 0 instruction 1 (memset on act) writes sbuf partition 0 bytes [0x80, 0xa0)"),
            std::string::npos)
      << h[0].message;
  p.cores[0][1].deps = {0};
  EXPECT_TRUE(hazards(p).empty());
}

TEST(Hazards, CoresRaceOnSharedHbm) {
  // Both cores store into the same HBM rows; cores have no dependency edges between them.
  isa::Program p = empty_program(2);
  p.cores[0] = {fill(Engine::Vector, kX), dma(0, kH, kX, {0})};
  p.cores[1] = {fill(Engine::Vector, kX), dma(0, kH, kX, {0})};
  const auto h = hazards(p);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].message.find("core 0 instruction 1 (dma_copy on queue 0) writes and core 1 instruction 1 (dma_copy on "
                              "queue 0) writes hbm bytes [0x0, 0x100)"),
            std::string::npos)
      << h[0].message;
  // Each core writing its own half is fine; each reading the other's input half is too.
  p.cores[1][1].dst = hbm(DType::F32, 128 * 64 * 4, 128, 64);
  EXPECT_TRUE(hazards(p).empty());
  p.cores[1].push_back(dma(1, kY, kH));  // core 1 reads what core 0 writes: a race
  EXPECT_EQ(hazards(p).size(), 1u);
}

TEST(Hazards, OneEngineOrOneQueueIsInOrder) {
  isa::Program p = empty_program();
  p.cores[0] = {fill(Engine::Vector, kX), copy(Engine::Vector, kY, kX), dma(2, kH, kY, {1}), dma(2, kH, kX, {0})};
  EXPECT_TRUE(hazards(p).empty());
}

TEST(Hazards, InterleavedStridedWritesDoNotOverlap) {
  // Even elements by DVE, odd elements by POOL: their bounding boxes overlap, their bytes do not.
  AccessPattern even = sbuf(DType::F32, 0, 128, 32), odd = even;
  even.dims[0] = {2, 32};
  odd.dims[0] = {2, 32};
  odd.offset = 1;
  isa::Program p = empty_program();
  p.cores[0] = {fill(Engine::Vector, even), fill(Engine::GpSimd, odd), copy(Engine::Scalar, kY, kX, {0, 1})};
  EXPECT_TRUE(hazards(p).empty());
  p.cores[0][1].dst.offset = 2;  // now odd lands on even's elements
  const auto h = hazards(p);
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h[0].kind, Hazard::Kind::Race);
}

TEST(Hazards, PartitionsMatter) {
  // Same bytes, different partitions: no overlap.
  isa::Program p = empty_program();
  p.cores[0] = {fill(Engine::Vector, isa::tile(Space::SBUF, DType::F32, 0, 0, 32, 16)),
                fill(Engine::GpSimd, isa::tile(Space::SBUF, DType::F32, 0, 32, 32, 16))};
  EXPECT_TRUE(hazards(p).empty());
}

TEST(Hazards, UninitialisedReadsAreReported) {
  isa::Program p = empty_program();
  // Rows of 64 fp32 written, then 65 read: the 65th element of partition 0 was never written.
  p.cores[0] = {fill(Engine::Vector, kX), copy(Engine::Vector, kY, sbuf(DType::F32, 0, 128, 65), {0})};
  const auto h = hazards(p);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].kind, Hazard::Kind::UninitialisedRead);
  EXPECT_EQ(h[0].message,
            "uninitialised read: core 0 instruction 1 (tensor_copy on dve) reads sbuf partition 0 bytes [0x100, 0x104), "
            "which nothing wrote before it");
}

TEST(Hazards, AccumulatingIntoAnUnwrittenPsumBankIsAnUninitialisedRead) {
  isa::Program p = empty_program();
  auto mm = make(Opcode::Matmul, Engine::Tensor, psum(0, 1, 64), sbuf(DType::BF16, 0, 128, 1), sbuf(DType::BF16, 256, 128, 64));
  p.cores[0] = {fill(Engine::Vector, sbuf(DType::BF16, 0, 128, 256)), mm};
  p.cores[0][1].deps = {0};
  EXPECT_TRUE(hazards(p).empty()) << "overwriting matmul";
  p.cores[0][1].accumulate = true;
  const auto h = hazards(p);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].message.find("(nc_matmul on pe) reads psum partition 0 bytes [0x0, 0x100)"), std::string::npos) << h[0].message;
}

TEST(Hazards, AccumulatingMatmulUnorderedWithAnEarlierWriteOfItsBankIsARace) {
  // The accumulating matmul's read of its bank is not filed (its write, with the same bytes,
  // races with whatever the read would): a write of the bank it is not ordered after must
  // still be reported, here a DVE memset before it, then a DVE memset after it.
  isa::Program p = empty_program();
  const AccessPattern bank = psum(0, 1, 64);
  auto mm = make(Opcode::Matmul, Engine::Tensor, bank, sbuf(DType::BF16, 0, 128, 1), sbuf(DType::BF16, 256, 128, 64));
  mm.accumulate = true;
  p.cores[0] = {fill(Engine::Vector, sbuf(DType::BF16, 0, 128, 256)), fill(Engine::Vector, bank), mm};
  p.cores[0][2].deps = {0, 1};
  EXPECT_TRUE(hazards(p).empty()) << "ordered";
  p.cores[0][2].deps = {0};
  auto h = hazards(p);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].kind, Hazard::Kind::Race);
  EXPECT_NE(h[0].message.find("core 0 instruction 1 (memset on dve) writes and core 0 instruction 2 (nc_matmul on pe) "
                              "writes psum partition 0 bytes [0x0, 0x100)"),
            std::string::npos)
      << h[0].message;
  p.cores[0][2].deps = {0, 1};
  p.cores[0].push_back(fill(Engine::Vector, bank));  // after the matmul, not ordered after it
  h = hazards(p);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].kind, Hazard::Kind::Race);
}

TEST(Hazards, KernelProgramWithADroppedDependencyIsCaught) {
  // The conv kernel's programs are hazard-free (tests/test_kernel_matrix.cpp); dropping the
  // dependencies of any one of its matmuls, copies or stores must make the checker speak.
  kernels::DepthwiseConv1dParams k;
  k.channels = 8;
  k.width = 600;
  k.kernel_size = 5;
  const isa::Program good = kernels::build_depthwise_conv1d(k, isa::Limits{});
  ASSERT_TRUE(hazards(good).empty());
  int mutated = 0;
  for (Opcode op : {Opcode::Matmul, Opcode::TensorCopy, Opcode::DmaCopy}) {
    isa::Program bad = good;
    auto& stream = bad.cores[0];
    // The last instruction of this kind that depends on something: a store, a PSUM copy, a matmul.
    for (size_t i = stream.size(); i-- > 0;)
      if (stream[i].op == op && !stream[i].deps.empty()) {
        stream[i].deps.clear();
        ++mutated;
        break;
      }
    EXPECT_FALSE(hazards(bad).empty()) << isa::opcode_name(op);
  }
  EXPECT_EQ(mutated, 3);
}

// ---- the online checker (isa::HazardChecker), as the streamed run feeds it ----------------

// The cores' streams fed one instruction of each core in turn (core 0's first, then core
// 1's, ...), as two emitter threads may interleave them.
std::vector<Hazard> interleaved(const isa::Program& p, size_t max_reports = 16) {
  isa::Program header = p;
  for (auto& stream : header.cores) stream.clear();  // the checker gets the streams from add()
  isa::HazardChecker checker(header, isa::Limits{}, max_reports);
  size_t longest = 0;
  for (const auto& stream : p.cores) longest = std::max(longest, stream.size());
  for (uint32_t i = 0; i < longest; ++i)
    for (size_t c = 0; c < p.cores.size(); ++c)
      if (i < p.cores[c].size()) checker.add(int(c), i, p.cores[c][i]);
  return checker.found();
}

// The reports as sorted lines: the online checker may find them in another order.
std::vector<std::string> lines(const std::vector<Hazard>& h) {
  std::vector<std::string> v;
  for (const Hazard& x : h) v.push_back(std::string(x.kind == Hazard::Kind::Race ? "R " : "U ") + x.message);
  std::sort(v.begin(), v.end());
  return v;
}

TEST(HazardChecker, InterleavedCoresFindWhatTheWholeProgramCheckFinds) {
  isa::Program p = empty_program(2);
  const AccessPattern kH2 = hbm(DType::F32, 128 * 64 * 4, 128, 64);  // the rows after kH
  p.cores[0] = {fill(Engine::Vector, kX),
                dma(0, kH, kX, {0}),
                copy(Engine::Scalar, kY, kX),  // reads what 0 wrote: the dependency on 0 is missing
                dma(1, kH2, kX, {0})};
  p.cores[1] = {fill(Engine::Vector, kX),
                dma(0, kH, kX, {0}),  // writes the rows core 0 writes
                dma(1, kY, kH2)};     // reads the rows core 0 writes, before core 0's write arrives
  const std::vector<std::string> want = {
      "R race: core 0 instruction 0 (memset on dve) writes and core 0 instruction 2 (tensor_copy on act) reads sbuf "
      "partition 0 bytes [0x0, 0x100), and no dependency path orders them",
      "R race: core 0 instruction 1 (dma_copy on queue 0) writes and core 1 instruction 1 (dma_copy on queue 0) "
      "writes hbm bytes [0x0, 0x100), and no dependency path orders them",
      "R race: core 0 instruction 3 (dma_copy on queue 1) writes and core 1 instruction 2 (dma_copy on queue 1) "
      "reads hbm bytes [0x8000, 0x8100), and no dependency path orders them",
  };
  EXPECT_EQ(lines(hazards(p)), want);
  EXPECT_EQ(lines(interleaved(p)), want);
  // Ordered as it should be, and each core's output rows its own: nothing either way.
  p.cores[0][2].deps = {0};
  p.cores[1][1].dst = hbm(DType::F32, 2 * 128 * 64 * 4, 128, 64);
  p.cores[1][2].src = hbm(DType::F32, 2 * 128 * 64 * 4, 128, 64);
  p.cores[1][2].deps = {1};
  EXPECT_TRUE(hazards(p).empty());
  EXPECT_TRUE(interleaved(p).empty());
}

TEST(HazardChecker, InterleavedKernelProgramsMatchTheWholeProgramCheck) {
  // The conv kernel on two cores (lnc 2): clean, and with the dependencies of one of core
  // 1's matmuls, PSUM copies or stores dropped, the same reports either way.
  kernels::DepthwiseConv1dParams k;
  k.channels = 8;
  k.width = 600;
  k.kernel_size = 5;
  k.lnc = 2;
  const isa::Program good = kernels::build_depthwise_conv1d(k, isa::Limits{});
  ASSERT_EQ(good.cores.size(), 2u);
  EXPECT_TRUE(interleaved(good).empty());
  for (Opcode op : {Opcode::Matmul, Opcode::TensorCopy, Opcode::DmaCopy}) {
    isa::Program bad = good;
    auto& stream = bad.cores[1];
    for (size_t i = stream.size(); i-- > 0;)
      if (stream[i].op == op && !stream[i].deps.empty()) {
        stream[i].deps.clear();
        break;
      }
    const auto whole = hazards(bad);
    EXPECT_FALSE(whole.empty()) << isa::opcode_name(op);
    EXPECT_EQ(lines(interleaved(bad)), lines(whole)) << isa::opcode_name(op);
  }
}

// The kernel through a checker that keeps only 16 recent clocks per core (the streamed run
// keeps 16384): every dependency's order is still at hand, found from pinned clocks or implied
// by the others, and the reports are those of the whole-program check.
TEST(HazardChecker, KernelDependenciesNeverNeedAGuessWithFewRecentClocks) {
  std::vector<kernels::DepthwiseConv1dParams> shapes(3);
  shapes[0].channels = 256, shapes[0].width = 700, shapes[0].kernel_size = 200;  // 2 S tiles, 2 channel tiles
  shapes[1].channels = 64, shapes[1].width = 1000, shapes[1].kernel_size = 7, shapes[1].stride = 2;
  shapes[1].pad_left = shapes[1].pad_right = 3, shapes[1].batch = 2;
  shapes[2].channels = 600, shapes[2].width = 130, shapes[2].kernel_size = 3, shapes[2].dtype = DType::BF16;
  for (const auto& k : shapes) {
    const isa::Program p = kernels::build_depthwise_conv1d(k, isa::Limits{});
    isa::Program header = p;
    for (auto& stream : header.cores) stream.clear();
    isa::HazardChecker checker(header, isa::Limits{}, 16, 16);
    for (size_t c = 0; c < p.cores.size(); ++c)
      for (uint32_t i = 0; i < p.cores[c].size(); ++i) checker.add(int(c), i, p.cores[c][i]);
    ASSERT_GT(p.cores[0].size(), 500u);  // far more instructions than clocks kept
    EXPECT_TRUE(checker.found().empty()) << k.channels;
    EXPECT_EQ(checker.lost_orders(), 0u) << k.channels;
  }
}

// With one recent clock: instruction 2 depends on instruction 0, whose only access (a write
// of kX) instruction 1 has covered since, so its clock is gone.
isa::Program lost_dependency(std::vector<uint32_t> deps_of_2) {
  isa::Program p = empty_program();
  p.cores[0] = {fill(Engine::Vector, kX), fill(Engine::Vector, kX, {}),
                copy(Engine::Scalar, kY, sbuf(DType::F32, 8192, 128, 64), std::move(deps_of_2))};
  p.cores[0].insert(p.cores[0].begin() + 2, fill(Engine::Scalar, sbuf(DType::F32, 8192, 128, 64)));
  p.cores[0][3].deps.push_back(2);
  return p;
}

std::pair<std::vector<Hazard>, uint64_t> check_with_one_clock(const isa::Program& p) {
  isa::Program header = p;
  header.cores[0].clear();
  isa::HazardChecker checker(header, isa::Limits{}, 16, 1);
  for (uint32_t i = 0; i < p.cores[0].size(); ++i) checker.add(0, i, p.cores[0][i]);
  return {checker.found(), checker.lost_orders()};
}

TEST(HazardChecker, AForgottenDependencyImpliedByAnotherIsRebuilt) {
  // 3 depends on 0 and on 1, which follows 0 on the same engine: 0's order is implied.
  const auto [found, lost] = check_with_one_clock(lost_dependency({0, 1}));
  EXPECT_TRUE(found.empty());
  EXPECT_EQ(lost, 0u);
}

TEST(HazardChecker, AForgottenDependencyNotImpliedIsGuessedFromBelow) {
  // 3 depends on 0 alone: taken to follow 0 itself (all 0's order here), and counted.
  const auto [found, lost] = check_with_one_clock(lost_dependency({0}));
  EXPECT_TRUE(found.empty());
  EXPECT_EQ(lost, 1u);
  // The whole-program check, which keeps every clock, agrees there is no race.
  EXPECT_TRUE(hazards(lost_dependency({0})).empty());
}

// Two tensors: "in" [128, 64] fp32 at 0, "out" after it.
isa::Program with_in_and_out(bool in_read_only) {
  isa::Program p = empty_program(2);
  p.tensors.push_back({"in", DType::F32, {128, 64}, 0});
  p.tensors.back().read_only = in_read_only;
  p.tensors.push_back({"out", DType::F32, {128, 64}, 128 * 64 * 4});
  return p;
}

TEST(HazardChecker, UnorderedReadsOfAReadOnlyTensorAreNoRace) {
  isa::Program p = with_in_and_out(true);
  p.cores[0] = {dma(0, kX, kH)};  // kH: the rows of "in"
  p.cores[1] = {dma(0, kX, kH)};
  EXPECT_NO_THROW(isa::validate(p, isa::Limits{}));
  EXPECT_TRUE(hazards(p).empty());
  EXPECT_TRUE(interleaved(p).empty());
}

TEST(HazardChecker, AWrittenTensorReadByTheOtherCoreIsARace) {
  // The same reads, but core 0 also stores into "in": core 1's read is unordered with it.
  isa::Program p = with_in_and_out(false);
  p.cores[0] = {dma(0, kX, kH), dma(1, kH, kX, {0})};
  p.cores[1] = {dma(0, kX, kH)};
  EXPECT_NO_THROW(isa::validate(p, isa::Limits{}));
  const std::vector<std::string> want = {
      "R race: core 0 instruction 1 (dma_copy on queue 1) writes and core 1 instruction 0 (dma_copy on queue 0) "
      "reads hbm tensor 'in' bytes [0x0, 0x100), and no dependency path orders them"};
  EXPECT_EQ(lines(hazards(p)), want);
  EXPECT_EQ(lines(interleaved(p)), want);
  // Marked read-only, the program is no longer valid: the race check may skip such reads
  // because nothing can write them.
  p.tensors[0].read_only = true;
  try {
    isa::validate(p, isa::Limits{});
    FAIL() << "a store into a read-only tensor passed validation";
  } catch (const isa::ValidationError& e) {
    EXPECT_STREQ(e.what(), "core 0 instruction 1 (dma_copy): dst writes read-only tensor 'in'");
  }
}

TEST(HazardChecker, AReadReachingPastAReadOnlyTensorIsStillChecked) {
  // One row of 128 fp32 from the last 256 bytes of "in" (read-only) into the first 256 of
  // "out", which core 0 writes: the read is not wholly inside the read-only tensor, so it
  // races with the store.
  isa::Program p = with_in_and_out(true);
  const AccessPattern straddle = hbm(DType::F32, 128 * 64 * 4 - 256, 1, 128);
  const AccessPattern out = hbm(DType::F32, 128 * 64 * 4, 128, 64);
  p.cores[0] = {fill(Engine::Vector, kX), dma(0, out, kX, {0})};
  p.cores[1] = {dma(0, sbuf(DType::F32, 0, 1, 128), straddle)};
  EXPECT_NO_THROW(isa::validate(p, isa::Limits{}));
  const std::vector<std::string> want = {
      "R race: core 0 instruction 1 (dma_copy on queue 0) writes and core 1 instruction 0 (dma_copy on queue 0) "
      "reads hbm tensor 'out' bytes [0x8000, 0x8100), and no dependency path orders them"};
  EXPECT_EQ(lines(hazards(p)), want);
  EXPECT_EQ(lines(interleaved(p)), want);
}

TEST(Hazards, ReportsStopAtTheLimit) {
  isa::Program p = empty_program();
  for (int i = 0; i < 40; ++i) p.cores[0].push_back(copy(i % 2 ? Engine::Vector : Engine::Scalar, kY, kX));
  EXPECT_EQ(isa::find_hazards(p, isa::Limits{}, 5).size(), 5u);
}

}  // namespace
}  // namespace trn2::test

// kernels::infer_dependencies (a program file's `infer_deps`): the deps the kernel builder's
// footprint tracking finds, written back into a program read from a file. No simulation.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/hazards.h"
#include "isa/program_json.h"
#include "kernels/infer_dependencies.h"
#include "program_fixture.h"

namespace trn2::test {
namespace {

using isa::Engine;
using isa::Opcode;

isa::Program vector_add() {
  std::ifstream f(std::string(TRN2SIM_SOURCE_DIR) + "/docs/examples/vector_add.json");
  return isa::program_from_json(nlohmann::json::parse(f));
}

std::vector<std::vector<uint32_t>> deps_of(const isa::Program& p, size_t core = 0) {
  std::vector<std::vector<uint32_t>> d;
  for (const isa::Instruction& in : p.cores[core]) d.push_back(in.deps);
  return d;
}

isa::Instruction dma(int queue, AccessPattern dst, AccessPattern src) {
  auto in = make(Opcode::DmaCopy, Engine::Dma, dst, src);
  in.queue = queue;
  return in;
}

// Found like the builder finds them: inferred, the documented example's deps are its own.
TEST(InferDependencies, FindTheVectorAddsHandWrittenDeps) {
  const isa::Program written = vector_add();
  isa::Program p = written;
  for (auto& in : p.cores[0]) in.deps.clear();
  p.infer_deps = true;
  ASSERT_FALSE(isa::find_hazards(p, isa::Limits{}).empty()) << "without deps the example races";
  kernels::infer_dependencies(p, isa::Limits{});
  EXPECT_EQ(deps_of(p), deps_of(written));
  EXPECT_FALSE(p.infer_deps) << "the deps are explicit now: a dump writes them out";
  EXPECT_TRUE(isa::find_hazards(p, isa::Limits{}).empty());
  EXPECT_EQ(isa::to_json(p)["tensors"], isa::to_json(written)["tensors"]);
}

TEST(InferDependencies, KeepTheDepsAnInstructionLists) {
  // Two loads into different buffers: no footprint orders them, the second asks to wait anyway.
  isa::Program p = empty_program();
  p.tensors.push_back({"a", DType::F32, {128, 64}, 0});
  p.cores[0] = {dma(0, sbuf(DType::F32, 0, 128, 64), hbm(DType::F32, 0, 128, 64)),
                dma(1, sbuf(DType::F32, 1024, 128, 64), hbm(DType::F32, 0, 128, 64)),
                make(Opcode::TensorTensor, Engine::Vector, sbuf(DType::F32, 2048, 128, 64), sbuf(DType::F32, 0, 128, 64),
                     sbuf(DType::F32, 1024, 128, 64))};
  p.cores[0][1].deps = {0};
  kernels::infer_dependencies(p, isa::Limits{});
  EXPECT_EQ(deps_of(p), (std::vector<std::vector<uint32_t>>{{}, {0}, {0, 1}}));
}

TEST(InferDependencies, HbmIsTrackedByTensorAndReadOnlyTensorsOrderNothing) {
  isa::Program p = empty_program();
  p.tensors.push_back({"in", DType::F32, {128, 64}, 0, true});
  p.tensors.push_back({"out", DType::F32, {128, 64}, 32768});
  const AccessPattern tile = sbuf(DType::F32, 0, 128, 64), out = hbm(DType::F32, 32768, 128, 64);
  AccessPattern out_half = hbm(DType::F32, 32768 + 64 * 64 * 4, 64, 64);  // rows 64.. of `out`: its base is not out's
  p.cores[0] = {dma(0, tile, hbm(DType::F32, 0, 128, 64)),
                dma(1, sbuf(DType::F32, 1024, 128, 64), hbm(DType::F32, 0, 128, 64)),  // reads `in` too: no order
                dma(2, out, tile),
                dma(3, sbuf(DType::F32, 2048, 64, 64), out_half)};  // reads what 2 wrote, by another base
  kernels::infer_dependencies(p, isa::Limits{});
  EXPECT_EQ(deps_of(p), (std::vector<std::vector<uint32_t>>{{}, {}, {0}, {2}}));
}

// SBUF/PSUM patterns of different bases are different buffers: bytes they share are not
// ordered here, and the race check reports it (docs/program-format.md).
TEST(InferDependencies, PatternsOfDifferentBasesAreDifferentBuffersAndTheRaceCheckSaysSo) {
  isa::Program p = empty_program();
  p.tensors.push_back({"a", DType::F32, {128, 64}, 0});
  AccessPattern inside = sbuf(DType::F32, 128, 128, 32);  // bytes [128, 256) of the tile at base 0
  p.cores[0] = {dma(0, sbuf(DType::F32, 0, 128, 64), hbm(DType::F32, 0, 128, 64)),
                make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 4096, 128, 32), inside)};
  AccessPattern same_buffer = sbuf(DType::F32, 0, 128, 32);
  same_buffer.offset = 32;  // the same bytes as `inside`, named by the buffer's base
  isa::Program q = p;
  q.cores[0][1].src = same_buffer;
  kernels::infer_dependencies(p, isa::Limits{});
  kernels::infer_dependencies(q, isa::Limits{});
  EXPECT_TRUE(p.cores[0][1].deps.empty());
  EXPECT_EQ(q.cores[0][1].deps, std::vector<uint32_t>{0});
  const auto h = isa::find_hazards(p, isa::Limits{});
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].kind, isa::Hazard::Kind::Race);
  EXPECT_TRUE(isa::find_hazards(q, isa::Limits{}).empty());
}

TEST(InferDependencies, EachCoreHasItsOwnStreamAndBuffers) {
  isa::Program p = empty_program(2);
  p.tensors.push_back({"a", DType::F32, {128, 64}, 0});
  const AccessPattern tile = sbuf(DType::F32, 0, 128, 64), a = hbm(DType::F32, 0, 128, 64);
  p.cores[0] = {dma(0, tile, a), make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 1024, 128, 64), tile)};
  p.cores[1] = {make(Opcode::Memset, Engine::Vector, tile), dma(0, sbuf(DType::F32, 1024, 128, 64), a),
                make(Opcode::TensorCopy, Engine::Scalar, sbuf(DType::F32, 2048, 128, 64), tile)};
  kernels::infer_dependencies(p, isa::Limits{});
  EXPECT_EQ(deps_of(p, 0), (std::vector<std::vector<uint32_t>>{{}, {0}}));
  EXPECT_EQ(deps_of(p, 1), (std::vector<std::vector<uint32_t>>{{}, {}, {0}}));
}

}  // namespace
}  // namespace trn2::test

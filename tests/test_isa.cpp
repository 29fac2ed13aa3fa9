// isa/: access-pattern iteration, the program JSON round trip, and the error each hardware
// limit gives.
#include <gtest/gtest.h>

#include "isa/program_json.h"
#include "isa/validate.h"
#include "program_fixture.h"

namespace trn2::test {
namespace {

using isa::Engine;
using isa::Opcode;

TEST(AccessPattern, FreeOffsetsRowMajor) {
  AccessPattern a = sbuf(DType::F32, 0, 1, 1);
  a.ndims = 2;
  a.dims[0] = {100, 3};  // outer: 3 rows 100 elements apart
  a.dims[1] = {2, 4};    // inner: 4 elements, every other one
  EXPECT_EQ(a.free_elements(), 12);
  const int64_t want[] = {0, 2, 4, 6, 100, 102, 104, 106, 200, 202, 204, 206};
  for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(a.free_offset(i), want[i]) << i;
  EXPECT_FALSE(a.inner_contiguous());
}

TEST(AccessPattern, HbmOverlappingRowsExtent) {
  // The implicit im2col: 4 partitions one element apart, 10 elements each, starting at 5.
  AccessPattern a = hbm(DType::BF16, 64, 4, 10);
  a.partition_step = 1;
  a.offset = 5;
  int64_t lo, hi;
  a.byte_extent(lo, hi);
  EXPECT_EQ(lo, 64 + 5 * 2);
  EXPECT_EQ(hi, 64 + (5 + 3 + 9 + 1) * 2);
}

isa::Program sample_program() {
  isa::Program p = empty_program(2, 4096);
  p.tensors.push_back({"x", DType::BF16, {2, 3}, 0});
  p.cores[0].push_back(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::BF16, 0, 2, 3), hbm(DType::BF16, 0, 2, 3)));
  p.cores[0].back().queue = 5;
  auto mm = make(Opcode::Matmul, Engine::Tensor, psum(0, 3, 3), sbuf(DType::BF16, 0, 2, 3), sbuf(DType::BF16, 0, 2, 3));
  mm.accumulate = true;
  mm.deps = {0};
  p.cores[0].push_back(mm);
  auto ms = make(Opcode::Memset, Engine::GpSimd, sbuf(DType::F32, 64, 32, 7));
  ms.value = -2.5f;
  p.cores[1].push_back(ms);
  return p;
}

TEST(ProgramJson, RoundTrip) {
  const isa::Program p = sample_program();
  const nlohmann::json j = isa::to_json(p);
  const isa::Program q = isa::program_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(isa::to_json(q), j);
  ASSERT_EQ(q.cores.size(), 2u);
  EXPECT_EQ(q.cores[0][0].queue, 5);
  EXPECT_TRUE(q.cores[0][1].accumulate);
  EXPECT_EQ(q.cores[0][1].deps, std::vector<uint32_t>{0});
  EXPECT_EQ(q.cores[1][0].value, -2.5f);
  EXPECT_EQ(q.tensors[0].shape, (std::vector<int64_t>{2, 3}));
}

TEST(ProgramJson, DgeModeRoundTripsAndUnknownIsLeftOut) {
  isa::Program p = sample_program();
  ASSERT_EQ(p.cores[0][0].op, Opcode::DmaCopy);
  const nlohmann::json plain = isa::to_json(p);
  EXPECT_FALSE(plain["cores"][0][0].contains("dge_mode")) << "unknown (the default) is dumped as before the field existed";
  for (const isa::DgeMode m : {isa::DgeMode::None, isa::DgeMode::HwDge, isa::DgeMode::SwDge}) {
    p.cores[0][0].dge = m;
    const nlohmann::json j = isa::to_json(p);
    EXPECT_EQ(j["cores"][0][0]["dge_mode"], isa::dge_name(m));
    EXPECT_EQ(isa::program_from_json(nlohmann::json::parse(j.dump())).cores[0][0].dge, m);
  }
}

TEST(ProgramJson, PerPartitionOperandsRoundTrip) {
  isa::Program p = sample_program();
  auto ts = make(Opcode::TensorScalar, Engine::Vector, sbuf(DType::F32, 0, 32, 8), sbuf(DType::F32, 256, 32, 8));
  ts.alu = isa::AluOp::Multiply;
  ts.operand0 = sbuf(DType::F32, 512, 32, 1), ts.operand0_tile = true;
  ts.two_ops = true, ts.alu1 = isa::AluOp::Add, ts.value1 = 0.5f;
  auto stt = make(Opcode::ScalarTensorTensor, Engine::Vector, sbuf(DType::F32, 0, 32, 8), sbuf(DType::F32, 256, 32, 8),
                  sbuf(DType::F32, 768, 32, 8));
  stt.alu = isa::AluOp::Multiply, stt.alu1 = isa::AluOp::Add, stt.value = 3.0f;
  p.cores[1].push_back(ts);
  p.cores[1].push_back(stt);
  const nlohmann::json j = isa::to_json(p);
  EXPECT_TRUE(j["cores"][1][1]["scalar"].is_object());
  EXPECT_EQ(j["cores"][1][2]["scalar"], 3.0);
  const isa::Program q = isa::program_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(isa::to_json(q), j);
  EXPECT_TRUE(q.cores[1][1].operand0_tile);
  EXPECT_TRUE(q.cores[1][1].two_ops);
  EXPECT_EQ(q.cores[1][2].alu1, isa::AluOp::Add);
}

TEST(ProgramJson, ReverseFlagsRoundTripAndAreLeftOutWhenUnset) {
  isa::Program p = sample_program();
  auto ts = make(Opcode::TensorScalar, Engine::Vector, sbuf(DType::F32, 0, 32, 8), sbuf(DType::F32, 256, 32, 8));
  ts.alu = isa::AluOp::Divide, ts.value = 1.0f, ts.reverse0 = true;
  ts.two_ops = true, ts.alu1 = isa::AluOp::Subtract, ts.value1 = 2.0f, ts.reverse1 = true;
  auto stt = make(Opcode::ScalarTensorTensor, Engine::Vector, sbuf(DType::F32, 0, 32, 8), sbuf(DType::F32, 256, 32, 8),
                  sbuf(DType::F32, 768, 32, 8));
  stt.alu = isa::AluOp::Subtract, stt.alu1 = isa::AluOp::Multiply, stt.reverse1 = true;
  p.cores[1].push_back(ts);
  p.cores[1].push_back(stt);
  const nlohmann::json j = isa::to_json(p);
  EXPECT_EQ(j["cores"][1][1]["reverse0"], true);
  EXPECT_EQ(j["cores"][1][1]["reverse1"], true);
  EXPECT_FALSE(j["cores"][1][2].contains("reverse0"));
  const isa::Program q = isa::program_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(isa::to_json(q), j);
  EXPECT_TRUE(q.cores[1][1].reverse0 && q.cores[1][1].reverse1);
  EXPECT_TRUE(!q.cores[1][2].reverse0 && q.cores[1][2].reverse1);
}

TEST(ProgramJson, ReadOnlyFlagRoundTrips) {
  isa::Program p = sample_program();
  p.tensors[0].read_only = true;
  p.tensors.push_back({"y", DType::F32, {4}, 64});  // written: the flag stays off
  const nlohmann::json j = isa::to_json(p);
  EXPECT_EQ(j["tensors"][0]["read_only"], true);
  EXPECT_FALSE(j["tensors"][1].contains("read_only")) << "a writable tensor is dumped as before the flag existed";
  const isa::Program q = isa::program_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_EQ(q.tensors.size(), 2u);
  EXPECT_TRUE(q.tensors[0].read_only);
  EXPECT_FALSE(q.tensors[1].read_only);
  EXPECT_EQ(isa::to_json(q), j);
  // Written out explicitly as false, it reads back as false.
  nlohmann::json k = j;
  k["tensors"][0]["read_only"] = false;
  EXPECT_FALSE(isa::program_from_json(k).tensors[0].read_only);
}

TEST(ProgramJson, SourceAndInferDepsRoundTripAndAreLeftOutWhenUnset) {
  isa::Program p = sample_program();
  const nlohmann::json plain = isa::to_json(p);
  EXPECT_FALSE(plain.contains("infer_deps")) << "false (the default) is dumped as before the key existed";
  EXPECT_FALSE(plain["cores"][0][0].contains("source")) << "an unknown source is dumped as before the key existed";
  p.cores[0][1].source = "kernel.py:12";
  p.infer_deps = true;
  const nlohmann::json j = isa::to_json(p);
  EXPECT_EQ(j["cores"][0][1]["source"], "kernel.py:12");
  EXPECT_FALSE(j["cores"][0][0].contains("source"));
  EXPECT_EQ(j["infer_deps"], true);
  const isa::Program q = isa::program_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(q.cores[0][1].source, "kernel.py:12");
  EXPECT_TRUE(q.cores[0][0].source.empty());
  EXPECT_TRUE(q.infer_deps);
  EXPECT_EQ(isa::to_json(q), j);
}

TEST(ProgramJson, MissingFieldNamesItsPath) {
  nlohmann::json j = isa::to_json(sample_program());
  j["cores"][0][1].erase("moving");
  try {
    isa::program_from_json(j);
    FAIL() << "accepted a matmul without a moving operand";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "program.cores[0][1].moving: missing");
  }
}

std::string error_of(const isa::Instruction& in, int64_t hbm_bytes = 1 << 20) {
  isa::Program p = empty_program(1, hbm_bytes);
  p.cores[0].push_back(in);
  try {
    isa::validate(p, isa::Limits{});
  } catch (const isa::ValidationError& e) {
    return e.what();
  }
  return "";
}

TEST(Validate, AcceptsAGoodInstruction) {
  EXPECT_EQ(error_of(make(Opcode::TensorCopy, Engine::Vector, sbuf(DType::F32, 0, 128, 4), sbuf(DType::F32, 64, 128, 4))), "");
}

TEST(Validate, PartitionCount) {
  EXPECT_EQ(error_of(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 256, 4), hbm(DType::F32, 0, 256, 4))),
            "core 0 instruction 0 (dma_copy): dst partition count 256 exceeds 128");
}

TEST(Validate, StartPartitionRule) {
  AccessPattern a = sbuf(DType::F32, 0, 40, 4);
  a.start_partition = 32;  // 33-64 partitions may start at 0 or 64 only
  EXPECT_EQ(error_of(make(Opcode::Memset, Engine::Vector, a)),
            "core 0 instruction 0 (memset): dst start partition 32 is not allowed for 40 partitions");
}

TEST(Validate, SbufCapacity) {
  EXPECT_EQ(error_of(make(Opcode::Memset, Engine::Vector, sbuf(DType::F32, 212984 - 8, 1, 4))),
            "core 0 instruction 0 (memset): dst bytes [212976, 212992) exceed sbuf partition size 212984");
}

TEST(Validate, HbmBounds) {
  EXPECT_EQ(error_of(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 1, 4), hbm(DType::F32, 96, 1, 4)), 100),
            "core 0 instruction 0 (dma_copy): src HBM bytes [96, 112) outside the program's 100 bytes of HBM");
}

TEST(Validate, MovingFreeSize) {
  EXPECT_EQ(error_of(make(Opcode::Matmul, Engine::Tensor, psum(0, 1, 513), sbuf(DType::BF16, 0, 8, 1), sbuf(DType::BF16, 64, 8, 513))),
            "core 0 instruction 0 (nc_matmul): moving free size 513 exceeds 512");
}

TEST(Validate, StationaryFreeSize) {
  EXPECT_EQ(error_of(make(Opcode::Matmul, Engine::Tensor, psum(0, 128, 4), sbuf(DType::BF16, 0, 8, 129), sbuf(DType::BF16, 512, 8, 4))),
            "core 0 instruction 0 (nc_matmul): stationary free size 129 exceeds 128");
}

TEST(Validate, PsumBankBoundary) {
  EXPECT_EQ(error_of(make(Opcode::Matmul, Engine::Tensor, psum(1024, 1, 512), sbuf(DType::BF16, 0, 8, 1), sbuf(DType::BF16, 64, 8, 512))),
            "core 0 instruction 0 (nc_matmul): dst crosses a PSUM bank boundary (2048 bytes per bank)");
}

TEST(Validate, MatmulDtypes) {
  EXPECT_EQ(error_of(make(Opcode::Matmul, Engine::Tensor, psum(0, 1, 4), sbuf(DType::F32, 0, 8, 1), sbuf(DType::BF16, 64, 8, 4))),
            "core 0 instruction 0 (nc_matmul): stationary and moving mix fp32 with a narrower dtype");
  EXPECT_EQ(error_of(make(Opcode::Matmul, Engine::Tensor, psum(0, 1, 4, DType::BF16), sbuf(DType::BF16, 0, 8, 1), sbuf(DType::BF16, 64, 8, 4))),
            "core 0 instruction 0 (nc_matmul): dst must be an fp32 PSUM tile");
}

TEST(Validate, EngineMustRunTheOpcode) {
  EXPECT_EQ(error_of(make(Opcode::Matmul, Engine::Vector, psum(0, 1, 4), sbuf(DType::BF16, 0, 8, 1), sbuf(DType::BF16, 64, 8, 4))),
            "core 0 instruction 0 (nc_matmul): runs on the tensor engine (pe) only");
}

TEST(Validate, DmaMayConvertAndAccumulate) {
  // nki.isa.dma_copy casts where the dtypes differ and adds into dst with dst_rmw_op=nl.add.
  EXPECT_EQ(error_of(make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::BF16, 0, 1, 4), hbm(DType::F32, 0, 1, 4))), "");
  auto acc = make(Opcode::DmaCopy, Engine::Dma, hbm(DType::F32, 64, 1, 4), sbuf(DType::BF16, 0, 1, 4));
  acc.accumulate = true;
  EXPECT_EQ(error_of(acc), "");
  EXPECT_TRUE(isa::reads_dst(acc));
}

TEST(Validate, DependencyMustBeEarlier) {
  auto in = make(Opcode::Memset, Engine::Vector, sbuf(DType::F32, 0, 1, 4));
  in.deps = {0};
  EXPECT_EQ(error_of(in), "core 0 instruction 0 (memset): dependency on instruction 0, which is not earlier in the stream");
}

TEST(Validate, ErrorsNameTheInstructionsSourceOnOneLine) {
  auto in = make(Opcode::Memset, Engine::Vector, sbuf(DType::F32, 0, 1, 4));
  in.deps = {0};
  in.source = "kernel.py:12";
  EXPECT_EQ(error_of(in), "core 0 instruction 0 (memset at kernel.py:12): dependency on instruction 0, which is not "
                          "earlier in the stream");
  in.source = "kernel.py\n12";  // a source that could fake a second line of output
  EXPECT_EQ(error_of(in), "core 0 instruction 0 (memset at kernel.py\\u000a12): dependency on instruction 0, which is "
                          "not earlier in the stream");
}

TEST(Validate, DmaQueueRange) {
  auto in = make(Opcode::DmaCopy, Engine::Dma, sbuf(DType::F32, 0, 1, 4), hbm(DType::F32, 0, 1, 4));
  in.queue = 16;
  EXPECT_EQ(error_of(in), "core 0 instruction 0 (dma_copy): queue 16 is not one of the core's queues 0..15");
  in.queue = -1;
  EXPECT_EQ(error_of(in), "core 0 instruction 0 (dma_copy): queue -1 is not one of the core's queues 0..15");
}

TEST(Validate, CopyShapesMustAgree) {
  EXPECT_EQ(error_of(make(Opcode::TensorCopy, Engine::Scalar, sbuf(DType::F32, 0, 4, 8), sbuf(DType::F32, 64, 4, 9))),
            "core 0 instruction 0 (tensor_copy): src has 9 elements per partition but dst has 8");
}

}  // namespace
}  // namespace trn2::test

// The depthwise conv1d kernel's instruction stream against nki-library's
// depthwise_conv1d_implicit_gemm (tag 2.29): per core, how many instructions of each opcode
// it emits, each count derived by hand below from nkilib's loops, and the exact stream of one
// small padded, strided shape. Then the variants, and the SBUF limit nkilib's tiling hits.
//
// Notation (per core, LNC=2): shard = C / 2 channels; C_TILE = min(shard, 128), S_TILE =
// min(S, 128), Q_TILE = min(Q, 512); Q = (W + pad_l + pad_r - S) / stride + 1. nkilib emits
//   per (batch, channel tile, S tile): filter dma_copy, nc_transpose, tensor_copy, and two
//     memsets when the tile is partial (c_rows < C_TILE or s_rows < S_TILE);
//   per (batch, channel, S tile): the input load, whose shape depends on the padding:
//     a tile touching the padding (S tile < ceil(pad_l / S_TILE) when pad_l > 0, or >=
//     floor((pad_l + W - Q * stride) / S_TILE) when pad_r > 0): a memset, a dma_copy per
//     partial column with any element inside, one dma_copy for the full columns;
//     otherwise: a memset if s_rows < S_TILE, then one dma_copy (stride 1) or a bulk dma_copy
//     and a strided tensor_copy (stride > 1);
//   per (batch, channel, Q tile): memset, one nc_matmul per S tile, tensor_copy, dma_copy.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "isa/instruction.h"
#include "isa/validate.h"
#include "kernels/depthwise_conv1d.h"

namespace trn2::test {
namespace {

using isa::DType;
using isa::Opcode;
using kernels::Conv1dVariant;
using kernels::DepthwiseConv1dParams;

struct Counts {
  int64_t dma = 0, memset = 0, transpose = 0, copy = 0, matmul = 0;
  int64_t dge_none = 0;  // of the DMAs: the input loads (dge_mode none); the rest are unknown
  int64_t total() const { return dma + memset + transpose + copy + matmul; }
  bool operator==(const Counts& o) const {
    return dma == o.dma && memset == o.memset && transpose == o.transpose && copy == o.copy && matmul == o.matmul &&
           dge_none == o.dge_none;
  }
};

std::ostream& operator<<(std::ostream& os, const Counts& c) {
  return os << "{dma " << c.dma << " (none " << c.dge_none << "), memset " << c.memset << ", transpose " << c.transpose
            << ", tensor_copy " << c.copy << ", matmul " << c.matmul << "}";
}

Counts count(const std::vector<isa::Instruction>& stream) {
  Counts c;
  for (const auto& in : stream) {
    switch (in.op) {
      case Opcode::DmaCopy:
        ++c.dma;
        if (in.dge == isa::DgeMode::None) ++c.dge_none;
        else EXPECT_EQ(in.dge, isa::DgeMode::Unknown);
        break;
      case Opcode::Memset: ++c.memset; break;
      case Opcode::Transpose: ++c.transpose; break;
      case Opcode::TensorCopy: ++c.copy; break;
      case Opcode::Matmul: ++c.matmul; break;
      default: ADD_FAILURE() << "unexpected opcode " << isa::opcode_name(in.op);
    }
  }
  return c;
}

DepthwiseConv1dParams shape(int64_t n, int64_t c, int64_t w, int64_t s, DType dt, int64_t stride = 1,
                            int64_t pad_l = 0, int64_t pad_r = 0) {
  DepthwiseConv1dParams p;
  p.batch = n, p.channels = c, p.width = w, p.kernel_size = s, p.dtype = dt;
  p.stride = stride, p.pad_left = pad_l, p.pad_right = pad_r;
  return p;
}

// Both cores of every case do the same work (C is even), so one count serves both.
void expect_counts(const DepthwiseConv1dParams& p, const Counts& want) {
  const isa::Program prog = kernels::build_depthwise_conv1d(p, isa::Limits{});
  isa::validate(prog, isa::Limits{});
  ASSERT_EQ(prog.cores.size(), 2u);
  for (size_t core = 0; core < 2; ++core) EXPECT_EQ(count(prog.cores[core]), want) << "core " << core;
}

TEST(KernelStream, DefaultShapeFp32PartialChannelTile) {
  // [1, 384, 1, 2051] S=4 fp32: shard 192 -> channel tiles 128 and 64 (partial); one S tile of
  // 4 rows; Q = 2048 -> 4 Q tiles; no padding, stride 1.
  // filter: 2 tiles x (dma, transpose, copy) + 2 memsets for the partial tile.
  // input: 192 channels x 1 dma.  Q tiles: 192 x 4 = 768 x (memset, matmul, copy, dma).
  Counts c;
  c.dma = 2 + 192 + 768, c.dge_none = 192, c.memset = 2 + 768, c.transpose = 2, c.copy = 2 + 768, c.matmul = 768;
  EXPECT_EQ(c.total(), 3272);  // nkilib's 6,544 for both cores
  expect_counts(shape(1, 384, 2051, 4, DType::F32), c);
}

TEST(KernelStream, BatchOfFourReloadsTheFilterPerBatchBf16) {
  // [4, 256, 1, 512] S=128 bf16: shard 128 = one full channel tile; one full S tile;
  // Q = 385, one Q tile. The filter tile once per batch: 4 x (dma, transpose, copy).
  // input: 4 x 128 dmas.  Q tiles: 512 x (memset, matmul, copy, dma).
  Counts c;
  c.dma = 4 + 512 + 512, c.dge_none = 512, c.memset = 512, c.transpose = 4, c.copy = 4 + 512, c.matmul = 512;
  EXPECT_EQ(c.total(), 2572);  // nkilib's 5,144
  expect_counts(shape(4, 256, 512, 128, DType::BF16), c);
}

TEST(KernelStream, TwoSTilesAndEightQTilesFp16) {
  // [1, 256, 1, 4096] S=256 fp16: shard 128; S tiles 2 x 128 (full); Q = 3841 -> 8 Q tiles.
  // filter: 2 x (dma, transpose, copy).  input: 128 channels x 2 S tiles = 256 dmas.
  // Q tiles: 128 x 8 = 1024 x (memset, copy, dma) and 2 matmuls each.
  Counts c;
  c.dma = 2 + 256 + 1024, c.dge_none = 256, c.memset = 1024, c.transpose = 2, c.copy = 2 + 1024, c.matmul = 2048;
  EXPECT_EQ(c.total(), 5382);  // nkilib's 10,764
  expect_counts(shape(1, 256, 4096, 256, DType::F16), c);
}

TEST(KernelStream, StrideTwoPaddedPerColumnLoadsInOutputSpaceBf16) {
  // [1, 256, 1, 512] S=64 stride 2, padding (5, 5), bf16: Q = (522 - 64) / 2 + 1 = 230.
  // The one S tile (64 rows) touches the left padding (0 < ceil(5 / 64) = 1). Column q holds
  // rows [max(0, 5 - 2q), min(64, 517 - 2q)): full for q in [3, 226] (224 columns, one
  // strided dma), partial for q = 0, 1, 2 (before) and 227, 228, 229 (after): 6 column dmas.
  // Per channel: memset + 7 dmas, no tensor_copy (padded tiles load straight into place).
  // filter: 1 x (dma, transpose, copy).  Q tiles: 128 x (memset, matmul, copy, dma).
  Counts c;
  c.dma = 1 + 128 * 7 + 128, c.dge_none = 128 * 7, c.memset = 128 + 128, c.transpose = 1, c.copy = 1 + 128;
  c.matmul = 128;
  EXPECT_EQ(c.total(), 1539);  // nkilib's 3,078
  expect_counts(shape(1, 256, 512, 64, DType::BF16, 2, 5, 5), c);
}

TEST(KernelStream, StrideFourUnpaddedBulkRowAndStridedCopyFp32) {
  // [1, 300, 1, 1200] S=150 stride 4, fp32: Q = 1050 / 4 + 1 = 263; shard 150 -> channel
  // tiles 128 and 22 (partial); S tiles 128 and 22 (partial); no padding.
  // filter: 2 channel tiles x 2 S tiles = 4 x (dma, transpose, copy); memsets: the first
  // channel tile's partial S tile (2) and both S tiles of the partial channel tile (4).
  // input per channel: S tile 0: bulk dma + strided copy; S tile 1: memset (22 < 128 rows),
  // bulk dma + strided copy. Q tiles: 150 x (memset, copy, dma) and 2 matmuls each.
  Counts c;
  c.dma = 4 + 150 * 2 + 150, c.dge_none = 300, c.memset = 6 + 150 + 150, c.transpose = 4;
  c.copy = 4 + 150 * 2 + 150, c.matmul = 300;
  EXPECT_EQ(c.total(), 1518);  // nkilib's 3,036
  expect_counts(shape(1, 300, 1200, 150, DType::F32, 4), c);
}

TEST(KernelStream, StrideSixteenPaddingTenBf16) {
  // [1, 32, 1, 5000] S=31 stride 16, padding (10, 10), bf16: Q = 4989 / 16 + 1 = 312; shard
  // 16 (one full channel tile); one S tile of 31 rows, touching the left padding. Column q:
  // rows [max(0, 10 - 16q), min(31, 5010 - 16q)): full for q in [1, 311], q = 0 partial.
  // Per channel: memset + 2 dmas. filter: 1 x (dma, transpose, copy), no memset.
  // Q tiles: 16 x (memset, matmul, copy, dma).
  Counts c;
  c.dma = 1 + 16 * 2 + 16, c.dge_none = 32, c.memset = 16 + 16, c.transpose = 1, c.copy = 1 + 16, c.matmul = 16;
  EXPECT_EQ(c.total(), 115);
  expect_counts(shape(1, 32, 5000, 31, DType::BF16, 16, 10, 10), c);
}

TEST(KernelStream, MixedInputAndFilterDtypesStrideThreeBatchTwo) {
  // [2, 10, 1, 129] S=3 stride 3, padding (1, 1), bf16 input with an fp16 filter: Q = 128 / 3
  // + 1 = 43; shard 5. The S tile touches the left padding; column q: rows [max(0, 1 - 3q),
  // min(3, 130 - 3q)): full for q in [1, 42], q = 0 partial. Per (batch, channel): memset +
  // 2 dmas. filter per batch: (dma, transpose, copy). Q tiles: 10 x (memset, matmul, copy, dma).
  auto p = shape(2, 10, 129, 3, DType::BF16, 3, 1, 1);
  p.filter_dtype = DType::F16;
  Counts c;
  c.dma = 2 + 10 * 2 + 10, c.dge_none = 20, c.memset = 10 + 10, c.transpose = 2, c.copy = 2 + 10, c.matmul = 10;
  EXPECT_EQ(c.total(), 76);
  expect_counts(p, c);
  // The filter stays fp16 from HBM through the transpose (in PSUM) to the stationary operand.
  const isa::Program prog = kernels::build_depthwise_conv1d(p, isa::Limits{});
  EXPECT_EQ(prog.find_tensor("filter")->dtype, DType::F16);
  EXPECT_EQ(prog.find_tensor("output")->dtype, DType::BF16);  // the input's
  for (const auto& in : prog.cores[0]) {
    if (in.op == Opcode::Transpose) {
      EXPECT_EQ(in.dst.dtype, DType::F16);
    }
    if (in.op == Opcode::Matmul) {
      EXPECT_EQ(in.src.dtype, DType::F16);    // stationary: the filter column
      EXPECT_EQ(in.src2.dtype, DType::BF16);  // moving: the input
    }
  }
}

TEST(KernelStream, UnevenPaddingPartialSTileBatchThreeFp16) {
  // [3, 6, 1, 700] S=200, padding (5, 2), fp16: Q = 707 - 200 + 1 = 508; shard 3; S tiles 128
  // and 72 (partial). Left test: ceil(5 / 128) = 1; right test: floor((705 - 508) / 128) = 1,
  // so both tiles touch the padding.
  // S tile 0 (rows [max(0, 5 - q), min(128, 705 - q))): full for q in [5, 507], 5 partial
  // columns before: memset + 6 dmas. S tile 1 (rows [0, min(72, 577 - q))): full for q in
  // [0, 505], q = 506 and 507 partial after: memset + 3 dmas. 9 (batch, channel) pairs.
  // filter per batch: 2 x (dma, transpose, copy), and the partial S tile's 2 memsets.
  // Q tiles: 9 x (memset, copy, dma) and 2 matmuls each.
  Counts c;
  c.dma = 3 * 2 + 9 * 9 + 9, c.dge_none = 81, c.memset = 3 * 2 + 9 * 2 + 9, c.transpose = 6, c.copy = 6 + 9;
  c.matmul = 18;
  EXPECT_EQ(c.total(), 168);
  expect_counts(shape(3, 6, 700, 200, DType::F16, 1, 5, 2), c);
}

// The whole stream of one core for a small padded, strided shape, instruction by instruction.
TEST(KernelStream, SmallPaddedStridedStreamInstructionByInstruction) {
  // [1, 2, 1, 8] S=3 stride 2, padding (1, 1), bf16: shard 1, Q = (10 - 3) / 2 + 1 = 4. The S
  // tile touches the left padding; column q: rows [max(0, 1 - 2q), min(3, 9 - 2q)): q = 0 has
  // rows [1, 3), q = 1..3 are full.
  const auto p = shape(1, 2, 8, 3, DType::BF16, 2, 1, 1);
  const isa::Program prog = kernels::build_depthwise_conv1d(p, isa::Limits{});
  const auto& s = prog.cores[1];
  ASSERT_EQ(s.size(), 10u);
  const Opcode want[] = {Opcode::DmaCopy, Opcode::Transpose, Opcode::TensorCopy, Opcode::Memset, Opcode::DmaCopy,
                         Opcode::DmaCopy, Opcode::Memset,    Opcode::Matmul,     Opcode::TensorCopy, Opcode::DmaCopy};
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i].op, want[i]) << i;
  const int64_t in_base = prog.find_tensor("input")->base;
  // Filter row of channel 1: element 1 * S = 3; dge_mode left to the compiler.
  EXPECT_EQ(s[0].src.offset, 3);
  EXPECT_EQ(s[0].dge, isa::DgeMode::Unknown);
  EXPECT_EQ(s[3].engine, isa::Engine::GpSimd);  // the input tile zeroed, [S_TILE, Q]
  EXPECT_EQ(s[3].dst.partition_count, 3);
  EXPECT_EQ(s[3].dst.free_elements(), 4);
  // Column 0: partitions 1..2 from input elements 0 and 1 of channel 1's row (element 8).
  EXPECT_EQ(s[4].dge, isa::DgeMode::None);
  EXPECT_EQ(s[4].dst.start_partition, 1);
  EXPECT_EQ(s[4].dst.partition_count, 2);
  EXPECT_EQ(s[4].dst.offset, 0);
  EXPECT_EQ(s[4].src.base, in_base);
  EXPECT_EQ(s[4].src.offset, 8);
  EXPECT_EQ(s[4].src.partition_step, 1);
  // Columns 1..3: one DMA, row k from element 8 + 2 * 1 - 1 + k, every 2nd element.
  EXPECT_EQ(s[5].dst.offset, 1);
  EXPECT_EQ(s[5].dst.partition_count, 3);
  EXPECT_EQ(s[5].dst.free_elements(), 3);
  EXPECT_EQ(s[5].src.offset, 9);
  EXPECT_EQ(s[5].src.dims[0].step, 2);
  EXPECT_EQ(s[5].dge, isa::DgeMode::None);
  EXPECT_EQ(s[6].dst.space, isa::Space::PSUM);  // the accumulator, [1, Q_TILE] fp32
  EXPECT_EQ(s[7].src.offset, 0);                // stationary: column 0 of the channel tile
  EXPECT_EQ(s[9].dst.offset, 4);                // output row of channel 1
  EXPECT_EQ(s[9].dge, isa::DgeMode::Unknown);
}

TEST(KernelVariants, FilterOnceLoadsEachChannelTilesFilterOnceForAllBatches) {
  // As BatchOfFourReloadsTheFilterPerBatchBf16, with the filter's 3 instructions once, not 4x.
  auto p = shape(4, 256, 512, 128, DType::BF16);
  p.variant = Conv1dVariant::FilterOnce;
  Counts c;
  c.dma = 1 + 512 + 512, c.dge_none = 512, c.memset = 512, c.transpose = 1, c.copy = 1 + 512, c.matmul = 512;
  expect_counts(p, c);
}

TEST(KernelVariants, QTiledLoadsTheInputPerQTile) {
  // The default shape: per channel tile (128, 64) the filter's dma, transpose, copy (no
  // memsets); per channel and Q tile (192 x 4): memset, input dma, matmul, copy, output dma.
  auto p = shape(1, 384, 2051, 4, DType::F32);
  p.variant = Conv1dVariant::QTiled;
  Counts c;
  c.dma = 2 + 768 + 768, c.dge_none = 768, c.memset = 768, c.transpose = 2, c.copy = 2 + 768, c.matmul = 768;
  EXPECT_EQ(c.total(), 3846);  // the project's stream before nkilib's
  expect_counts(p, c);
}

TEST(KernelVariants, VectorKernelFoldsSegmentsIntoPartitionsAndSharesTheTaps) {
  // depthwise_conv1d_vector, [1, 384, 1, 2051] S=4 fp32: 192 channels a core, Q = 2048. Its
  // estimate (DMA-bound: 3.2 MB a core at 16 x 23 B/ns plus 8 ns a descriptor) picks k = 8
  // segments of 256 columns: 1536 rows, 12 tiles of 16 channels x 8 segments (segment-minor,
  // so that a tile's outputs are one block of HBM), every input set resident (12). Per tile
  // one run: a weights DMA, a windows DMA [128, 259] and a store: 36 DMAs, the loads all on
  // queue 0 ahead of the stores, which take queues 1-12. The taps alternate two plans that
  // balance ACT, DVE and GpSimd: ACT 2 products (starting both accumulators), GpSimd a
  // multiply and an add, DVE one multiply-add, GpSimd the merge; then ACT 3 products, GpSimd
  // an add and the merge, DVE one multiply-add. Per core: 12 x 2.5 = 30 activations, 12
  // scalar_tensor_tensor, 6 tensor_scalar and 6 x 2 + 6 x 2 = 24 tensor_tensor.
  auto p = shape(1, 384, 2051, 4, DType::F32);
  p.variant = Conv1dVariant::Vector;
  const isa::Program prog = kernels::build_depthwise_conv1d(p, isa::Limits{});
  isa::validate(prog, isa::Limits{});
  EXPECT_EQ(prog.kernel, "depthwise_conv1d_vector");
  for (size_t core = 0; core < 2; ++core) {
    std::map<std::pair<Opcode, isa::Engine>, int> n;
    for (const auto& in : prog.cores[core]) n[{in.op, in.engine}] += 1;
    EXPECT_EQ((n[{Opcode::DmaCopy, isa::Engine::Dma}]), 36) << core;
    EXPECT_EQ((n[{Opcode::Activation, isa::Engine::Scalar}]), 30) << core;
    EXPECT_EQ((n[{Opcode::ScalarTensorTensor, isa::Engine::Vector}]), 12) << core;
    EXPECT_EQ((n[{Opcode::TensorScalar, isa::Engine::GpSimd}]), 6) << core;
    EXPECT_EQ((n[{Opcode::TensorTensor, isa::Engine::GpSimd}]), 24) << core;
    EXPECT_EQ(prog.cores[core].size(), 36u + 30 + 12 + 6 + 24) << core;
    bool stored = false;
    for (const auto& in : prog.cores[core]) {
      if (in.op != Opcode::DmaCopy) continue;
      const bool store = in.dst.space == isa::Space::HBM;
      EXPECT_EQ(store, in.queue != 0) << core;
      EXPECT_FALSE(!store && stored) << "a load after a store, core " << core;
      stored = stored || store;
    }
  }
  const kernels::Conv1dPlan plan = kernels::depthwise_conv1d_plan(p, isa::Limits{});
  EXPECT_EQ(plan.q_tile, 256);
  EXPECT_EQ(plan.q_tiles, 8);
  EXPECT_EQ(plan.c_tiles, 12);
  EXPECT_EQ(plan.input_buffers, 12);
}

TEST(KernelPlan, InputSetsShrinkToFitAndTooWideARowIsAClearError) {
  // [1, 4, 1, 5000] S=4093 fp32: Q = 908; 32 S tiles of [128, 908] fp32 = 32 x 3648 B =
  // 116,736 B a set. The other pools: 2 filter tiles of 128 fp32 (2 x 512 B), 32 x 2
  // transposed tiles of 2 channels (64 x 64 B, rounded up), 2 result rows of Q_TILE = 512
  // fp32 (2 x 2048 B): 9,216 B. One set fits in 212,984 B, two do not.
  const auto fits_one = shape(1, 4, 5000, 4093, DType::F32);
  const kernels::Conv1dPlan plan = kernels::depthwise_conv1d_plan(fits_one, isa::Limits{});
  EXPECT_EQ(plan.s_tiles, 32);
  EXPECT_EQ(plan.input_buffers, 1);
  EXPECT_EQ(plan.sbuf_bytes, 116736 + 9216);
  // [1, 2, 1, 60000] S=3 fp32: Q = 59998, one [3, Q] tile of 239,992 B (rounded to 240,000).
  auto too_wide = shape(1, 2, 60000, 3, DType::F32);
  try {
    kernels::build_depthwise_conv1d(too_wide, isa::Limits{});
    ADD_FAILURE() << "expected the SBUF error";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("(1 S tile(s) of [3, Q=59998] float32)"), std::string::npos) << m;
    EXPECT_NE(m.find("240000 bytes per partition"), std::string::npos) << m;
    EXPECT_NE(m.find("212984 bytes of an SBUF partition"), std::string::npos) << m;
  }
  too_wide.variant = Conv1dVariant::QTiled;  // loads per Q tile: fits
  EXPECT_EQ(kernels::depthwise_conv1d_plan(too_wide, isa::Limits{}).input_buffers, 2);
}

TEST(KernelPlan, Fp32WithA16BitFilterIsRejectedAsNcMatmulWould) {
  auto p = shape(1, 2, 16, 3, DType::F32);
  p.filter_dtype = DType::BF16;
  EXPECT_THROW(kernels::build_depthwise_conv1d(p, isa::Limits{}), std::invalid_argument);
}

}  // namespace
}  // namespace trn2::test

// depthwise_conv1d_vector: the same convolution without the PE. Each core's channels (C / lnc,
// LNC=2 as the implicit-GEMM kernel) times k segments of the output width make its rows,
// segment-major; 128 rows a tile fill the partitions (k is chosen so that the tiles waste the
// fewest lanes: 192 channels of 2,048 columns run as 384 rows of 1,024 in 3 tiles, not 2
// tiles of 2,048 with the second half empty). Per tile:
//   - per run of rows with one segment and consecutive channels, one DMA of the input columns
//     the segment reads ((L - 1) * stride + S, the halo included; the tile is zeroed first
//     where a run meets the padding) and one of the channels' weights [rows, S];
//   - tap 0 on ACT: the input view times each partition's weight (activation, per-partition
//     scale); every other tap s: acc += x[:, s :: stride] * w[:, s], either one DVE
//     scalar_tensor_tensor or a GpSimd tensor_scalar and tensor_tensor, the tile going to
//     whichever of the two engines the cost laws say frees first (the builder standing in for
//     the compiler); the last tap writes the output dtype;
//   - per run, one DMA of the valid output columns to HBM.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/conv1d_emitter.h"

namespace trn2::kernels::conv1d {

namespace {

using isa::Engine;
using isa::Space;

constexpr int64_t kMaxSegment = 2048;  // output columns a row computes at once (SBUF per row)
constexpr int64_t kTileOverhead = 256; // per tile, in column-equivalents: its instructions' fixed cost
constexpr int64_t kRunOverhead = 128;  // per run of rows: its three DMAs' fixed cost

class VectorEmitter : public Emitter {
 public:
  VectorEmitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) : Emitter(p, limits) {
    lanes = limits.partitions;
    // k segments of L columns: the fewest lane-columns (tiles x L), a tile's and a run's fixed
    // costs counted (a segment starts a run, and so does each tile), and four tiles' worth more
    // for the first load and the last store, which nothing overlaps (so that, of equal splits,
    // more and smaller tiles win).
    int64_t best = -1;
    for (int64_t k = (t.Q + kMaxSegment - 1) / kMaxSegment; k <= std::min<int64_t>(t.Q, 64); ++k) {
      const int64_t L = (t.Q + k - 1) / k, tiles = (t.shard * k + lanes - 1) / lanes;
      const int64_t cost = (tiles + 4) * L + tiles * kTileOverhead + (k + tiles) * kRunOverhead;
      if (best < 0 || cost < best) best = cost, segments = k, seg_len = L;
    }
    rows = t.shard * segments;
    x_cols = (seg_len - 1) * p.stride + t.S;
    // At least 4 sets: a tile loads while the three before it compute and store.
    const int bufs = std::max(p.buffers, 4);
    w_pool = sbuf_pool("weights", t.S * t.filter_size, bufs);
    x_pool = sbuf_pool("input", x_cols * t.in_size, bufs);
    acc_pool = sbuf_pool("accumulate", seg_len * 4, bufs);
    tmp_pool = sbuf_pool("product", seg_len * 4, bufs);
    out_pool = sbuf_pool("output", seg_len * t.in_size, bufs);
    plan_.c_tile = std::min(rows, lanes);
    plan_.c_tiles = (rows + lanes - 1) / lanes;
    plan_.q_tile = seg_len;
    plan_.q_tiles = segments;
    plan_.s_tile = t.S, plan_.s_tiles = 1;
    plan_.input_buffers = bufs;
  }

  void emit(int core) override {
    b.set_core(core);
    dve_free = pool_free = 0;
    for (int64_t n = 0; n < t.N; ++n)
      for (int64_t r0 = 0; r0 < rows; r0 += lanes) tile(core, n, r0, std::min(lanes, rows - r0));
  }

 private:
  // Rows [r0, r0 + count) as runs of one segment and consecutive channels.
  struct Run {
    int first_row, count;  // within the tile
    int64_t segment, channel;  // the first row's, channel within the core's
  };
  std::vector<Run> runs_of(int64_t r0, int64_t count) const {
    std::vector<Run> runs;
    for (int64_t r = r0; r < r0 + count;) {
      const int64_t g = r / t.shard, c = r % t.shard, n = std::min(r0 + count - r, t.shard - c);
      runs.push_back({int(r - r0), int(n), g, c});
      r += n;
    }
    return runs;
  }

  void tile(int core, int64_t n, int64_t r0, int64_t count) {
    const int P = int(count);
    const std::vector<Run> runs = runs_of(r0, count);
    const int64_t x = b.allocate(x_pool), w = b.allocate(w_pool);
    // Input columns [j0, j0 + x_cols) of each row's channel; outside [0, W) is padding.
    auto first_column = [&](int64_t g) { return g * seg_len * p.stride - p.pad_left; };
    bool padded = false;
    for (const Run& r : runs) padded |= first_column(r.segment) < 0 || first_column(r.segment) + x_cols > t.W;
    if (padded) b.memset(isa::tile(Space::SBUF, idt, x, 0, P, x_cols), 0.0f, Engine::GpSimd);
    for (const Run& r : runs) {
      const int64_t cg = core * t.shard + r.channel, j0 = first_column(r.segment);
      const int64_t lo = std::max<int64_t>(0, j0), hi = std::min(t.W, j0 + x_cols);
      if (hi > lo) {
        auto dst = isa::tile(Space::SBUF, idt, x, r.first_row, r.count, hi - lo);
        dst.offset = lo - j0;
        b.dma_copy(dst, hbm(in_base, idt, (n * t.C + cg) * t.W + lo, r.count, t.W, hi - lo), isa::DgeMode::None);
      }
      b.dma_copy(isa::tile(Space::SBUF, fdt, w, r.first_row, r.count, t.S), hbm(f_base, fdt, cg * t.S, r.count, t.S, t.S));
    }
    auto tap = [&](int64_t s) {
      auto v = isa::tile(Space::SBUF, idt, x, 0, P, seg_len);
      v.offset = s;
      v.dims[0].step = p.stride;
      return v;
    };
    auto weight = [&](int64_t s) {
      auto v = isa::tile(Space::SBUF, fdt, w, 0, P, 1);
      v.offset = s;
      return v;
    };
    const auto acc = isa::tile(Space::SBUF, isa::DType::F32, b.allocate(acc_pool), 0, P, seg_len);
    const auto out = isa::tile(Space::SBUF, idt, b.allocate(out_pool), 0, P, seg_len);
    isa::Instruction first;
    first.op = isa::Opcode::Activation;
    first.engine = Engine::Scalar;
    first.func = isa::ActFunc::Identity;
    first.dst = t.S == 1 ? out : acc;
    first.src = tap(0);
    first.operand0 = weight(0), first.operand0_tile = true;  // scale: each channel's weight
    b.add(first);
    if (t.S > 1) {
      // The other S - 1 taps on the engine the laws say frees first: DVE's fused
      // multiply-add takes 2L cycles at 0.96 GHz and, each tap waiting on the last, its ~156 ns
      // result latency; GpSimd's multiply and add L cycles each at 1.2 GHz (trn2's defaults:
      // the builder knows no hardware config, as a compiler targets one chip).
      // MIN_II (64 cycles) bounds each instruction from below.
      const double l = double(seg_len);
      const double dve_ns = double(t.S - 1) * (std::max(64.0, 2.0 * l) / 0.96 + 156.0);
      const double pool_ns = double(t.S - 1) * 2.0 * std::max(64.0, l) / 1.2;
      const bool on_dve = dve_free + dve_ns <= pool_free + pool_ns;
      (on_dve ? dve_free : pool_free) += on_dve ? dve_ns : pool_ns;
      const auto tmp = on_dve ? acc : isa::tile(Space::SBUF, isa::DType::F32, b.allocate(tmp_pool), 0, P, seg_len);
      for (int64_t s = 1; s < t.S; ++s) {
        const auto dst = s + 1 == t.S ? out : acc;
        if (on_dve) {
          isa::Instruction fma;
          fma.op = isa::Opcode::ScalarTensorTensor;
          fma.engine = Engine::Vector;
          fma.alu = isa::AluOp::Multiply, fma.alu1 = isa::AluOp::Add;
          fma.src = tap(s), fma.src2 = acc, fma.dst = dst;
          fma.operand0 = weight(s), fma.operand0_tile = true;
          b.add(fma);
          continue;
        }
        isa::Instruction mul;
        mul.op = isa::Opcode::TensorScalar;
        mul.engine = Engine::GpSimd;
        mul.alu = isa::AluOp::Multiply;
        mul.src = tap(s), mul.dst = tmp;
        mul.operand0 = weight(s), mul.operand0_tile = true;
        b.add(mul);
        isa::Instruction sum;
        sum.op = isa::Opcode::TensorTensor;
        sum.engine = Engine::GpSimd;
        sum.alu = isa::AluOp::Add;
        sum.src = tmp, sum.src2 = acc, sum.dst = dst;
        b.add(sum);
      }
    }
    for (const Run& r : runs) {
      const int64_t cg = core * t.shard + r.channel, q0 = r.segment * seg_len;
      const int64_t qn = std::min(seg_len, t.Q - q0);
      if (qn <= 0) continue;
      auto src = isa::tile(Space::SBUF, idt, out.base, r.first_row, r.count, qn);
      b.dma_copy(hbm(out_base, idt, (n * t.C + cg) * t.Q + q0, r.count, t.Q, qn), src);
    }
  }

  int64_t lanes, segments = 1, seg_len = 1, rows = 0, x_cols = 0;
  double dve_free = 0, pool_free = 0;  // estimated busy time of each engine so far (ns)
  int w_pool, x_pool, acc_pool, tmp_pool, out_pool;
};

}  // namespace

std::unique_ptr<Emitter> make_vector_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  return std::make_unique<VectorEmitter>(p, limits);
}

}  // namespace trn2::kernels::conv1d

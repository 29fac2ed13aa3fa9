// The q_tiled variant: each channel tile's filter is loaded, transposed and copied once for
// all batches, and the input is loaded per Q tile, [S_TILE, (Q_TILE - 1) * stride + 1] in
// input-column space (padding edges per column), with a strided GpSimd copy when stride > 1.
// SBUF then holds one Q tile of input per buffer, so any row length fits, at the cost of
// smaller DMA rows than nkilib's whole-row loads. (The project's first version of the kernel,
// written from the API reference.)
#include <algorithm>
#include <vector>

#include "kernels/conv1d_emitter.h"

namespace trn2::kernels::conv1d {

namespace {

using isa::Space;

class QTiledEmitter : public Emitter {
 public:
  QTiledEmitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) : Emitter(p, limits) {
    const int64_t j_max = (t.q_tile - 1) * p.stride + 1;  // input columns one Q tile reads
    const int bufs = p.buffers;
    filt_pool = sbuf_pool("filter", t.s_tile * t.filter_size, bufs);
    // Every S tile of the transposed filter stays resident while its channel tile runs.
    filt_t_pool = sbuf_pool("filter_t", t.c_tile * t.filter_size, int(t.s_tiles) * 2);
    x_pool = sbuf_pool("input", j_max * t.in_size, bufs);
    xs_pool = p.stride > 1 ? sbuf_pool("input_strided", t.q_tile * t.in_size, bufs) : -1;
    out_pool = sbuf_pool("output", t.q_tile * t.in_size, bufs);
    tr_pool = b.psum_pool("transpose", 2);
    acc_pool = b.psum_pool("accumulate", std::min(bufs, 6));
    plan_.input_buffers = bufs;
  }

  void emit(int core) override {
    b.set_core(core);
    copy_turn = 0;
    for (int64_t c0 = 0; c0 < t.shard; c0 += t.c_tile) {
      const int64_t c_rows = std::min(t.c_tile, t.shard - c0);
      // Filter preload: [c_rows, s_rows] -> PE transpose -> [s_rows, c_rows] in SBUF.
      std::vector<int64_t> filt_t(size_t(t.s_tiles));
      load_filter(core, c0, filt_t, false);
      for (int64_t n = 0; n < t.N; ++n)
        for (int64_t ci = 0; ci < c_rows; ++ci) channel(n, core * t.shard + c0 + ci, ci, filt_t);
    }
  }

 private:
  // Channel cg of batch n, column ci of the transposed filter tiles: per Q tile, one matmul
  // per S tile into a PSUM accumulator, then the result out.
  void channel(int64_t n, int64_t cg, int64_t ci, const std::vector<int64_t>& filt_t) {
    const int64_t row = (n * t.C + cg) * t.W;  // element offset of this channel's input row
    for (int64_t q0 = 0; q0 < t.Q; q0 += t.q_tile) {
      const int64_t qn = std::min(t.q_tile, t.Q - q0);
      const auto acc = isa::tile(Space::PSUM, isa::DType::F32, b.allocate(acc_pool), 0, 1, qn);
      b.memset(acc, 0.0f, isa::Engine::Vector);
      for (int64_t st = 0; st < t.s_tiles; ++st) {
        const int64_t s_rows = std::min(t.s_tile, t.S - st * t.s_tile);
        auto stationary = isa::tile(Space::SBUF, fdt, filt_t[size_t(st)], 0, int(s_rows), 1);
        stationary.offset = ci;
        b.matmul(acc, stationary, load_input(row, q0, qn, st * t.s_tile, s_rows), true);
      }
      store_result(acc, out_pool, (n * t.C + cg) * t.Q + q0, qn);
    }
  }

  // The [s_rows, qn] moving tile of S tile s0 and Q tile q0: x[k, j] = input[row + s0 + k +
  // q0*stride + j - pad_left], partition k starting one element after partition k-1 (the
  // implicit im2col), zero where that falls in the padding; every stride-th column picked
  // on GpSimd when stride > 1.
  isa::AccessPattern load_input(int64_t row, int64_t q0, int64_t qn, int64_t s0, int64_t s_rows) {
    const int64_t W = t.W, J = (qn - 1) * p.stride + 1;
    const int64_t x = b.allocate(x_pool);
    const int64_t j0 = q0 * p.stride + s0 - p.pad_left;  // input index of x[0, 0]
    const int64_t j_lo = std::clamp<int64_t>(-j0, 0, J);
    const int64_t j_hi = std::clamp<int64_t>(W - j0 - s_rows + 1, j_lo, J);
    if (j_lo > 0 || j_hi < J) b.memset(isa::tile(Space::SBUF, idt, x, 0, int(s_rows), J), 0.0f, isa::Engine::GpSimd);
    if (j_hi > j_lo) {
      auto dst = isa::tile(Space::SBUF, idt, x, 0, int(s_rows), j_hi - j_lo);
      dst.offset = j_lo;
      b.dma_copy(dst, hbm(in_base, idt, row + j0 + j_lo, s_rows, 1, j_hi - j_lo), isa::DgeMode::None);
    }
    // Columns touching the padding: load the partitions whose element is inside.
    for (int64_t j = 0; j < J; ++j) {
      if (j >= j_lo && j < j_hi) continue;
      const int64_t k_lo = std::max<int64_t>(0, -(j0 + j));
      const int64_t k_hi = std::min<int64_t>(s_rows, W - (j0 + j));
      if (k_hi <= k_lo) continue;
      auto dst = isa::tile(Space::SBUF, idt, x, int(k_lo), int(k_hi - k_lo), 1);
      dst.offset = j;
      b.dma_copy(dst, hbm(in_base, idt, row + j0 + j + k_lo, k_hi - k_lo, 1, 1), isa::DgeMode::None);
    }
    auto moving = isa::tile(Space::SBUF, idt, x, 0, int(s_rows), qn);
    if (p.stride == 1) return moving;
    auto picked = moving;
    picked.dims[0].step = p.stride;
    moving.base = b.allocate(xs_pool);
    b.tensor_copy(moving, picked, isa::Engine::GpSimd);
    return moving;
  }

  int x_pool, xs_pool, out_pool, acc_pool;
};

}  // namespace

std::unique_ptr<Emitter> make_q_tiled_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  return std::make_unique<QTiledEmitter>(p, limits);
}

}  // namespace trn2::kernels::conv1d

// The nkilib and filter_once variants: the instruction stream of nki-library's
// depthwise_conv1d_implicit_gemm (src/nkilib_src/nkilib/experimental/conv/depthwise_conv1d.py,
// tag 2.29), reimplemented from its loop structure:
//
//   for batch, for channel tile (of this core's C / lnc channels):
//     for each S tile: [memset if partial] filter DMA [C_TILE, S_TILE] -> nc_transpose into
//       PSUM (filter dtype) -> [memset if partial] tensor_copy to SBUF [S_TILE, C_TILE]
//     for each channel:
//       for each S tile: the input [S_TILE, Q] over the whole output width, row k starting one
//         element after row k-1 (the implicit im2col), dge_mode none:
//         - a tile touching the padding: memset, then per-column DMAs for the columns before
//           the full ones, one strided DMA for the full columns, per-column DMAs after;
//         - otherwise: [memset if partial] one DMA (stride 1), or a contiguous bulk DMA and a
//           strided tensor_copy of every stride-th column (stride > 1);
//       for each Q tile: memset the [1, Q_TILE] PSUM accumulator, one nc_matmul per S tile,
//         tensor_copy to SBUF in the output dtype, DMA to HBM.
//
// filter_once swaps the batch and channel-tile loops, so that each channel tile's filter is
// loaded, transposed and copied once for all batches instead of once per batch.
//
// nkilib leaves the engines of tensor_copy and memset to the compiler; the choices here (the
// PSUM->SBUF copies of results alternating between ACT and DVE, the filter's on DVE, SBUF
// memsets and the strided copy on GpSimd, PSUM memsets on DVE) are documented in
// docs/depthwise-variants.md.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/conv1d_emitter.h"

namespace trn2::kernels::conv1d {

namespace {

using isa::Engine;
using isa::Space;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// One column load of a tile that touches the padding: partitions [lo, hi) of column q.
struct Column {
  int64_t q, lo, hi;
};

// How one S tile of a channel's input is loaded; the same for every channel and batch.
struct InputTile {
  int64_t s0 = 0, rows = 0;
  bool padded = false;  // nkilib's "affected by padding" test
  bool memset = false;  // the whole [S_TILE, Q] tile zeroed first
  // Padded tiles: the full columns [full_lo, full_hi) in one strided DMA (none if empty), and
  // the others' loads, those before full_lo first.
  int64_t full_lo = 0, full_hi = 0;
  std::vector<Column> before, after;
};

class NkilibEmitter : public Emitter {
 public:
  NkilibEmitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) : Emitter(p, limits) {
    plan_inputs();
    const int bufs = p.buffers;
    bulk_cols = (t.Q - 1) * p.stride + 1;
    const bool any_bulk = p.stride > 1 && std::any_of(tiles.begin(), tiles.end(), [](const InputTile& x) { return !x.padded; });
    // Every pool but the input tiles': [C_TILE, S_TILE] filter tiles, the transposed filter
    // (every S tile resident while its channel tile runs, and the next channel tile's loading),
    // the stride > 1 bulk row, the result row.
    const int64_t filter_bytes = ProgramBuilder::sbuf_buffer_bytes(t.s_tile * t.filter_size) * bufs;
    const int64_t filter_t_bytes = ProgramBuilder::sbuf_buffer_bytes(t.c_tile * t.filter_size) * t.s_tiles * 2;
    const int64_t bulk_bytes = any_bulk ? ProgramBuilder::sbuf_buffer_bytes(bulk_cols * t.in_size) * bufs : 0;
    const int64_t out_bytes = ProgramBuilder::sbuf_buffer_bytes(t.q_tile * t.in_size) * bufs;
    // nkilib keeps every S tile of a channel's input, each [S_TILE, Q], live across the Q
    // loop: as many rotating sets of them as fit, up to `buffers`, and at least one.
    const int64_t set_bytes = ProgramBuilder::sbuf_buffer_bytes(t.Q * t.in_size) * t.s_tiles;
    const int64_t others = filter_bytes + filter_t_bytes + bulk_bytes + out_bytes;
    const int64_t room = limits.sbuf_partition_bytes - others;
    const int64_t sets = std::min<int64_t>(bufs, room > 0 ? room / set_bytes : 0);
    if (sets < 1)
      throw std::invalid_argument(
          "nkilib's depthwise conv1d keeps a channel's whole input live across the Q loop (" +
          std::to_string(t.s_tiles) + " S tile(s) of [" + std::to_string(t.s_tile) + ", Q=" + std::to_string(t.Q) + "] " +
          isa::dtype_name(idt) + "): " + std::to_string(set_bytes) + " bytes per partition, plus " +
          std::to_string(others) + " for its other buffers, exceed the " + std::to_string(limits.sbuf_partition_bytes) +
          " bytes of an SBUF partition (the q_tiled variant fits any width)");
    filt_pool = sbuf_pool("filter", t.s_tile * t.filter_size, bufs);
    filt_t_pool = sbuf_pool("filter_t", t.c_tile * t.filter_size, int(t.s_tiles) * 2);
    x_pool = sbuf_pool("input", t.Q * t.in_size, int(t.s_tiles * sets));
    bulk_pool = any_bulk ? sbuf_pool("input_bulk", bulk_cols * t.in_size, bufs) : -1;
    out_pool = sbuf_pool("output", t.q_tile * t.in_size, bufs);
    tr_pool = b.psum_pool("transpose", 2);
    acc_pool = b.psum_pool("accumulate", std::min(bufs, 6));
    plan_.input_buffers = int(sets);
  }

  void emit(int core) override {
    b.set_core(core);
    copy_turn = 0;
    std::vector<int64_t> filt_t(t.s_tiles);
    if (p.variant == Conv1dVariant::FilterOnce) {
      for (int64_t c0 = 0; c0 < t.shard; c0 += t.c_tile) {
        load_filter(core, c0, filt_t, true);
        for (int64_t n = 0; n < t.N; ++n) channels(core, n, c0, filt_t);
      }
      return;
    }
    for (int64_t n = 0; n < t.N; ++n)
      for (int64_t c0 = 0; c0 < t.shard; c0 += t.c_tile) {
        load_filter(core, c0, filt_t, true);
        channels(core, n, c0, filt_t);
      }
  }

 private:
  // nkilib's padding split of each S tile. Its tests: a tile is clear of the left padding
  // from S tile ceil(pad_l / S_TILE) on, and of the right padding before S tile
  // floor((pad_l + W - Q * stride) / S_TILE) (Python's floor division: the numerator may be
  // negative); each test applies only when that side has padding.
  void plan_inputs() {
    const int64_t W = t.W, Q = t.Q, stride = p.stride, pad_l = p.pad_left;
    const int64_t first_clear = pad_l > 0 ? (pad_l + t.s_tile - 1) / t.s_tile : 0;
    const int64_t end_clear = p.pad_right > 0 ? floor_div(pad_l + W - Q * stride, t.s_tile) : t.s_tiles;
    tiles.resize(size_t(t.s_tiles));
    for (int64_t st = 0; st < t.s_tiles; ++st) {
      InputTile& x = tiles[size_t(st)];
      x.s0 = st * t.s_tile;
      x.rows = std::min(t.s_tile, t.S - x.s0);
      x.padded = st < first_clear || st >= end_clear;
      x.memset = x.padded || x.rows < t.s_tile;
      if (!x.padded) continue;
      // Column q holds input elements s0 + k + q * stride - pad_l for rows k: those inside
      // the row are rows [lo, hi). The full columns (lo = 0, hi = rows) are contiguous.
      bool any_full = false;
      std::vector<Column> partial;
      for (int64_t q = 0; q < Q; ++q) {
        const int64_t pos = q * stride;
        const int64_t lo = std::max<int64_t>(0, pad_l - x.s0 - pos);
        const int64_t hi = std::min<int64_t>(x.rows, W + pad_l - x.s0 - pos);
        if (lo == 0 && hi == x.rows) {
          if (!any_full) x.full_lo = q;
          any_full = true;
          x.full_hi = q + 1;
        } else if (lo < hi) {
          (any_full ? x.after : x.before).push_back({q, lo, hi});
        }
      }
    }
  }

  void channels(int core, int64_t n, int64_t c0, const std::vector<int64_t>& filt_t) {
    const int64_t c_rows = std::min(t.c_tile, t.shard - c0);
    std::vector<int64_t> x(t.s_tiles);
    for (int64_t ci = 0; ci < c_rows; ++ci) {
      const int64_t cg = core * t.shard + c0 + ci;
      const int64_t row = (n * t.C + cg) * t.W;  // element offset of this channel's input row
      for (int64_t st = 0; st < t.s_tiles; ++st) x[size_t(st)] = load_input(tiles[size_t(st)], row);
      for (int64_t q0 = 0; q0 < t.Q; q0 += t.q_tile) {
        const int64_t qn = std::min(t.q_tile, t.Q - q0);
        const int64_t acc = b.allocate(acc_pool);
        b.memset(isa::tile(Space::PSUM, isa::DType::F32, acc, 0, 1, t.q_tile), 0.0f, Engine::Vector);
        const auto result = isa::tile(Space::PSUM, isa::DType::F32, acc, 0, 1, qn);
        for (int64_t st = 0; st < t.s_tiles; ++st) {
          const int rows = int(tiles[size_t(st)].rows);
          auto stationary = isa::tile(Space::SBUF, fdt, filt_t[size_t(st)], 0, rows, 1);
          stationary.offset = ci;
          auto moving = isa::tile(Space::SBUF, idt, x[size_t(st)], 0, rows, qn);
          moving.offset = q0;
          b.matmul(result, stationary, moving, true);
        }
        store_result(result, out_pool, (n * t.C + cg) * t.Q + q0, qn);
      }
    }
  }

  // One S tile of a channel's input, [S_TILE, Q]; returns its SBUF buffer.
  int64_t load_input(const InputTile& x, int64_t row) {
    const int64_t stride = p.stride, base = row + x.s0 - p.pad_left;  // element of row 0, column 0
    const int64_t buf = b.allocate(x_pool);
    if (x.memset) b.memset(isa::tile(Space::SBUF, idt, buf, 0, int(t.s_tile), t.Q), 0.0f, Engine::GpSimd);
    if (x.padded) {
      auto column = [&](const Column& c) {
        auto dst = isa::tile(Space::SBUF, idt, buf, int(c.lo), int(c.hi - c.lo), 1);
        dst.offset = c.q;
        b.dma_copy(dst, hbm(in_base, idt, base + c.lo + c.q * stride, c.hi - c.lo, 1, 1), isa::DgeMode::None);
      };
      for (const Column& c : x.before) column(c);
      if (x.full_hi > x.full_lo) {
        auto dst = isa::tile(Space::SBUF, idt, buf, 0, int(x.rows), x.full_hi - x.full_lo);
        dst.offset = x.full_lo;
        b.dma_copy(dst, hbm(in_base, idt, base + x.full_lo * stride, x.rows, 1, x.full_hi - x.full_lo, stride),
                   isa::DgeMode::None);
      }
      for (const Column& c : x.after) column(c);
      return buf;
    }
    const auto tile = isa::tile(Space::SBUF, idt, buf, 0, int(x.rows), t.Q);
    if (stride == 1) {
      b.dma_copy(tile, hbm(in_base, idt, base, x.rows, 1, t.Q), isa::DgeMode::None);
      return buf;
    }
    // A contiguous row per partition, then every stride-th column of it.
    const int64_t bulk = b.allocate(bulk_pool);
    const auto bulk_tile = isa::tile(Space::SBUF, idt, bulk, 0, int(x.rows), bulk_cols);
    b.dma_copy(bulk_tile, hbm(in_base, idt, base, x.rows, 1, bulk_cols), isa::DgeMode::None);
    auto picked = isa::tile(Space::SBUF, idt, bulk, 0, int(x.rows), t.Q);
    picked.dims[0].step = stride;
    b.tensor_copy(tile, picked, Engine::GpSimd);
    return buf;
  }

  std::vector<InputTile> tiles;
  int64_t bulk_cols = 0;
  int x_pool, bulk_pool, out_pool, acc_pool;
};

}  // namespace

std::unique_ptr<Emitter> make_nkilib_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  return std::make_unique<NkilibEmitter>(p, limits);
}

}  // namespace trn2::kernels::conv1d

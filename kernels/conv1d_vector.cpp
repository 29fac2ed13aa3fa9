// depthwise_conv1d_vector: the same convolution without the PE, scheduled for the DMA engines.
//
// Rows. A core's items are its (batch, channel) pairs (C / lnc channels, LNC=2 as the
// implicit-GEMM kernel), each cut into k segments of L = ceil(Q / k) output columns. Rows are
// segment-minor (row = item * k + segment) and a tile is up to 128 consecutive rows (whole
// items when k <= 128). So when k L = Q the outputs of a run of items (consecutive channels of
// one batch) are one contiguous block of HBM: one store whose rows follow each other (32 KiB
// descriptors), and no two stores overlap, which matters because the builder orders HBM writes
// by their byte extents (a store of columns [a, b) of 128 channels would be chained after every
// other store of those channels). k minimises an estimate of the run (estimate());
// [1, 384, 1, 2051] S=4 fp32 runs as 12 tiles per core of 16 channels x 8 segments of 256 columns.
//
// Per tile:
//   - per run of items, the weights [rows, S] (each item's repeated over its segments by a
//     step-0 dimension) and the input windows [rows, (L - 1) * stride + S], halo included, one
//     DMA each. Windows that meet the padding (or run past the row) are loaded clipped, one
//     DMA per item and edge segment, after a memset of the clipped columns;
//   - the taps, shared by ACT, DVE and GpSimd by their cost laws (TapPlanner): ACT makes
//     products (activation with a per-partition scale), DVE multiply-adds into one fp32
//     accumulator (scalar_tensor_tensor) or adds ACT's products to it, GpSimd does the same
//     for a second one (tensor_scalar, tensor_tensor); one add merges the two and writes the
//     output dtype. [128, 256] at S=4 alternates ACT 2 / DVE 2 / GpSimd 3 passes with 3 / 2 / 2;
//   - one store per run (per item when k L > Q: the last segment is shorter).
//
// Schedule. The loads go on DMA queue 0 in tile order, as many tiles ahead as SBUF holds input
// sets (at the default shape all of them, so the DMA engines stream from the start and never
// wait for the taps); smaller ones (fewer rows than DMA engines) go to the other queues in
// turn, so that they spread over the engines. Stores go to queues 1-15 in turn, so that a
// store waiting for its taps never holds a load back. Both cores post their n-th load at the
// same turn, so the arbiter interleaves them and the HBM stack serves both cores evenly.
// When the estimate says the taps bound the run, a tile's merge and store are emitted after
// the next tile's taps (the merging engine would otherwise wait, in order, for the other's
// last tap; 10-15% of the run at S = 128-256), except before the last tile; when the DMA
// engines bound it, each store goes out as soon as its tile is done.
// At the default shape the run is then bound by the DMA engines: 9.75 us of each engine's
// time (8.67 us of bytes at 23 B/ns, 0.48 us of 60 descriptors, the 0.6 us first-descriptor
// warm-up) after the first transfer's 0.8 us fixed latency, 0.07 us idle: 10.61 us, 1.22x
// the HBM roofline.
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/conv1d_emitter.h"

namespace trn2::kernels::conv1d {

namespace {

using isa::Engine;
using isa::Space;

// Trn2's defaults, as the builder sees them (it knows no hardware config, as a compiler
// targets one chip): docs/timing-model.md.
constexpr double kActGhz = 1.2, kPoolGhz = 1.2, kDveGhz = 0.96;
constexpr double kMinCycles = 64;      // MIN_II
constexpr double kDveLatencyNs = 156;  // a DVE result, for the DVE instruction that reads it next
constexpr double kDmaEngines = 16, kDmaEngineBytesPerNs = 23, kDescriptorNs = 8;
constexpr double kDmaFixedNs = 800, kDmaWarmupNs = 600, kDmaCompletionNs = 430;
constexpr int64_t kStridedDescriptorBytes = 4096, kContiguousDescriptorBytes = 32768;
constexpr int kLoadQueue = 0;

double act_ns(int64_t n) { return std::max(kMinCycles, double(n)) / kActGhz; }
double pool_ns(int64_t n) { return std::max(kMinCycles, double(n)) / kPoolGhz; }
double dve_ns(int64_t n) { return std::max(kMinCycles, double(n)) / kDveGhz; }

// k segments per item, L columns each, and what follows from them.
struct Segmentation {
  int64_t k = 1, L = 1;
  int64_t tile_rows = 1;  // rows per tile: whole items when k <= 128 (no lane idle for k a power of 2)
  int64_t tiles = 1;      // per core
  int64_t x_cols = 1;     // input columns a row reads: (L - 1) * stride + S
  bool exact = true;      // k L = Q: a run's outputs are one block of HBM
  bool clipped = false;   // some window meets the padding or runs past the row
  bool taps_bound = false;  // the estimate: the taps, not the DMA engines, bound the run
};

// How a tile's S taps are shared. Each tap's product x[:, s :: stride] * w[:, s] goes into
// one of two fp32 accumulators, A summed by DVE or B summed by GpSimd, and is made by ACT or by
// the accumulating engine itself.
enum class Way : uint8_t {
  ActToDve,   // ACT's product, added by DVE into A (or starting A)
  ActToPool,  // ACT's product, added by GpSimd into B (or starting B)
  Dve,        // DVE: A = x * w + A (scalar_tensor_tensor), or A = x * w to start it
  Pool,       // GpSimd: B = x * w + B (tensor_scalar, tensor_tensor), or B = x * w to start it
};
constexpr size_t kWays = 4;
bool to_a(Way w) { return w == Way::ActToDve || w == Way::Dve; }

// A tile's taps in the order they are emitted (taps are interchangeable: tap s is the s-th
// of this list). ACT's products come first, the first for each accumulator starting it, so
// that DVE and GpSimd start on the tile as soon as ACT's first products land; each of them
// then adds ACT's other products for it, in the order ACT makes them, and last makes its own
// (DVE's multiply-adds, GpSimd's multiplies and adds). When both accumulators are used one
// add, out = A + B, merges them; else the last op of the one used writes the output.
struct TapPlan {
  std::vector<Way> way;
  std::vector<bool> starts;  // the tap's op writes its accumulator first (nothing to add to)
  bool merge_on_dve = false;

  explicit TapPlan(const std::array<int64_t, kWays>& taps) {
    const int64_t ad = taps[0], ap = taps[1], d = taps[2], p = taps[3];
    add(Way::ActToDve, std::min<int64_t>(ad, 1), true);
    add(Way::ActToPool, std::min<int64_t>(ap, 1), true);
    add(Way::ActToPool, ap - std::min<int64_t>(ap, 1), false);
    add(Way::ActToDve, ad - std::min<int64_t>(ad, 1), false);
    add(Way::Pool, p, ap == 0);
    add(Way::Dve, d, ad == 0);
  }
  bool uses(bool a) const {
    return std::any_of(way.begin(), way.end(), [a](Way w) { return to_a(w) == a; });
  }
  bool merges() const { return uses(true) && uses(false); }
  // The last tap of A (a) or B: the one that writes the output when nothing merges.
  int64_t last(bool a) const {
    for (int64_t s = int64_t(way.size()) - 1; s >= 0; --s)
      if (to_a(way[size_t(s)]) == a) return s;
    return -1;
  }

 private:
  void add(Way w, int64_t n, bool first_starts) {
    for (int64_t i = 0; i < n; ++i) {
      way.push_back(w);
      starts.push_back(first_starts && i == 0);
    }
  }
};

// The builder standing in for the compiler: it balances the engines' estimated busy time,
// kept across the kernel's tiles, by the cost laws. A tile's plan is how many taps go each
// way and where the merge goes; of the plans, the one whose busy times, busiest first, are
// least (then the one leaving ACT least busy: ACT feeds the other two, so it should run
// ahead). The taps are handed out one by one that way, then up to two taps per way are moved
// while that improves the tile: the taps of a tile interact (each accumulator's first needs
// no add; every DVE instruction after the first of a tile waits for its predecessor's result).
class TapPlanner {
 public:
  TapPlan plan(int64_t S, int64_t L) {
    costs_ = Costs{act_ns(L), pool_ns(L), dve_ns(L), dve_ns(2 * L)};
    Counts best;
    for (int64_t s = 0; s < S; ++s) {
      Counts next = best;
      ++next.taps[0];
      for (size_t w = 1; w < kWays; ++w) {
        Counts c = best;
        ++c.taps[w];
        if (better(busy_after(c), busy_after(next))) next = c;
      }
      best = next;
    }
    for (bool moved = true; moved;) {
      moved = false;
      const Counts from = best;
      std::array<int64_t, kWays> delta{};
      for (delta[0] = -2; delta[0] <= 2; ++delta[0])
        for (delta[1] = -2; delta[1] <= 2; ++delta[1])
          for (delta[2] = -2; delta[2] <= 2; ++delta[2]) {
            delta[3] = -(delta[0] + delta[1] + delta[2]);
            Counts c = from;
            bool valid = true;
            for (size_t w = 0; w < kWays; ++w) valid = valid && (c.taps[w] += delta[w]) >= 0;
            for (bool dve : {false, true}) {
              c.merge_on_dve = dve;
              if (valid && better(busy_after(c), busy_after(best))) best = c, moved = true;
            }
          }
    }
    busy_ = busy_after(best);
    TapPlan tp(best.taps);
    tp.merge_on_dve = best.merge_on_dve;
    return tp;
  }
  // Work the kernel puts on GpSimd outside the taps (memsets).
  void add_pool(double ns) { busy_[2] += ns; }

 private:
  using Busy = std::array<double, 3>;  // ACT, DVE, GpSimd
  struct Costs {
    double act, pool, dve1, dve2;  // one pass on ACT, GpSimd, DVE; DVE's two-pass multiply-add
  };
  struct Counts {
    std::array<int64_t, kWays> taps{};  // per Way
    bool merge_on_dve = false;
  };

  // The engines' busy time after a tile planned as `c` (in TapPlan's order).
  Busy busy_after(const Counts& c) const {
    const int64_t ad = c.taps[0], ap = c.taps[1], d = c.taps[2], p = c.taps[3];
    const bool merge = ad + d > 0 && ap + p > 0;
    const bool merge_dve = merge && c.merge_on_dve;
    double dve = double(std::max<int64_t>(0, ad - 1)) * costs_.dve1 + double(d) * costs_.dve2;
    if (ad == 0 && d > 0) dve -= costs_.dve2 - costs_.dve1;  // A starts with a plain multiply
    const int64_t dve_ops = std::max<int64_t>(0, ad - 1) + d + (merge_dve ? 1 : 0);
    dve += double(std::max<int64_t>(0, dve_ops - 1)) * kDveLatencyNs + (merge_dve ? costs_.dve1 : 0.0);
    double pool = double(std::max<int64_t>(0, ap - 1)) * costs_.pool + double(p) * 2 * costs_.pool;
    if (ap == 0 && p > 0) pool -= costs_.pool;  // B starts with a plain multiply
    if (merge && !merge_dve) pool += costs_.pool;
    return {busy_[0] + double(ad + ap) * costs_.act, busy_[1] + dve, busy_[2] + pool};
  }
  static bool better(const Busy& x, const Busy& y) {
    Busy sx = x, sy = y;
    std::sort(sx.begin(), sx.end());
    std::sort(sy.begin(), sy.end());
    for (int e = 2; e >= 0; --e)
      if (std::abs(sx[size_t(e)] - sy[size_t(e)]) > 1e-6) return sx[size_t(e)] < sy[size_t(e)];
    return x[0] < y[0] - 1e-6;
  }

  Costs costs_{};
  Busy busy_{0, 0, 0};
};

class VectorEmitter : public Emitter {
 public:
  VectorEmitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) : Emitter(p, limits) {
    lanes = limits.partitions;
    items = t.N * t.shard;
    sbuf_limit = limits.sbuf_partition_bytes;
    other_queues = limits.dma_queues - 1;
    seg = choose_segmentation();
    declare_pools();
    plan_.c_tile = seg.tile_rows, plan_.c_tiles = seg.tiles;
    plan_.q_tile = seg.L, plan_.q_tiles = seg.k;
    plan_.s_tile = t.S, plan_.s_tiles = 1;
  }

  void emit(int core) override {
    b.set_core(core);
    planner = TapPlanner();
    store_turn = small_turn = 0;
    // Loads run `in_sets` tiles ahead: a set is reloaded after its tile's taps (the builder
    // orders the reload after them).
    std::vector<Inputs> inputs(size_t(seg.tiles));
    for (int64_t i = 0; i < std::min(in_sets, seg.tiles); ++i) inputs[size_t(i)] = load(core, i);
    // A tile's merge and store follow the next tile's taps when the taps bound the run, but
    // not the last tile's taps: nothing after those would overlap them.
    std::optional<Pending> last;
    for (int64_t i = 0; i < seg.tiles; ++i) {
      if (last && (!seg.taps_bound || i + 1 == seg.tiles)) finish(core, *last), last.reset();
      const Pending now = taps(i, inputs[size_t(i)]);
      if (last) finish(core, *last);
      last = now;
      if (i + in_sets < seg.tiles) inputs[size_t(i + in_sets)] = load(core, i + in_sets);
    }
    finish(core, *last);
  }

 private:
  // Rows of a tile that one set of DMAs moves: `items` consecutive items of one batch, all
  // their segments, or segments [g0, g0 + segs) of a single item.
  struct Run {
    int first_row;  // within the tile
    int64_t n, c;   // the first item's batch and channel (within the core's shard)
    int64_t items, g0, segs;
    int rows() const { return int(items * segs); }
    Run item(int64_t i) const { return Run{int(first_row + i * segs), n, c + i, 1, g0, segs}; }
  };
  struct Inputs {
    int64_t x = 0, w = 0;  // SBUF bases of the tile's input windows and weights
  };
  // A tile whose taps are made: what its merge and store need.
  struct Pending {
    int64_t tile;
    bool merge, on_dve;
    isa::AccessPattern a, b, out;
  };

  // ---- Segmentation --------------------------------------------------------------------------

  Segmentation segmentation(int64_t k) const {
    Segmentation s;
    s.k = k;
    s.L = (t.Q + k - 1) / k;
    s.tile_rows = k <= lanes ? lanes / k * k : lanes;
    s.tiles = (items * k + s.tile_rows - 1) / s.tile_rows;
    s.x_cols = (s.L - 1) * p.stride + t.S;
    s.exact = k * s.L == t.Q;
    s.clipped = p.pad_left > 0 || (k * s.L - 1) * p.stride + t.S > t.W + p.pad_left;
    return s;
  }

  // SBUF bytes per partition of one input set (windows and weights), and of the other pools.
  int64_t set_bytes(const Segmentation& s) const {
    return ProgramBuilder::sbuf_buffer_bytes(s.x_cols * t.in_size) +
           ProgramBuilder::sbuf_buffer_bytes(t.S * t.filter_size);
  }
  int64_t other_bytes(const Segmentation& s) const {
    const int64_t f32 = ProgramBuilder::sbuf_buffer_bytes(s.L * 4);
    return ProgramBuilder::sbuf_buffer_bytes(s.L * t.in_size) * out_bufs(s) +
           f32 * (2 * acc_bufs() + product_bufs(s) + kPoolProducts);
  }
  int acc_bufs() const { return std::max(p.buffers, 4); }  // each accumulator: the pending tile's too
  // ACT's products: enough for ACT to run ~0.6 us ahead of their adds (the product's latency
  // and semaphore, the add, the semaphore back), so that short ones do not stall it.
  int product_bufs(const Segmentation& s) const {
    return int(std::clamp<double>(std::ceil(600 / act_ns(s.L)) + 2, acc_bufs(), 16));
  }
  static constexpr int kPoolProducts = 2;  // GpSimd's: made and added by GpSimd, in order
  int out_bufs(const Segmentation& s) const { return int(std::min<int64_t>(s.tiles, std::max(p.buffers, 8))); }

  // The estimated run, per core: bound either by the DMA engines (all of a core's bytes and
  // descriptors, after the fixed latency and the warm-up) or by the taps (the first tile's
  // load, 2S - 1 passes of L columns per tile shared by ACT, DVE and GpSimd at their element
  // rates, then the last tile's taps and store).
  struct Estimate {
    double dma_ns, taps_ns;
    double run_ns() const { return kDmaFixedNs + kDmaWarmupNs + std::max(dma_ns, taps_ns); }
  };
  Estimate estimate(const Segmentation& s) const {
    const double rows = double(items * s.k), tile_rows = double(std::min(s.tile_rows, items * s.k));
    const double in_row = double(s.x_cols * t.in_size + t.S * t.filter_size), out_row = double(s.L * t.in_size);
    const double dma_rate = kDmaEngines * kDmaEngineBytesPerNs;
    // Per engine and tile (8 of 128 rows): a descriptor of weights, the windows' (rows packed
    // into strided descriptors), the outputs' (one contiguous block); clipped windows of
    // several segments and uneven segments' stores take two DMAs per item.
    const double rows_each = double(std::max<int64_t>(1, kStridedDescriptorBytes / (s.x_cols * t.in_size)));
    double descriptors = 1 + std::ceil(8 / rows_each) + std::ceil(8 * out_row / double(kContiguousDescriptorBytes));
    const double per_item = 2 * tile_rows / double(s.k) / kDmaEngines;
    if (s.clipped && s.k > 1) descriptors += per_item;
    if (!s.exact) descriptors += per_item;
    const double dma = rows * (in_row + out_row) / dma_rate + double(s.tiles) * descriptors * kDescriptorNs;
    const double taps = double(s.tiles) * double(2 * t.S - 1) * std::max(kMinCycles, double(s.L)) /
                        (kActGhz + kDveGhz + kPoolGhz);
    const double edges =
        tile_rows * (in_row + out_row) / dma_rate + kDmaCompletionNs + taps / double(s.tiles) + kDmaFixedNs;
    return {dma, taps + edges};
  }

  Segmentation choose_segmentation() const {
    std::optional<Segmentation> best;
    double best_ns = 0;
    const int64_t k_max = std::min<int64_t>(t.Q, 4096);
    for (int64_t k = 1; k <= k_max; ++k) {
      Segmentation s = segmentation(k);
      if ((k - 1) * s.L >= t.Q) continue;                            // an empty last segment
      if (other_bytes(s) + 2 * set_bytes(s) > sbuf_limit) continue;  // two input sets at least
      const Estimate e = estimate(s);
      s.taps_bound = e.taps_ns > e.dma_ns;
      if (!best || e.run_ns() < best_ns) best = s, best_ns = e.run_ns();
    }
    if (!best)
      throw std::invalid_argument("kernel: depthwise_conv1d_vector needs two input sets of " +
                                  std::to_string(set_bytes(segmentation(k_max))) +
                                  " bytes per partition (a tile's windows and S weights) and its other buffers, "
                                  "more than the " + std::to_string(sbuf_limit) + " bytes of an SBUF partition");
    return *best;
  }

  void declare_pools() {
    in_sets = std::min(seg.tiles, (sbuf_limit - other_bytes(seg)) / set_bytes(seg));
    w_pool = sbuf_pool("weights", t.S * t.filter_size, int(in_sets));
    x_pool = sbuf_pool("input", seg.x_cols * t.in_size, int(in_sets));
    out_pool = sbuf_pool("output", seg.L * t.in_size, out_bufs(seg));
    a_pool = sbuf_pool("accumulate_dve", seg.L * 4, acc_bufs());
    b_pool = sbuf_pool("accumulate_gpsimd", seg.L * 4, acc_bufs());
    product_pool = sbuf_pool("product_act", seg.L * 4, product_bufs(seg));
    pool_product_pool = sbuf_pool("product_gpsimd", seg.L * 4, kPoolProducts);
    plan_.input_buffers = int(in_sets);
  }

  // ---- Rows and patterns -----------------------------------------------------------------------

  std::vector<Run> runs_of(int64_t tile) const {
    const int64_t r0 = tile * seg.tile_rows, end = std::min(r0 + seg.tile_rows, items * seg.k);
    std::vector<Run> runs;
    for (int64_t r = r0; r < end;) {
      const int64_t item = r / seg.k, g = r % seg.k;
      Run run{int(r - r0), item / t.shard, item % t.shard, 1, g, std::min(seg.k - g, end - r)};
      if (g == 0 && end - r >= seg.k)  // whole items, while they stay in this batch
        run.items = std::min((end - r) / seg.k, t.shard - run.c), run.segs = seg.k;
      runs.push_back(run);
      r += run.items * run.segs;
    }
    return runs;
  }
  int tile_partitions(const std::vector<Run>& runs) const { return runs.back().first_row + runs.back().rows(); }
  int64_t channel(int core, const Run& r) const { return core * t.shard + r.c; }
  // Input column of segment g's first window column (negative: in the left padding).
  int64_t window(int64_t g) const { return g * seg.L * p.stride - p.pad_left; }
  bool inside(int64_t g) const { return window(g) >= 0 && window(g) + seg.x_cols <= t.W; }
  // An HBM pattern: `parts` rows `pstep` apart, in each `count` blocks `step` apart of `cols`
  // contiguous elements.
  isa::AccessPattern hbm_blocks(int64_t base, isa::DType dt, int64_t offset, int64_t parts, int64_t pstep,
                                int64_t count, int64_t step, int64_t cols) const {
    auto a = hbm(base, dt, offset, parts, pstep, cols);
    if (count > 1) {
      a.ndims = 2;
      a.dims[0] = {step, count};
      a.dims[1] = {1, cols};
    }
    return a;
  }
  // SBUF rows first, first + step, ... (`count` of them), `cols` columns from column `col`.
  static isa::AccessPattern rows(isa::DType dt, int64_t base, int first, int64_t step, int64_t count, int64_t col,
                                 int64_t cols) {
    auto a = isa::tile(Space::SBUF, dt, base, first, int(count), cols);
    a.partition_step = step;
    a.offset = col;
    return a;
  }
  static isa::AccessPattern f32(int64_t base, int P, int64_t L) {
    return isa::tile(Space::SBUF, isa::DType::F32, base, 0, P, L);
  }

  // ---- Queues ----------------------------------------------------------------------------------

  // A DMA of fewer rows than engines uses the engines from its queue's on: those go to the
  // other queues in turn, so that they spread over the engines.
  int load_queue(int64_t partitions) {
    if (partitions >= int64_t(kDmaEngines) || other_queues == 0) return kLoadQueue;
    return kLoadQueue + 1 + int(small_turn++ % other_queues);
  }
  // A store waits for its taps and a queue issues in order: not on the load queue (unless it
  // is the only one).
  int store_queue() { return other_queues == 0 ? kLoadQueue : kLoadQueue + 1 + int(store_turn++ % other_queues); }

  // ---- Loads -----------------------------------------------------------------------------------

  Inputs load(int core, int64_t tile) {
    const std::vector<Run> runs = runs_of(tile);
    Inputs in{b.allocate(x_pool), b.allocate(w_pool)};
    if (seg.clipped) zero_clipped_columns(in.x, tile_partitions(runs));
    for (const Run& r : runs) {
      b.dma_copy(rows(fdt, in.w, r.first_row, 1, r.rows(), 0, t.S),
                 hbm_blocks(f_base, fdt, channel(core, r) * t.S, r.items, t.S, r.segs, 0, t.S), isa::DgeMode::Unknown,
                 load_queue(r.rows()));
      if (seg.clipped && r.items > 1 && r.segs > 1) {
        // Per item, so that each DMA writes a range of partitions: one writing a strided set
        // would be ordered after (or before) every other DMA of the tile by the builder.
        for (int64_t i = 0; i < r.items; ++i) load_windows(core, r.item(i), in.x);
      } else {
        load_windows(core, r, in.x);
      }
    }
    return in;
  }

  // Zeroes the window columns some segment takes from the padding or past the row, in every
  // row, before the DMAs fill the rest.
  void zero_clipped_columns(int64_t x, int P) {
    int64_t left = 0, right = 0;
    for (int64_t g = 0; g < seg.k; ++g) {
      left = std::max(left, std::clamp<int64_t>(-window(g), 0, seg.x_cols));
      right = std::max(right, std::clamp<int64_t>(window(g) + seg.x_cols - t.W, 0, seg.x_cols));
    }
    auto zero = [&](int64_t col, int64_t cols) {
      if (cols <= 0) return;
      b.memset(rows(idt, x, 0, 1, P, col, cols), 0.0f, Engine::GpSimd);
      planner.add_pool(pool_ns(cols));
    };
    if (left + right >= seg.x_cols) return zero(0, seg.x_cols);
    zero(0, left);
    zero(seg.x_cols - right, right);
  }

  // The run's windows: the segments inside the row in one DMA where their rows are one range
  // of partitions (a single item, or all segments), the others one DMA per segment of their
  // columns inside the row.
  void load_windows(int core, const Run& r, int64_t x) {
    const int64_t row = (r.n * t.C + channel(core, r)) * t.W;
    int64_t ga = r.g0, gb = r.g0 + r.segs;
    while (ga < gb && !inside(ga)) ++ga;
    while (gb > ga && !inside(gb - 1)) --gb;
    const bool one_range = ga < gb && (r.items == 1 || (ga == r.g0 && gb == r.g0 + r.segs));
    if (one_range)
      b.dma_copy(rows(idt, x, int(r.first_row + (ga - r.g0)), 1, r.items * (gb - ga), 0, seg.x_cols),
                 hbm_blocks(in_base, idt, row + window(ga), r.items, t.W, gb - ga, seg.L * p.stride, seg.x_cols),
                 isa::DgeMode::None, load_queue(r.items * (gb - ga)));
    for (int64_t g = r.g0; g < r.g0 + r.segs; ++g) {
      if (one_range && g >= ga && g < gb) continue;
      const int64_t lo = std::max<int64_t>(0, window(g)), hi = std::min(t.W, window(g) + seg.x_cols);
      if (hi <= lo) continue;  // all padding: the memset's zeros
      b.dma_copy(rows(idt, x, int(r.first_row + (g - r.g0)), r.segs, r.items, lo - window(g), hi - lo),
                 hbm(in_base, idt, row + lo, r.items, t.W, hi - lo), isa::DgeMode::None, load_queue(r.items));
    }
  }

  // ---- Taps ------------------------------------------------------------------------------------

  Pending taps(int64_t tile, const Inputs& in) {
    const int P = tile_partitions(runs_of(tile));
    const int64_t L = seg.L;
    const TapPlan tp = planner.plan(t.S, L);
    const bool merge = tp.merges();
    const auto out = isa::tile(Space::SBUF, idt, b.allocate(out_pool), 0, P, L);
    const auto a = f32(tp.uses(true) ? b.allocate(a_pool) : 0, P, L);
    const auto bb = f32(tp.uses(false) ? b.allocate(b_pool) : 0, P, L);
    auto x = [&](int64_t s) {
      auto v = isa::tile(Space::SBUF, idt, in.x, 0, P, L);
      v.offset = s;
      v.dims[0].step = p.stride;
      return v;
    };
    auto w = [&](int64_t s) { return rows(fdt, in.w, 0, 1, P, s, 1); };
    // Where tap s's op writes: its accumulator, or the output for the last op when nothing merges.
    auto dst = [&](int64_t s) {
      const bool on_a = to_a(tp.way[size_t(s)]);
      if (!merge && s == tp.last(on_a)) return out;
      return on_a ? a : bb;
    };
    for (int64_t s = 0; s < t.S; ++s) {
      const Way way = tp.way[size_t(s)];
      const bool starts = tp.starts[size_t(s)];
      const auto acc = to_a(way) ? a : bb;
      if (starts) {  // a plain multiply into the accumulator
        const Engine e = way == Way::Dve ? Engine::Vector : way == Way::Pool ? Engine::GpSimd : Engine::Scalar;
        b.add(scaled(e, dst(s), x(s), w(s)));
      } else if (way == Way::Dve) {
        b.add(multiply_add(dst(s), x(s), w(s), acc));
      } else {
        const bool act = way != Way::Pool;
        const auto product = f32(b.allocate(act ? product_pool : pool_product_pool), P, L);
        b.add(scaled(act ? Engine::Scalar : Engine::GpSimd, product, x(s), w(s)));
        b.add(sum(way == Way::ActToDve ? Engine::Vector : Engine::GpSimd, dst(s), product, acc));
      }
    }
    return Pending{tile, merge, tp.merge_on_dve, a, bb, out};
  }

  // The merge out = A + B, then the store.
  void finish(int core, const Pending& done) {
    if (done.merge) b.add(sum(done.on_dve ? Engine::Vector : Engine::GpSimd, done.out, done.a, done.b));
    store(core, done.tile, done.out.base);
  }

  // dst = src * w (w: each partition's weight): an activation on ACT, a tensor_scalar elsewhere.
  static isa::Instruction scaled(Engine e, const isa::AccessPattern& dst, const isa::AccessPattern& src,
                                 const isa::AccessPattern& w) {
    isa::Instruction in;
    in.engine = e;
    if (e == Engine::Scalar) {
      in.op = isa::Opcode::Activation;
      in.func = isa::ActFunc::Identity;
    } else {
      in.op = isa::Opcode::TensorScalar;
      in.alu = isa::AluOp::Multiply;
    }
    in.dst = dst, in.src = src;
    in.operand0 = w, in.operand0_tile = true;
    return in;
  }
  // dst = src + src2.
  static isa::Instruction sum(Engine e, const isa::AccessPattern& dst, const isa::AccessPattern& src,
                              const isa::AccessPattern& src2) {
    isa::Instruction in;
    in.op = isa::Opcode::TensorTensor;
    in.engine = e;
    in.alu = isa::AluOp::Add;
    in.dst = dst, in.src = src, in.src2 = src2;
    return in;
  }
  // dst = src * w + acc, on DVE.
  static isa::Instruction multiply_add(const isa::AccessPattern& dst, const isa::AccessPattern& src,
                                       const isa::AccessPattern& w, const isa::AccessPattern& acc) {
    isa::Instruction in;
    in.op = isa::Opcode::ScalarTensorTensor;
    in.engine = Engine::Vector;
    in.alu = isa::AluOp::Multiply, in.alu1 = isa::AluOp::Add;
    in.dst = dst, in.src = src, in.src2 = acc;
    in.operand0 = w, in.operand0_tile = true;
    return in;
  }

  // ---- Stores ----------------------------------------------------------------------------------

  void store(int core, int64_t tile, int64_t out) {
    for (const Run& r : runs_of(tile)) {
      if (seg.exact) {  // the run's rows follow each other in HBM
        store_rows(core, r, r.g0, r.rows(), seg.L, out);
        continue;
      }
      // k L > Q: per item, its full segments, then the shorter last one.
      for (int64_t i = 0; i < r.items; ++i) {
        const Run one = r.item(i);
        const int64_t full = std::min(one.segs, seg.k - 1 - one.g0);
        if (full > 0) store_rows(core, one, one.g0, full, seg.L, out);
        if (full < one.segs) store_rows(core, one, seg.k - 1, 1, t.Q - (seg.k - 1) * seg.L, out);
      }
    }
  }
  // `count` rows of the run from segment g, `cols` outputs each: consecutive in HBM.
  void store_rows(int core, const Run& r, int64_t g, int64_t count, int64_t cols, int64_t out) {
    const int64_t at = (r.n * t.C + channel(core, r)) * t.Q + g * seg.L;
    b.dma_copy(hbm(out_base, idt, at, count, seg.L, cols), rows(idt, out, int(r.first_row + (g - r.g0)), 1, count, 0, cols),
               isa::DgeMode::Unknown, store_queue());
  }

  int64_t lanes, items, sbuf_limit;
  int other_queues = 15;  // the queues but the load queue
  Segmentation seg;
  int64_t in_sets = 1;
  int w_pool, x_pool, out_pool, a_pool, b_pool, product_pool, pool_product_pool;
  TapPlanner planner;
  int64_t store_turn = 0, small_turn = 0;
};

}  // namespace

std::unique_ptr<Emitter> make_vector_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  return std::make_unique<VectorEmitter>(p, limits);
}

}  // namespace trn2::kernels::conv1d

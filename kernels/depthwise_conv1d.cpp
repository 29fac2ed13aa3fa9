#include "kernels/depthwise_conv1d.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/builder.h"

namespace trn2::kernels {

using isa::Space;

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}
}  // namespace

void DepthwiseConv1dParams::check() const {
  require(batch >= 1, "kernel.batch must be positive, got " + std::to_string(batch));
  require(channels >= 1, "kernel.channels must be positive, got " + std::to_string(channels));
  require(width >= 1, "kernel.width must be positive, got " + std::to_string(width));
  require(kernel_size >= 1, "kernel.kernel_size must be positive, got " + std::to_string(kernel_size));
  require(stride >= 1, "kernel.stride must be positive, got " + std::to_string(stride));
  require(pad_left >= 0 && pad_right >= 0, "kernel.padding must be non-negative");
  require(pad_left <= (int64_t(1) << 20) && pad_right <= (int64_t(1) << 20), "kernel.padding exceeds 1048576");
  require(width <= (int64_t(1) << 40) && kernel_size <= (int64_t(1) << 40), "kernel.width and kernel.kernel_size must be at most 2^40");
  require(lnc == 1 || lnc == 2, "kernel.lnc must be 1 or 2, got " + std::to_string(lnc));
  require(buffers >= 1 && buffers <= 8, "kernel.buffers must be 1 to 8, got " + std::to_string(buffers));
  require(channels % lnc == 0, "kernel.channels " + std::to_string(channels) +
                                   " must be divisible by lnc " + std::to_string(lnc));
  require(kernel_size <= width + pad_left + pad_right,
          "kernel.kernel_size " + std::to_string(kernel_size) + " exceeds the padded width " +
              std::to_string(width + pad_left + pad_right));
  // Keep every size product far from int64 overflow: 2^40 elements is beyond any HBM stack.
  const double elements = double(batch) * double(channels) * double(std::max({width, kernel_size, out_width()}));
  require(elements <= double(int64_t(1) << 40), "kernel: batch x channels x width is too large for one HBM stack");
  require(dilation == 1, "kernel.dilation must be 1 (rhs/lhs dilation is not supported)");
  require(batch_group_count == 1, "kernel.batch_group_count must be 1");
  require(feature_group_count == -1 || feature_group_count == channels,
          "kernel.feature_group_count must equal channels for a depthwise convolution");
}

namespace {

// The kernel for one builder: tiling, tensors and pools are declared on construction (the
// same on every builder, so that separately built cores agree), then emit(core) makes a
// core's stream.
class Conv1dEmitter {
 public:
  Conv1dEmitter(const DepthwiseConv1dParams& p, const isa::Limits& limits)
      : p(p), b(limits, checked_lnc(p), "depthwise_conv1d_implicit_gemm") {
    dt = p.dtype;
    esize = int64_t(isa::dtype_size(dt));
    N = p.batch, C = p.channels, W = p.width, S = p.kernel_size, Q = p.out_width();
    shard = C / p.lnc;
    // P_MAX bounds S_TILE and C_TILE (C_TILE is also the transposed filter's free size);
    // F_MAX, the matmul moving size that fits one PSUM bank in fp32, bounds Q_TILE.
    const int64_t p_max = limits.partitions;
    const int64_t f_max = std::min(limits.matmul_moving_free_max, limits.psum_bank_bytes / 4);
    // S_TILE is also the free size of the filter tile the PE transposes (a stationary operand).
    s_tile = std::min({S, p_max, limits.matmul_stationary_free_max}), q_tile = std::min(Q, f_max);
    c_tile = std::min({shard, p_max, limits.matmul_stationary_free_max});
    s_tiles = (S + s_tile - 1) / s_tile;
    j_max = (q_tile - 1) * p.stride + 1;  // input columns one Q tile reads

    // The kernel never writes its input and filter: the builder need not track their reads.
    in_base = b.hbm_tensor("input", dt, {N, C, 1, W}, true).base;
    f_base = b.hbm_tensor("filter", dt, {C, 1, 1, S}, true).base;
    out_base = b.hbm_tensor("output", dt, {N, C, 1, Q}).base;

    const int bufs = p.buffers;
    filt_pool = b.sbuf_pool("filter", s_tile * esize, bufs);
    // Every S tile of the transposed filter stays resident while its channel tile runs.
    filt_t_pool = b.sbuf_pool("filter_t", c_tile * esize, int(s_tiles) * 2);
    x_pool = b.sbuf_pool("input", j_max * esize, bufs);
    xs_pool = p.stride > 1 ? b.sbuf_pool("input_strided", q_tile * esize, bufs) : -1;
    out_pool = b.sbuf_pool("output", q_tile * esize, bufs);
    tr_pool = b.psum_pool("transpose", 2);
    acc_pool = b.psum_pool("accumulate", std::min(bufs, 6));
  }

  void emit(int core) {
    b.set_core(core);
    int copy_turn = 0;  // PSUM->SBUF copies alternate between ACT and DVE
    for (int64_t c0 = 0; c0 < shard; c0 += c_tile) {
      const int64_t c_rows = std::min(c_tile, shard - c0);
      const int64_t cg0 = core * shard + c0;
      // Filter preload: [c_rows, s_rows] -> PE transpose -> [s_rows, c_rows] in SBUF.
      std::vector<int64_t> filt_t(s_tiles);
      for (int64_t st = 0; st < s_tiles; ++st) {
        const int64_t s0 = st * s_tile, s_rows = std::min(s_tile, S - s0);
        const int64_t f = b.allocate(filt_pool);
        const auto f_tile = isa::tile(Space::SBUF, dt, f, 0, int(c_rows), s_rows);
        b.dma_copy(f_tile, hbm(f_base, cg0 * S + s0, c_rows, S, s_rows));
        const auto pt = isa::tile(Space::PSUM, isa::DType::F32, b.allocate(tr_pool), 0, int(s_rows), c_rows);
        b.transpose(pt, f_tile);
        filt_t[st] = b.allocate(filt_t_pool);
        b.tensor_copy(isa::tile(Space::SBUF, dt, filt_t[st], 0, int(s_rows), c_rows), pt, isa::Engine::Vector);
      }
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t ci = 0; ci < c_rows; ++ci) {
          const int64_t cg = cg0 + ci;
          const int64_t row = (n * C + cg) * W;  // element offset of this channel's input row
          for (int64_t q0 = 0; q0 < Q; q0 += q_tile) {
            const int64_t qn = std::min(q_tile, Q - q0);
            const int64_t J = (qn - 1) * p.stride + 1;
            const auto acc = isa::tile(Space::PSUM, isa::DType::F32, b.allocate(acc_pool), 0, 1, qn);
            b.memset(acc, 0.0f, isa::Engine::Vector);
            for (int64_t st = 0; st < s_tiles; ++st) {
              const int64_t s0 = st * s_tile, s_rows = std::min(s_tile, S - s0);
              // x[k, j] = input[row + s0 + k + q0*stride + j - pad_left]: partition k starts
              // one element after partition k-1 (the implicit im2col).
              const int64_t x = b.allocate(x_pool);
              const int64_t j0 = q0 * p.stride + s0 - p.pad_left;  // input index of x[0, 0]
              const int64_t j_lo = std::clamp<int64_t>(-j0, 0, J);
              const int64_t j_hi = std::clamp<int64_t>(W - j0 - s_rows + 1, j_lo, J);
              if (j_lo > 0 || j_hi < J)
                b.memset(isa::tile(Space::SBUF, dt, x, 0, int(s_rows), J), 0.0f, isa::Engine::GpSimd);
              if (j_hi > j_lo) {
                auto dst = isa::tile(Space::SBUF, dt, x, 0, int(s_rows), j_hi - j_lo);
                dst.offset = j_lo;
                b.dma_copy(dst, hbm(in_base, row + j0 + j_lo, s_rows, 1, j_hi - j_lo));
              }
              // Columns touching the padding: load the partitions whose element is inside.
              for (int64_t j = 0; j < J; ++j) {
                if (j >= j_lo && j < j_hi) continue;
                const int64_t k_lo = std::max<int64_t>(0, -(j0 + j));
                const int64_t k_hi = std::min<int64_t>(s_rows, W - (j0 + j));
                if (k_hi <= k_lo) continue;
                auto dst = isa::tile(Space::SBUF, dt, x, int(k_lo), int(k_hi - k_lo), 1);
                dst.offset = j;
                b.dma_copy(dst, hbm(in_base, row + j0 + j + k_lo, k_hi - k_lo, 1, 1));
              }
              auto moving = isa::tile(Space::SBUF, dt, x, 0, int(s_rows), qn);
              if (p.stride > 1) {
                auto picked = moving;
                picked.dims[0].step = p.stride;
                moving.base = b.allocate(xs_pool);
                b.tensor_copy(moving, picked, isa::Engine::GpSimd);
              }
              auto stationary = isa::tile(Space::SBUF, dt, filt_t[st], 0, int(s_rows), 1);
              stationary.offset = ci;
              b.matmul(acc, stationary, moving, true);
            }
            const auto o = isa::tile(Space::SBUF, dt, b.allocate(out_pool), 0, 1, qn);
            b.tensor_copy(o, acc, (copy_turn++ % 2) ? isa::Engine::Scalar : isa::Engine::Vector);
            b.dma_copy(hbm(out_base, (n * C + cg) * Q + q0, 1, qn, qn), o);
          }
        }
      }
    }
  }

  const DepthwiseConv1dParams& p;
  ProgramBuilder b;

 private:
  static int checked_lnc(const DepthwiseConv1dParams& p) {
    p.check();  // before the builder is made for lnc cores
    return p.lnc;
  }
  isa::AccessPattern hbm(int64_t base, int64_t offset, int64_t partitions, int64_t pstep, int64_t free,
                         int64_t fstep = 1) const {
    isa::AccessPattern a = isa::tile(Space::HBM, dt, base, 0, int(partitions), free);
    a.offset = offset;
    a.partition_step = pstep;
    a.dims[0].step = fstep;
    return a;
  }

  isa::DType dt;
  int64_t esize, N, C, W, S, Q, shard, s_tile, q_tile, c_tile, s_tiles, j_max;
  int64_t in_base, f_base, out_base;
  int filt_pool, filt_t_pool, x_pool, xs_pool, out_pool, tr_pool, acc_pool;
};

}  // namespace

isa::Program build_depthwise_conv1d(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  Conv1dEmitter k(p, limits);
  for (int core = 0; core < p.lnc; ++core) k.emit(core);
  return k.b.finish();
}

isa::Program depthwise_conv1d_header(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  return Conv1dEmitter(p, limits).b.finish();
}

std::vector<isa::Allocation> emit_depthwise_conv1d_core(const DepthwiseConv1dParams& p, const isa::Limits& limits,
                                                        int core, isa::InstructionSink& sink, bool keep_allocations) {
  Conv1dEmitter k(p, limits);
  k.b.stream_to(&sink, keep_allocations);
  k.emit(core);
  return k.b.finish().allocations;
}

namespace {

// One output row: o[q] = sum_s x[q*stride + s - pad_left] * f[s] over the x inside the row.
// Each output is 0.0 plus its terms in ascending s, in double, whichever loop is outer, so
// both orders give the same bits. A short row (Q below kShortRow) sums four outputs at a
// time, reading x and f contiguously; a long one runs s outside and q inside (contiguous for
// stride 1, and vectorisable across outputs).
constexpr int64_t kShortRow = 16;

// The taps s in [lo, hi) of output q: those whose input index w = q * stride + s - pad lies
// in [0, W). w0 is the input index of tap 0.
struct Taps {
  int64_t w0, lo, hi;
};
Taps taps_of(const DepthwiseConv1dParams& p, int64_t q) {
  const int64_t w0 = q * p.stride - p.pad_left;
  return {w0, std::max<int64_t>(0, -w0), std::min(p.kernel_size, p.width - w0)};
}

// Outputs q .. q + 3 of a short row, each summed in ascending s as above, but the four sums
// advance together over the taps they all have: four independent chains of additions
// instead of one (a single sum waits for each add before the next; that latency bounded the
// reference of a long filter). Inlined into reference_row, so that its AVX2 build has it.
inline __attribute__((always_inline)) void reference_four(const DepthwiseConv1dParams& p, const float* x,
                                                          const float* f, int64_t q, double* o) {
  Taps t[4];
  for (int i = 0; i < 4; ++i) t[i] = taps_of(p, q + i);
  // Input indices grow with q, so the first output has the latest first tap and the last
  // output the earliest end.
  // [lo, hi) lies within every output's taps; the rest come before it or after it.
  const int64_t lo = t[0].lo, hi = std::max(lo, t[3].hi);
  double sum[4] = {0.0, 0.0, 0.0, 0.0};
  for (int i = 0; i < 4; ++i)
    for (int64_t s = t[i].lo; s < std::min(lo, t[i].hi); ++s) sum[i] += double(x[t[i].w0 + s]) * double(f[s]);
  for (int64_t s = lo; s < hi; ++s) {
    const double fs = double(f[s]);
    for (int i = 0; i < 4; ++i) sum[i] += double(x[t[i].w0 + s]) * fs;
  }
  for (int i = 0; i < 4; ++i)
    for (int64_t s = std::max(hi, t[i].lo); s < t[i].hi; ++s) sum[i] += double(x[t[i].w0 + s]) * double(f[s]);
  for (int i = 0; i < 4; ++i) o[i] = sum[i];
}

// Built for AVX-512 and AVX2 hosts too (8 or 4 doubles a vector instead of SSE2's 2),
// chosen at load time: each lane still a rounded multiply then a rounded add (the build never
// contracts them into an FMA: -ffp-contract=off), so the bits do not depend on the host.
__attribute__((target_clones("avx512f", "avx2", "default"))) void reference_row(const DepthwiseConv1dParams& p,
                                                                                const float* x, const float* f,
                                                                                double* o) {
  const int64_t W = p.width, S = p.kernel_size, Q = p.out_width();
  const int64_t pad = p.pad_left, stride = p.stride;
  if (Q < kShortRow) {
    int64_t q = 0;
    for (; q + 4 <= Q; q += 4) reference_four(p, x, f, q, &o[q]);
    for (; q < Q; ++q) {
      const Taps t = taps_of(p, q);
      double sum = 0.0;
      for (int64_t s = t.lo; s < t.hi; ++s) sum += double(x[t.w0 + s]) * double(f[s]);
      o[q] = sum;
    }
    return;
  }
  // The outputs [lo, hi) whose input index w = q * stride + s - pad of tap s lies in [0, W).
  struct Outputs {
    int64_t lo, hi;
  };
  auto outputs_of = [&](int64_t s) {
    const int64_t first = pad - s;  // w < 0 until q * stride >= first
    const int64_t last = W - 1 + pad - s;  // w < W while q * stride <= last
    return Outputs{first > 0 ? (first + stride - 1) / stride : 0, last < 0 ? 0 : std::min(Q, last / stride + 1)};
  };
  auto term = [&](int64_t q, int64_t s) { return double(x[q * stride + s - pad]) * double(f[s]); };
  // Four taps a pass: the outputs all four reach take their four terms in one visit (one
  // load and store of o[q] per four multiply-adds instead of per one); the few at the edges
  // that only some reach take theirs one by one, still in ascending s.
  int64_t s = 0;
  for (; s + 4 <= S; s += 4) {
    // Both ends move down as s grows: tap s has the latest start, tap s + 3 the earliest end.
    const Outputs first = outputs_of(s), last = outputs_of(s + 3);
    const int64_t lo = first.lo, hi = std::max(lo, last.hi);
    auto edge = [&](int64_t q) {
      for (int64_t t = s; t < s + 4; ++t) {
        const Outputs r = outputs_of(t);
        if (q >= r.lo && q < r.hi) o[q] += term(q, t);
      }
    };
    for (int64_t q = last.lo; q < std::min(lo, first.hi); ++q) edge(q);
    const double f0 = double(f[s]), f1 = double(f[s + 1]), f2 = double(f[s + 2]), f3 = double(f[s + 3]);
    const float* xs = x + s - pad;
    if (stride == 1) {
      for (int64_t q = lo; q < hi; ++q)
        o[q] = o[q] + double(xs[q]) * f0 + double(xs[q + 1]) * f1 + double(xs[q + 2]) * f2 + double(xs[q + 3]) * f3;
    } else {
      for (int64_t q = lo; q < hi; ++q) {
        const float* xq = xs + q * stride;
        o[q] = o[q] + double(xq[0]) * f0 + double(xq[1]) * f1 + double(xq[2]) * f2 + double(xq[3]) * f3;
      }
    }
    for (int64_t q = std::max(hi, last.lo); q < first.hi; ++q) edge(q);
  }
  for (; s < S; ++s) {
    const Outputs r = outputs_of(s);
    for (int64_t q = r.lo; q < r.hi; ++q) o[q] += term(q, s);
  }
}

}  // namespace

std::vector<double> depthwise_conv1d_reference(const DepthwiseConv1dParams& p, const uint8_t* input,
                                               const uint8_t* filter) {
  std::vector<double> out(size_t(p.batch * p.channels * p.out_width()));
  depthwise_conv1d_reference_rows(p, input, filter, 0, p.batch * p.channels, out.data());
  return out;
}

void depthwise_conv1d_reference_rows(const DepthwiseConv1dParams& p, const uint8_t* input, const uint8_t* filter,
                                     int64_t first_row, int64_t end_row, double* out) {
  const int64_t C = p.channels, W = p.width, S = p.kernel_size, Q = p.out_width();
  const int64_t es = int64_t(isa::dtype_size(p.dtype));
  std::vector<float> x(static_cast<size_t>(W)), f(static_cast<size_t>(S));  // a row at a time, as fp32
  for (int64_t row = first_row; row < end_row; ++row) {
    const int64_t c = row % C;
    isa::load_elements(input + row * W * es, es, p.dtype, W, x.data());
    isa::load_elements(filter + c * S * es, es, p.dtype, S, f.data());
    double* o = out + row * Q;
    std::fill(o, o + Q, 0.0);  // long rows accumulate into their outputs
    reference_row(p, x.data(), f.data(), o);
  }
}

}  // namespace trn2::kernels

// The independent reference: the convolution summed in double from the tensors' bytes.
#include <algorithm>
#include <vector>

#include "kernels/depthwise_conv1d.h"

namespace trn2::kernels {

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
  const int64_t xs = int64_t(isa::dtype_size(p.dtype)), fs = int64_t(isa::dtype_size(p.filter_type()));
  std::vector<float> x(static_cast<size_t>(W)), f(static_cast<size_t>(S));  // a row at a time, as fp32
  for (int64_t row = first_row; row < end_row; ++row) {
    const int64_t c = row % C;
    isa::load_elements(input + row * W * xs, xs, p.dtype, W, x.data());
    isa::load_elements(filter + c * S * fs, fs, p.filter_type(), S, f.data());
    double* o = out + row * Q;
    std::fill(o, o + Q, 0.0);  // long rows accumulate into their outputs
    reference_row(p, x.data(), f.data(), o);
  }
}

}  // namespace trn2::kernels

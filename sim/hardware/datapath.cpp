#include "sim/hardware/datapath.h"

#include "sim/hardware/elementwise.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace trn2::sim {

using isa::AccessPattern;
using isa::DType;

uint8_t* CoreMemory::at(const AccessPattern& a, int i, int64_t flat) const {
  const int64_t elem = a.offset + (a.ndims == 1 ? flat * a.dims[0].step : a.free_offset(flat));
  const int64_t esize = int64_t(isa::dtype_size(a.dtype));
  switch (a.space) {
    case isa::Space::HBM:
      return hbm->data() + a.base + (elem + i * a.partition_step) * esize;
    case isa::Space::SBUF:
      return sbuf->partition(a.start_partition + i * int(a.partition_step)) + a.base + elem * esize;
    case isa::Space::PSUM:
      return psum->at(a.start_partition + i * int(a.partition_step), a.base + elem * esize);
  }
  return nullptr;
}

Rows rows_of(const CoreMemory& m, const AccessPattern& a) {
  Rows r;
  const int64_t n = a.free_elements();
  if (a.ndims != 1 && n != 1) return r;
  const int64_t esize = int64_t(isa::dtype_size(a.dtype));
  r.first = m.at(a, 0, 0);
  r.stride = (a.ndims == 1 ? a.dims[0].step : 1) * esize;
  switch (a.space) {
    case isa::Space::HBM:
      r.pitch = a.partition_step * esize;
      break;
    case isa::Space::SBUF:
      r.pitch = a.partition_step * int64_t(m.sbuf->pitch());
      break;
    case isa::Space::PSUM:
      if (m.at(a, 0, n - 1) - r.first != (n - 1) * r.stride) return r;  // crosses a bank
      r.pitch = a.partition_count > 1 ? m.at(a, 1, 0) - r.first : 0;
      break;
  }
  r.affine = true;
  return r;
}

float* scratch_row(int which, size_t n) {
  // The model runs one instruction at a time (the SystemC threads are coroutines of one host
  // thread), so the rows can be shared.
  static std::vector<float> rows[4];
  std::vector<float>& v = rows[which];
  if (v.size() < n) v.resize(n);
  return v.data();
}

void load_row(const CoreMemory& m, const AccessPattern& a, const Rows& r, int i, float* out) {
  if (r.affine) {
    isa::load_elements(r.row(i), r.stride, a.dtype, a.free_elements(), out);
    return;
  }
  const int64_t n = a.free_elements();
  for (int64_t f = 0; f < n; ++f) out[f] = isa::load_element(m.at(a, i, f), a.dtype);
}

void store_row(const CoreMemory& m, const AccessPattern& a, const Rows& r, int i, const float* in) {
  if (r.affine) {
    isa::store_elements(r.row(i), r.stride, a.dtype, a.free_elements(), in);
    return;
  }
  const int64_t n = a.free_elements();
  for (int64_t f = 0; f < n; ++f) isa::store_element(m.at(a, i, f), a.dtype, in[f]);
}

namespace {

// Element i of the flattened (partition-major) pattern.
uint8_t* flat_at(const CoreMemory& m, const AccessPattern& a, int64_t i) {
  const int64_t per = a.free_elements();
  return m.at(a, int(i / per), i % per);
}

// A DMA that converts dtypes or adds into its destination (nki.isa.dma_copy: "a cast will
// happen if the src and dst have different dtype"; dst_rmw_op=nl.add): each element is
// widened to fp32, added to dst's element when accumulating, and rounded to dst's dtype
// (round-to-nearest-even; to an integer dtype, to the nearest integer, ties to even, saturated
// to its range, NaN -> 0), as the compute engines do. Every source element is read before
// any is written, so an overlapping source and destination behave as a copy.
void dma_convert(const isa::Instruction& in, const CoreMemory& m) {
  const int64_t n = in.src.total_elements();
  static std::vector<float> staged;
  staged.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) staged[size_t(i)] = isa::load_element(flat_at(m, in.src, i), in.src.dtype);
  for (int64_t i = 0; i < n; ++i) {
    uint8_t* d = flat_at(m, in.dst, i);
    const float prev = in.accumulate ? isa::load_element(d, in.dst.dtype) : 0.0f;
    isa::store_element(d, in.dst.dtype, in.accumulate ? prev + staged[size_t(i)] : staged[size_t(i)]);
  }
}

void dma_copy(const isa::Instruction& in, const CoreMemory& m) {
  if (in.accumulate || in.src.dtype != in.dst.dtype) return dma_convert(in, m);
  // Same dtypes, no accumulation: the DMA moves bytes.
  const size_t esize = isa::dtype_size(in.src.dtype);
  const bool same_rows = in.src.partition_count == in.dst.partition_count;
  const bool hbm_to_hbm = in.src.space == isa::Space::HBM && in.dst.space == isa::Space::HBM;
  const bool no_psum = in.src.space != isa::Space::PSUM && in.dst.space != isa::Space::PSUM;
  if (same_rows && !hbm_to_hbm && no_psum) {
    const Rows src = rows_of(m, in.src), dst = rows_of(m, in.dst);
    if (src.affine && dst.affine && src.stride == int64_t(esize) && dst.stride == int64_t(esize)) {
      // Row by row: source and destination are different memories or different partitions
      // of one, so rows cannot overlap (a copy within one SBUF partition uses memmove).
      const size_t row_bytes = size_t(in.src.free_elements()) * esize;
      // The conv's im2col loads move a few bytes per partition: copies of a size known here
      // compile to a move or two instead of a call.
      auto rows_of_size = [&](auto bytes) {
        for (int p = 0; p < in.src.partition_count; ++p) {
          uint8_t tmp[decltype(bytes)::value];
          std::memcpy(tmp, src.row(p), sizeof tmp);
          std::memcpy(dst.row(p), tmp, sizeof tmp);
        }
      };
      switch (row_bytes) {
        case 2: rows_of_size(std::integral_constant<size_t, 2>{}); break;
        case 4: rows_of_size(std::integral_constant<size_t, 4>{}); break;
        case 8: rows_of_size(std::integral_constant<size_t, 8>{}); break;
        case 16: rows_of_size(std::integral_constant<size_t, 16>{}); break;
        default:
          for (int p = 0; p < in.src.partition_count; ++p) std::memmove(dst.row(p), src.row(p), row_bytes);
      }
      return;
    }
  }
  // General case: element by element through a staging buffer, so an overlapping source
  // and destination behave as a copy.
  const int64_t n = in.src.total_elements();
  static std::vector<uint8_t> staged;
  if (staged.size() < size_t(n) * esize) staged.resize(size_t(n) * esize);
  for (int64_t i = 0; i < n; ++i) std::memcpy(&staged[size_t(i) * esize], flat_at(m, in.src, i), esize);
  for (int64_t i = 0; i < n; ++i) std::memcpy(flat_at(m, in.dst, i), &staged[size_t(i) * esize], esize);
}

// Element bytes of one pattern into another of the same dtype, partition by partition, each
// row staged first (a copy within one partition may overlap itself).
void copy_bits(const isa::Instruction& in, const CoreMemory& m) {
  const size_t esize = isa::dtype_size(in.src.dtype);
  const int64_t n = in.src.free_elements();
  static std::vector<uint8_t> row;
  if (row.size() < size_t(n) * esize) row.resize(size_t(n) * esize);
  for (int p = 0; p < in.src.partition_count; ++p) {
    for (int64_t f = 0; f < n; ++f) std::memcpy(&row[size_t(f) * esize], m.at(in.src, p, f), esize);
    for (int64_t f = 0; f < n; ++f) std::memcpy(m.at(in.dst, p, f), &row[size_t(f) * esize], esize);
  }
}

void tensor_copy(const isa::Instruction& in, const CoreMemory& m) {
  // nki.isa.tensor_copy: "a bit-accurate copy" when the dtypes match, an fp32 cast when they
  // differ. Through fp32 every float dtype's values come back as they were; an int32 or
  // uint32 past 2^24 would not, so integers of one dtype copy as bits.
  if (in.src.dtype == in.dst.dtype && isa::is_integer(in.src.dtype)) return copy_bits(in, m);
  const Rows src = rows_of(m, in.src), dst = rows_of(m, in.dst);
  // Rows of contiguous, aligned fp32 (the PSUM results every kernel copies out) are read as
  // floats where they lie and converted straight into the destination: the same values as
  // through a row of scratch, one pass instead of two. Different memories, so a destination
  // row cannot overlap its source. (Nothing requires a pattern's address to be aligned.)
  const bool aligned_rows = reinterpret_cast<uintptr_t>(src.first) % alignof(float) == 0 &&
                            src.pitch % int64_t(alignof(float)) == 0;
  if (src.affine && dst.affine && src.stride == 4 && in.src.dtype == DType::F32 && in.src.space != in.dst.space &&
      aligned_rows) {
    for (int p = 0; p < in.src.partition_count; ++p)
      isa::store_elements(dst.row(p), dst.stride, in.dst.dtype, in.src.free_elements(),
                          reinterpret_cast<const float*>(src.row(p)));
    return;
  }
  float* row = scratch_row(0, size_t(in.src.free_elements()));
  for (int p = 0; p < in.src.partition_count; ++p) {
    load_row(m, in.src, src, p, row);
    store_row(m, in.dst, dst, p, row);
  }
}

void memset(const isa::Instruction& in, const CoreMemory& m) {
  const size_t n = size_t(in.dst.free_elements());
  float* row = scratch_row(0, n);
  std::fill(row, row + n, in.value);
  const Rows dst = rows_of(m, in.dst);
  for (int p = 0; p < in.dst.partition_count; ++p) store_row(m, in.dst, dst, p, row);
}

// The element types a moving row may hold, read as fp32: one element (`at`), or the first 4
// or 8 of a row as the lanes of a vector (`lanes`, GCC's vector extension). Written out here
// so that the loops vectorise (isa::bf16_to_f32 is not inline).
typedef float F32x4 __attribute__((vector_size(16)));
typedef float F32x8 __attribute__((vector_size(32)));

struct Bf16 {
  typedef uint16_t U16x4 __attribute__((vector_size(8)));
  typedef uint16_t U16x8 __attribute__((vector_size(16)));
  typedef uint16_t U16x16 __attribute__((vector_size(32)));
  static float at(const uint8_t* row, int64_t j) {
    uint16_t h;
    std::memcpy(&h, row + 2 * j, 2);
    const uint32_t u = uint32_t(h) << 16;
    float x;
    std::memcpy(&x, &u, 4);
    return x;
  }
  // A bf16 is the top half of its fp32: interleave zero low halves (one unpack instruction).
  static void lanes(const uint8_t* row, F32x4& x) {
    U16x4 h;
    std::memcpy(&h, row, sizeof h);
    const U16x8 w = __builtin_shufflevector(U16x4{}, h, 0, 4, 1, 5, 2, 6, 3, 7);
    std::memcpy(&x, &w, sizeof x);
  }
  static void lanes(const uint8_t* row, F32x8& x) {
    U16x8 h;
    std::memcpy(&h, row, sizeof h);
    const U16x16 w = __builtin_shufflevector(U16x8{}, h, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    std::memcpy(&x, &w, sizeof x);
  }
};

struct F32 {
  static float at(const uint8_t* row, int64_t j) {
    float x;
    std::memcpy(&x, row + 4 * j, 4);
    return x;
  }
  template <class V>
  static void lanes(const uint8_t* row, V& x) {
    std::memcpy(&x, row, sizeof x);
  }
};

// The stationary column as fp32 values converted up front (any dtype or layout).
struct StatRow {
  const float* v;
  float operator()(int k) const { return v[k]; }
};
// The stationary column read in place: bf16 elements `pitch` bytes apart (the conv's filter
// tap, one element per partition), converted as the multiply-adds take them.
struct StatBf16 {
  const uint8_t* first;
  int64_t pitch;
  float operator()(int k) const { return Bf16::at(first + k * pitch, 0); }
};

// acc[j] += stat(k) * row_k[j] for k ascending, where the moving tile's K rows are N
// contiguous elements `pitch` bytes apart, converted to fp32 in the same loop: the PE's
// multiply-accumulate for one stationary column, the conv's innermost work, in one call (a
// load and a call per row dominated small tiles). Built for AVX-512 hosts, AVX2 hosts and
// baseline x86-64, chosen at load time: 16 or 8 lanes instead of 4, each lane still a rounded
// multiply then a rounded add (the build never contracts them into an FMA: -ffp-contract=off)
// in the same order, so the bits do not depend on the host.
template <class Elem, class Stat>
inline __attribute__((always_inline)) void mac_column(float* __restrict acc, Stat stat, int K, const uint8_t* first,
                                                      int64_t pitch, int64_t N) {
  // Four rows a pass: each sum takes its four terms in one visit, in ascending k (one load
  // and store of acc[j] per four multiply-adds instead of per one).
  int k = 0;
  for (; k + 4 <= K; k += 4) {
    const uint8_t *r0 = first + k * pitch, *r1 = r0 + pitch, *r2 = r1 + pitch, *r3 = r2 + pitch;
    const float s0 = stat(k), s1 = stat(k + 1), s2 = stat(k + 2), s3 = stat(k + 3);
    for (int64_t j = 0; j < N; ++j)
      acc[j] = acc[j] + s0 * Elem::at(r0, j) + s1 * Elem::at(r1, j) + s2 * Elem::at(r2, j) + s3 * Elem::at(r3, j);
  }
  for (; k < K; ++k) {
    const uint8_t* row = first + k * pitch;
    const float s = stat(k);
    for (int64_t j = 0; j < N; ++j) acc[j] += s * Elem::at(row, j);
  }
}

// The same for a row of N < 8 known at compile time (4 has mac_lanes): the N sums stay in
// registers for all K rows. A short moving tile otherwise fell through to the vector loop's
// scalar tail, 11 host instructions per multiply-accumulate.
template <int N, class Elem, class Stat>
inline __attribute__((always_inline)) void mac_short(float* __restrict acc, Stat stat, int K, const uint8_t* first,
                                                     int64_t pitch) {
  float a[N];
  for (int j = 0; j < N; ++j) a[j] = acc[j];
  for (int k = 0; k < K; ++k) {
    const uint8_t* row = first + k * pitch;
    const float s = stat(k);
    for (int j = 0; j < N; ++j) a[j] += s * Elem::at(row, j);
  }
  for (int j = 0; j < N; ++j) acc[j] = a[j];
}

// N = 4 or 8 exactly: the sums are the lanes of one vector, lane by lane the same rounded
// multiply and add. (The compiler kept mac_short<4>'s four sums in memory, a store and a
// load on the chain of adds at every row.)
template <class V, class Elem, class Stat>
inline __attribute__((always_inline)) void mac_lanes(float* __restrict acc, Stat stat, int K, const uint8_t* first,
                                                     int64_t pitch) {
  V a, x;
  std::memcpy(&a, acc, sizeof a);
  for (int k = 0; k < K; ++k) {
    Elem::lanes(first + k * pitch, x);
    a += stat(k) * x;
  }
  std::memcpy(acc, &a, sizeof a);
}

template <class Elem, class Stat>
inline __attribute__((always_inline)) void mac_any(float* acc, Stat stat, int K, const uint8_t* first, int64_t pitch,
                                                   int64_t N) {
  switch (N) {
    case 1: return mac_short<1, Elem>(acc, stat, K, first, pitch);
    case 2: return mac_short<2, Elem>(acc, stat, K, first, pitch);
    case 3: return mac_short<3, Elem>(acc, stat, K, first, pitch);
    case 4: return mac_lanes<F32x4, Elem>(acc, stat, K, first, pitch);
    case 5: return mac_short<5, Elem>(acc, stat, K, first, pitch);
    case 6: return mac_short<6, Elem>(acc, stat, K, first, pitch);
    case 7: return mac_short<7, Elem>(acc, stat, K, first, pitch);
    case 8: return mac_lanes<F32x8, Elem>(acc, stat, K, first, pitch);
    default: return mac_column<Elem>(acc, stat, K, first, pitch, N);
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void mac_column_bf16(
    float* acc, const float* stat, int K, const uint8_t* first, int64_t pitch, int64_t N) {
  mac_any<Bf16>(acc, StatRow{stat}, K, first, pitch, N);
}

// Both operands bf16 and read in place: the conv's matmul (one filter tap against a [K, Q]
// window of the input). The same multiply-adds in the same order as converting the column
// first, without the column's round trip through memory.
__attribute__((target_clones("avx512f", "avx2", "default"))) void mac_column_bf16_in_place(
    float* acc, const uint8_t* stat, int64_t stat_pitch, int K, const uint8_t* first, int64_t pitch, int64_t N) {
  mac_any<Bf16>(acc, StatBf16{stat, stat_pitch}, K, first, pitch, N);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void mac_column_f32(
    float* acc, const float* stat, int K, const uint8_t* first, int64_t pitch, int64_t N) {
  mac_any<F32>(acc, StatRow{stat}, K, first, pitch, N);
}

// dst[m, n] (+)= sum over k of (stat[k][0][m] * mov[k][0][n] + stat[k][1][m] * mov[k][1][n]),
// for the PE's FP8 double mode (perf_mode double_row): operands [K, 2, M] and [K, 2, N], whose
// outermost free dim holds the second half of the contraction (flat free index h * M + m).
// Each PE "performs two pairs of FP8 multiplications and also accumulation of the two
// multiplication results per cycle" (Trainium2 architecture guide): the pair's sum is added
// to the column's fp32 sum, k ascending. (The products of two fp8 values are exact in fp32;
// the pair's sum and the running sum round.) Not a hot path: plain loops.
void matmul_double_row(const isa::Instruction& in, const CoreMemory& m) {
  const isa::MatmulShape s = isa::matmul_shape(in);
  const int K = in.src.partition_count;
  const int64_t M = s.m, N = s.n;
  float* stat = scratch_row(0, size_t(K * 2 * M));
  float* mov = scratch_row(1, size_t(K * 2 * N));
  const Rows st = rows_of(m, in.src), mv = rows_of(m, in.src2);
  for (int k = 0; k < K; ++k) {
    load_row(m, in.src, st, k, &stat[size_t(k * 2 * M)]);
    load_row(m, in.src2, mv, k, &mov[size_t(k * 2 * N)]);
  }
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      float acc = 0.0f;
      for (int k = 0; k < K; ++k) {
        const float* a = &stat[size_t(k * 2 * M)];
        const float* b = &mov[size_t(k * 2 * N)];
        acc += a[i] * b[j] + a[M + i] * b[N + j];
      }
      uint8_t* o = m.at(in.dst, int(i), j);
      float prev = 0.0f;
      if (in.accumulate) std::memcpy(&prev, o, 4);
      const float v = prev + acc;
      std::memcpy(o, &v, 4);
    }
}

void matmul(const isa::Instruction& in, const CoreMemory& m) {
  if (in.perf_mode == isa::PerfMode::DoubleRow) return matmul_double_row(in, m);
  // out[M, N] (+)= stationary[K, M]^T x moving[K, N]; products and sums in fp32 over k in
  // ascending order, as the PE array accumulates; the PSUM bank adds the result to what it
  // holds when accumulating. The build must not contract `acc + s * x` into a fused
  // multiply-add (-ffp-contract=off, CMakeLists.txt): the bits would change.
  const int K = in.src.partition_count;
  const int64_t M = in.src.free_elements(), N = in.src2.free_elements();
  float* stat = scratch_row(0, size_t(K * M));
  float* acc = scratch_row(2, size_t(N));
  const Rows st = rows_of(m, in.src), mv = rows_of(m, in.src2), out = rows_of(m, in.dst);
  // The moving tile is read in place when it is used once (M = 1) and its rows are
  // contiguous bf16 or fp32; otherwise it is converted to fp32 rows once, up front. A bf16
  // stationary column is then read in place too (the conv's matmul: both operands bf16).
  const DType mdt = in.src2.dtype;
  const bool moving_in_place =
      M == 1 && mv.affine && mv.stride == int64_t(isa::dtype_size(mdt)) && (mdt == DType::BF16 || mdt == DType::F32);
  const bool column_in_place = moving_in_place && st.affine && in.src.dtype == DType::BF16 && mdt == DType::BF16;
  // An in-place column is converted as the multiply-adds take it; any other is converted here.
  if (!column_in_place) {
    if (M == 1 && st.affine) {
      // One stationary column (the conv's filter tap): its K elements are `pitch` apart.
      isa::load_elements(st.first, st.pitch, in.src.dtype, K, stat);
    } else {
      for (int k = 0; k < K; ++k) load_row(m, in.src, st, k, &stat[size_t(k * M)]);
    }
  }
  const uint8_t* mov = mv.first;
  int64_t mov_pitch = mv.pitch;
  DType mov_type = mdt;
  if (!moving_in_place) {
    float* rows = scratch_row(1, size_t(K * N));
    for (int k = 0; k < K; ++k) load_row(m, in.src2, mv, k, &rows[size_t(k * N)]);
    mov = reinterpret_cast<const uint8_t*>(rows);
    mov_pitch = N * 4;
    mov_type = DType::F32;
  }
  float* column = M == 1 ? stat : scratch_row(3, size_t(K));
  for (int64_t i = 0; i < M; ++i) {
    if (M > 1)
      for (int k = 0; k < K; ++k) column[k] = stat[size_t(k * M + i)];
    std::fill(acc, acc + N, 0.0f);
    if (column_in_place) mac_column_bf16_in_place(acc, st.first, st.pitch, K, mov, mov_pitch, N);
    else if (mov_type == DType::BF16) mac_column_bf16(acc, column, K, mov, mov_pitch, N);
    else mac_column_f32(acc, column, K, mov, mov_pitch, N);
    // prev + acc even when not accumulating (prev = 0): 0 + -0 is +0. Element by element in
    // order, read then write, so a pattern that revisits an element adds twice as before.
    for (int64_t j = 0; j < N; ++j) {
      uint8_t* o = out.affine ? out.row(int(i)) + j * out.stride : m.at(in.dst, int(i), j);
      float prev = 0.0f;
      if (in.accumulate) std::memcpy(&prev, o, 4);
      const float v = prev + acc[j];
      std::memcpy(o, &v, 4);
    }
  }
}

// dst row f, element p = all[p * F + f], for destination rows of contiguous fp32 (a PSUM
// tile, each row its own partition: validation keeps partition steps positive, so no two
// rows overlap and the order of the writes does not matter). Four source rows at a time,
// transposed as 4 x 4 blocks in registers: a store of four elements where an element at a
// time cost a load and a store each (a 128 x 128 filter tile took 15 us).
void transpose_f32_rows(const float* all, int P, int64_t F, const Rows& dst) {
  int p = 0;
  for (; p + 4 <= P; p += 4) {
    const float* a = all + size_t(p) * size_t(F);
    const float *b = a + F, *c = b + F, *d = c + F;
    int64_t f = 0;
    for (; f + 4 <= F; f += 4) {
      F32x4 ra, rb, rc, rd;
      std::memcpy(&ra, a + f, 16);
      std::memcpy(&rb, b + f, 16);
      std::memcpy(&rc, c + f, 16);
      std::memcpy(&rd, d + f, 16);
      // Interleave pairs of rows, then pairs of pairs: o_k holds element k of a, b, c and d.
      const F32x4 ab_lo = __builtin_shufflevector(ra, rb, 0, 4, 1, 5);
      const F32x4 ab_hi = __builtin_shufflevector(ra, rb, 2, 6, 3, 7);
      const F32x4 cd_lo = __builtin_shufflevector(rc, rd, 0, 4, 1, 5);
      const F32x4 cd_hi = __builtin_shufflevector(rc, rd, 2, 6, 3, 7);
      const F32x4 o0 = __builtin_shufflevector(ab_lo, cd_lo, 0, 1, 4, 5);
      const F32x4 o1 = __builtin_shufflevector(ab_lo, cd_lo, 2, 3, 6, 7);
      const F32x4 o2 = __builtin_shufflevector(ab_hi, cd_hi, 0, 1, 4, 5);
      const F32x4 o3 = __builtin_shufflevector(ab_hi, cd_hi, 2, 3, 6, 7);
      std::memcpy(dst.row(int(f)) + p * 4, &o0, 16);
      std::memcpy(dst.row(int(f + 1)) + p * 4, &o1, 16);
      std::memcpy(dst.row(int(f + 2)) + p * 4, &o2, 16);
      std::memcpy(dst.row(int(f + 3)) + p * 4, &o3, 16);
    }
    for (; f < F; ++f) {
      const float v[4] = {a[f], b[f], c[f], d[f]};
      std::memcpy(dst.row(int(f)) + p * 4, v, 16);
    }
  }
  for (; p < P; ++p)
    for (int64_t f = 0; f < F; ++f) std::memcpy(dst.row(int(f)) + p * 4, &all[size_t(p) * size_t(F) + size_t(f)], 4);
}

// dst[f, p] = src[p, f] as bits: the PE's transpose mode is bit-accurate on trn2
// (nki.isa.nc_transpose), which fp32 would not be for an int32 past 2^24. Not a hot path.
void transpose_bits(const isa::Instruction& in, const CoreMemory& m) {
  const size_t esize = isa::dtype_size(in.src.dtype);
  const int P = in.src.partition_count;
  const int64_t F = in.src.free_elements();
  for (int p = 0; p < P; ++p)
    for (int64_t f = 0; f < F; ++f) std::memcpy(m.at(in.dst, int(f), p), m.at(in.src, p, f), esize);
}

void transpose(const isa::Instruction& in, const CoreMemory& m) {
  if (isa::is_integer(in.src.dtype)) return transpose_bits(in, m);
  // dst[f, p] = src[p, f]. The source is gathered whole, as fp32, then written out: rows of
  // contiguous fp32 (the PE's PSUM output) in 4 x 4 blocks, any other destination row by row
  // (elements in ascending p); src (SBUF) and dst (PSUM) never overlap.
  const int P = in.src.partition_count;
  const int64_t F = in.src.free_elements();
  // Columns are gathered kBlock at a time: each source row then gives one cache line to the
  // block, where a column at a time walked all P rows once per column (a 128 x 128 fp32 tile
  // is 64 KiB, more than L1 holds, so every element was a miss).
  constexpr int64_t kBlock = 16;
  float* all = scratch_row(0, size_t(P) * size_t(F));
  const Rows src = rows_of(m, in.src);
  for (int p = 0; p < P; ++p) load_row(m, in.src, src, p, &all[size_t(p) * size_t(F)]);
  const Rows dst = rows_of(m, in.dst);
  if (dst.affine && dst.stride == 4 && in.dst.dtype == DType::F32) {
    transpose_f32_rows(all, P, F, dst);
    return;
  }
  float* cols = scratch_row(1, size_t(kBlock) * size_t(P));
  for (int64_t f0 = 0; f0 < F; f0 += kBlock) {
    const int64_t nb = std::min(kBlock, F - f0);
    for (int p = 0; p < P; ++p) {
      const float* row = &all[size_t(p) * size_t(F) + size_t(f0)];
      for (int64_t b = 0; b < nb; ++b) cols[size_t(b * P + p)] = row[b];
    }
    for (int64_t b = 0; b < nb; ++b) store_row(m, in.dst, dst, int(f0 + b), &cols[size_t(b * P)]);
  }
}

}  // namespace

void execute(const isa::Instruction& in, const CoreMemory& mem) {
  switch (in.op) {
    case isa::Opcode::DmaCopy: dma_copy(in, mem); break;
    case isa::Opcode::TensorCopy: tensor_copy(in, mem); break;
    case isa::Opcode::Memset: memset(in, mem); break;
    case isa::Opcode::Matmul: matmul(in, mem); break;
    case isa::Opcode::Transpose: transpose(in, mem); break;
    case isa::Opcode::TensorTensor: tensor_tensor(in, mem); break;
    case isa::Opcode::TensorScalar: tensor_scalar(in, mem); break;
    case isa::Opcode::Activation: activation(in, mem); break;
    case isa::Opcode::Iota: iota(in, mem); break;
    case isa::Opcode::TensorReduce: tensor_reduce(in, mem); break;
    case isa::Opcode::ScalarTensorTensor: scalar_tensor_tensor(in, mem); break;
  }
}

}  // namespace trn2::sim

#include "sim/datapath.h"

#include <algorithm>
#include <cstring>
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

namespace {

// Element i of the flattened (partition-major) pattern.
uint8_t* flat_at(const CoreMemory& m, const AccessPattern& a, int64_t i) {
  const int64_t per = a.free_elements();
  return m.at(a, int(i / per), i % per);
}

// Byte stride between consecutive elements of partition row `i` when the row is a single
// evenly strided run in one memory (one free dim, and for PSUM, within one bank); 0 when it
// is not, and the caller goes element by element.
int64_t row_stride(const CoreMemory& m, const AccessPattern& a, int i) {
  const int64_t esize = int64_t(isa::dtype_size(a.dtype));
  if (a.ndims != 1 && a.free_elements() != 1) return 0;
  const int64_t step = a.ndims == 1 ? a.dims[0].step : 1;
  if (a.space == isa::Space::PSUM) {
    const int64_t n = a.free_elements();
    const uint8_t* first = m.at(a, i, 0);
    const uint8_t* last = m.at(a, i, n - 1);
    if (last - first != (n - 1) * step * esize) return 0;  // the row crosses a bank
  }
  return step * esize;
}

// Scratch rows reused across instructions: the model runs one instruction at a time (the
// SystemC threads are coroutines of one host thread), so no instruction allocates.
std::vector<float>& scratch(int which, size_t n) {
  static std::vector<float> rows[3];
  std::vector<float>& v = rows[which];
  if (v.size() < n) v.resize(n);
  return v;
}

}  // namespace

void gather_row(const CoreMemory& m, const AccessPattern& a, int i, float* out) {
  const int64_t n = a.free_elements();
  if (const int64_t stride = row_stride(m, a, i)) {
    isa::load_elements(m.at(a, i, 0), stride, a.dtype, n, out);
    return;
  }
  for (int64_t f = 0; f < n; ++f) out[f] = isa::load_element(m.at(a, i, f), a.dtype);
}

void scatter_row(const CoreMemory& m, const AccessPattern& a, int i, const float* in) {
  const int64_t n = a.free_elements();
  if (const int64_t stride = row_stride(m, a, i)) {
    isa::store_elements(m.at(a, i, 0), stride, a.dtype, n, in);
    return;
  }
  for (int64_t f = 0; f < n; ++f) isa::store_element(m.at(a, i, f), a.dtype, in[f]);
}

namespace {

void dma_copy(const isa::Instruction& in, const CoreMemory& m) {
  // DMA moves bytes, no conversion (validation keeps src and dst dtypes equal).
  const size_t esize = isa::dtype_size(in.src.dtype);
  const bool same_rows = in.src.partition_count == in.dst.partition_count;
  const bool hbm_to_hbm = in.src.space == isa::Space::HBM && in.dst.space == isa::Space::HBM;
  const auto contiguous = [&](const AccessPattern& a, int p) { return row_stride(m, a, p) == int64_t(esize); };
  if (same_rows && !hbm_to_hbm && contiguous(in.src, 0) && contiguous(in.dst, 0) && in.src.space != isa::Space::PSUM &&
      in.dst.space != isa::Space::PSUM) {
    // Row by row: source and destination are different memories or different partitions
    // of one, so rows cannot overlap (a copy within one SBUF partition uses memmove).
    const size_t row_bytes = size_t(in.src.free_elements()) * esize;
    for (int p = 0; p < in.src.partition_count; ++p) std::memmove(m.at(in.dst, p, 0), m.at(in.src, p, 0), row_bytes);
    return;
  }
  // General case: element by element through a staging buffer, so an overlapping source
  // and destination behave as a copy.
  const int64_t n = in.src.total_elements();
  static std::vector<uint8_t> staged;
  if (staged.size() < size_t(n) * esize) staged.resize(size_t(n) * esize);
  for (int64_t i = 0; i < n; ++i) std::memcpy(&staged[size_t(i) * esize], flat_at(m, in.src, i), esize);
  for (int64_t i = 0; i < n; ++i) std::memcpy(flat_at(m, in.dst, i), &staged[size_t(i) * esize], esize);
}

void tensor_copy(const isa::Instruction& in, const CoreMemory& m) {
  float* row = scratch(0, size_t(in.src.free_elements())).data();
  for (int p = 0; p < in.src.partition_count; ++p) {
    gather_row(m, in.src, p, row);
    scatter_row(m, in.dst, p, row);
  }
}

void memset(const isa::Instruction& in, const CoreMemory& m) {
  const size_t n = size_t(in.dst.free_elements());
  std::vector<float>& row = scratch(0, n);
  std::fill(row.begin(), row.begin() + long(n), in.value);
  for (int p = 0; p < in.dst.partition_count; ++p) scatter_row(m, in.dst, p, row.data());
}

void matmul(const isa::Instruction& in, const CoreMemory& m) {
  // out[M, N] (+)= stationary[K, M]^T x moving[K, N]; products and sums in fp32 over k in
  // ascending order, as the PE array accumulates; the PSUM bank adds the result to what it
  // holds when accumulating. The build must not contract `acc + s * x` into a fused
  // multiply-add (no -march flags): the bits would change.
  const int K = in.src.partition_count;
  const int64_t M = in.src.free_elements(), N = in.src2.free_elements();
  float* stat = scratch(0, size_t(K * M)).data();
  float* mov = scratch(1, size_t(K * N)).data();
  float* acc = scratch(2, size_t(N)).data();
  for (int k = 0; k < K; ++k) {
    gather_row(m, in.src, k, &stat[size_t(k * M)]);
    gather_row(m, in.src2, k, &mov[size_t(k * N)]);
  }
  for (int64_t i = 0; i < M; ++i) {
    std::fill(acc, acc + N, 0.0f);
    for (int k = 0; k < K; ++k) {
      const float s = stat[size_t(k * M + i)];
      const float* row = &mov[size_t(k * N)];
      for (int64_t j = 0; j < N; ++j) acc[j] += s * row[j];
    }
    // prev + acc even when not accumulating (prev = 0): 0 + -0 is +0, as before.
    if (row_stride(m, in.dst, int(i)) == 4) {
      uint8_t* out = m.at(in.dst, int(i), 0);
      for (int64_t j = 0; j < N; ++j) {
        float prev = 0.0f;
        if (in.accumulate) std::memcpy(&prev, out + 4 * j, 4);
        const float v = prev + acc[j];
        std::memcpy(out + 4 * j, &v, 4);
      }
      continue;
    }
    for (int64_t j = 0; j < N; ++j) {
      uint8_t* out = m.at(in.dst, int(i), j);
      float prev = 0.0f;
      if (in.accumulate) std::memcpy(&prev, out, 4);
      const float v = prev + acc[size_t(j)];
      std::memcpy(out, &v, 4);
    }
  }
}

void transpose(const isa::Instruction& in, const CoreMemory& m) {
  const int P = in.src.partition_count;
  const int64_t F = in.src.free_elements();
  float* row = scratch(0, size_t(F)).data();
  for (int p = 0; p < P; ++p) {
    gather_row(m, in.src, p, row);
    for (int64_t f = 0; f < F; ++f) isa::store_element(m.at(in.dst, int(f), p), in.dst.dtype, row[size_t(f)]);
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
  }
}

}  // namespace trn2::sim

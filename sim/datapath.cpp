#include "sim/datapath.h"

#include "sim/elementwise.h"

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

// A partition row whose elements sit back to back in one memory (not PSUM, whose rows may
// span banks): it can be read or written with one pointer.
bool contiguous_row(const AccessPattern& a) {
  return a.space != isa::Space::PSUM && (a.ndims == 1 ? a.dims[0].step == 1 : a.free_elements() == 1);
}

}  // namespace

void gather_row(const CoreMemory& m, const AccessPattern& a, int i, float* out) {
  const int64_t n = a.free_elements();
  if (contiguous_row(a)) {
    const uint8_t* p = m.at(a, i, 0);
    if (a.dtype == DType::F32) {
      std::memcpy(out, p, size_t(n) * 4);
    } else {
      for (int64_t f = 0; f < n; ++f) out[f] = isa::load_element(p + f * 2, a.dtype);
    }
    return;
  }
  for (int64_t f = 0; f < n; ++f) out[f] = isa::load_element(m.at(a, i, f), a.dtype);
}

void scatter_row(const CoreMemory& m, const AccessPattern& a, int i, const float* in) {
  const int64_t n = a.free_elements();
  if (contiguous_row(a)) {
    uint8_t* p = m.at(a, i, 0);
    if (a.dtype == DType::F32) {
      std::memcpy(p, in, size_t(n) * 4);
    } else {
      for (int64_t f = 0; f < n; ++f) isa::store_element(p + f * 2, a.dtype, in[f]);
    }
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
  if (same_rows && !hbm_to_hbm && contiguous_row(in.src) && contiguous_row(in.dst)) {
    // Row by row: source and destination are different memories or different partitions
    // of one, so rows cannot overlap (a copy within one SBUF partition uses memmove).
    const size_t row_bytes = size_t(in.src.free_elements()) * esize;
    for (int p = 0; p < in.src.partition_count; ++p) std::memmove(m.at(in.dst, p, 0), m.at(in.src, p, 0), row_bytes);
    return;
  }
  // General case: element by element through a staging buffer, so an overlapping source
  // and destination behave as a copy.
  const int64_t n = in.src.total_elements();
  std::vector<uint8_t> staged(size_t(n) * esize);
  for (int64_t i = 0; i < n; ++i) std::memcpy(&staged[size_t(i) * esize], flat_at(m, in.src, i), esize);
  for (int64_t i = 0; i < n; ++i) std::memcpy(flat_at(m, in.dst, i), &staged[size_t(i) * esize], esize);
}

void tensor_copy(const isa::Instruction& in, const CoreMemory& m) {
  std::vector<float> row(static_cast<size_t>(in.src.free_elements()));
  for (int p = 0; p < in.src.partition_count; ++p) {
    gather_row(m, in.src, p, row.data());
    scatter_row(m, in.dst, p, row.data());
  }
}

void memset(const isa::Instruction& in, const CoreMemory& m) {
  const std::vector<float> row(static_cast<size_t>(in.dst.free_elements()), in.value);
  for (int p = 0; p < in.dst.partition_count; ++p) scatter_row(m, in.dst, p, row.data());
}

void matmul(const isa::Instruction& in, const CoreMemory& m) {
  // out[M, N] (+)= stationary[K, M]^T x moving[K, N]; products and sums in fp32 over k in
  // ascending order, as the PE array accumulates; the PSUM bank adds the result to what it
  // holds when accumulating.
  const int K = in.src.partition_count;
  const int64_t M = in.src.free_elements(), N = in.src2.free_elements();
  std::vector<float> stat(static_cast<size_t>(K * M)), mov(static_cast<size_t>(K * N)), acc(static_cast<size_t>(N));
  for (int k = 0; k < K; ++k) {
    gather_row(m, in.src, k, &stat[size_t(k * M)]);
    gather_row(m, in.src2, k, &mov[size_t(k * N)]);
  }
  for (int64_t i = 0; i < M; ++i) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (int k = 0; k < K; ++k) {
      const float s = stat[size_t(k * M + i)];
      const float* row = &mov[size_t(k * N)];
      for (int64_t j = 0; j < N; ++j) acc[size_t(j)] += s * row[j];
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
  std::vector<float> row(static_cast<size_t>(F));
  for (int p = 0; p < P; ++p) {
    gather_row(m, in.src, p, row.data());
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
    case isa::Opcode::TensorTensor: tensor_tensor(in, mem); break;
    case isa::Opcode::TensorScalar: tensor_scalar(in, mem); break;
    case isa::Opcode::Activation: activation(in, mem); break;
    case isa::Opcode::Iota: iota(in, mem); break;
  }
}

}  // namespace trn2::sim

#include "sim/datapath.h"

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

void dma_copy(const isa::Instruction& in, const CoreMemory& m) {
  // DMA moves bytes, no conversion (validation keeps src and dst dtypes equal). Elements are
  // read into a staging buffer first so overlapping source and destination behave as a copy.
  const int64_t n = in.src.total_elements();
  const size_t esize = isa::dtype_size(in.src.dtype);
  std::vector<uint8_t> staged(size_t(n) * esize);
  for (int64_t i = 0; i < n; ++i) std::memcpy(&staged[size_t(i) * esize], flat_at(m, in.src, i), esize);
  for (int64_t i = 0; i < n; ++i) std::memcpy(flat_at(m, in.dst, i), &staged[size_t(i) * esize], esize);
}

void tensor_copy(const isa::Instruction& in, const CoreMemory& m) {
  const int64_t per_partition = in.src.free_elements();
  std::vector<float> row(static_cast<size_t>(per_partition));
  for (int p = 0; p < in.src.partition_count; ++p) {
    for (int64_t f = 0; f < per_partition; ++f) row[size_t(f)] = isa::load_element(m.at(in.src, p, f), in.src.dtype);
    for (int64_t f = 0; f < per_partition; ++f) isa::store_element(m.at(in.dst, p, f), in.dst.dtype, row[size_t(f)]);
  }
}

void memset(const isa::Instruction& in, const CoreMemory& m) {
  const int64_t per_partition = in.dst.free_elements();
  for (int p = 0; p < in.dst.partition_count; ++p)
    for (int64_t f = 0; f < per_partition; ++f) isa::store_element(m.at(in.dst, p, f), in.dst.dtype, in.value);
}

void matmul(const isa::Instruction& in, const CoreMemory& m) {
  // out[M, N] (+)= stationary[K, M]^T x moving[K, N]; products and sums in fp32, as the PE
  // array accumulates; the PSUM bank adds the result to what it holds when accumulating.
  const int K = in.src.partition_count;
  const int64_t M = in.src.free_elements(), N = in.src2.free_elements();
  std::vector<float> stat(size_t(K * M)), mov(size_t(K * N));
  for (int k = 0; k < K; ++k) {
    for (int64_t j = 0; j < M; ++j) stat[size_t(k * M + j)] = isa::load_element(m.at(in.src, k, j), in.src.dtype);
    for (int64_t j = 0; j < N; ++j) mov[size_t(k * N + j)] = isa::load_element(m.at(in.src2, k, j), in.src2.dtype);
  }
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < K; ++k) sum += stat[size_t(k * M + i)] * mov[size_t(k * N + j)];
      uint8_t* out = m.at(in.dst, int(i), j);
      float prev = 0.0f;
      if (in.accumulate) std::memcpy(&prev, out, 4);
      const float v = prev + sum;
      std::memcpy(out, &v, 4);
    }
  }
}

void transpose(const isa::Instruction& in, const CoreMemory& m) {
  const int P = in.src.partition_count;
  const int64_t F = in.src.free_elements();
  for (int p = 0; p < P; ++p)
    for (int64_t f = 0; f < F; ++f)
      isa::store_element(m.at(in.dst, int(f), p), in.dst.dtype, isa::load_element(m.at(in.src, p, f), in.src.dtype));
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

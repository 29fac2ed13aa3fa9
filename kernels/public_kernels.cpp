#include "kernels/public_kernels.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/builder.h"

namespace trn2::kernels {

namespace {

using isa::DType;
using isa::Space;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

// `rows` rows of `cols` fp32 elements of an HBM tensor, `stride` elements apart, from `offset`.
isa::AccessPattern hbm_rows(int64_t base, int64_t offset, int rows, int64_t stride, int64_t cols) {
  isa::AccessPattern a = isa::tile(Space::HBM, DType::F32, base, 0, rows, cols);
  a.offset = offset;
  a.partition_step = stride;
  return a;
}

isa::AccessPattern sbuf_tile(int64_t base, int rows, int64_t cols) { return isa::tile(Space::SBUF, DType::F32, base, 0, rows, cols); }

isa::Instruction tensor_add(const isa::AccessPattern& dst, const isa::AccessPattern& a, const isa::AccessPattern& b) {
  isa::Instruction in;
  in.op = isa::Opcode::TensorTensor;
  in.engine = isa::Engine::Vector;
  in.alu = isa::AluOp::Add;
  in.dst = dst, in.src = a, in.src2 = b;
  return in;
}

// The elementwise add both vector-add kernels make: tile t covers `rows` partitions x `cols`
// elements at element `offset(t)` of each vector, rows `stride` apart.
template <class Offset>
isa::Program vector_add(const char* name, int64_t n, int64_t tiles, int rows, int64_t cols, int64_t stride,
                        Offset offset, const PublicKernelOptions& o, const isa::Limits& limits) {
  ProgramBuilder b(limits, 1, name);
  const int64_t a_base = b.hbm_tensor("a", DType::F32, {n}, true).base;
  const int64_t b_base = b.hbm_tensor("b", DType::F32, {n}, true).base;
  const int64_t out_base = b.hbm_tensor("out", DType::F32, {n}).base;
  const int a_pool = b.sbuf_pool("a", cols * 4, o.buffers), b_pool = b.sbuf_pool("b", cols * 4, o.buffers);
  const int out_pool = b.sbuf_pool("out", cols * 4, o.buffers);
  b.set_core(0);
  for (int64_t t = 0; t < tiles; ++t) {
    const auto at = sbuf_tile(b.allocate(a_pool), rows, cols), bt = sbuf_tile(b.allocate(b_pool), rows, cols);
    b.dma_copy(at, hbm_rows(a_base, offset(t), rows, stride, cols), o.dge, o.load_queue);
    b.dma_copy(bt, hbm_rows(b_base, offset(t), rows, stride, cols), o.dge, o.load_queue);
    const auto res = sbuf_tile(b.allocate(out_pool), rows, cols);
    b.add(tensor_add(res, at, bt));
    b.dma_copy(hbm_rows(out_base, offset(t), rows, stride, cols), res, o.dge, o.store_queue);
  }
  return b.finish();
}

}  // namespace

isa::Program vector_add_stream(int64_t n, int64_t free_dim, const PublicKernelOptions& o, const isa::Limits& limits) {
  require(n > 0 && free_dim > 0 && n % (128 * free_dim) == 0, "vector_add_stream: n must be a multiple of 128 x free_dim");
  const int64_t row = n / 128;  // the vector viewed as [128, n / 128]
  return vector_add("vector_add_stream", n, row / free_dim, 128, free_dim, row,
                    [free_dim](int64_t t) { return t * free_dim; }, o, limits);
}

isa::Program vector_add_tiled(int64_t n, int64_t row_chunk, const PublicKernelOptions& o, const isa::Limits& limits) {
  require(row_chunk >= 1 && row_chunk <= limits.partitions && n % row_chunk == 0,
          "vector_add_tiled: row_chunk must divide n and be at most the partitions");
  return vector_add("vector_add_tiled", n, n / row_chunk, int(row_chunk), 1, 1,
                    [row_chunk](int64_t t) { return t * row_chunk; }, o, limits);
}

isa::Program transpose_tiled(int64_t n, const PublicKernelOptions& o, const isa::Limits& limits) {
  require(n > 0 && n % 128 == 0, "transpose_tiled: n must be a multiple of 128");
  ProgramBuilder b(limits, 1, "matrix_transpose");
  const int64_t in_base = b.hbm_tensor("a", DType::F32, {n, n}, true).base;
  const int64_t out_base = b.hbm_tensor("out", DType::F32, {n, n}).base;
  const int64_t id_base = b.hbm_tensor("identity", DType::F32, {128, 32}, true).base;
  const int in_pool = b.sbuf_pool("input", 128 * 4, o.buffers), out_pool = b.sbuf_pool("output", 128 * 4, o.buffers);
  const int id_pool = b.sbuf_pool("identity", 32 * 4, 1);
  const int psum_pool = b.psum_pool("transpose", std::min(o.buffers, 8));
  b.set_core(0);
  const auto identity = sbuf_tile(b.allocate(id_pool), 128, 32);
  const uint32_t identity_load = b.dma_copy(identity, hbm_rows(id_base, 0, 128, 32, 32), o.dge, o.load_queue + 2);
  const int64_t tiles = n / 128;
  for (int64_t i = 0; i < tiles; ++i)
    for (int64_t j = 0; j < tiles; ++j) {
      const auto x = sbuf_tile(b.allocate(in_pool), 128, 128);
      b.dma_copy(x, hbm_rows(in_base, i * 128 * n + j * 128, 128, n, 128), o.dge, o.load_queue);
      const auto t = isa::tile(Space::PSUM, DType::F32, b.allocate(psum_pool), 0, 128, 128);
      isa::Instruction tr;
      tr.op = isa::Opcode::Transpose;
      tr.engine = isa::Engine::Tensor;
      tr.dst = t, tr.src = x;
      if (i == 0 && j == 0) tr.deps = {identity_load};  // the PE transposes against the identity
      b.add(tr);
      const auto y = sbuf_tile(b.allocate(out_pool), 128, 128);
      b.tensor_copy(y, t, isa::Engine::Scalar);
      b.dma_copy(hbm_rows(out_base, j * 128 * n + i * 128, 128, n, 128), y, o.dge, o.store_queue);
    }
  return b.finish();
}

isa::Program matmul_hoisted(int64_t m, int64_t n, int64_t k, const PublicKernelOptions& o, const isa::Limits& limits) {
  require(m > 0 && m % 128 == 0 && n > 0 && n % 512 == 0 && k > 0 && k % 128 == 0,
          "matmul_hoisted: m and k must be multiples of 128, n of 512");
  ProgramBuilder b(limits, 1, "nki_matmul_hoist_load");
  const int64_t lhs_base = b.hbm_tensor("lhsT", DType::F32, {k, m}, true).base;
  const int64_t rhs_base = b.hbm_tensor("rhs", DType::F32, {k, n}, true).base;
  const int64_t out_base = b.hbm_tensor("out", DType::F32, {m, n}).base;
  const int k_tiles = int(k / 128);
  const int lhs_pool = b.sbuf_pool("lhsT", 128 * 4, k_tiles), rhs_pool = b.sbuf_pool("rhs", 512 * 4, k_tiles);
  const int res_pool = b.sbuf_pool("result", 512 * 4, 2);
  const int acc_pool = b.psum_pool("accumulate", 2);
  b.set_core(0);
  std::vector<isa::AccessPattern> lhs(static_cast<size_t>(k_tiles)), rhs(static_cast<size_t>(k_tiles));
  for (int64_t mt = 0; mt < m / 128; ++mt) {
    for (int kt = 0; kt < k_tiles; ++kt) {
      lhs[size_t(kt)] = sbuf_tile(b.allocate(lhs_pool), 128, 128);
      b.dma_copy(lhs[size_t(kt)], hbm_rows(lhs_base, kt * 128 * m + mt * 128, 128, m, 128), o.dge, o.load_queue);
    }
    for (int64_t nt = 0; nt < n / 512; ++nt) {
      for (int kt = 0; kt < k_tiles; ++kt) {
        rhs[size_t(kt)] = sbuf_tile(b.allocate(rhs_pool), 128, 512);
        b.dma_copy(rhs[size_t(kt)], hbm_rows(rhs_base, kt * 128 * n + nt * 512, 128, n, 512), o.dge, o.load_queue);
      }
      const auto acc = isa::tile(Space::PSUM, DType::F32, b.allocate(acc_pool), 0, 128, 512);
      for (int kt = 0; kt < k_tiles; ++kt) b.matmul(acc, lhs[size_t(kt)], rhs[size_t(kt)], kt > 0);
      const auto res = sbuf_tile(b.allocate(res_pool), 128, 512);
      b.tensor_copy(res, acc, isa::Engine::Vector);
      b.dma_copy(hbm_rows(out_base, mt * 128 * n + nt * 512, 128, n, 512), res, o.dge, o.store_queue);
    }
  }
  return b.finish();
}

}  // namespace trn2::kernels

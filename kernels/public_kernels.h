#pragma once
// Public trn2 kernels with published measurements, rebuilt as instruction streams for the
// validation set (validation/cases.json, docs/validation.md). Each follows its public source's
// loops and the compiler's choices its public NEFF shows (queues, buffers); what a NEFF does
// not show is a parameter the case states. All fp32; one core.
#include <cstdint>

#include "isa/instruction.h"
#include "isa/validate.h"

namespace trn2::kernels {

// How the compiler placed a kernel's DMAs and buffers.
struct PublicKernelOptions {
  int buffers = 1;                            // rotating buffers per tile declared in a loop
  isa::DgeMode dge = isa::DgeMode::None;      // of every DMA
  int load_queue = 0, store_queue = 1;        // CS149 asst4 NEFFs: loads on SP's queue, stores on Pool's
};

// CS149 asst4 part 1 vector_add_stream: out = a + b over n fp32 viewed as [128, n / 128], in
// [128, free_dim] tiles: two loads, a DVE tensor_tensor add, a store per tile.
isa::Program vector_add_stream(int64_t n, int64_t free_dim, const PublicKernelOptions& o, const isa::Limits& limits);

// CS149 asst4 part 1 vector_add_tiled: out = a + b over n fp32 in [row_chunk, 1] tiles (one
// element on each of row_chunk partitions): two loads, an add, a store per tile. (The source's
// tensor_scalar with a [row_chunk, 1] operand is a tensor_tensor here: the same numbers and,
// at one element a partition, the same MIN_II cost.)
isa::Program vector_add_tiled(int64_t n, int64_t row_chunk, const PublicKernelOptions& o, const isa::Limits& limits);

// CS149 asst4 part 1 matrix_transpose: an n x n fp32 matrix in 128 x 128 tiles: load,
// nc_transpose on the PE into PSUM, ACT copy to SBUF, store to the transposed place. The
// compiled kernel first loads the PE's identity (16 KiB, here as [128, 32] fp32).
isa::Program transpose_tiled(int64_t n, const PublicKernelOptions& o, const isa::Limits& limits);

// aws-neuron-sdk's kernel-optimization tutorial, version 3 ("hoist loads"), fp32: out [m, n] =
// lhsT^T rhs with lhsT [k, m], rhs [k, n]; per 128-row block of m all k / 128 lhsT tiles are
// loaded, then per 512-column block of n all k / 128 rhs tiles, k / 128 matmuls accumulating
// in PSUM, a copy to SBUF and a store.
isa::Program matmul_hoisted(int64_t m, int64_t n, int64_t k, const PublicKernelOptions& o, const isa::Limits& limits);

}  // namespace trn2::kernels

#pragma once
// Inside the depthwise conv1d kernel: what every variant's emitter shares (the tiling, the
// HBM tensors, a builder) and the factory that picks one. Not part of the kernels/ API.
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/builder.h"
#include "kernels/depthwise_conv1d.h"

namespace trn2::kernels::conv1d {

// The tiling of nkilib's kernel (S_TILE = min(S, P_MAX), Q_TILE = min(Q, F_MAX), C_TILE =
// min(C / lnc, P_MAX)) within this model's limits, and the sizes that follow from it.
struct Tiling {
  int64_t N, C, W, S, Q, shard;  // shard: channels per core
  int64_t s_tile, q_tile, c_tile, s_tiles, q_tiles, c_tiles;
  int64_t in_size, filter_size;  // element bytes of the input (and output) and of the filter
  Tiling(const DepthwiseConv1dParams& p, const isa::Limits& limits);
};

// One variant's stream maker. The constructor declares the HBM tensors and the pools (the
// same on every builder, so that separately built cores agree); emit(core) makes a core's
// stream.
class Emitter {
 public:
  Emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits);
  virtual ~Emitter() = default;
  virtual void emit(int core) = 0;
  // The plan this emitter follows (the pools it declared), for reports.
  const Conv1dPlan& plan() const { return plan_; }
  ProgramBuilder b;

 protected:
  // An HBM pattern over one of the kernel's tensors: `partitions` rows `pstep` elements apart,
  // `free` elements `fstep` apart in each, from element `offset`.
  isa::AccessPattern hbm(int64_t base, isa::DType dtype, int64_t offset, int64_t partitions, int64_t pstep,
                         int64_t free, int64_t fstep = 1) const;
  // An SBUF pool of `bufs` buffers of `bytes` per partition; the plan records the SBUF used.
  int sbuf_pool(const char* name, int64_t bytes, int bufs);
  // The implicit-GEMM variants' filter preload for channel tile c0: per S tile, the
  // [c_rows, s_rows] slice by DMA, transposed on the PE into PSUM and copied to SBUF as
  // [s_rows, c_rows] (filt_t[st]). `zero_partial` zeroes partial tiles first (nkilib's
  // memsets). Uses filt_pool, filt_t_pool and tr_pool, which the variant declares.
  void load_filter(int core, int64_t c0, std::vector<int64_t>& filt_t, bool zero_partial);
  // The implicit-GEMM variants' end of a Q tile: its [1, qn] fp32 sums in PSUM copied to an
  // `out_pool` buffer in the output dtype (the copies alternate between ACT and DVE, counted
  // in copy_turn) and stored to output element `out_offset` on.
  void store_result(const isa::AccessPattern& sums, int out_pool, int64_t out_offset, int64_t qn);

  int copy_turn = 0;  // PSUM->SBUF result copies so far on this core

  const DepthwiseConv1dParams& p;
  const Tiling t;
  const isa::DType idt, fdt;  // the input's (and output's) dtype, the filter's
  int filt_pool = -1, filt_t_pool = -1, tr_pool = -1;
  Conv1dPlan plan_;
  int64_t in_base, f_base, out_base;  // HBM tensors
};

std::unique_ptr<Emitter> make_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits);
// The variants, each in its own file.
std::unique_ptr<Emitter> make_nkilib_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits);
std::unique_ptr<Emitter> make_q_tiled_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits);
std::unique_ptr<Emitter> make_vector_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits);

}  // namespace trn2::kernels::conv1d

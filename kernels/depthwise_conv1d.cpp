#include "kernels/depthwise_conv1d.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/conv1d_emitter.h"

namespace trn2::kernels {

using isa::Space;

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}
const char* const kVariantNames[] = {"nkilib", "filter_once", "q_tiled", "vector"};
}  // namespace

const char* variant_name(Conv1dVariant v) { return kVariantNames[int(v)]; }
bool parse_variant(const std::string& s, Conv1dVariant& out) {
  for (int i = 0; i < 3; ++i)  // "vector" is a kernel of its own (kernel.name), not a variant
    if (s == kVariantNames[i]) {
      out = Conv1dVariant(i);
      return true;
    }
  return false;
}

void DepthwiseConv1dParams::check() const {
  // nki-library's depthwise conv1d is tested on fp32, bf16 and fp16 only: its filter
  // transpose would be an fp8 nc_transpose, which this model does not run, and its matmuls
  // take no integer operands (nki.isa.nc_matmul).
  const auto taken = [](isa::DType t) { return !isa::is_fp8(t) && !isa::is_integer(t); };
  require(taken(dtype), std::string("kernel.dtype ") + isa::dtype_name(dtype) + ": the depthwise conv1d kernels take float32, bfloat16 or float16");
  require(taken(filter_type()), std::string("kernel.filter_dtype ") + isa::dtype_name(filter_type()) + ": the depthwise conv1d kernels take float32, bfloat16 or float16");
  require(batch >= 1, "kernel.batch must be positive, got " + std::to_string(batch));
  require(channels >= 1, "kernel.channels must be positive, got " + std::to_string(channels));
  require(width >= 1, "kernel.width must be positive, got " + std::to_string(width));
  require(kernel_size >= 1, "kernel.kernel_size must be positive, got " + std::to_string(kernel_size));
  require(stride >= 1, "kernel.stride must be positive, got " + std::to_string(stride));
  // Past the padded width every stride reads only the first window; the bound keeps the
  // strided access patterns within the ISA's steps.
  require(stride <= (int64_t(1) << 20), "kernel.stride " + std::to_string(stride) + " exceeds 1048576");
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
  // nkilib's own asserts (stride_h, lhs/rhs dilation, batch_group_count, feature_group_count).
  require(dilation == 1, "kernel.dilation must be 1 (rhs/lhs dilation is not supported)");
  require(batch_group_count == 1, "kernel.batch_group_count must be 1");
  require(feature_group_count == -1 || feature_group_count == channels,
          "kernel.feature_group_count must equal channels for a depthwise convolution");
  // The filter is the matmul's stationary operand and the input its moving one.
  require((dtype == isa::DType::F32) == (filter_type() == isa::DType::F32),
          std::string("kernel.filter_dtype ") + isa::dtype_name(filter_type()) + " with kernel.dtype " +
              isa::dtype_name(dtype) + ": nc_matmul cannot mix fp32 with a 16-bit dtype");
}

namespace conv1d {

Tiling::Tiling(const DepthwiseConv1dParams& p, const isa::Limits& limits)
    : N(p.batch), C(p.channels), W(p.width), S(p.kernel_size), Q(p.out_width()), shard(p.channels / p.lnc) {
  // P_MAX (nl.tile_size.pmax) bounds S_TILE and C_TILE; F_MAX (psum_fmax: the matmul moving
  // size that fits one PSUM bank in fp32) bounds Q_TILE. The PE also bounds what it
  // transposes: the filter tile [C_TILE, S_TILE] has S_TILE as its free size, and the result
  // [S_TILE, C_TILE] is read as stationary columns.
  const int64_t p_max = limits.partitions;
  const int64_t f_max = std::min(limits.matmul_moving_free_max, limits.psum_bank_bytes / 4);
  s_tile = std::min({S, p_max, limits.matmul_stationary_free_max});
  q_tile = std::min(Q, f_max);
  c_tile = std::min({shard, p_max, limits.matmul_stationary_free_max});
  s_tiles = (S + s_tile - 1) / s_tile;
  q_tiles = (Q + q_tile - 1) / q_tile;
  c_tiles = (shard + c_tile - 1) / c_tile;
  in_size = int64_t(isa::dtype_size(p.dtype));
  filter_size = int64_t(isa::dtype_size(p.filter_type()));
}

namespace {
int checked_lnc(const DepthwiseConv1dParams& p) {
  p.check();  // before the builder is made for lnc cores
  return p.lnc;
}
}  // namespace

Emitter::Emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits)
    : b(limits, checked_lnc(p),
        p.variant == Conv1dVariant::Vector ? "depthwise_conv1d_vector" : "depthwise_conv1d_implicit_gemm"),
      p(p), t(p, limits), idt(p.dtype), fdt(p.filter_type()) {
  plan_.s_tile = t.s_tile, plan_.q_tile = t.q_tile, plan_.c_tile = t.c_tile;
  plan_.s_tiles = t.s_tiles, plan_.q_tiles = t.q_tiles, plan_.c_tiles = t.c_tiles;
  // The kernel never writes its input and filter: the builder need not track their reads.
  in_base = b.hbm_tensor("input", p.dtype, {t.N, t.C, 1, t.W}, true).base;
  f_base = b.hbm_tensor("filter", p.filter_type(), {t.C, 1, 1, t.S}, true).base;
  out_base = b.hbm_tensor("output", p.dtype, {t.N, t.C, 1, t.Q}).base;  // nkilib: the input's dtype
}

isa::AccessPattern Emitter::hbm(int64_t base, isa::DType dtype, int64_t offset, int64_t partitions, int64_t pstep,
                                int64_t free, int64_t fstep) const {
  isa::AccessPattern a = isa::tile(Space::HBM, dtype, base, 0, int(partitions), free);
  a.offset = offset;
  a.partition_step = pstep;
  a.dims[0].step = fstep;
  return a;
}

int Emitter::sbuf_pool(const char* name, int64_t bytes, int bufs) {
  const int pool = b.sbuf_pool(name, bytes, bufs);
  plan_.sbuf_bytes = b.sbuf_used();
  return pool;
}

void Emitter::load_filter(int core, int64_t c0, std::vector<int64_t>& filt_t, bool zero_partial) {
  const int64_t c_rows = std::min(t.c_tile, t.shard - c0);
  const int64_t cg0 = core * t.shard + c0;
  for (int64_t st = 0; st < t.s_tiles; ++st) {
    const int64_t s0 = st * t.s_tile, s_rows = std::min(t.s_tile, t.S - s0);
    const bool zero = zero_partial && (c_rows < t.c_tile || s_rows < t.s_tile);
    const int64_t f = b.allocate(filt_pool);
    if (zero) b.memset(isa::tile(Space::SBUF, fdt, f, 0, int(t.c_tile), t.s_tile), 0.0f, isa::Engine::GpSimd);
    const auto f_tile = isa::tile(Space::SBUF, fdt, f, 0, int(c_rows), s_rows);
    b.dma_copy(f_tile, hbm(f_base, fdt, cg0 * t.S + s0, c_rows, t.S, s_rows));
    // nc_transpose keeps the input's dtype in PSUM (nki.isa).
    const auto pt = isa::tile(Space::PSUM, fdt, b.allocate(tr_pool), 0, int(s_rows), c_rows);
    b.transpose(pt, f_tile);
    filt_t[size_t(st)] = b.allocate(filt_t_pool);
    if (zero) b.memset(isa::tile(Space::SBUF, fdt, filt_t[size_t(st)], 0, int(t.s_tile), t.c_tile), 0.0f, isa::Engine::GpSimd);
    b.tensor_copy(isa::tile(Space::SBUF, fdt, filt_t[size_t(st)], 0, int(s_rows), c_rows), pt, isa::Engine::Vector);
  }
}

void Emitter::store_result(const isa::AccessPattern& sums, int out_pool, int64_t out_offset, int64_t qn) {
  const auto o = isa::tile(Space::SBUF, idt, b.allocate(out_pool), 0, 1, qn);
  b.tensor_copy(o, sums, (copy_turn++ % 2) ? isa::Engine::Scalar : isa::Engine::Vector);
  b.dma_copy(hbm(out_base, idt, out_offset, 1, qn, qn), o);
}

std::unique_ptr<Emitter> make_emitter(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  if (p.variant == Conv1dVariant::Vector) return make_vector_emitter(p, limits);
  return p.variant == Conv1dVariant::QTiled ? make_q_tiled_emitter(p, limits) : make_nkilib_emitter(p, limits);
}

}  // namespace conv1d

Conv1dPlan depthwise_conv1d_plan(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  return conv1d::make_emitter(p, limits)->plan();
}

isa::Program build_depthwise_conv1d(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  auto k = conv1d::make_emitter(p, limits);
  for (int core = 0; core < p.lnc; ++core) k->emit(core);
  return k->b.finish();
}

isa::Program depthwise_conv1d_header(const DepthwiseConv1dParams& p, const isa::Limits& limits) {
  return conv1d::make_emitter(p, limits)->b.finish();
}

std::vector<isa::Allocation> emit_depthwise_conv1d_core(const DepthwiseConv1dParams& p, const isa::Limits& limits,
                                                        int core, isa::InstructionSink& sink, bool keep_allocations) {
  auto k = conv1d::make_emitter(p, limits);
  k->b.stream_to(&sink, keep_allocations);
  k->emit(core);
  return k->b.finish().allocations;
}

}  // namespace trn2::kernels

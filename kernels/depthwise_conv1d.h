#pragma once
// nkilib's depthwise conv1d "implicit GEMM" kernel for TRN2, as a program builder, and an
// independent reference implementation for checking its numbers.
//
// The default variant emits the instruction stream of nki-library's
// src/nkilib_src/nkilib/experimental/conv/depthwise_conv1d.py at tag 2.29 (the kernel as
// users run it); the other variants are this project's changes to it, named so that a user
// can compare them with the real kernel on the same model (docs/depthwise-variants.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/instruction.h"
#include "isa/sink.h"
#include "isa/validate.h"

namespace trn2::kernels {

enum class Conv1dVariant : uint8_t {
  Nkilib,      // nkilib 2.29's stream
  FilterOnce,  // the same, with each channel tile's filter loaded and transposed once for all batches
  QTiled,      // filter once, and the input loaded per Q tile: SBUF no longer grows with the row
  Vector,      // depthwise_conv1d_vector: no matmul; each tap a per-partition multiply-add
};
const char* variant_name(Conv1dVariant v);  // nkilib, filter_once, q_tiled, vector
bool parse_variant(const std::string& s, Conv1dVariant& out);

struct DepthwiseConv1dParams {
  int64_t batch = 1;        // N
  int64_t channels = 384;   // C
  int64_t width = 2051;     // W
  int64_t kernel_size = 4;  // S
  isa::DType dtype = isa::DType::F32;         // the input's, and the output's
  // The filter's, when it differs (nkilib takes the two apart): see filter_type().
  std::optional<isa::DType> filter_dtype;
  Conv1dVariant variant = Conv1dVariant::Nkilib;
  int64_t stride = 1;
  int64_t pad_left = 0, pad_right = 0;
  int lnc = 2;     // 2: channels split over both physical cores; 1: one core does all
  int buffers = 2; // rotating buffers per working tile
  // The public API's other arguments: only these values are supported.
  int64_t dilation = 1;
  int64_t batch_group_count = 1;
  int64_t feature_group_count = -1;  // -1: equal to channels

  isa::DType filter_type() const { return filter_dtype.value_or(dtype); }
  int64_t out_width() const { return (width + pad_left + pad_right - kernel_size) / stride + 1; }
  // Throws std::invalid_argument naming the parameter and the rule it breaks.
  void check() const;
};

// How a run tiles the kernel and what it holds in SBUF, for reports (per core).
struct Conv1dPlan {
  int64_t s_tile = 0, q_tile = 0, c_tile = 0;
  int64_t s_tiles = 0, q_tiles = 0, c_tiles = 0;
  int input_buffers = 0;           // rotating sets of input tiles that fit (at most `buffers`)
  int64_t sbuf_bytes = 0;          // per partition, all pools
};
// Throws std::invalid_argument for parameters the kernel does not support, or buffers that
// do not fit SBUF (naming the bytes needed and the limit).
Conv1dPlan depthwise_conv1d_plan(const DepthwiseConv1dParams& p, const isa::Limits& limits);

// Emits input [N, C, 1, W], filter [C, 1, 1, S] and output [N, C, 1, Q] HBM tensors
// ("input", "filter", "output") and both cores' instruction streams.
isa::Program build_depthwise_conv1d(const DepthwiseConv1dParams& p, const isa::Limits& limits);

// The same program in parts, for a consumer that runs it as it is made:
// - the header: tensors, HBM size and one empty stream per core;
// - one core's stream, put into `sink` instruction by instruction; returns that core's buffer
//   allocation records if `keep_allocations` (else none: they grow with the program).
// Cores are independent, so they may be emitted concurrently (say, by one coroutine each).
// Both throw std::invalid_argument for parameters the kernel does not support.
isa::Program depthwise_conv1d_header(const DepthwiseConv1dParams& p, const isa::Limits& limits);
std::vector<isa::Allocation> emit_depthwise_conv1d_core(const DepthwiseConv1dParams& p, const isa::Limits& limits,
                                                        int core, isa::InstructionSink& sink, bool keep_allocations);

// out[n][c][q] = sum_s in[n][c][q*stride + s - pad_left] * filter[c][s], zero outside the
// input, accumulated in double, from the tensors' bytes in p.dtype and p.filter_type() (as HBM holds them),
// widened a row at a time, so that no fp32 copy of the inputs is held.
std::vector<double> depthwise_conv1d_reference(const DepthwiseConv1dParams& p, const uint8_t* input,
                                               const uint8_t* filter);

// The same for the (n, c) rows [first_row, end_row) only (row n * C + c): writes out[row * Q,
// (row + 1) * Q) of each, `out` holding all N * C * Q outputs, and nothing else. Rows are
// independent, so callers may compute disjoint ranges on several threads; the bits do not
// depend on how the rows are split.
void depthwise_conv1d_reference_rows(const DepthwiseConv1dParams& p, const uint8_t* input, const uint8_t* filter,
                                     int64_t first_row, int64_t end_row, double* out);

}  // namespace trn2::kernels

#pragma once
// One run of a kernel config end to end: build the program, make or load the inputs,
// simulate, check the numbers against the reference, and describe the result.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/instruction.h"
#include "sim/configuration/run_config.h"
#include "sim/reporting/report.h"
#include "sim/simulation/simulation.h"

namespace trn2::sim {

struct Numerics {
  double max_abs_error = 0, max_rel_error = 0;
  int64_t mismatches = 0;  // elements outside atol + rtol * |reference|
  bool pass = true;
};

// Host time of each phase of a run, in seconds.
struct HostTimes {
  double build = 0;     // kernel builder and validation
  double hazards = 0;   // the race and uninitialised-read check
  double inputs = 0;    // making or loading the inputs
  double simulate = 0;  // the SystemC model, numerics included (SimResult::host_seconds)
  double check = 0;     // the reference and the comparison
  double total() const { return build + hazards + inputs + simulate + check; }
};

struct KernelRun {
  isa::Program program;
  HostTimes times;
  SimResult sim;
  Numerics numerics;
  std::vector<float> output;  // as computed, widened to fp32
};

// Deterministic values with mean 0 and variance 1, close to normal (Irwin-Hall sums of four
// uniforms from 32-bit hashes of a counter), as the bytes of `dtype` (rounded to nearest even).
std::vector<uint8_t> seeded_bytes(size_t n, uint64_t seed, isa::DType dtype);
// The same n values written to dst, made on `threads` host threads (0: as many as n is worth,
// one for small n); the bytes do not depend on the thread count.
void seeded_fill(uint8_t* dst, size_t n, uint64_t seed, isa::DType dtype, unsigned threads = 0);

// The kernel's seeded tensors, as a run makes them: `input` ([N, C, 1, W]) from `seed`,
// `filter` ([C, 1, 1, S]) from seed + 1, in the kernel's dtype.
void seeded_kernel_inputs(const kernels::DepthwiseConv1dParams& p, uint64_t seed, uint8_t* input, uint8_t* filter);

// kernels::depthwise_conv1d_reference, its (n, c) rows split over `threads` host threads (0:
// as many as the shape is worth, one for small shapes); the bits do not depend on the split.
std::vector<double> reference_output(const kernels::DepthwiseConv1dParams& p, const uint8_t* input,
                                     const uint8_t* filter, unsigned threads = 0);

// The kernel's output (widened to fp32) against its reference: an element passes within
// atol + rtol * |reference| (NaN never does); outputs of another length all fail.
Numerics compare_output(const std::vector<float>& output, const std::vector<double>& reference, double atol,
                        double rtol);

KernelRun run_kernel(const RunConfig& rc);
nlohmann::json make_report(const RunConfig& rc, const KernelRun& run);
std::string summary_text(const RunConfig& rc, const KernelRun& run);

}  // namespace trn2::sim

#pragma once
// The run config a user writes: hardware overrides, the kernel and its shape, where the
// inputs come from, the numerics tolerance and what to write out.
#include <cstdint>
#include <string>

#include "kernels/depthwise_conv1d.h"
#include "sim/configuration/hardware_config.h"
#include "sim/simulation/hazard_gate.h"
#include "sim/reporting/trace.h"

namespace trn2::sim {

struct ConfigError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// An input file's JSON, read strictly (isa::read_json_file); its errors as ConfigError.
// `what` names the file in them ("config file", "program file", "hardware file").
nlohmann::json read_config_json(const std::string& path, const char* what);

struct RunConfig {
  HardwareConfig hw;
  std::string kernel_name = "depthwise_conv1d_implicit_gemm";
  kernels::DepthwiseConv1dParams kernel;
  uint64_t seed = 0;
  std::string input_npy, filter_npy;  // both set: inputs come from files instead of the seed
  double atol = 0.01, rtol = 0.01;
  HazardMode hazards = HazardMode::Fail;  // check.hazards or --hazards
  std::string output_npy, report_json;  // from "outputs"; command-line flags override
  TraceOptions trace;                   // outputs.trace or --trace
  // simulator.window_instructions: the program is made while it runs, at most this many
  // instructions per core waiting to run (0: the whole program is made first, then run).
  // The vector kernel's default is 0 (see parse_run_config).
  int64_t window = 4096;
};

// Throws ConfigError with a one-line message naming the JSON path ("kernel.channels: ...").
RunConfig load_run_config(const std::string& path);
RunConfig parse_run_config(const nlohmann::json& j, const std::string& base_dir);

}  // namespace trn2::sim

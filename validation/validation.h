#pragma once
// The validation set: public trn2 kernels with published measurements (cases.json), rebuilt
// as programs (kernels/public_kernels.h) and simulated, each figure set against its
// measurement. Used by trn2sim_validate (docs/validation.md) and by tests/test_validation.cpp.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace trn2::validation {

struct Case {
  std::string name;
  std::string kernel;      // vector_add_stream, vector_add_tiled, transpose_tiled, matmul_hoisted
  nlohmann::json params;   // the kernel's shape
  int buffers = 1;         // rotating buffers per loop tile (the compiler's choice)
  std::string dge = "none";
  std::string metric;      // body_us, total_us, ncl_us or pe_ns_per_matmul
  double measured = 0;     // in the metric's unit
  std::string measured_what, source, buffers_why;
  double bound_percent = 0;  // the test fails beyond this |error|
  bool calibration = false;  // used to derive a constant (the NCL launch overhead), not validated
};

struct Set {
  std::vector<Case> cases;
  double ncl_overhead_us = 0;      // added to a simulated body for an ncl_us measurement
  double profile_overhead_us = 0;  // added to a simulated body for a total_us (profile total_time) one
  std::string ncl_overhead_why, profile_overhead_why;
};

// Reads cases.json; throws std::runtime_error naming the field on a malformed file.
Set load(const std::string& path);
std::string default_path();  // validation/cases.json in the source tree

struct Result {
  double simulated = 0;      // in the metric's unit
  double body_us = 0;        // the simulated kernel body
  double error_percent = 0;  // (simulated - measured) / measured
  int64_t instructions = 0;
};

// Builds the case's program and simulates it, in this process (a SystemC model elaborates
// once per process: one case per process).
Result run(const Set& set, const Case& c);

// docs/validation.md from the results, in the cases' order.
std::string markdown(const Set& set, const std::vector<Result>& results);

}  // namespace trn2::validation

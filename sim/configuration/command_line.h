#pragma once
// trn2sim's command line: the options, their parsing and the usage text. Plain (no SystemC),
// so that a fuzzer can drive it (fuzz/fuzz_cli.cpp).
#include <string>
#include <utility>
#include <vector>

#include "sim/reporting/trace.h"

namespace trn2::sim {

extern const char* const kUsage;

struct Options {
  bool program_mode = false;
  bool version = false;  // --version: the binary prints it
  std::string file, report, report_html, output_npy, dump_program, trace, trace_max, trace_window, hardware, hazards;
  std::string log_level = "warn";
  std::vector<std::pair<std::string, std::string>> inputs, outputs;
};

// Reads argv into `o`; returns "" when the arguments are good, else the one-line error.
// `done`: --help (the usage printed) or --version, nothing to run.
std::string parse_args(int argc, char* argv[], Options& o, bool& done);

// --trace, --trace-max-events and --trace-window into `t`; an error message or "".
std::string apply_trace_options(const Options& o, TraceOptions& t);

}  // namespace trn2::sim

#pragma once
// `trn2sim run-program`: run an instruction program from a JSON file (written by hand or
// dumped by a kernel builder with --dump-program), its named HBM tensors loaded from and
// written to .npy files. The format is docs/program-format.md.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/instruction.h"
#include "sim/configuration/hardware_config.h"
#include "sim/simulation/hazard_gate.h"
#include "sim/simulation/simulation.h"

namespace trn2::sim {

struct ProgramRunOptions {
  std::string program_path;
  std::vector<std::pair<std::string, std::string>> inputs;   // tensor name, .npy path
  std::vector<std::pair<std::string, std::string>> outputs;  // tensor name, .npy path
  HardwareConfig hw;
  TraceOptions trace;
  HazardMode hazards = HazardMode::Fail;
};

struct ProgramRun {
  isa::Program program;
  SimResult sim;
  double host_seconds = 0;  // the whole run: loading, checks, model, outputs
};

// Throws ConfigError / isa::ValidationError (bad input) or std::exception (internal).
isa::Program load_program(const std::string& path);
ProgramRun run_program(const ProgramRunOptions& o);
nlohmann::json program_report(const ProgramRunOptions& o, const ProgramRun& run);
std::string program_summary(const ProgramRun& run, const HardwareConfig& hw);

}  // namespace trn2::sim

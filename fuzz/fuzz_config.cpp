// libFuzzer target: run config JSON text -> RunConfig (hardware overrides, kernel parameters,
// inputs, check, outputs) -> for small shapes, the kernel's Program -> validate -> JSON round
// trip. A bad input must end as one of the errors trn2sim turns into exit 2 naming the config
// field (ConfigError, or the builder's std::invalid_argument that run_kernel wraps into a
// ConfigError); a ValidationError of the built program, any other exception, a crash, a
// sanitizer report, a hang or a huge allocation is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "isa/json_file.h"
#include "isa/program_json.h"
#include "isa/validate.h"
#include "kernels/depthwise_conv1d.h"
#include "sim/configuration/run_config.h"

using trn2::sim::ConfigError;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j;
  try {  // the strict reader every loader uses: duplicate keys, depth, trailing bytes
    j = trn2::isa::parse_json_strict(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const std::invalid_argument&) {
    return 0;  // load_run_config reports it as a ConfigError
  }
  trn2::sim::RunConfig rc;
  try {
    rc = trn2::sim::parse_run_config(j, "configs");
  } catch (const ConfigError&) {
    return 0;
  }
  // Build the program only when it stays small: the builder emits about one instruction per
  // (batch, channel, output tile, kernel tile) plus one per padded column, and the fuzzer
  // must spend its time on many inputs, not on one big kernel.
  const auto& k = rc.kernel;
  const double work = double(k.batch) * double(k.channels) * double(k.out_width()) *
                      double(k.kernel_size) * double(k.stride);
  if (work > double(1 << 16) || k.width > (1 << 16)) return 0;
  trn2::isa::Program program;
  try {
    program = trn2::kernels::build_depthwise_conv1d(k, rc.hw.limits);
  } catch (const std::invalid_argument&) {
    return 0;  // run_kernel turns this into a ConfigError
  }
  // A config that the loader and the builder accept must give a valid program: otherwise the
  // user is told about an instruction instead of the config field that caused it.
  try {
    trn2::isa::validate(program, rc.hw.limits);
  } catch (const trn2::isa::ValidationError& e) {
    std::fprintf(stderr, "accepted config gave an invalid program: %s\n", e.what());
    std::abort();
  }
  // What --dump-program writes must load back as the same program.
  const nlohmann::json dumped = trn2::isa::to_json(program);
  // Through text, as --dump-program writes it (an out-of-range float would dump as null).
  if (trn2::isa::to_json(trn2::isa::program_from_json(nlohmann::json::parse(dumped.dump()))) != dumped) std::abort();
  return 0;
}

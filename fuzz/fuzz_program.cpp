// libFuzzer target: program JSON text -> Program (program_from_json) -> validate against the
// default trn2 limits -> JSON round trip. A bad input must end as std::runtime_error from the
// loader (it names the JSON path) or ValidationError from validate; any other exception
// (nlohmann's type_error/out_of_range, std::length_error, bad_alloc...), crash, sanitizer
// report, hang or huge allocation is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "isa/program_json.h"
#include "isa/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return 0;  // parse_error, or out_of_range for a number beyond double (1e400)
  }
  trn2::isa::Program p;
  try {
    p = trn2::isa::program_from_json(j);
  } catch (const std::runtime_error&) {
    return 0;
  }
  try {
    trn2::isa::validate(p, trn2::isa::Limits{});
  } catch (const trn2::isa::ValidationError&) {
    return 0;
  }
  // A valid program survives its own JSON form unchanged.
  const nlohmann::json dumped = trn2::isa::to_json(p);
  // Through text, as --dump-program writes it (an out-of-range float would dump as null).
  if (trn2::isa::to_json(trn2::isa::program_from_json(nlohmann::json::parse(dumped.dump()))) != dumped) std::abort();
  return 0;
}

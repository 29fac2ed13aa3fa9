// libFuzzer target: program JSON text -> Program (program_from_json) -> validate against the
// default trn2 limits -> inferred deps (infer_deps) -> hazard check -> JSON round trip. A bad
// input must end as ValidationError from the loader (it names the JSON path) or from
// validate; any other exception (nlohmann's type_error/out_of_range, std::length_error,
// bad_alloc...), crash, sanitizer report, hang or huge allocation is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "isa/hazards.h"
#include "isa/json_file.h"
#include "isa/program_json.h"
#include "isa/validate.h"
#include "kernels/infer_dependencies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j;
  try {  // the strict reader every loader uses: duplicate keys, depth, trailing bytes
    j = trn2::isa::parse_json_strict(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const std::invalid_argument&) {
    return 0;  // load_program reports it as a ConfigError
  }
  trn2::isa::Program p;
  try {
    p = trn2::isa::program_from_json(j);
  } catch (const trn2::isa::ValidationError&) {
    return 0;
  }
  try {
    trn2::isa::validate(p, trn2::isa::Limits{});
  } catch (const trn2::isa::ValidationError&) {
    return 0;
  }
  // As run-program does: inferred deps must keep the program valid (they point backwards).
  if (p.infer_deps) {
    trn2::kernels::infer_dependencies(p, trn2::isa::Limits{});
    trn2::isa::validate(p, trn2::isa::Limits{});
  }
  // The hazard checker takes any valid program (its reports are findings of the program's, not
  // of the checker's).
  (void)trn2::isa::find_hazards(p, trn2::isa::Limits{});
  // A valid program survives its own JSON form unchanged.
  const nlohmann::json dumped = trn2::isa::to_json(p);
  // Through text, as --dump-program writes it (an out-of-range float would dump as null).
  if (trn2::isa::to_json(trn2::isa::program_from_json(nlohmann::json::parse(dumped.dump()))) != dumped) std::abort();
  return 0;
}

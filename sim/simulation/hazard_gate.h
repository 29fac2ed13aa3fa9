#pragma once
// What a run does with the hazards (races, uninitialised reads) of its program: fail
// (default), warn on stderr and go on, or skip the check.
#include <stdexcept>
#include <string>

#include "isa/hazards.h"

namespace trn2::sim {

enum class HazardMode { Fail, Warn, Off };
bool parse_hazard_mode(const std::string& s, HazardMode& out);  // fail, warn, off

// A user's program has hazards: bad input.
struct HazardError : isa::ValidationError {
  using isa::ValidationError::ValidationError;
};

// Checks `p` and acts on `mode`. A hazard throws HazardError when `users_program`, else
// std::logic_error (a program our own kernel builder made is wrong: an internal error).
void gate_hazards(const isa::Program& p, const isa::Limits& limits, HazardMode mode, bool users_program);

}  // namespace trn2::sim

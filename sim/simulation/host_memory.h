#pragma once
// The host memory a run will take, checked against what the host has before anything large
// is allocated: a shape that fits the HBM stack but not the machine is refused up front,
// with the bytes needed and available, instead of failing with std::bad_alloc minutes in.
#include <cstdint>
#include <string>

#include "isa/instruction.h"
#include "sim/configuration/hardware_config.h"

namespace trn2::sim {

// Bytes of memory the host can still give (MemAvailable), or 0 if it cannot tell.
uint64_t host_available_bytes();

// The model's own memory for `program`: its HBM image, and SBUF and PSUM of each core.
uint64_t model_bytes(const isa::Program& program, const HardwareConfig& hw);

// Throws ConfigError "the run needs N bytes of host memory (<what>), more than the A
// available" when `needed` exceeds what the host has (nothing when the host cannot tell).
void check_host_memory(uint64_t needed, const std::string& what);

}  // namespace trn2::sim

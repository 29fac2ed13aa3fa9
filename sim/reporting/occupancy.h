#pragma once
// SBUF and PSUM occupancy over simulated time, from the buffers the kernel builder allocated
// (Program::allocations): a buffer counts from the start of the first instruction that
// touches it to the finish of the last, the way the profiler shows a tile's lifetime.
#include <vector>

#include "isa/instruction.h"
#include "sim/hardware/scoreboard.h"
#include "sim/reporting/trace.h"

namespace trn2::sim {

// Writes the "SBUF bytes allocated" (per partition) and "PSUM banks in use" counter tracks
// of one core. Needs the scoreboard of a traced run (it holds each instruction's start).
void trace_occupancy(Trace& trace, int core, const std::vector<isa::Allocation>& allocations,
                     const Scoreboard& scoreboard, int64_t psum_bank_bytes);

}  // namespace trn2::sim

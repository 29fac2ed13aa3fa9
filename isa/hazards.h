#pragma once
// Finds what would go wrong on hardware but could compute a plausible number here:
// - races: two instructions on different engines or DMA queues (or on different cores, over
//   the shared HBM) touch overlapping bytes, at least one writes, and no dependency path
//   orders them;
// - uninitialised reads: an instruction reads SBUF or PSUM bytes that nothing wrote before
//   it (the vendor's functional simulator fills such memory with NaN for this reason).
// A static check of the program: it holds for every timing, not only the simulated one.
#include <cstddef>
#include <string>
#include <vector>

#include "isa/instruction.h"
#include "isa/validate.h"

namespace trn2::isa {

struct Hazard {
  enum class Kind { Race, UninitialisedRead };
  Kind kind;
  std::string message;  // one line naming both instructions (or the reader) and the bytes
};

// Order within a stream: instructions on one engine, or on one DMA queue, run in stream
// order; everything else is ordered only by dependency paths. Stops after `max_reports`.
// The program must have passed validate().
std::vector<Hazard> find_hazards(const Program& p, const Limits& limits, size_t max_reports = 16);

}  // namespace trn2::isa

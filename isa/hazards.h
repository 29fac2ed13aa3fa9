#pragma once
// Finds what would go wrong on hardware but could compute a plausible number here:
// - races: two instructions on different engines or DMA queues (or on different cores, over
//   the shared HBM) touch overlapping bytes, at least one writes, and no dependency path
//   orders them;
// - uninitialised reads: an instruction reads SBUF or PSUM bytes that nothing wrote before
//   it (the vendor's functional simulator fills such memory with NaN for this reason).
// A static check of the program: it holds for every timing, not only the simulated one.
#include <cstddef>
#include <memory>
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

// The same check, fed one instruction at a time (for a program streamed while it runs).
// `header` gives the tensors and the number of streams; each core's instructions must come
// in stream order, and the cores may interleave in any way (a racy program is caught
// however they interleave, though which pairs are reported, and how many, may differ).
// Keeps the accesses that later ones may still race with, the vector clocks (4 bytes per
// engine and queue) of their instructions and of the last `recent_clocks` ones (0: every
// clock, which grows with the program), and 5 bytes per instruction in either case. With a
// bounded clock store the order of a dependency whose clock is gone is rebuilt where the
// other dependencies imply it, else guessed from below (lost_orders()): it may then report a
// race that is not one, never miss one. A builder that finds dependencies from the accesses
// it keeps (kernels::ProgramBuilder) does not get there in the public test matrix.
class HazardChecker {
 public:
  HazardChecker(const Program& header, const Limits& limits, size_t max_reports = 16, size_t recent_clocks = 0);
  ~HazardChecker();
  void add(int core, uint32_t index, const Instruction& in);
  const std::vector<Hazard>& found() const;  // at most max_reports
  uint64_t lost_orders() const;              // dependencies whose order had to be guessed

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trn2::isa

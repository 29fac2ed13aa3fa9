#pragma once
// Where a program builder puts instructions as it makes them: a Program in memory, or a
// consumer that checks and runs them as they come (so that nothing holds the whole program).
#include "isa/instruction.h"

namespace trn2::isa {

class InstructionSink {
 public:
  virtual ~InstructionSink() = default;
  // The next instruction of core `core`'s stream (its index: the count put before it). The
  // sink copies what it keeps: a builder reuses its instruction's buffers, so that making a
  // stream allocates nothing per instruction.
  virtual void put(int core, const Instruction& in) = 0;
};

}  // namespace trn2::isa

#pragma once
// Where a program builder puts instructions as it makes them: a Program in memory, or a
// consumer that checks and runs them as they come (so that nothing holds the whole program).
#include "isa/instruction.h"

namespace trn2::isa {

class InstructionSink {
 public:
  virtual ~InstructionSink() = default;
  // The next instruction of core `core`'s stream (its index: the count put before it).
  virtual void put(int core, Instruction&& in) = 0;
};

}  // namespace trn2::isa

#pragma once
// The numbers an instruction computes, applied to the real bytes of HBM, SBUF and PSUM.
// Timing lives in the engines; this is only what the datapath does to memory.
#include "isa/instruction.h"
#include "sim/hbm.h"
#include "sim/psum.h"
#include "sim/sbuf.h"

namespace trn2::sim {

struct CoreMemory {
  Hbm* hbm;
  Sbuf* sbuf;
  Psum* psum;
  // Address of element `flat` (row-major over the free dims) of partition index `i`.
  uint8_t* at(const isa::AccessPattern& a, int i, int64_t flat) const;
};

// Partition row `i` of a pattern as fp32 values (converted from its dtype), and back
// (rounded to its dtype, round-to-nearest-even). The building blocks of every engine op.
void gather_row(const CoreMemory& m, const isa::AccessPattern& a, int i, float* out);
void scatter_row(const CoreMemory& m, const isa::AccessPattern& a, int i, const float* in);

void execute(const isa::Instruction& in, const CoreMemory& mem);

}  // namespace trn2::sim

#pragma once
// The numbers an instruction computes, applied to the real bytes of HBM, SBUF and PSUM.
// Timing lives in the engines; this is only what the datapath does to memory.
#include "isa/instruction.h"
#include "sim/hardware/hbm.h"
#include "sim/hardware/psum.h"
#include "sim/hardware/sbuf.h"

namespace trn2::sim {

struct CoreMemory {
  Hbm* hbm;
  Sbuf* sbuf;
  Psum* psum;
  // Address of element `flat` (row-major over the free dims) of partition index `i`.
  uint8_t* at(const isa::AccessPattern& a, int i, int64_t flat) const;
};

// The partition rows of a pattern when each is one evenly strided run and the rows are evenly
// spaced: element j of row i is at first + i * pitch + j * stride. That holds for one free
// dim (or one element) in HBM, in SBUF (one block of partitions) and in PSUM when the row
// stays in one bank (every row sits at the same address of its partition, so all or none
// cross). Otherwise `affine` is false and rows go element by element. Made once per operand
// of an instruction.
struct Rows {
  uint8_t* first = nullptr;
  int64_t pitch = 0, stride = 0;
  bool affine = false;
  uint8_t* row(int i) const { return first + i * pitch; }
};
Rows rows_of(const CoreMemory& m, const isa::AccessPattern& a);

// Row i of `a` as fp32 values (converted from its dtype), and back (rounded to its dtype,
// round-to-nearest-even), through `r` = rows_of(m, a). The building blocks of every engine op.
void load_row(const CoreMemory& m, const isa::AccessPattern& a, const Rows& r, int i, float* out);
void store_row(const CoreMemory& m, const isa::AccessPattern& a, const Rows& r, int i, const float* in);

// Scratch row `which` (0 to 3) of at least n floats, reused across instructions so that no
// instruction allocates.
float* scratch_row(int which, size_t n);

void execute(const isa::Instruction& in, const CoreMemory& mem);

}  // namespace trn2::sim

#pragma once
// A program's dependencies found from its memory footprints, as the kernel builder finds a
// kernel's: for a program file that sets `infer_deps` instead of listing every `deps`.
#include "isa/instruction.h"
#include "isa/validate.h"

namespace trn2::kernels {

// Sets each instruction's deps to those it lists plus those its footprints imply (RAW, WAR
// and WAW on each core), exactly as ProgramBuilder::add finds them: SBUF/PSUM accesses are
// grouped into buffers by their pattern's `base` (patterns with different bases are taken to
// be different buffers), HBM accesses by the tensor they fall in. Orders across cores are not
// dependencies, and patterns of different bases that do overlap are not found here: the race
// check reports both. Keeps the tensors and allocations, and clears `infer_deps`. `p` must
// have passed isa::validate.
void infer_dependencies(isa::Program& p, const isa::Limits& limits);

}  // namespace trn2::kernels

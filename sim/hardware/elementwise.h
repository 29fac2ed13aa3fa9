#pragma once
// The numbers of the elementwise engine instructions: tensor_tensor, tensor_scalar and
// tensor_reduce (DVE), activation (ACT) and iota (POOL). Inputs are widened to fp32, computed in fp32 and
// rounded to dst's dtype (round-to-nearest-even), as the engines' fp32 ALUs do.
#include "isa/instruction.h"
#include "sim/hardware/datapath.h"

namespace trn2::sim {

void tensor_tensor(const isa::Instruction& in, const CoreMemory& m);
void tensor_scalar(const isa::Instruction& in, const CoreMemory& m);
void activation(const isa::Instruction& in, const CoreMemory& m);
void iota(const isa::Instruction& in, const CoreMemory& m);
// dst[p][0] = the src row's elements combined with in.alu in ascending order, in fp32.
void tensor_reduce(const isa::Instruction& in, const CoreMemory& m);
// dst = (src <alu> scalar) <alu1> src2, the scalar an immediate or one value per partition.
void scalar_tensor_tensor(const isa::Instruction& in, const CoreMemory& m);

}  // namespace trn2::sim

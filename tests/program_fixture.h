#pragma once
// Small hand-written programs for the timing and validation tests.
#include "isa/instruction.h"

namespace trn2::test {

using isa::AccessPattern;
using isa::DType;
using isa::Space;

inline isa::Program empty_program(int cores = 1, int64_t hbm_bytes = 1 << 22) {
  isa::Program p;
  p.kernel = "test";
  p.hbm_bytes = hbm_bytes;
  p.cores.resize(size_t(cores));
  return p;
}

inline isa::Instruction make(isa::Opcode op, isa::Engine engine, AccessPattern dst, AccessPattern src = {},
                             AccessPattern src2 = {}) {
  isa::Instruction in;
  in.op = op;
  in.engine = engine;
  in.dst = dst;
  in.src = src;
  in.src2 = src2;
  return in;
}

inline AccessPattern sbuf(DType t, int64_t base, int partitions, int64_t free) {
  return isa::tile(Space::SBUF, t, base, 0, partitions, free);
}
inline AccessPattern psum(int64_t base, int partitions, int64_t free, DType t = DType::F32) {
  return isa::tile(Space::PSUM, t, base, 0, partitions, free);
}
inline AccessPattern hbm(DType t, int64_t base, int partitions, int64_t free) {
  return isa::tile(Space::HBM, t, base, 0, partitions, free);
}

}  // namespace trn2::test

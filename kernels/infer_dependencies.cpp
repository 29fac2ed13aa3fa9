#include "kernels/infer_dependencies.h"

#include <vector>

#include "isa/sink.h"
#include "kernels/builder.h"

namespace trn2::kernels {

namespace {

// Takes the builder's instructions as they are made and writes only their deps back into the
// program they came from: the builder keeps no second copy of the streams.
class DepsWriter : public isa::InstructionSink {
 public:
  explicit DepsWriter(isa::Program& p) : p_(p), next_(p.cores.size(), 0) {}
  void put(int core, const isa::Instruction& in) override {
    p_.cores[size_t(core)][next_[size_t(core)]++].deps = in.deps;
  }

 private:
  isa::Program& p_;
  std::vector<size_t> next_;  // per core: the next instruction to write
};

}  // namespace

void infer_dependencies(isa::Program& p, const isa::Limits& limits) {
  ProgramBuilder builder(limits, int(p.cores.size()), p.kernel);
  for (const isa::HbmTensor& t : p.tensors) builder.adopt_hbm_tensor(t);
  DepsWriter writer(p);
  builder.stream_to(&writer, false);
  for (size_t c = 0; c < p.cores.size(); ++c) {
    builder.set_core(int(c));
    // add() takes its own copy: the writer then replaces the original's deps.
    for (const isa::Instruction& in : p.cores[c]) builder.add(in);
  }
  p.infer_deps = false;  // explicit now (a dump writes them out)
}

}  // namespace trn2::kernels

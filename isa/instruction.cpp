#include "isa/instruction.h"

#include "isa/json_file.h"

namespace trn2::isa {

namespace {
const char* const kOpcodeNames[kNumOpcodes] = {"dma_copy",      "nc_matmul",  "nc_transpose", "tensor_copy",
                                               "memset",        "tensor_tensor", "tensor_scalar", "activation",
                                               "iota",          "tensor_reduce", "scalar_tensor_tensor"};
const char* const kEngineNames[] = {"pe", "dve", "act", "pool", "dma"};
const char* const kAluNames[kNumAluOps] = {"add", "subtract", "multiply", "max",   "min",   "divide",
                                           "pow", "is_equal", "is_gt",    "is_ge", "is_lt", "is_le"};
const char* const kActNames[kNumActFuncs] = {"identity", "relu", "exp",   "tanh", "sigmoid",
                                             "silu",     "gelu", "rsqrt", "sqrt", "square"};
const char* const kDgeNames[kNumDgeModes] = {"unknown", "none", "swdge", "hwdge"};
const char* const kPerfModeNames[kNumPerfModes] = {"none", "double_row"};

template <typename E, size_t N>
bool parse_name(const char* const (&names)[N], const std::string& s, E& out) {
  for (size_t i = 0; i < N; ++i)
    if (s == names[i]) {
      out = E(i);
      return true;
    }
  return false;
}
}  // namespace

const char* opcode_name(Opcode op) { return kOpcodeNames[int(op)]; }
const char* engine_name(Engine e) { return kEngineNames[int(e)]; }
const char* alu_name(AluOp op) { return kAluNames[int(op)]; }
const char* act_name(ActFunc f) { return kActNames[int(f)]; }
bool parse_opcode(const std::string& s, Opcode& out) { return parse_name(kOpcodeNames, s, out); }
bool parse_engine(const std::string& s, Engine& out) { return parse_name(kEngineNames, s, out); }
bool parse_alu(const std::string& s, AluOp& out) { return parse_name(kAluNames, s, out); }
bool parse_act(const std::string& s, ActFunc& out) { return parse_name(kActNames, s, out); }
const char* dge_name(DgeMode m) { return kDgeNames[int(m)]; }
bool parse_dge(const std::string& s, DgeMode& out) { return parse_name(kDgeNames, s, out); }
const char* perf_mode_name(PerfMode m) { return kPerfModeNames[int(m)]; }
bool parse_perf_mode(const std::string& s, PerfMode& out) { return parse_name(kPerfModeNames, s, out); }

MatmulShape matmul_shape(const Instruction& in) {
  const int64_t k = in.src.partition_count, m = in.src.free_elements(), n = in.src2.free_elements();
  if (in.perf_mode == PerfMode::DoubleRow) return {2 * k, m / 2, n / 2};
  return {k, m, n};
}

bool reads_src(Opcode op) { return op != Opcode::Memset && op != Opcode::Iota; }
bool reads_src2(Opcode op) {
  return op == Opcode::Matmul || op == Opcode::TensorTensor || op == Opcode::ScalarTensorTensor;
}
bool reads_dst(const Instruction& in) {
  return (in.op == Opcode::Matmul || in.op == Opcode::DmaCopy) && in.accumulate;
}
int slot_of(const Instruction& in) {
  return in.engine == Engine::Dma ? kNumComputeEngines + in.queue : int(in.engine);
}

std::string at_source(const std::string& source) { return source.empty() ? "" : " at " + one_line(source); }

int64_t HbmTensor::bytes() const {
  int64_t n = int64_t(dtype_size(dtype));
  for (int64_t d : shape) n *= d;
  return n;
}

const HbmTensor* Program::find_tensor(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

size_t Program::instruction_count() const {
  size_t n = 0;
  for (const auto& c : cores) n += c.size();
  return n;
}

}  // namespace trn2::isa

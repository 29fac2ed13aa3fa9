#include "isa/instruction.h"

namespace trn2::isa {

namespace {
const char* const kOpcodeNames[] = {"dma_copy", "nc_matmul", "nc_transpose", "tensor_copy", "memset"};
const char* const kEngineNames[] = {"pe", "dve", "act", "pool", "dma"};
}  // namespace

const char* opcode_name(Opcode op) { return kOpcodeNames[int(op)]; }
const char* engine_name(Engine e) { return kEngineNames[int(e)]; }

bool parse_opcode(const std::string& s, Opcode& out) {
  for (int i = 0; i < 5; ++i)
    if (s == kOpcodeNames[i]) { out = Opcode(i); return true; }
  return false;
}

bool parse_engine(const std::string& s, Engine& out) {
  for (int i = 0; i < 5; ++i)
    if (s == kEngineNames[i]) { out = Engine(i); return true; }
  return false;
}

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

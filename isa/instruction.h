#pragma once
// Instructions and programs: plain data, the contract between kernels/ and sim/.
#include <cstdint>
#include <string>
#include <vector>

#include "isa/access.h"

namespace trn2::isa {

enum class Opcode : uint8_t { DmaCopy, Matmul, Transpose, TensorCopy, Memset };
enum class Engine : uint8_t { Tensor, Vector, Scalar, GpSimd, Dma };
constexpr int kNumComputeEngines = 4;

const char* opcode_name(Opcode op);
bool parse_opcode(const std::string& s, Opcode& out);
const char* engine_name(Engine e);  // profiler names: pe, dve, act, pool, dma
bool parse_engine(const std::string& s, Engine& out);

// One instruction of one core's stream. An engine runs its instructions in stream order;
// across engines and DMA queues the only order is `deps` (indices of earlier instructions in
// the same core's stream), which the hardware realises with semaphores.
struct Instruction {
  Opcode op = Opcode::TensorCopy;
  Engine engine = Engine::Vector;
  int queue = 0;              // DMA queue, for Engine::Dma
  AccessPattern dst;
  AccessPattern src;          // matmul: stationary [K, M]; transpose/copy/dma: the input
  AccessPattern src2;         // matmul: moving [K, N]
  bool accumulate = false;    // matmul: add into PSUM instead of overwriting
  float value = 0.0f;         // memset
  std::vector<uint32_t> deps;
};

struct HbmTensor {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  int64_t base = 0;  // byte address in HBM
  int64_t bytes() const;
};

struct Program {
  std::string kernel;
  std::vector<HbmTensor> tensors;
  int64_t hbm_bytes = 0;                         // bytes of HBM the program uses
  std::vector<std::vector<Instruction>> cores;   // one stream per physical core
  const HbmTensor* find_tensor(const std::string& name) const;
  size_t instruction_count() const;
};

}  // namespace trn2::isa

#pragma once
// Instructions and programs: plain data, the contract between kernels/ and sim/.
#include <cstdint>
#include <string>
#include <vector>

#include "isa/access.h"

namespace trn2::isa {

enum class Opcode : uint8_t {
  DmaCopy, Matmul, Transpose, TensorCopy, Memset,
  TensorTensor,  // dst = src <alu> src2, elementwise (DVE)
  TensorScalar,  // dst = src <alu> value (DVE)
  Activation,    // dst = func(src * scale + bias) (ACT)
  Iota,          // dst[p][f] = value + f * scale + p * bias (POOL)
  TensorReduce,  // dst[p][0] = src[p][0] <alu> src[p][1] <alu> ... over every free element, negated if asked (DVE)
  ScalarTensorTensor,  // dst = (src <alu> scalar) <alu1> src2 (DVE)
};
constexpr int kNumOpcodes = 11;
enum class Engine : uint8_t { Tensor, Vector, Scalar, GpSimd, Dma };
constexpr int kNumComputeEngines = 4;
// The ALU operation of tensor_tensor, tensor_scalar and tensor_reduce (nki.language's add,
// subtract, multiply, maximum, minimum, divide, power, and the comparisons, 1.0 when true and
// 0.0 when not).
enum class AluOp : uint8_t { Add, Subtract, Multiply, Max, Min, Divide, Pow, IsEqual, IsGt, IsGe, IsLt, IsLe };
constexpr int kNumAluOps = 12;
// The function of an activation (nki.isa activation's op; identity is the copy; gelu is the
// exact, erf form).
enum class ActFunc : uint8_t { Identity, Relu, Exp, Tanh, Sigmoid, Silu, Gelu, Rsqrt, Sqrt, Square };
constexpr int kNumActFuncs = 10;
// How a DMA's descriptors are made (nki.isa.dge_mode): `unknown` lets the compiler choose
// (the hardware config says what the model takes it for); `none`, precomputed by the runtime
// into HBM before the kernel runs; `swdge`, by GpSimd software while it runs; `hwdge`, by the
// core's descriptor-generation hardware, triggered by the SP or ACT sequencer.
enum class DgeMode : uint8_t { Unknown, None, SwDge, HwDge };
constexpr int kNumDgeModes = 4;
// nc_matmul's performance mode (nki.isa.matmul_perf_mode): `double_row` is the PE's FP8
// double mode, fp8 operands only: each PE multiplies two pairs per cycle, so one instruction
// contracts over 2 x K rows in the time of a K-row bf16 matmul (Trainium2 architecture guide).
enum class PerfMode : uint8_t { None, DoubleRow };
constexpr int kNumPerfModes = 2;

const char* opcode_name(Opcode op);
bool parse_opcode(const std::string& s, Opcode& out);
const char* engine_name(Engine e);  // profiler names: pe, dve, act, pool, dma
bool parse_engine(const std::string& s, Engine& out);
const char* alu_name(AluOp op);     // add, subtract, multiply, max, min, divide, pow, is_equal, is_gt, ...
bool parse_alu(const std::string& s, AluOp& out);
const char* act_name(ActFunc f);    // identity, relu, exp, tanh, sigmoid, silu, gelu, rsqrt, sqrt, square
bool parse_act(const std::string& s, ActFunc& out);
const char* dge_name(DgeMode m);    // unknown, none, swdge, hwdge (nki.isa.dge_mode's names)
bool parse_dge(const std::string& s, DgeMode& out);
const char* perf_mode_name(PerfMode m);  // none, double_row (nki.isa.matmul_perf_mode's names)
bool parse_perf_mode(const std::string& s, PerfMode& out);

// The operands an opcode reads (every opcode writes dst; an accumulating matmul also reads it).
bool reads_src(Opcode op);   // all but memset and iota
bool reads_src2(Opcode op);  // nc_matmul (moving), tensor_tensor and scalar_tensor_tensor (second input)
struct Instruction;
bool reads_dst(const Instruction& in);  // an accumulating nc_matmul or dma_copy reads its dst
// Where an instruction runs: its engine's index, or for DMA kNumComputeEngines + its queue
// (the scoreboard's slots, the race check's clock indices).
int slot_of(const Instruction& in);

// One instruction of one core's stream. An engine runs its instructions in stream order;
// across engines and DMA queues the only order is `deps` (indices of earlier instructions in
// the same core's stream), which the hardware realises with semaphores.
struct Instruction {
  Opcode op = Opcode::TensorCopy;
  Engine engine = Engine::Vector;
  int queue = 0;              // DMA queue, for Engine::Dma
  DgeMode dge = DgeMode::Unknown;  // dma_copy: how its descriptors are made
  PerfMode perf_mode = PerfMode::None;  // nc_matmul: double_row for the FP8 double mode
  AccessPattern dst;
  AccessPattern src;          // matmul: stationary [K, M]; otherwise the (first) input
  AccessPattern src2;         // matmul: moving [K, N]; tensor_tensor: the second input
  bool accumulate = false;    // matmul: add into PSUM; dma_copy: dst += src (dst_rmw_op add)
  bool negate = false;        // tensor_reduce: the result times -1
  // tensor_scalar and scalar_tensor_tensor: the operands of op0 (op1) swapped, operand <op> data
  // (nki.isa's reverse0 / reverse1), for the non-commutative ops (subtract, divide, pow, ...).
  bool reverse0 = false, reverse1 = false;
  // A second ALU step: tensor_scalar's op1 (with `value1` or operand1) when `two_ops`, and
  // scalar_tensor_tensor's op1 (with src2).
  AluOp alu1 = AluOp::Add;
  bool two_ops = false;
  float value1 = 0.0f;
  // Per-partition operands, [P, 1] patterns on dst's partitions, in place of an immediate
  // when the flag is set: tensor_scalar's scalar (operand0) and scalar1 (operand1),
  // activation's scale (operand0) and bias (operand1), scalar_tensor_tensor's scalar (operand0).
  AccessPattern operand0, operand1;
  bool operand0_tile = false, operand1_tile = false;
  // activation: each partition's results summed along the free dimension into a [P, 1]
  // pattern on dst's partitions, when `reduce_tile` (nki.isa.activation's reduce_res with
  // reduce_op=nl.add, as reduce_cmd.reset_reduce stores it).
  AccessPattern reduce_res;
  bool reduce_tile = false;
  AluOp alu = AluOp::Add;     // tensor_tensor, tensor_scalar
  ActFunc func = ActFunc::Identity;  // activation
  // Immediates, by opcode:   value          scale             bias
  //   memset                 the value      -                 -
  //   tensor_scalar          the scalar     -                 -
  //   activation             -              input scale       added after scaling
  //   iota                   start          step per element  step per partition
  float value = 0.0f;
  float scale = 1.0f;
  float bias = 0.0f;
  std::vector<uint32_t> deps;
  // Where the instruction came from, e.g. a Python front end's "kernel.py:12"; empty when
  // unknown (a kernel builder's streams never set it, so they pay nothing for it). Messages
  // that name the instruction add it (at_source), as do the trace and the HTML report.
  std::string source;
};

// An nc_matmul's dimensions: dst[M, N] = sum over the K contraction rows of stationary[k, M]
// x moving[k, N]. Normally K is the partitions and M, N the free elements of stationary and
// moving. In double_row mode the contraction is split between the partitions and the
// outermost free dimension of both operands, whose count is 2 (nki.isa.nc_matmul: stationary
// [K, 2, M], moving [K, 2, N]): K is twice the partitions, M and N half the free elements.
struct MatmulShape {
  int64_t k, m, n;
};
MatmulShape matmul_shape(const Instruction& in);

// " at <source>" (on one line) for a message naming an instruction whose source is
// `source`, or "" when it has none: "core 0 instruction 17 (dma_copy at kernel.py:12)".
std::string at_source(const std::string& source);

// Calls f(pattern) for each per-partition operand `in` reads (beyond src, src2 and an
// accumulating dst): one list for the builder's dependencies and the race check.
template <class F>
void for_each_operand_tile(const Instruction& in, F&& f) {
  if (in.operand0_tile) f(in.operand0);
  if (in.operand1_tile) f(in.operand1);
}

// Calls f(pattern) for each pattern `in` writes beyond dst (activation's reduce_res): one
// list for the builder's dependencies and the race check.
template <class F>
void for_each_extra_write(const Instruction& in, F&& f) {
  if (in.reduce_tile) f(in.reduce_res);
}

// A buffer the kernel builder allocated in SBUF or PSUM on one core, live from its first to
// its last instruction (indices in that core's stream). Optional: it feeds the trace's
// occupancy counters and does not change what runs.
struct Allocation {
  int core = 0;
  Space space = Space::SBUF;
  std::string name;       // the pool it came from
  int64_t base = 0;       // byte address inside each partition
  int64_t bytes = 0;      // per partition
  uint32_t first = 0, last = 0;
};

struct HbmTensor {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  int64_t base = 0;  // byte address in HBM
  // No instruction writes it (validation enforces this), so its reads cannot race and the
  // race check keeps no record of them: an input streamed from HBM costs no memory there.
  bool read_only = false;
  int64_t bytes() const;
};

struct Program {
  std::string kernel;
  std::vector<HbmTensor> tensors;
  int64_t hbm_bytes = 0;                         // bytes of HBM the program uses
  std::vector<std::vector<Instruction>> cores;   // one stream per physical core
  std::vector<Allocation> allocations;          // optional, see Allocation
  // The file asks for each instruction's deps to be found from the memory footprints
  // (kernels::infer_dependencies, which clears it once they are explicit).
  bool infer_deps = false;
  const HbmTensor* find_tensor(const std::string& name) const;
  size_t instruction_count() const;
};

}  // namespace trn2::isa

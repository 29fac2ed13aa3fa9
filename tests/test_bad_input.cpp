// A table of malformed programs, configs and command lines: each must end with exit 2 and
// one line on stderr naming the JSON path or instruction and the limit. Never a crash, a
// hang or a silent run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "isa/npy.h"

namespace trn2::test {
namespace {

using nlohmann::json;

// A small valid program: load a [128, 64] fp32 tensor, copy it on DVE, store it back.
json good_program() {
  const json sb = {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 128}, {"dims", {{1, 64}}}};
  json sb2 = sb;
  sb2["base"] = 1024;
  const json h = {{"space", "hbm"}, {"tensor", "a"}, {"partition_step", 64}, {"partition_count", 128}, {"dims", {{1, 64}}}};
  json ho = h;
  ho["tensor"] = "out";
  return {{"tensors", {{{"name", "a"}, {"dtype", "float32"}, {"shape", {128, 64}}},
                       {{"name", "out"}, {"dtype", "float32"}, {"shape", {128, 64}}}}},
          {"cores", {{{{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 0}, {"dst", sb}, {"src", h}},
                      {{"op", "tensor_copy"}, {"engine", "dve"}, {"dst", sb2}, {"src", sb}, {"deps", {0}}},
                      {{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 1}, {"dst", ho}, {"src", sb2}, {"deps", {1}}}}}}};
}

json good_config() {
  return {{"kernel", {{"name", "depthwise_conv1d_implicit_gemm"}, {"channels", 4}, {"width", 64}, {"kernel_size", 3}}}};
}

enum class Kind { Program, Config };

struct Case {
  const char* name;
  Kind kind;
  std::function<void(json&)> mutate;  // applied to the good program or config
  const char* expected;               // a part of the one-line error
  const char* extra_args = "";        // appended to the command line
  const char* raw = nullptr;          // file text instead of the mutated JSON
};

// Names the case in gtest's output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

json& instr(json& p, int i) { return p["cores"][0][size_t(i)]; }

// An nc_matmul reading SBUF byte 0 (which instruction 0 loads) into PSUM [m, n]: stationary
// and moving of the given dtypes and free dims, with `perf_mode` when it is not null.
json matmul(const char* stationary, const char* moving, json stationary_dims, json moving_dims, int m, int n,
            json perf_mode) {
  json in = {{"op", "nc_matmul"}, {"engine", "pe"}, {"deps", {0}},
             {"src", {{"space", "sbuf"}, {"dtype", stationary}, {"base", 0}, {"partition_count", 128}, {"dims", stationary_dims}}},
             {"moving", {{"space", "sbuf"}, {"dtype", moving}, {"base", 0}, {"partition_count", 128}, {"dims", moving_dims}}},
             {"dst", {{"space", "psum"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", m}, {"dims", {{1, n}}}}}};
  if (!perf_mode.is_null()) in["perf_mode"] = perf_mode;
  return in;
}

// A config whose kernel.dtype is nested `depth` arrays deep (the crash of issue 17 printed it back).
std::string deep_config(int depth) {
  return R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", "dtype": )" + std::string(size_t(depth), '[') +
         std::string(size_t(depth), ']') + "}}";
}
const std::string kDeepConfig = deep_config(50000);
const std::string kDeepProgram = R"({"tensors": [], "cores": [[{"op": "memset", "engine": "dve", "deps": )" +
                                 std::string(30000, '[') + std::string(30000, ']') + "}]]}";

const Case kCases[] = {
    // --- the program file as JSON ---
    {"NotJson", Kind::Program, nullptr, "not valid JSON", "", "{\"tensors\": ["},
    {"TopLevelArray", Kind::Program, nullptr, "program: expected an object, got an array", "", "[]"},
    {"UnknownTopKey", Kind::Program, [](json& p) { p["kernal"] = "x"; }, "program.kernal: unknown key"},
    {"MissingTensors", Kind::Program, [](json& p) { p.erase("tensors"); }, "program.tensors: missing"},
    {"TensorsNotArray", Kind::Program, [](json& p) { p["tensors"] = json::object(); }, "program.tensors: expected an array, got an object"},
    {"UnknownTensorDtype", Kind::Program, [](json& p) { p["tensors"][0]["dtype"] = "float8"; },
     "program.tensors[0].dtype: unknown dtype 'float8' (expected float32, bfloat16, float16, float8_e4m3, float8_e5m2, int8, uint8, int16, uint16, int32 or uint32)"},
    {"ZeroTensorDim", Kind::Program, [](json& p) { p["tensors"][0]["shape"] = {128, 0}; },
     "program.tensors[0].shape: expected positive integers up to 2^30, got 0"},
    {"DuplicateTensor", Kind::Program, [](json& p) { p["tensors"][1]["name"] = "a"; }, "tensor 'a' is declared twice"},
    {"UnknownTensorKey", Kind::Program, [](json& p) { p["tensors"][0]["layout"] = "nchw"; }, "program.tensors[0].layout: unknown key"},
    {"NoCores", Kind::Program, [](json& p) { p["cores"] = json::array(); }, "program.cores: expected 1 or 2 core streams, got 0"},
    {"ThreeCores", Kind::Program, [](json& p) { p["cores"] = {json::array(), json::array(), json::array()}; },
     "program.cores: expected 1 or 2 core streams, got 3"},
    {"CoreNotArray", Kind::Program, [](json& p) { p["cores"][0] = 7; }, "program.cores[0]: expected an array of instructions, got an integer"},
    {"UnknownOpcode", Kind::Program, [](json& p) { instr(p, 1)["op"] = "tensor_cpy"; }, "program.cores[0][1].op: unknown opcode 'tensor_cpy'"},
    {"UnknownEngine", Kind::Program, [](json& p) { instr(p, 1)["engine"] = "gpu"; },
     "program.cores[0][1].engine: unknown engine 'gpu' (expected pe, dve, act, pool or dma)"},
    {"UnknownInstructionKey", Kind::Program, [](json& p) { instr(p, 1)["scale"] = 2; }, "program.cores[0][1].scale: unknown key"},
    {"MissingQueue", Kind::Program, [](json& p) { instr(p, 0).erase("queue"); }, "program.cores[0][0].queue: missing"},
    {"MissingDst", Kind::Program, [](json& p) { instr(p, 1).erase("dst"); }, "program.cores[0][1].dst: missing"},
    {"MissingSrc", Kind::Program, [](json& p) { instr(p, 1).erase("src"); }, "program.cores[0][1].src: missing"},
    {"UnknownPatternKey", Kind::Program, [](json& p) { instr(p, 1)["dst"]["stride"] = 2; }, "program.cores[0][1].dst.stride: unknown key"},
    {"UnknownSpace", Kind::Program, [](json& p) { instr(p, 1)["dst"]["space"] = "dram"; },
     "program.cores[0][1].dst.space: unknown space 'dram' (expected hbm, sbuf or psum)"},
    {"PartitionCountString", Kind::Program, [](json& p) { instr(p, 1)["dst"]["partition_count"] = "128"; },
     "program.cores[0][1].dst.partition_count: expected an integer, got a string"},
    {"PartitionCountZero", Kind::Program, [](json& p) { instr(p, 1)["dst"]["partition_count"] = 0; },
     "program.cores[0][1].dst.partition_count: 0 is outside [1, 67108864] (a pattern covers 1 to 128 partitions)"},
    {"NoDims", Kind::Program, [](json& p) { instr(p, 1)["dst"]["dims"] = json::array(); },
     "program.cores[0][1].dst.dims: expected 1 to 4 [step, count] pairs"},
    {"FiveDims", Kind::Program, [](json& p) { instr(p, 1)["dst"]["dims"] = {{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 64}}; },
     "program.cores[0][1].dst.dims: expected 1 to 4 [step, count] pairs"},
    {"DimNotPair", Kind::Program, [](json& p) { instr(p, 1)["dst"]["dims"] = {{64}}; },
     "program.cores[0][1].dst.dims[0]: expected [step, count] integers"},
    {"DimCountZero", Kind::Program, [](json& p) { instr(p, 1)["dst"]["dims"] = {{1, 0}}; },
     "program.cores[0][1].dst.dims[0]: count 0 is outside [1, 2^26]"},
    {"HugeStep", Kind::Program, [](json& p) { instr(p, 1)["dst"]["dims"] = {{int64_t(1) << 40, 2}}; },
     "program.cores[0][1].dst.dims[0]: step 1099511627776 is outside [-2^34, 2^34]"},
    {"NegativeBase", Kind::Program, [](json& p) { instr(p, 1)["dst"]["base"] = -8; },
     "program.cores[0][1].dst.base: -8 is outside [0, 1099511627776]"},
    {"TensorInSbufPattern", Kind::Program, [](json& p) { instr(p, 1)["dst"]["tensor"] = "a"; },
     "program.cores[0][1].dst.tensor: only HBM patterns name a tensor"},
    {"UnknownTensorName", Kind::Program, [](json& p) { instr(p, 0)["src"]["tensor"] = "z"; },
     "program.cores[0][0].src.tensor: no tensor named 'z'"},
    {"BaseAndTensor", Kind::Program, [](json& p) { instr(p, 0)["src"]["base"] = 0; },
     "program.cores[0][0].src.base: give either base or tensor, not both"},
    {"DependencyOnLaterInstruction", Kind::Program, [](json& p) { instr(p, 1)["deps"] = {2}; },
     "program.cores[0][1].deps: expected indices of earlier instructions of this core (0 to 0), got 2"},
    {"ReadOnlyTensorNotBoolean", Kind::Program, [](json& p) { p["tensors"][0]["read_only"] = "yes"; },
     "program.tensors[0].read_only: expected true or false, got a string"},
    {"InferDepsNotBool", Kind::Program, [](json& p) { p["infer_deps"] = "yes"; },
     "program.infer_deps: expected true or false, got a string"},
    {"SourceNotString", Kind::Program, [](json& p) { instr(p, 1)["source"] = 12; },
     "program.cores[0][1].source: expected a string, got an integer"},
    {"ValidationNamesTheSourceOnOneLine", Kind::Program,
     [](json& p) { instr(p, 1)["engine"] = "pe"; instr(p, 1)["source"] = "kernel.py\n3"; },
     "core 0 instruction 1 (tensor_copy at kernel.py\\u000a3): runs on dve, act, pool, not pe"},
    {"NegativeDependency", Kind::Program, [](json& p) { instr(p, 1)["deps"] = {-1}; },
     "program.cores[0][1].deps: expected indices of earlier instructions of this core (0 to 0), got -1"},
    {"MemsetWithoutValue", Kind::Program, [](json& p) { instr(p, 1) = {{"op", "memset"}, {"engine", "pool"}, {"dst", instr(p, 1)["dst"]}}; },
     "program.cores[0][1].value: missing"},
    {"TensorScalarWithoutScalar", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "tensor_scalar"; instr(p, 1)["alu"] = "add"; }, "program.cores[0][1].scalar: missing"},
    {"UnknownAluOp", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "tensor_scalar"; instr(p, 1)["alu"] = "modulo"; instr(p, 1)["scalar"] = 2; },
     "program.cores[0][1].alu: unknown alu op 'modulo' (expected add, subtract, multiply, max, min, divide, pow, is_equal, is_gt, is_ge, is_lt or is_le)"},
    {"UnknownActivation", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "activation"; instr(p, 1)["engine"] = "act"; instr(p, 1)["func"] = "softplus"; },
     "program.cores[0][1].func: unknown activation function 'softplus' (expected identity, relu, exp, tanh, sigmoid, silu, gelu, rsqrt, sqrt or square)"},
    {"OperandTileOfTwoElements", Kind::Program,
     [](json& p) { instr(p, 1) = {{"op", "tensor_scalar"}, {"engine", "dve"}, {"alu", "multiply"}, {"deps", {0}}, {"src", instr(p, 1)["src"]},
                                 {"dst", instr(p, 1)["dst"]}, {"scalar", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 128}, {"dims", {{1, 2}}}}}}; },
     "core 0 instruction 1 (tensor_scalar): operand0 has 2 elements per partition; a per-partition operand has 1"},
    {"OperandTileOnOtherPartitions", Kind::Program,
     [](json& p) { instr(p, 1) = {{"op", "activation"}, {"engine", "act"}, {"func", "exp"}, {"deps", {0}}, {"src", instr(p, 1)["src"]},
                                 {"dst", instr(p, 1)["dst"]}, {"scale", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 64}, {"dims", {{1, 1}}}}}}; },
     "core 0 instruction 1 (activation): operand0 must be on dst's partitions (one value per partition)"},
    {"ReduceResTwoPerPartition", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "activation"; instr(p, 1)["engine"] = "act"; instr(p, 1)["func"] = "exp";
                   instr(p, 1)["reduce_res"] = {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 16384}, {"partition_count", instr(p, 1)["dst"]["partition_count"]}, {"dims", {{1, 2}}}}; },
     "core 0 instruction 1 (activation): reduce_res has 2 elements per partition; it holds one sum per partition"},
    {"ReduceResOnOtherPartitions", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "activation"; instr(p, 1)["engine"] = "act"; instr(p, 1)["func"] = "exp";
                   instr(p, 1)["reduce_res"] = {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 16384}, {"start_partition", 64}, {"partition_count", 64}, {"dims", {{1, 1}}}}; },
     "core 0 instruction 1 (activation): reduce_res must be on dst's partitions (one sum per partition)"},
    {"OperandScalarAString", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "tensor_scalar"; instr(p, 1)["alu"] = "add"; instr(p, 1)["scalar"] = "w"; },
     "program.cores[0][1].scalar: expected a number or an access pattern (one value per partition)"},
    {"OperandTileRacesItsWriter", Kind::Program,
     [](json& p) {
       const json column = {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 4096}, {"partition_count", 128}, {"dims", {{1, 1}}}};
       p["cores"][0].push_back({{"op", "memset"}, {"engine", "pool"}, {"value", 2}, {"dst", column}});
       json out = instr(p, 1)["dst"];
       out["base"] = 8192;
       p["cores"][0].push_back({{"op", "tensor_scalar"}, {"engine", "dve"}, {"alu", "multiply"}, {"deps", {1}},
                                {"src", instr(p, 1)["dst"]}, {"dst", out}, {"scalar", column}});
     },
     "race: core 0 instruction 3 (memset on pool) writes and core 0 instruction 4 (tensor_scalar on dve) reads sbuf partition 0 bytes [0x1000, 0x1004)"},
    {"ScalarTensorTensorOnTheScalarEngine", Kind::Program,
     [](json& p) { instr(p, 1) = {{"op", "scalar_tensor_tensor"}, {"engine", "act"}, {"alu", "multiply"}, {"alu1", "add"}, {"scalar", 2},
                                 {"deps", {0}}, {"src", instr(p, 1)["src"]}, {"src2", instr(p, 1)["src"]}, {"dst", instr(p, 1)["dst"]}}; },
     "core 0 instruction 1 (scalar_tensor_tensor): runs on dve, not act"},
    {"ReduceOnTheScalarEngine", Kind::Program,
     [](json& p) { instr(p, 1) = {{"op", "tensor_reduce"}, {"engine", "act"}, {"alu", "add"}, {"deps", {0}}, {"src", instr(p, 1)["src"]},
                                 {"dst", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 1024}, {"partition_count", 128}, {"dims", {{1, 1}}}}}}; },
     "core 0 instruction 1 (tensor_reduce): runs on dve, not act"},
    {"ReduceIntoMoreThanOneElement", Kind::Program,
     [](json& p) { instr(p, 1) = {{"op", "tensor_reduce"}, {"engine", "dve"}, {"alu", "add"}, {"deps", {0}}, {"src", instr(p, 1)["src"]},
                                 {"dst", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 1024}, {"partition_count", 128}, {"dims", {{1, 2}}}}}}; },
     "core 0 instruction 1 (tensor_reduce): dst has 2 elements per partition; a reduction of every free element writes 1"},
    {"ReduceWithDivide", Kind::Program,
     [](json& p) { instr(p, 1) = {{"op", "tensor_reduce"}, {"engine", "dve"}, {"alu", "divide"}, {"deps", {0}}, {"src", instr(p, 1)["src"]},
                                 {"dst", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 1024}, {"partition_count", 128}, {"dims", {{1, 1}}}}}}; },
     "core 0 instruction 1 (tensor_reduce): reduces with add, max, min or multiply, not divide"},
    {"ScalarBeyondFloat32", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "tensor_scalar"; instr(p, 1)["alu"] = "add"; instr(p, 1)["scalar"] = 1e39; },
     "program.cores[0][1].scalar: 1e+39 does not fit a float32"},
    // --- hardware limits and semantics (validate) ---
    {"TensorTensorOnScalarEngine", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "tensor_tensor"; instr(p, 1)["engine"] = "act"; instr(p, 1)["alu"] = "add"; instr(p, 1)["src2"] = instr(p, 1)["src"]; },
     "core 0 instruction 1 (tensor_tensor): runs on dve, pool, not act"},
    {"IotaOnVectorEngine", Kind::Program,
     [](json& p) { instr(p, 1) = {{"op", "iota"}, {"engine", "dve"}, {"dst", instr(p, 1)["dst"]}}; },
     "core 0 instruction 1 (iota): runs on pool, not dve"},
    {"MatmulOnVectorEngine", Kind::Program,
     [](json& p) { instr(p, 1)["op"] = "nc_matmul"; instr(p, 1)["moving"] = instr(p, 1)["src"]; },
     "core 0 instruction 1 (nc_matmul): runs on the tensor engine (pe) only"},
    {"QueueBeyondSixteen", Kind::Program, [](json& p) { instr(p, 0)["queue"] = 16; }, "core 0 instruction 0 (dma_copy): queue 16 is not one of the core's queues 0..15"},
    {"TooManyPartitions", Kind::Program, [](json& p) { instr(p, 1)["dst"]["partition_count"] = 256; instr(p, 1)["src"]["partition_count"] = 256; },
     "core 0 instruction 1 (tensor_copy): dst partition count 256 exceeds 128"},
    {"PastTheSbufPartition", Kind::Program, [](json& p) { instr(p, 1)["dst"]["base"] = 212900; },
     "core 0 instruction 1 (tensor_copy): dst bytes [212900, 213156) exceed sbuf partition size 212984"},
    {"StartPartitionRule", Kind::Program,
     [](json& p) {
       for (const char* k : {"dst", "src"}) {
         instr(p, 1)[k]["partition_count"] = 64;
         instr(p, 1)[k]["start_partition"] = 32;
       }
     },
     "core 0 instruction 1 (tensor_copy): dst start partition 32 is not allowed for 64 partitions"},
    {"ShapeMismatch", Kind::Program, [](json& p) { instr(p, 1)["dst"]["dims"] = {{1, 32}}; },
     "core 0 instruction 1 (tensor_copy): src has 64 elements per partition but dst has 32"},
    {"ComputeEngineReadsHbm", Kind::Program, [](json& p) { instr(p, 1)["src"] = instr(p, 0)["src"]; },
     "core 0 instruction 1 (tensor_copy): compute engines cannot access HBM"},
    {"DmaAccumulateNotBoolean", Kind::Program, [](json& p) { instr(p, 0)["accumulate"] = "yes"; },
     "program.cores[0][0].accumulate: expected true or false, got a string"},
    {"DmaAccumulatesIntoUnwrittenTile", Kind::Program, [](json& p) { instr(p, 0)["accumulate"] = true; },
     "uninitialised read: core 0 instruction 0 (dma_copy on queue 0) reads sbuf partition 0 bytes [0x0, 0x100), which nothing wrote before it"},
    {"DmaIntoPsum", Kind::Program, [](json& p) { instr(p, 0)["dst"]["space"] = "psum"; instr(p, 0)["dst"]["dims"] = {{1, 16}}; instr(p, 0)["src"]["dims"] = {{1, 16}}; },
     "core 0 instruction 0 (dma_copy): dst in PSUM: DMA writes HBM or SBUF only"},
    {"HbmPastTheProgram", Kind::Program, [](json& p) { instr(p, 0)["src"]["offset"] = 128 * 64 * 2; },
     "core 0 instruction 0 (dma_copy): src HBM bytes [65536, 98304) outside the program's 65536 bytes of HBM"},
    {"MatmulMovingTooWide", Kind::Program,
     [](json& p) {
       json& m = instr(p, 1);
       m = {{"op", "nc_matmul"}, {"engine", "pe"}, {"deps", {0}},
            {"src", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 128}, {"dims", {{1, 1}}}}},
            {"moving", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 128}, {"dims", {{1, 600}}}}},
            {"dst", {{"space", "psum"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 1}, {"dims", {{1, 600}}}}}};
     },
     "core 0 instruction 1 (nc_matmul): moving free size 600 exceeds 512"},
    {"ProgramBeyondTheHbmStack", Kind::Program, [](json& p) { p["hbm_bytes"] = int64_t(25) << 30; },
     "program uses 26843545600 bytes of HBM, more than the stack's 25769803776"},
    {"AllocationBeyondTheStream", Kind::Program,
     [](json& p) { p["allocations"] = {{{"core", 0}, {"space", "sbuf"}, {"base", 0}, {"bytes", 256}, {"first", 0}, {"last", 9}}}; },
     "program.allocations[0].last: 9 is outside [0, 2]"},
    {"ComputeEngineStridesPartitions", Kind::Program, [](json& p) { instr(p, 1)["src"]["partition_step"] = 2; instr(p, 1)["src"]["partition_count"] = 64; instr(p, 1)["dst"]["partition_count"] = 64; },
     "core 0 instruction 1 (tensor_copy): src partition step 2: compute engines access contiguous partitions"},
    {"MatmulOperandsOnDifferentPartitions", Kind::Program,
     [](json& p) {
       instr(p, 1) = {{"op", "nc_matmul"}, {"engine", "pe"}, {"deps", {0}},
                      {"src", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 32}, {"dims", {{1, 1}}}}},
                      {"moving", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 0}, {"start_partition", 32}, {"partition_count", 32}, {"dims", {{1, 64}}}}},
                      {"dst", {{"space", "psum"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 1}, {"dims", {{1, 64}}}}}};
     },
     "core 0 instruction 1 (nc_matmul): stationary starts at partition 0 but moving at 32 (K runs over the same partitions)"},
    // --- fp8 and nc_matmul's perf_mode (issue 16) ---
    {"PerfModeUnknown", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e4m3", "float8_e4m3", {{64, 2}, {1, 4}}, {{64, 2}, {1, 8}}, 4, 8, "quad_row"); },
     "program.cores[0][1].perf_mode: unknown perf_mode 'quad_row' (expected none or double_row)"},
    {"PerfModeNotAString", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e4m3", "float8_e4m3", {{64, 2}, {1, 4}}, {{64, 2}, {1, 8}}, 4, 8, true); },
     "program.cores[0][1].perf_mode: expected a string, got a boolean"},
    {"PerfModeOnATensorCopy", Kind::Program, [](json& p) { instr(p, 1)["perf_mode"] = "double_row"; },
     "program.cores[0][1].perf_mode: unknown key"},
    {"DoubleRowOnFp32", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float32", "float32", {{64, 2}, {1, 4}}, {{64, 2}, {1, 8}}, 4, 8, "double_row"); },
     "core 0 instruction 1 (nc_matmul): perf_mode double_row needs fp8 stationary and moving (float8_e4m3 or float8_e5m2), not float32 and float32"},
    {"DoubleRowOnBf16Moving", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e5m2", "bfloat16", {{64, 2}, {1, 4}}, {{64, 2}, {1, 8}}, 4, 8, "double_row"); },
     "core 0 instruction 1 (nc_matmul): perf_mode double_row needs fp8 stationary and moving (float8_e4m3 or float8_e5m2), not float8_e5m2 and bfloat16"},
    {"DoubleRowWithoutThePairDim", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e4m3", "float8_e4m3", {{1, 8}}, {{64, 2}, {1, 8}}, 4, 8, "double_row"); },
     "core 0 instruction 1 (nc_matmul): perf_mode double_row: stationary's outermost free dim has count 8, must be 2 (stationary [K, 2, F] holds both halves of the contraction)"},
    {"DoubleRowPairDimInside", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e4m3", "float8_e4m3", {{64, 2}, {1, 4}}, {{1, 8}, {8, 2}}, 4, 8, "double_row"); },
     "core 0 instruction 1 (nc_matmul): perf_mode double_row: moving's outermost free dim has count 8, must be 2 (moving [K, 2, F] holds both halves of the contraction)"},
    {"DoubleRowDstOfTheWholeFreeSize", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e4m3", "float8_e4m3", {{64, 2}, {1, 4}}, {{64, 2}, {1, 8}}, 8, 16, "double_row"); },
     "core 0 instruction 1 (nc_matmul): dst must be [stationary free, moving free] per double_row half"},
    {"DoubleRowMovingHalfTooWide", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e4m3", "float8_e4m3", {{64, 2}, {1, 4}}, {{600, 2}, {1, 600}}, 4, 600, "double_row"); },
     "core 0 instruction 1 (nc_matmul): moving free size 600 per double_row half exceeds 512"},
    {"MatmulFp8WithFp32", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e4m3", "float32", {{1, 4}}, {{1, 8}}, 4, 8, nullptr); },
     "core 0 instruction 1 (nc_matmul): stationary and moving mix fp32 with a narrower dtype"},
    {"Fp8TransposeOnThePe", Kind::Program,
     [](json& p) {
       instr(p, 1) = {{"op", "nc_transpose"}, {"engine", "pe"}, {"deps", {0}},
                      {"src", {{"space", "sbuf"}, {"dtype", "float8_e4m3"}, {"base", 0}, {"partition_count", 128}, {"dims", {{1, 64}}}}},
                      {"dst", {{"space", "psum"}, {"dtype", "float8_e4m3"}, {"base", 0}, {"partition_count", 64}, {"dims", {{1, 128}}}}}};
     },
     "core 0 instruction 1 (nc_transpose): an fp8 transpose on the PE is not modelled (trn2 writes it as 16-bit PSUM elements); transpose by nc_matmul against an identity instead"},
    {"Float8E4m3fnIsTrn3s", Kind::Program, [](json& p) { p["tensors"][0]["dtype"] = "float8_e4m3fn"; },
     "program.tensors[0].dtype: float8_e4m3fn (OCP fp8) runs on Trn3 only; trn2 runs float8_e4m3 (compiler error NCC_EVRF051)"},
    {"Float8E4m3fnPattern", Kind::Program, [](json& p) { instr(p, 1)["dst"]["dtype"] = "float8_e4m3fn"; },
     "program.cores[0][1].dst.dtype: float8_e4m3fn (OCP fp8) runs on Trn3 only; trn2 runs float8_e4m3 (compiler error NCC_EVRF051)"},
    {"ConfigFp8Kernel", Kind::Config, [](json& c) { c["kernel"]["dtype"] = "float8_e4m3"; },
     "kernel.dtype float8_e4m3: the depthwise conv1d kernels take float32, bfloat16 or float16"},
    {"ConfigFp8Filter", Kind::Config, [](json& c) { c["kernel"]["dtype"] = "bfloat16"; c["kernel"]["filter_dtype"] = "float8_e5m2"; },
     "kernel.filter_dtype float8_e5m2: the depthwise conv1d kernels take float32, bfloat16 or float16"},
    // --- integer dtypes (issue 16) ---
    {"MatmulInt8Stationary", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("int8", "bfloat16", {{1, 4}}, {{1, 8}}, 4, 8, nullptr); },
     "core 0 instruction 1 (nc_matmul): stationary int8 and moving bfloat16: nc_matmul takes float operands only (float32, bfloat16, float16, float8_e4m3, float8_e5m2), not integers"},
    {"MatmulInt32Operands", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("int32", "int32", {{1, 4}}, {{1, 8}}, 4, 8, nullptr); },
     "core 0 instruction 1 (nc_matmul): stationary int32 and moving int32: nc_matmul takes float operands only"},
    {"MatmulUint8Moving", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float8_e4m3", "uint8", {{1, 4}}, {{1, 8}}, 4, 8, "double_row"); },
     "core 0 instruction 1 (nc_matmul): stationary float8_e4m3 and moving uint8: nc_matmul takes float operands only"},
    {"MatmulInt32Dst", Kind::Program,
     [](json& p) { instr(p, 1) = matmul("float32", "float32", {{1, 4}}, {{1, 8}}, 4, 8, nullptr); instr(p, 1)["dst"]["dtype"] = "int32"; },
     "core 0 instruction 1 (nc_matmul): dst must be an fp32 PSUM tile"},
    {"Int8TransposeOnThePe", Kind::Program,
     [](json& p) {
       instr(p, 1) = {{"op", "nc_transpose"}, {"engine", "pe"}, {"deps", {0}},
                      {"src", {{"space", "sbuf"}, {"dtype", "int8"}, {"base", 0}, {"partition_count", 128}, {"dims", {{1, 64}}}}},
                      {"dst", {{"space", "psum"}, {"dtype", "int8"}, {"base", 0}, {"partition_count", 64}, {"dims", {{1, 128}}}}}};
     },
     "core 0 instruction 1 (nc_transpose): a PE transpose of int8 is not modelled (trn2's transpose mode widens 1-byte elements to 16 bits in PSUM); copy it to bfloat16 (exact for 8-bit integers) and transpose that"},
    {"UnknownIntegerDtype", Kind::Program, [](json& p) { instr(p, 1)["dst"]["dtype"] = "int64"; },
     "program.cores[0][1].dst.dtype: unknown dtype 'int64' (expected float32, bfloat16, float16, float8_e4m3, float8_e5m2, int8, uint8, int16, uint16, int32 or uint32)"},
    {"ConfigInt8Kernel", Kind::Config, [](json& c) { c["kernel"]["dtype"] = "int8"; },
     "kernel.dtype int8: the depthwise conv1d kernels take float32, bfloat16 or float16"},
    {"ConfigInt16Filter", Kind::Config, [](json& c) { c["kernel"]["dtype"] = "bfloat16"; c["kernel"]["filter_dtype"] = "uint16"; },
     "kernel.filter_dtype uint16: the depthwise conv1d kernels take float32, bfloat16 or float16"},
    {"HbmToHbmCopyOfTooManyElements", Kind::Program,
     [](json& p) {
       const json rows = {{"space", "hbm"}, {"tensor", "out"}, {"partition_step", 0}, {"partition_count", 128}, {"dims", {{0, 67108864}}}};
       instr(p, 2)["dst"] = rows;
       instr(p, 2)["src"] = rows;
       instr(p, 2)["src"]["tensor"] = "a";
     },
     "core 0 instruction 2 (dma_copy): dst has 8589934592 elements, more than the program's 65536 bytes of HBM"},
    {"DmaWritesReadOnlyTensor", Kind::Program, [](json& p) { p["tensors"][1]["read_only"] = true; },
     "core 0 instruction 2 (dma_copy): dst writes read-only tensor 'out'"},
    // --- hazards ---
    {"Race", Kind::Program, [](json& p) { instr(p, 1)["deps"] = json::array(); },
     "race: core 0 instruction 0 (dma_copy on queue 0) writes and core 0 instruction 1 (tensor_copy on dve) reads sbuf partition 0 bytes [0x0, 0x100)"},
    {"UninitialisedRead", Kind::Program, [](json& p) { instr(p, 1)["src"]["base"] = 4096; },
     "uninitialised read: core 0 instruction 1 (tensor_copy on dve) reads sbuf partition 0 bytes [0x1000, 0x1100)"},
    // --- the run-program command line ---
    {"InputWithoutName", Kind::Program, nullptr, "--input needs NAME=FILE.npy", "--input a.npy"},
    {"InputForNoTensor", Kind::Program, nullptr, "--input z: the program has no tensor 'z' (it has: a, out)", "--input z=x.npy"},
    {"OutputForNoTensor", Kind::Program, nullptr, "--output y: the program has no tensor 'y' (it has: a, out)", "--output y=y.npy"},
    {"MissingInputFile", Kind::Program, nullptr, "--input a: ", "--input a=/nonexistent/a.npy"},
    {"OutputOfAReadOnlyTensor", Kind::Program, [](json& p) { p["tensors"][0]["read_only"] = true; },
     "--output a: tensor 'a' is read_only: the program never writes it", "--output a=a.npy"},
    {"BadHazardMode", Kind::Program, nullptr, "--hazards: expected fail, warn or off, got maybe", "--hazards maybe"},
    {"KernelOptionOnProgram", Kind::Program, nullptr, "unknown option --output-npy for run-program", "--output-npy x.npy"},
    {"MissingHardwareFile", Kind::Program, nullptr, "/nonexistent/hw.json: cannot open the hardware file", "--hardware /nonexistent/hw.json"},
    // --- kernel configs ---
    {"ConfigBadHazardMode", Kind::Config, [](json& c) { c["check"] = {{"hazards", "maybe"}}; },
     "check.hazards: expected \"fail\", \"warn\" or \"off\""},
    {"ConfigZeroDmaEngines", Kind::Config, [](json& c) { c["hardware"] = {{"dma_engines", 0}}; }, "hardware.dma_engines: 0 is outside its range [1, 64]"},
    {"ConfigNegativeKernelSize", Kind::Config, [](json& c) { c["kernel"]["kernel_size"] = -3; }, "kernel.kernel_size"},
    {"ConfigPsumNotWholeBanks", Kind::Config, [](json& c) { c["hardware"] = {{"psum_partition_bytes", 3000}}; },
     "hardware.psum_bank_bytes: 2048 does not divide hardware.psum_partition_bytes 3000 into whole banks"},
    {"ConfigUnwritableTrace", Kind::Config, nullptr, "--trace: cannot write /nonexistent/dir/t.json", "--trace /nonexistent/dir/t.json"},
    {"ConfigNegativeWindow", Kind::Config, [](json& c) { c["simulator"] = {{"window_instructions", -1}}; },
     "simulator.window_instructions: must be 0 (the whole program) to 2^30, got -1"},
    {"ConfigWindowTwoToThe31", Kind::Config, [](json& c) { c["simulator"] = {{"window_instructions", int64_t(1) << 31}}; },
     "simulator.window_instructions: must be 0 (the whole program) to 2^30, got 2147483648"},
    {"ConfigWindowJustPastTheLimit", Kind::Config,
     [](json& c) { c["simulator"] = {{"window_instructions", (int64_t(1) << 30) + 1}}; },
     "simulator.window_instructions: must be 0 (the whole program) to 2^30, got 1073741825"},
    {"ConfigWindowNotAnInteger", Kind::Config, [](json& c) { c["simulator"] = {{"window_instructions", "64"}}; },
     "simulator.window_instructions: expected an integer"},
    // Above INT64_MAX, JSON holds the number unsigned: it must not wrap to a negative one.
    {"ConfigWindowBeyondInt64", Kind::Config,
     [](json& c) { c["simulator"] = {{"window_instructions", uint64_t(18446744073709551615ull)}}; },
     "simulator.window_instructions: exceeds 9223372036854775807"},
    {"ConfigLncBeyondInt64", Kind::Config, [](json& c) { c["kernel"]["lnc"] = uint64_t(1) << 63; },
     "kernel.lnc: exceeds 9223372036854775807"},
    {"ConfigUnknownSimulatorKey", Kind::Config, [](json& c) { c["simulator"] = {{"window", 64}}; },
     "simulator.window: unknown key"},
    {"ConfigUnknownSection", Kind::Config, [](json& c) { c["kernels"] = json::object(); }, "kernels: unknown key"},
    // --- descriptor generation, the kernel's variants and dtypes ---
    {"UnknownDgeMode", Kind::Program, [](json& p) { instr(p, 0)["dge_mode"] = "fast"; },
     "program.cores[0][0].dge_mode: unknown dge_mode 'fast' (expected unknown, none, swdge or hwdge)"},
    {"DgeModeOnACopy", Kind::Program, [](json& p) { instr(p, 1)["dge_mode"] = "none"; },
     "program.cores[0][1].dge_mode: unknown key"},
    {"SoftwareDgeNotModelled", Kind::Program, [](json& p) { instr(p, 0)["dge_mode"] = "swdge"; },
     "core 0 instruction 0 (dma_copy): dge_mode swdge is not modelled (no public figure for GpSimd descriptor generation); use none or hwdge"},
    {"HardwareDgeDoesNotCast", Kind::Program,
     [](json& p) {
       instr(p, 0)["dge_mode"] = "hwdge";
       instr(p, 0)["dst"]["dtype"] = "bfloat16";
     },
     "core 0 instruction 0 (dma_copy): dge_mode hwdge does not cast (src float32, dst bfloat16): the hardware DGE moves raw bytes; use dge_mode none to cast"},
    {"TransposeConvertsDtype", Kind::Program,
     [](json& p) {
       instr(p, 1) = {{"op", "nc_transpose"}, {"engine", "pe"}, {"deps", {0}},
                      {"src", {{"space", "sbuf"}, {"dtype", "float32"}, {"base", 0}, {"partition_count", 128}, {"dims", {{1, 64}}}}},
                      {"dst", {{"space", "psum"}, {"dtype", "bfloat16"}, {"base", 0}, {"partition_count", 64}, {"dims", {{1, 128}}}}}};
       instr(p, 2)["src"]["dims"] = {{1, 64}};
     },
     "core 0 instruction 1 (nc_transpose): dst dtype bfloat16 differs from src dtype float32 (a transpose does not convert)"},
    {"ConfigUnknownVariant", Kind::Config, [](json& c) { c["kernel"]["variant"] = "fastest"; },
     "kernel.variant: unknown variant \"fastest\" (known: nkilib, filter_once, q_tiled)"},
    {"ConfigUnknownFilterDtype", Kind::Config, [](json& c) { c["kernel"]["filter_dtype"] = "int64"; },
     "kernel.filter_dtype: unknown dtype \"int64\" (known: float32, bfloat16, float16)"},
    {"ConfigFp32InputWithBf16Filter", Kind::Config, [](json& c) { c["kernel"]["filter_dtype"] = "bfloat16"; },
     "kernel.filter_dtype bfloat16 with kernel.dtype float32: nc_matmul cannot mix fp32 with a 16-bit dtype"},
    {"ConfigRowTooWideForNkilibsSbuf", Kind::Config, [](json& c) { c["kernel"]["width"] = 60000; },
     "kernel: nkilib's depthwise conv1d keeps a channel's whole input live across the Q loop (1 S tile(s) of [3, Q=59998] float32): 240000 bytes per partition"},
    {"ConfigDgeUnknownAsTwo", Kind::Config, [](json& c) { c["hardware"] = {{"dge_unknown_as_hwdge", 2}}; },
     "hardware.dge_unknown_as_hwdge: 2 is outside its range [0, 1]"},
    // --- issue 17: hostile input ---
    {"ConfigNestedFiftyThousandDeep", Kind::Config, nullptr, "values nested deeper than 64 levels", "", kDeepConfig.c_str()},
    {"ProgramNestedThirtyThousandDeep", Kind::Program, nullptr, "values nested deeper than 64 levels", "", kDeepProgram.c_str()},
    {"ConfigDuplicateKey", Kind::Config, nullptr, "key \"channels\" given twice in one object", "",
     R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", "channels": 4, "channels": 8}})"},
    {"ProgramDuplicateKey", Kind::Program, nullptr, "key \"tensors\" given twice in one object", "",
     R"({"tensors": [], "tensors": [], "cores": [[]]})"},
    {"ConfigGarbageAfterTheValue", Kind::Config, nullptr, "not valid JSON", "",
     R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm"}} {"more": 1})"},
    {"ProgramNumberBeyondDouble", Kind::Program, nullptr, "not valid JSON: a number beyond the range of a double", "",
     R"({"tensors": [], "hbm_bytes": 1e999, "cores": [[]]})"},
    {"ConfigNumberBeyondDouble", Kind::Config, nullptr, "not valid JSON: a number beyond the range of a double", "",
     R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", "width": 1e999}})"},
    {"ConfigKeyWithANewlineIsEscaped", Kind::Config, [](json& c) { c["kernel"]["chan\nnels"] = 1; },
     "kernel.chan\\u000anels: unknown key"},
    {"ConfigMinIiBeyondReason", Kind::Config, [](json& c) { c["hardware"] = {{"min_ii_cycles", 1e18}}; },
     "hardware.min_ii_cycles: 1000000000000000000 is outside its range [0, 100000]"},
    {"ConfigSemaphoreLatencyBeyondReason", Kind::Config, [](json& c) { c["hardware"] = {{"semaphore_latency_ns", 1e300}}; },
     "hardware.semaphore_latency_ns: 1e+300 is outside its range [0, 1000000]"},
    {"ConfigDmaFixedLatencyBeyondReason", Kind::Config, [](json& c) { c["hardware"] = {{"dma_fixed_latency_ns", 1e17}}; },
     "hardware.dma_fixed_latency_ns: 100000000000000000 is outside its range [0, 1000000]"},
    {"ConfigFp32SlowdownBeyondReason", Kind::Config, [](json& c) { c["hardware"] = {{"matmul_fp32_slowdown", 1e300}}; },
     "hardware.matmul_fp32_slowdown: 1e+300 is outside its range [1, 64]"},
    {"ConfigProfilerClockBeyondReason", Kind::Config, [](json& c) { c["hardware"] = {{"profiler_clock_ghz", 1e300}}; },
     "hardware.profiler_clock_ghz: 1e+300 is outside its range [0.001, 100]"},
    {"ConfigNegativeBandwidth", Kind::Config, [](json& c) { c["hardware"] = {{"hbm_bandwidth_gbps", -5}}; },
     "hardware.hbm_bandwidth_gbps: -5 is outside its range [0.001, 1000000]"},
    {"ConfigEmptyReportFlag", Kind::Config, nullptr, "--report: the value is empty (give one, or leave the flag out)",
     "--report \"\""},
    {"ConfigReportOverTheConfig", Kind::Config, nullptr, "is also an input of this run; it would be overwritten",
     "--report {file}"},
    {"ConfigTwoOutputsOnOneFile", Kind::Config, nullptr, "is also the file of --report; give each output its own file",
     "--report {dir}/same_out.json --trace {dir}/same_out.json"},
    {"ConfigTraceToAFullDevice", Kind::Config, nullptr, "--trace: writing /dev/full failed", "--trace /dev/full"},
    {"ConfigReportToAFullDevice", Kind::Config, nullptr, "cannot write /dev/full", "--report /dev/full"},
    {"ConfigReportIntoADirectory", Kind::Config, nullptr, "--report: {dir} is a directory, not an output file",
     "--report {dir}"},
    {"ConfigHardwareKeyTwice", Kind::Config, nullptr, "key \"dma_engines\" given twice in one object", "",
     R"({"hardware": {"dma_engines": 8, "dma_engines": 4}, "kernel": {"name": "depthwise_conv1d_implicit_gemm"}})"},
    {"ProgramQueueNegative", Kind::Program, [](json& p) { instr(p, 0)["queue"] = -1; },
     "core 0 instruction 0 (dma_copy): queue -1 is not one of the core's queues 0..15"},
    {"ConfigPaddingTwoToTheSixtyThree", Kind::Config, [](json& c) { c["kernel"]["padding"] = {uint64_t(1) << 63, 0}; },
     "kernel.padding: 9223372036854775808 exceeds 1048576"},
    {"ConfigStrideBeyondReason", Kind::Config, [](json& c) { c["kernel"]["stride"] = int64_t(1) << 40; },
     "kernel.stride 1099511627776 exceeds 1048576"},
    // --- the rest of the config's fields and the command line ---
    {"ConfigBatchZero", Kind::Config, [](json& c) { c["kernel"]["batch"] = 0; }, "kernel.batch must be positive, got 0"},
    {"ConfigChannelsOddForLnc2", Kind::Config, [](json& c) { c["kernel"]["channels"] = 5; },
     "kernel.channels 5 must be divisible by lnc 2"},
    {"ConfigLncThree", Kind::Config, [](json& c) { c["kernel"]["lnc"] = 3; }, "kernel.lnc: must be 1 or 2, got 3"},
    {"ConfigBuffersNine", Kind::Config, [](json& c) { c["kernel"]["buffers"] = 9; }, "kernel.buffers: must be 1 to 8, got 9"},
    {"ConfigDilationTwo", Kind::Config, [](json& c) { c["kernel"]["dilation"] = 2; }, "kernel.dilation must be 1"},
    {"ConfigFeatureGroupsNotChannels", Kind::Config, [](json& c) { c["kernel"]["feature_group_count"] = 2; },
     "kernel.feature_group_count must equal channels"},
    {"ConfigBatchGroupsTwo", Kind::Config, [](json& c) { c["kernel"]["batch_group_count"] = 2; },
     "kernel.batch_group_count must be 1"},
    {"ConfigKernelWiderThanInput", Kind::Config, [](json& c) { c["kernel"]["kernel_size"] = 65; },
     "kernel.kernel_size 65 exceeds the padded width 64"},
    {"ConfigStrideZero", Kind::Config, [](json& c) { c["kernel"]["stride"] = 0; }, "kernel.stride must be positive, got 0"},
    {"ConfigPaddingNegative", Kind::Config, [](json& c) { c["kernel"]["padding"] = {-1, 0}; },
     "kernel.padding must be non-negative"},
    {"ConfigPaddingNotAPair", Kind::Config, [](json& c) { c["kernel"]["padding"] = {1}; }, "kernel.padding: expected [left, right]"},
    {"ConfigUnknownKernel", Kind::Config, [](json& c) { c["kernel"]["name"] = "conv2d"; },
     "kernel.name: unknown kernel 'conv2d' (known: depthwise_conv1d_implicit_gemm, depthwise_conv1d_vector)"},
    {"ConfigVariantOfTheVectorKernel", Kind::Config,
     [](json& c) { c["kernel"]["name"] = "depthwise_conv1d_vector"; c["kernel"]["variant"] = "q_tiled"; },
     "kernel.variant: is the implicit-GEMM kernel's; the vector kernel has none"},
    {"ConfigKernelNameNotString", Kind::Config, [](json& c) { c["kernel"]["name"] = 7; }, "kernel.name: expected a string"},
    {"ConfigMissingKernel", Kind::Config, [](json& c) { c.erase("kernel"); }, "kernel: missing"},
    {"ConfigDtypeNumber", Kind::Config, [](json& c) { c["kernel"]["dtype"] = 32; }, "kernel.dtype: unknown dtype 32"},
    {"ConfigVariantNumber", Kind::Config, [](json& c) { c["kernel"]["variant"] = 1; }, "kernel.variant: unknown variant 1"},
    {"ConfigChannelsString", Kind::Config, [](json& c) { c["kernel"]["channels"] = "4"; }, "kernel.channels: expected an integer"},
    {"ConfigSeedNegative", Kind::Config, [](json& c) { c["inputs"] = {{"seed", -1}}; }, "inputs.seed: must not be negative"},
    {"ConfigOnlyAnInputNpy", Kind::Config, [](json& c) { c["inputs"] = {{"input", "x.npy"}}; },
     "inputs: give both input and filter .npy files, or neither"},
    {"ConfigSeedWithNpys", Kind::Config, [](json& c) { c["inputs"] = {{"input", "x.npy"}, {"filter", "f.npy"}, {"seed", 1}}; },
     "inputs.seed: cannot be combined with .npy inputs"},
    {"ConfigMissingInputNpy", Kind::Config, [](json& c) { c["inputs"] = {{"input", "no_such_x.npy"}, {"filter", "no_such_f.npy"}}; },
     "inputs.input: "},
    {"ConfigNegativeAtol", Kind::Config, [](json& c) { c["check"] = {{"atol", -1}}; }, "check.atol: must not be negative"},
    {"ConfigUnknownCheckKey", Kind::Config, [](json& c) { c["check"] = {{"tolerance", 1}}; }, "check.tolerance: unknown key"},
    {"ConfigUnknownOutputsKey", Kind::Config, [](json& c) { c["outputs"] = {{"pdf", "a.pdf"}}; }, "outputs.pdf: unknown key"},
    {"ConfigOutputsEmptyFileName", Kind::Config, [](json& c) { c["outputs"] = {{"report", ""}}; }, "outputs.report: expected a file name"},
    {"ConfigHardwareNotObject", Kind::Config, [](json& c) { c["hardware"] = 5; }, "hardware: expected an object"},
    {"ConfigHardwareUnknownKey", Kind::Config, [](json& c) { c["hardware"] = {{"pe_clock_mhz", 2400}}; },
     "hardware.pe_clock_mhz: unknown key"},
    {"ConfigHardwareFigureString", Kind::Config, [](json& c) { c["hardware"] = {{"pe_clock_ghz", "fast"}}; },
     "hardware.pe_clock_ghz: expected a number"},
    {"ConfigHardwareIntegerFigureFraction", Kind::Config, [](json& c) { c["hardware"] = {{"dma_engines", 2.5}}; },
     "hardware.dma_engines: expected an integer"},
    {"CliUnknownOption", Kind::Config, nullptr, "unknown option --fast (see --help)", "--fast"},
    // Found by fuzz_cli: the argument's newline made the error two lines (a fake log line).
    {"CliOptionWithANewline", Kind::Config, nullptr, "unknown option --bad\\u000aopt (see --help)", "'--bad\nopt'"},
    {"CliReportWithoutValue", Kind::Config, nullptr, "--report needs a value", "--report"},
    {"CliTraceMaxEventsNotANumber", Kind::Config, nullptr, "--trace-max-events: expected a non-negative integer, got many",
     "--trace-max-events many"},
    {"CliTraceMaxEventsNegative", Kind::Config, nullptr, "--trace-max-events: expected a non-negative integer, got -5",
     "--trace-max-events -5"},
    {"CliTraceWindowReversed", Kind::Config, nullptr, "--trace-window: expected START_US:END_US with START < END, got 6:5",
     "--trace-window 6:5"},
    {"CliTraceWindowNoColon", Kind::Config, nullptr, "--trace-window: expected START_US:END_US", "--trace-window 6"},
    {"CliBadLogLevel", Kind::Config, nullptr, "unknown --log-level loud", "--log-level loud"},
    {"CliTwoConfigs", Kind::Config, nullptr, "more than one config given", "other.json"},
    {"CliHardwareOnAKernelConfig", Kind::Config, nullptr, "unknown option --hardware (see --help)", "--hardware hw.json"},
    {"CliOutputNpyOnAProgram", Kind::Program, nullptr, "unknown option --output-npy for run-program", "--output-npy o.npy"},
    {"CliInputWithoutEquals", Kind::Program, nullptr, "--input needs NAME=FILE.npy", "--input a.npy"},
    {"CliOutputOverAnInputNpy", Kind::Program, nullptr, "is also an input of this run; it would be overwritten",
     "--input a={dir}/same_io.npy --output out={dir}/same_io.npy"},
    {"CliHardwareFileIsTheProgram", Kind::Program, nullptr, "--report: {file} is also an input of this run",
     "--report {file}"},
};

class BadInput : public ::testing::TestWithParam<Case> {};

TEST_P(BadInput, ExitsTwoWithOneLineNamingTheProblem) {
  const Case& c = GetParam();
  std::string text;
  if (c.raw) {
    text = c.raw;
  } else {
    json j = c.kind == Kind::Program ? good_program() : good_config();
    if (c.mutate) c.mutate(j);
    text = j.dump();
  }
  const std::string file = write_file(std::string(c.name) + ".json", text);
  // {file}: the case's own file; {dir}: the folder it is in.
  auto fill = [&](std::string s) {
    for (size_t at; (at = s.find("{file}")) != std::string::npos;) s.replace(at, 6, file);
    const std::string dir = file.substr(0, file.find_last_of('/'));
    for (size_t at; (at = s.find("{dir}")) != std::string::npos;) s.replace(at, 5, dir);
    return s;
  };
  std::string args = (c.kind == Kind::Program ? "run-program " : "") + file + " " + fill(c.extra_args);
  const Outcome o = run_binary(args);
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_EQ(o.out.rfind("trn2sim: error: ", 0), 0u) << o.out;
  EXPECT_NE(o.out.find(fill(c.expected)), std::string::npos) << "expected: " << fill(c.expected) << "\ngot: " << o.out;
  EXPECT_EQ(o.out.find('\n'), o.out.size() - 1) << "one line: " << o.out;
}

INSTANTIATE_TEST_SUITE_P(Table, BadInput, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(BadInputTable, HasAtLeastFortyCases) { EXPECT_GE(std::size(kCases), 40u); }

TEST(BadInputFiles, NulAndGarbageAfterTheValue) {
  // The JSON parser would stop at the NUL and take the config as good.
  const std::string text = std::string(R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm"}})") + '\0' + "garbage";
  const std::string path = temp_path("nul_tail.json");
  std::ofstream(path, std::ios::binary).write(text.data(), std::streamsize(text.size()));
  const Outcome o = run_binary(path);
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_NE(o.out.find("not valid JSON: a NUL byte at offset 54"), std::string::npos) << o.out;
}

TEST(BadInputFiles, DirectoriesGivenAsInputFiles) {
  const std::string dir = temp_path("a_directory");
  std::filesystem::create_directories(dir);
  for (const std::string& args : {dir, "run-program " + dir, "run-program " + write_file("dir_prog.json", good_program().dump()) + " --hardware " + dir}) {
    const Outcome o = run_binary(args);
    EXPECT_EQ(o.status, 2) << args << ": " << o.out;
    EXPECT_NE(o.out.find(dir + ": is a directory, not a "), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find('\n'), o.out.size() - 1) << "one line: " << o.out;
  }
}

TEST(BadInputFiles, AFullStandardOutputIsAnErrorNotASignal) {
  // stdout on /dev/full (stderr to the pipe): the summary cannot be written: exit 2, one line.
  const std::string config = write_file("stdout_full.json", good_config().dump());
  const std::string cmd = std::string(TRN2SIM_BINARY) + " " + config + " 2>&1 1>/dev/full";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int rc = pclose(pipe);
  strip_asan_fiber_warning(out);
  ASSERT_TRUE(WIFEXITED(rc)) << "ended by a signal: " << out;
  EXPECT_EQ(WEXITSTATUS(rc), 2) << out;
  EXPECT_EQ(out, "trn2sim: error: cannot write the summary to standard output\n");
}

TEST(BadInputFiles, AFailedWriteLeavesNoOutputBehind) {
  // Each output in turn goes to /dev/full while the others go to files: the run fails with
  // exit 2, and none of the other outputs (nor any temporary file) is left behind.
  const std::string config = write_file("outputs_cfg.json", good_config().dump());
  const std::vector<std::string> flags = {"--report", "--report-html", "--dump-program", "--trace", "--output-npy"};
  for (const std::string& failing : flags) {
    const std::string dir = temp_path("outputs_" + failing.substr(2));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string args = config;
    for (const std::string& flag : flags)
      args += " " + flag + " " + (flag == failing ? std::string("/dev/full") : dir + "/" + flag.substr(2));
    const Outcome o = run_binary(args);
    EXPECT_EQ(o.status, 2) << failing << ": " << o.out;
    EXPECT_TRUE(std::filesystem::is_empty(dir)) << failing << ": outputs were left in " << dir;
  }
  // And with every output to a file, every one is written, whole.
  const std::string dir = temp_path("outputs_all");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string args = config;
  for (const std::string& flag : flags) args += " " + flag + " " + dir + "/" + flag.substr(2);
  const Outcome o = run_binary(args);
  ASSERT_EQ(o.status, 0) << o.out;
  for (const std::string& flag : flags) EXPECT_TRUE(std::filesystem::exists(dir + "/" + flag.substr(2))) << flag;
  EXPECT_NO_THROW(json::parse(slurp(dir + "/trace")));
  EXPECT_NO_THROW(json::parse(slurp(dir + "/report")));
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, flags.size()) << "no temporary files";
}

TEST(BadInputTable, TheGoodProgramAndConfigRun) {
  // The mutations above start from these: they must be good themselves.
  const Outcome p = run_binary("run-program " + write_file("good_program.json", good_program().dump()) + " --input a=" +
                               [] {
                                 const std::string path = temp_path("a_good.npy");
                                 std::vector<float> v(128 * 64, 1.5f);
                                 isa::write_npy(path, {128, 64}, "<f4", v.data(), v.size() * 4);
                                 return path;
                               }());
  EXPECT_EQ(p.status, 0) << p.out;
  const Outcome c = run_binary(write_file("good_config.json", good_config().dump()));
  EXPECT_EQ(c.status, 0) << c.out;
}

TEST(BadInputTable, TheLimitsOfTheGoodInputsAreGood) {
  // A read-only input that is only read, and the two ends of the window's range, are accepted.
  json p = good_program();
  p["tensors"][0]["read_only"] = true;
  p["tensors"][1]["read_only"] = false;
  const Outcome o = run_binary("run-program " + write_file("read_only_program.json", p.dump()));
  EXPECT_EQ(o.status, 0) << o.out;
  for (const int64_t window : {int64_t(0), int64_t(1) << 30}) {
    json c = good_config();
    c["simulator"] = {{"window_instructions", window}};
    const Outcome r = run_binary(write_file("window_" + std::to_string(window) + ".json", c.dump()));
    EXPECT_EQ(r.status, 0) << "window " << window << ": " << r.out;
  }
}

}  // namespace
}  // namespace trn2::test

// `trn2sim run-program`: the documented example computes a + b, a dumped kernel program runs
// to the same time as the kernel run that dumped it, and the elementwise instructions compute
// what an independent fp32 reference computes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "isa/npy.h"

namespace trn2::test {
namespace {

using nlohmann::json;

std::vector<float> random_floats(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

std::string write_f32(const std::string& name, const std::vector<float>& v, std::vector<size_t> shape) {
  const std::string path = temp_path(name);
  isa::write_npy(path, shape, "<f4", v.data(), v.size() * 4);
  return path;
}

std::vector<float> read_f32(const std::string& path) {
  const isa::NpyArray a = isa::read_npy(path);
  EXPECT_EQ(a.descr, "<f4");
  std::vector<float> v(a.data.size() / 4);
  std::memcpy(v.data(), a.data.data(), a.data.size());
  return v;
}

const std::string kExample = std::string(TRN2SIM_SOURCE_DIR) + "/docs/examples/vector_add.json";

TEST(RunProgram, DocumentedVectorAddComputesASum) {
  const auto a = random_floats(256 * 256, 1), b = random_floats(256 * 256, 2);
  const std::string c_path = temp_path("c.npy"), report = temp_path("vadd_report.json");
  const Outcome o = run_binary("run-program " + kExample + " --input a=" + write_f32("a.npy", a, {256, 256}) +
                               " --input b=" + write_f32("b.npy", b, {256, 256}) + " --output c=" + c_path +
                               " --report " + report);
  ASSERT_EQ(o.status, 0) << o.out;
  const std::vector<float> c = read_f32(c_path);
  ASSERT_EQ(c.size(), a.size());
  for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], a[i] + b[i]) << "element " << i;
  std::ifstream f(report);
  const json r = json::parse(f);
  EXPECT_EQ(r["kernel"], "vector_add");
  EXPECT_EQ(r["cores"][0]["engines"]["dve"]["instruction_count"], 2);
  EXPECT_EQ(r["cores"][0]["dma_transfer_count"], 6);
  EXPECT_EQ(r["hbm_read_bytes"], 2 * 256 * 256 * 4);
  EXPECT_EQ(r["hbm_write_bytes"], 256 * 256 * 4);
  EXPECT_GT(r["total_time_us"].get<double>(), 0.0);
}

TEST(RunProgram, DumpedKernelProgramRunsToTheSameTime) {
  const std::string cfg = write_file("dump_cfg.json", R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm",
      "channels": 6, "width": 300, "kernel_size": 5, "dtype": "bfloat16"}})");
  const std::string program = temp_path("dumped.json"), r1 = temp_path("kernel_report.json"),
                    r2 = temp_path("program_report.json");
  ASSERT_EQ(run_binary(cfg + " --dump-program " + program + " --report " + r1).status, 0);
  const Outcome o = run_binary("run-program " + program + " --report " + r2);
  ASSERT_EQ(o.status, 0) << o.out;
  std::ifstream f1(r1), f2(r2);
  const json k = json::parse(f1), p = json::parse(f2);
  // Timing does not depend on the data, so the zero inputs of the program run take as long.
  EXPECT_EQ(k["neuroncore_cycle_count"], p["neuroncore_cycle_count"]);
  EXPECT_EQ(k["cores"], p["cores"]);
  EXPECT_EQ(k["roofline"], p["roofline"]);
}

// bf16 rounding of an fp32 value, written independently of isa/dtype.cpp: round to nearest
// even on the top 16 bits (no NaN reaches here).
float to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  u += 0x7FFFu + ((u >> 16) & 1u);
  u &= 0xFFFF0000u;
  float y;
  std::memcpy(&y, &u, 4);
  return y;
}

json sbuf_ap(const char* dtype, int64_t base, int partitions, int64_t free) {
  return {{"space", "sbuf"}, {"dtype", dtype}, {"base", base}, {"partition_count", partitions}, {"dims", {{1, free}}}};
}

json hbm_ap(const char* tensor, int partitions, int64_t free) {
  return {{"space", "hbm"}, {"tensor", tensor}, {"partition_step", free}, {"partition_count", partitions}, {"dims", {{1, free}}}};
}

TEST(RunProgram, ElementwiseInstructionsMatchAnFp32Reference) {
  // x, y: [64, 100] fp32 in HBM. On chip: iota, tensor_scalar, activation relu/exp,
  // tensor_tensor max/subtract/multiply, each into a bf16 or fp32 tile, then stored.
  const int P = 64, F = 100;
  const auto x = random_floats(P * F, 3), y = random_floats(P * F, 4);
  json core = json::array();
  auto add = [&](json in) {
    core.push_back(in);
    return int(core.size()) - 1;
  };
  const int lx = add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 0}, {"dst", sbuf_ap("float32", 0, P, F)}, {"src", hbm_ap("x", P, F)}});
  const int ly = add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 1}, {"dst", sbuf_ap("float32", 512, P, F)}, {"src", hbm_ap("y", P, F)}});
  struct Out {
    const char* name;
    int producer;
  };
  std::vector<Out> outs;
  int64_t base = 1024;
  auto op = [&](const char* name, json in, std::vector<int> deps) {
    in["dst"] = sbuf_ap("float32", base, P, F);
    in["deps"] = deps;
    const int i = add(in);
    outs.push_back({name, i});
    base += 512;
  };
  op("iota", {{"op", "iota"}, {"engine", "pool"}, {"start", 3}, {"step", 0.5}, {"partition_step", -2}}, {});
  op("ts_mul", {{"op", "tensor_scalar"}, {"engine", "dve"}, {"alu", "multiply"}, {"scalar", 1.5}, {"src", sbuf_ap("float32", 0, P, F)}}, {lx});
  op("relu", {{"op", "activation"}, {"engine", "act"}, {"func", "relu"}, {"scale", 2}, {"bias", 0.25}, {"src", sbuf_ap("float32", 0, P, F)}}, {lx});
  op("exp", {{"op", "activation"}, {"engine", "act"}, {"func", "exp"}, {"src", sbuf_ap("float32", 512, P, F)}}, {ly});
  op("max", {{"op", "tensor_tensor"}, {"engine", "dve"}, {"alu", "max"}, {"src", sbuf_ap("float32", 0, P, F)}, {"src2", sbuf_ap("float32", 512, P, F)}}, {lx, ly});
  op("sub", {{"op", "tensor_tensor"}, {"engine", "dve"}, {"alu", "subtract"}, {"src", sbuf_ap("float32", 0, P, F)}, {"src2", sbuf_ap("float32", 512, P, F)}}, {lx, ly});
  // A bf16 result: the product rounded to bf16 on the way out of the ALU.
  const int mul_bf16 = add({{"op", "tensor_tensor"}, {"engine", "dve"}, {"alu", "multiply"}, {"dst", sbuf_ap("bfloat16", base, P, F)},
                            {"src", sbuf_ap("float32", 0, P, F)}, {"src2", sbuf_ap("float32", 512, P, F)}, {"deps", {lx, ly}}});
  const int widen = add({{"op", "tensor_copy"}, {"engine", "dve"}, {"dst", sbuf_ap("float32", base + 512, P, F)},
                         {"src", sbuf_ap("bfloat16", base, P, F)}, {"deps", {mul_bf16}}});
  outs.push_back({"mul_bf16", widen});
  base += 512;
  json tensors = {{{"name", "x"}, {"dtype", "float32"}, {"shape", {P, F}}}, {{"name", "y"}, {"dtype", "float32"}, {"shape", {P, F}}}};
  for (size_t k = 0; k < outs.size(); ++k) {
    const json& producer = core[size_t(outs[k].producer)];
    tensors.push_back({{"name", outs[k].name}, {"dtype", "float32"}, {"shape", {P, F}}});
    add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 2 + int(k)}, {"dst", hbm_ap(outs[k].name, P, F)}, {"src", producer["dst"]}, {"deps", {outs[k].producer}}});
  }
  const std::string program = write_file("elementwise.json", json({{"tensors", tensors}, {"cores", {core}}}).dump());
  std::string args = "run-program " + program + " --input x=" + write_f32("x.npy", x, {P, F}) + " --input y=" +
                     write_f32("y.npy", y, {P, F});
  for (const auto& o : outs) args += std::string(" --output ") + o.name + "=" + temp_path(std::string(o.name) + ".npy");
  const Outcome o = run_binary(args);
  ASSERT_EQ(o.status, 0) << o.out;

  for (const auto& out : outs) {
    const std::vector<float> got = read_f32(temp_path(std::string(out.name) + ".npy"));
    ASSERT_EQ(got.size(), size_t(P * F));
    for (int p = 0; p < P; ++p)
      for (int f = 0; f < F; ++f) {
        const size_t i = size_t(p * F + f);
        const std::string n = out.name;
        float want = 0;
        if (n == "iota") want = 3.0f + 0.5f * float(f) - 2.0f * float(p);
        if (n == "ts_mul") want = x[i] * 1.5f;
        if (n == "relu") want = std::max(0.0f, x[i] * 2.0f + 0.25f);
        if (n == "exp") want = std::exp(y[i]);
        if (n == "max") want = std::max(x[i], y[i]);
        if (n == "sub") want = x[i] - y[i];
        if (n == "mul_bf16") want = to_bf16(x[i] * y[i]);
        ASSERT_EQ(got[i], want) << n << " at [" << p << ", " << f << "]";
      }
  }
}

TEST(RunProgram, RacyProgramFailsUnlessDowngradedToAWarning) {
  // The add of the vector-add example without its dependency on the load of b: a race.
  std::ifstream f(kExample);
  json p = json::parse(f);
  p["cores"][0][2]["deps"] = {0};
  const std::string racy = write_file("racy.json", p.dump());
  const Outcome fail = run_binary("run-program " + racy);
  EXPECT_EQ(fail.status, 2) << fail.out;
  EXPECT_NE(fail.out.find("trn2sim: error: race: core 0 instruction 1 (dma_copy on queue 1) writes and core 0 "
                          "instruction 2 (tensor_tensor on dve) reads sbuf partition 0 bytes [0x400, 0x800)"),
            std::string::npos)
      << fail.out;
  const Outcome warn = run_binary("run-program " + racy + " --hazards warn");
  EXPECT_EQ(warn.status, 0) << warn.out;
  EXPECT_NE(warn.out.find("race: core 0 instruction 1"), std::string::npos) << warn.out;
}

}  // namespace
}  // namespace trn2::test

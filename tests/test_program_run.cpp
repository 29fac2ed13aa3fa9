// `trn2sim run-program`: the documented example computes a + b, a dumped kernel program runs
// to the same time as the kernel run that dumped it, the elementwise instructions compute
// what an independent fp32 reference computes, inferred deps (infer_deps) run like
// hand-written ones, and instructions' sources reach the trace, the HTML report and errors.
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

TEST(RunProgram, MoreAluOpsActivationsAndReductionsMatchADoubleReference) {
  // x, y in [-1, 1) and z = |x| + 0.25 > 0: [32, 40] fp32. Each result against the same
  // function computed in double and rounded to fp32 once: exact for what fp32 rounds
  // correctly (min, divide, the comparisons, max and min reductions), within a few fp32 ulps
  // for the transcendental functions, pow and the sums (fp32 math in a different order).
  const int P = 32, F = 40;
  const auto x = random_floats(P * F, 5), y = random_floats(P * F, 6);
  std::vector<float> z(x.size());
  for (size_t i = 0; i < x.size(); ++i) z[i] = std::fabs(x[i]) + 0.25f;
  json core = json::array();
  auto add = [&](json in) {
    core.push_back(in);
    return int(core.size()) - 1;
  };
  const int lx = add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 0}, {"dst", sbuf_ap("float32", 0, P, F)}, {"src", hbm_ap("x", P, F)}});
  const int ly = add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 1}, {"dst", sbuf_ap("float32", 256, P, F)}, {"src", hbm_ap("y", P, F)}});
  const int lz = add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 2}, {"dst", sbuf_ap("float32", 512, P, F)}, {"src", hbm_ap("z", P, F)}});
  const json X = sbuf_ap("float32", 0, P, F), Y = sbuf_ap("float32", 256, P, F), Z = sbuf_ap("float32", 512, P, F);
  struct Out {
    std::string name;
    int producer;
    int64_t free;
  };
  std::vector<Out> outs;
  int64_t base = 1024;
  auto op = [&](const std::string& name, json in, std::vector<int> deps, int64_t free) {
    in["dst"] = sbuf_ap("float32", base, P, free);
    in["deps"] = deps;
    outs.push_back({name, add(in), free});
    base += 256;
  };
  for (const char* alu : {"min", "divide", "pow", "is_equal", "is_gt", "is_ge", "is_lt", "is_le"})
    op(alu, {{"op", "tensor_tensor"}, {"engine", "dve"}, {"alu", alu}, {"src", std::string(alu) == "pow" ? Z : X}, {"src2", Y}}, {lx, ly, lz}, F);
  for (const char* f : {"tanh", "sigmoid", "silu", "gelu", "rsqrt", "sqrt", "square"})
    op(f, {{"op", "activation"}, {"engine", "act"}, {"func", f}, {"src", std::string(f) == "rsqrt" || std::string(f) == "sqrt" ? Z : X}}, {lx, lz}, F);
  for (const char* r : {"add", "max", "min"})
    op(std::string("reduce_") + r, {{"op", "tensor_reduce"}, {"engine", "dve"}, {"alu", r}, {"src", X}}, {lx}, 1);
  op("reduce_add_negated", {{"op", "tensor_reduce"}, {"engine", "dve"}, {"alu", "add"}, {"negate", true}, {"src", Y}}, {ly}, 1);
  // nki.isa's reverse flags: 1 / z (reverse0), and 2 - (x * 0.5) (reverse1); (0.5 - x) * y in one instruction.
  op("reciprocal", {{"op", "tensor_scalar"}, {"engine", "dve"}, {"alu", "divide"}, {"scalar", 1.0}, {"reverse0", true}, {"src", Z}}, {lz}, F);
  op("two_minus_half", {{"op", "tensor_scalar"}, {"engine", "dve"}, {"alu", "multiply"}, {"scalar", 0.5}, {"alu1", "subtract"},
                        {"scalar1", 2.0}, {"reverse1", true}, {"src", X}}, {lx}, F);
  op("half_minus_x_times_y", {{"op", "scalar_tensor_tensor"}, {"engine", "dve"}, {"alu", "subtract"}, {"scalar", 0.5},
                              {"reverse0", true}, {"alu1", "multiply"}, {"src", X}, {"src2", Y}}, {lx, ly}, F);
  json tensors = {{{"name", "x"}, {"dtype", "float32"}, {"shape", {P, F}}}, {{"name", "y"}, {"dtype", "float32"}, {"shape", {P, F}}},
                  {{"name", "z"}, {"dtype", "float32"}, {"shape", {P, F}}}};
  for (size_t k = 0; k < outs.size(); ++k) {
    tensors.push_back({{"name", outs[k].name}, {"dtype", "float32"}, {"shape", {P, outs[k].free}}});
    add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", int(3 + k % 13)}, {"dst", hbm_ap(outs[k].name.c_str(), P, outs[k].free)},
         {"src", core[size_t(outs[k].producer)]["dst"]}, {"deps", {outs[k].producer}}});
  }
  const std::string program = write_file("more_ops.json", json({{"tensors", tensors}, {"cores", {core}}}).dump());
  std::string args = "run-program " + program + " --input x=" + write_f32("mx.npy", x, {P, F}) + " --input y=" +
                     write_f32("my.npy", y, {P, F}) + " --input z=" + write_f32("mz.npy", z, {P, F});
  for (const auto& o : outs) args += " --output " + o.name + "=" + temp_path(o.name + ".npy");
  const Outcome o = run_binary(args);
  ASSERT_EQ(o.status, 0) << o.out;
  for (const auto& out : outs) {
    const std::vector<float> got = read_f32(temp_path(out.name + ".npy"));
    ASSERT_EQ(got.size(), size_t(P * out.free)) << out.name;
    const std::string n = out.name;
    for (int p = 0; p < P; ++p) {
      double want = 0, tol = 0;
      if (out.free == 1) {  // reductions of row p
        double acc = n == "reduce_add_negated" ? double(y[size_t(p * F)]) : double(x[size_t(p * F)]);
        for (int f = 1; f < F; ++f) {
          const double v = n == "reduce_add_negated" ? double(y[size_t(p * F + f)]) : double(x[size_t(p * F + f)]);
          acc = n == "reduce_max" ? std::max(acc, v) : n == "reduce_min" ? std::min(acc, v) : acc + v;
        }
        want = n == "reduce_add_negated" ? -acc : acc;
        tol = (n == "reduce_max" || n == "reduce_min") ? 0.0 : 1e-5;
        EXPECT_NEAR(got[size_t(p)], want, tol) << n << " row " << p;
        continue;
      }
      for (int f = 0; f < F; ++f) {
        const size_t i = size_t(p * F + f);
        const double a = x[i], b = y[i], c = z[i];
        tol = 0;
        if (n == "min") want = std::min(a, b);
        if (n == "divide") want = double(float(a / b));
        if (n == "pow") want = std::pow(c, b), tol = 4e-7 * std::fabs(want);
        if (n == "is_equal") want = a == b;
        if (n == "is_gt") want = a > b;
        if (n == "is_ge") want = a >= b;
        if (n == "is_lt") want = a < b;
        if (n == "is_le") want = a <= b;
        if (n == "tanh") want = std::tanh(a), tol = 4e-7;
        if (n == "sigmoid") want = 1.0 / (1.0 + std::exp(-a)), tol = 4e-7;
        if (n == "silu") want = a / (1.0 + std::exp(-a)), tol = 4e-7;
        if (n == "gelu") want = 0.5 * a * (1.0 + std::erf(a / std::sqrt(2.0))), tol = 4e-7;
        if (n == "rsqrt") want = 1.0 / std::sqrt(c), tol = 1e-6 * want;
        if (n == "sqrt") want = std::sqrt(c), tol = 1e-6 * want;
        if (n == "square") want = double(float(a * a));
        if (n == "reciprocal") want = double(1.0f / float(c));
        if (n == "two_minus_half") want = double(2.0f - float(a) * 0.5f);
        if (n == "half_minus_x_times_y") want = double((0.5f - float(a)) * float(b));
        EXPECT_NEAR(got[i], want, tol) << n << " at [" << p << ", " << f << "]";
      }
    }
  }
}

TEST(RunProgram, PerPartitionOperandsMatchAReference) {
  // x [16, 24] fp32 and w [16, 2] (two values per partition, each used as a [16, 1] column).
  //   ts:  tensor_scalar (x * w[p][0]) + 0.5: two operators, the first scalar per partition;
  //   act: activation tanh(x * w[p][0] + w[p][1]): scale and bias per partition;
  //   stt: scalar_tensor_tensor (x * w[p][1]) + x2, x2 = x + 1 (the tap of a depthwise conv);
  //   sti: scalar_tensor_tensor (x - 0.25) * x2, an immediate scalar.
  // Reference in double, each step rounded to fp32 as the engine's fp32 ALU does.
  const int P = 16, F = 24;
  const auto x = random_floats(P * F, 7), w = random_floats(P * 2, 8);
  json core = json::array();
  auto add = [&](json in) {
    core.push_back(in);
    return int(core.size()) - 1;
  };
  const int lx = add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 0}, {"dst", sbuf_ap("float32", 0, P, F)}, {"src", hbm_ap("x", P, F)}});
  const int lw = add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 1}, {"dst", sbuf_ap("float32", 256, P, 2)}, {"src", hbm_ap("w", P, 2)}});
  json w0 = sbuf_ap("float32", 256, P, 1), w1 = w0;
  w1["offset"] = 1;
  const json X = sbuf_ap("float32", 0, P, F), X2 = sbuf_ap("float32", 512, P, F);
  const int lx2 = add({{"op", "tensor_scalar"}, {"engine", "dve"}, {"alu", "add"}, {"scalar", 1.0}, {"src", X}, {"dst", X2}, {"deps", {lx}}});
  const std::vector<std::string> names = {"ts", "act", "stt", "sti"};
  std::vector<int> producers;
  int64_t base = 1024;
  auto out = [&](json in, std::vector<int> deps) {
    in["dst"] = sbuf_ap("float32", base, P, F);
    in["deps"] = deps;
    producers.push_back(add(in));
    base += 256;
  };
  out({{"op", "tensor_scalar"}, {"engine", "dve"}, {"alu", "multiply"}, {"scalar", w0}, {"alu1", "add"}, {"scalar1", 0.5}, {"src", X}}, {lx, lw});
  out({{"op", "activation"}, {"engine", "act"}, {"func", "tanh"}, {"scale", w0}, {"bias", w1}, {"src", X}}, {lx, lw});
  out({{"op", "scalar_tensor_tensor"}, {"engine", "dve"}, {"alu", "multiply"}, {"scalar", w1}, {"alu1", "add"}, {"src", X}, {"src2", X2}}, {lx, lw, lx2});
  out({{"op", "scalar_tensor_tensor"}, {"engine", "dve"}, {"alu", "subtract"}, {"scalar", 0.25}, {"alu1", "multiply"}, {"src", X}, {"src2", X2}}, {lx, lx2});
  json tensors = {{{"name", "x"}, {"dtype", "float32"}, {"shape", {P, F}}}, {{"name", "w"}, {"dtype", "float32"}, {"shape", {P, 2}}}};
  for (size_t k = 0; k < names.size(); ++k) {
    tensors.push_back({{"name", names[k]}, {"dtype", "float32"}, {"shape", {P, F}}});
    add({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", int(2 + k)}, {"dst", hbm_ap(names[k].c_str(), P, F)},
         {"src", core[size_t(producers[k])]["dst"]}, {"deps", {producers[k]}}});
  }
  const std::string program = write_file("operands.json", json({{"tensors", tensors}, {"cores", {core}}}).dump());
  std::string args = "run-program " + program + " --input x=" + write_f32("ox.npy", x, {P, F}) + " --input w=" +
                     write_f32("ow.npy", w, {P, 2});
  for (const auto& n : names) args += " --output " + n + "=" + temp_path("o_" + n + ".npy");
  const Outcome o = run_binary(args);
  ASSERT_EQ(o.status, 0) << o.out;
  auto f32 = [](double v) { return double(float(v)); };
  for (const auto& n : names) {
    const std::vector<float> got = read_f32(temp_path("o_" + n + ".npy"));
    ASSERT_EQ(got.size(), size_t(P * F)) << n;
    for (int p = 0; p < P; ++p)
      for (int f = 0; f < F; ++f) {
        const double xv = x[size_t(p * F + f)], x2 = f32(xv + 1.0), a = w[size_t(p * 2)], b = w[size_t(p * 2 + 1)];
        double want = 0, tol = 0;
        if (n == "ts") want = f32(f32(xv * a) + 0.5);
        if (n == "act") want = std::tanh(f32(f32(xv * a) + b)), tol = 4e-7;
        if (n == "stt") want = f32(f32(xv * b) + x2);
        if (n == "sti") want = f32(f32(xv - 0.25) * x2);
        EXPECT_NEAR(got[size_t(p * F + f)], want, tol) << n << " at [" << p << ", " << f << "]";
      }
  }
}

TEST(RunProgram, ActivationReduceResSumsEachPartition) {
  // x [16, 24] fp32: activation exp(x * 0.5) into a bf16 dst, with reduce_res summing each
  // partition's fp32 results (before dst's rounding) into a [16, 1] fp32 column. Reference:
  // the sum in double of exp(fp32(x * 0.5)); the engine's fp32 exp and fp32 additions stay
  // within 24 x 2^-23 of it relative, where summing the bf16-rounded results would be off by
  // up to 2^-9 relative. A load of the sums that does not wait for the activation is a race.
  const int P = 16, F = 24;
  const auto x = random_floats(P * F, 11);
  auto program = [&](bool ordered) {
    json core = json::array();
    core.push_back({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 0}, {"dst", sbuf_ap("float32", 0, P, F)}, {"src", hbm_ap("x", P, F)}});
    core.push_back({{"op", "activation"}, {"engine", "act"}, {"func", "exp"}, {"scale", 0.5}, {"src", sbuf_ap("float32", 0, P, F)},
                    {"dst", sbuf_ap("bfloat16", 1024, P, F)}, {"reduce_res", sbuf_ap("float32", 2048, P, 1)}, {"deps", {0}}});
    core.push_back({{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 1}, {"dst", hbm_ap("sums", P, 1)},
                    {"src", sbuf_ap("float32", 2048, P, 1)}, {"deps", ordered ? json({1}) : json::array()}});
    json tensors = {{{"name", "x"}, {"dtype", "float32"}, {"shape", {P, F}}}, {{"name", "sums"}, {"dtype", "float32"}, {"shape", {P, 1}}}};
    return write_file(ordered ? "reduce_res.json" : "reduce_res_racy.json", json({{"tensors", tensors}, {"cores", {core}}}).dump());
  };
  const std::string input = " --input x=" + write_f32("rx.npy", x, {P, F});
  const Outcome o = run_binary("run-program " + program(true) + input + " --output sums=" + temp_path("sums.npy"));
  ASSERT_EQ(o.status, 0) << o.out;
  const std::vector<float> got = read_f32(temp_path("sums.npy"));
  ASSERT_EQ(got.size(), size_t(P));
  for (int p = 0; p < P; ++p) {
    double want = 0;
    for (int f = 0; f < F; ++f) want += std::exp(double(float(double(x[size_t(p * F + f)]) * 0.5)));
    EXPECT_NEAR(got[size_t(p)], want, want * F * std::ldexp(1.0, -23)) << "partition " << p;
  }
  const Outcome racy = run_binary("run-program " + program(false) + input);
  EXPECT_EQ(racy.status, 2) << racy.out;
  EXPECT_NE(racy.out.find("race: core 0 instruction 1 (activation on act) writes and core 0 instruction 2 (dma_copy on queue 1) reads"), std::string::npos) << racy.out;
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

json example() {
  std::ifstream f(kExample);
  return json::parse(f);
}

std::string vector_add_inputs() {
  const auto a = random_floats(256 * 256, 3), b = random_floats(256 * 256, 4);
  return " --input a=" + write_f32("a.npy", a, {256, 256}) + " --input b=" + write_f32("b.npy", b, {256, 256});
}

// The example with no deps, as a front end that leaves them to trn2sim writes it.
json without_deps(json p) {
  for (json& in : p["cores"][0]) in.erase("deps");
  return p;
}

TEST(RunProgram, InferredDependenciesRunLikeTheHandWrittenOnes) {
  const std::string inputs = vector_add_inputs();
  const std::string c0 = temp_path("c_written.npy"), r0 = temp_path("written_report.json");
  const Outcome written = run_binary("run-program " + kExample + inputs + " --output c=" + c0 + " --report " + r0);
  ASSERT_EQ(written.status, 0) << written.out;
  json p = without_deps(example());
  p["infer_deps"] = true;
  const std::string c1 = temp_path("c_inferred.npy"), r1 = temp_path("inferred_report.json"),
                    dumped = temp_path("inferred_dump.json");
  const Outcome inferred = run_binary("run-program " + write_file("inferred.json", p.dump()) + inputs + " --output c=" +
                                      c1 + " --report " + r1 + " --dump-program " + dumped);
  ASSERT_EQ(inferred.status, 0) << inferred.out;
  EXPECT_EQ(slurp(c0), slurp(c1)) << "the same sums";
  std::ifstream f0(r0), f1(r1), fd(dumped);
  const json k = json::parse(f0), q = json::parse(f1), d = json::parse(fd);
  EXPECT_EQ(k["neuroncore_cycle_count"], q["neuroncore_cycle_count"]);
  EXPECT_EQ(k["cores"], q["cores"]);
  // The dump holds the deps the run used, explicit: the hand-written ones.
  EXPECT_FALSE(d.contains("infer_deps"));
  const json e = example();
  ASSERT_EQ(d["cores"][0].size(), e["cores"][0].size());
  for (size_t i = 0; i < e["cores"][0].size(); ++i)
    EXPECT_EQ(d["cores"][0][i]["deps"], e["cores"][0][i].value("deps", json::array())) << "instruction " << i;
}

TEST(RunProgram, WithoutInferDepsAProgramWithoutDepsRaces) {
  const Outcome o = run_binary("run-program " + write_file("no_deps.json", without_deps(example()).dump()));
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_NE(o.out.find("trn2sim: error: race: core 0 instruction 0 (dma_copy on queue 0) writes and core 0 "
                       "instruction 2 (tensor_tensor on dve) reads"),
            std::string::npos)
      << o.out;
}

// The example with a source per line of a (made-up) kernel: loads, add, store.
json with_sources() {
  json p = example();
  const char* const lines[] = {"vadd.py:7", "vadd.py:7", "vadd.py:8", "vadd.py:9"};
  for (size_t i = 0; i < p["cores"][0].size(); ++i) p["cores"][0][i]["source"] = lines[i % 4];
  return p;
}

// The last cell of the HTML table row that starts with `first_cells` (-1: no such row).
double last_cell(const std::string& html, const std::string& first_cells) {
  const size_t at = html.find("<tr><td>" + first_cells);
  if (at == std::string::npos) return -1;
  const size_t end = html.find("</td></tr>", at);
  return std::stod(html.substr(html.rfind("<td>", end) + 4));
}

TEST(RunProgram, SourcesAppearInTheTraceTheHtmlReportAndErrors) {
  const json p = with_sources();
  const std::string trace = temp_path("sources_trace.json"), page = temp_path("sources.html"),
                    report = temp_path("sources_report.json");
  const Outcome o = run_binary("run-program " + write_file("sources.json", p.dump()) + " --trace " + trace +
                               " --report-html " + page + " --report " + report);
  ASSERT_EQ(o.status, 0) << o.out;
  // Every instruction's slice names its source: the adds on DVE's track, the DMAs on their
  // queues' (and their pieces on the DMA engines').
  std::ifstream ft(trace), fr(report);
  const json events = json::parse(ft)["traceEvents"], r = json::parse(fr);
  int compute = 0, dma = 0, pieces = 0;
  for (const json& e : events) {
    const bool slice = e["ph"] == "X" && e["tid"] == 2, queue = e["ph"] == "b",
               piece = e["ph"] == "X" && e["tid"] >= 200;
    if (!slice && !queue && !piece) continue;
    EXPECT_EQ(e["args"]["source"], p["cores"][0][e["args"]["pc"].get<size_t>()]["source"]) << e.dump();
    ++(slice ? compute : queue ? dma : pieces);
  }
  EXPECT_EQ(compute, 2);
  EXPECT_EQ(dma, 6);
  EXPECT_EQ(pieces, 6 * 16) << "128 partitions over 16 DMA engines";
  // One row per source, most time first: each with its instructions, engines and busy time.
  const std::string html = slurp(page);
  ASSERT_NE(html.find("<h2>Time by source line</h2>"), std::string::npos) << html;
  EXPECT_GT(last_cell(html, "vadd.py:7</td><td>4</td><td>dma</td>"), 0.0) << html;
  EXPECT_GT(last_cell(html, "vadd.py:9</td><td>2</td><td>dma</td>"), 0.0) << html;
  EXPECT_NEAR(last_cell(html, "vadd.py:8</td><td>2</td><td>dve</td>"),
              r["cores"][0]["engines"]["dve"]["active_time_us"].get<double>(), 1e-3)
      << "the adds' time is DVE's busy time";
  EXPECT_LT(html.find("vadd.py:7"), html.find("vadd.py:9")) << "two loads take longer than one store";
  // A program without sources has no such table.
  const Outcome plain = run_binary("run-program " + kExample + " --report-html " + page);
  ASSERT_EQ(plain.status, 0) << plain.out;
  EXPECT_EQ(slurp(page).find("Time by source line"), std::string::npos);
  // Errors name the source after the instruction.
  json racy = p;
  racy["cores"][0][2]["deps"] = {0};
  const Outcome fail = run_binary("run-program " + write_file("sources_racy.json", racy.dump()));
  EXPECT_EQ(fail.status, 2);
  EXPECT_NE(fail.out.find("race: core 0 instruction 1 (dma_copy on queue 1 at vadd.py:7) writes and core 0 "
                          "instruction 2 (tensor_tensor on dve at vadd.py:8) reads"),
            std::string::npos)
      << fail.out;
}

}  // namespace
}  // namespace trn2::test

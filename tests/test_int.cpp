// Integer dtypes (issue 16: int8, uint8, int16, uint16, int32, uint32): names, sizes and .npy
// descriptors; every 8- and 16-bit pattern read and written; float -> int rounding and
// saturation and int32 -> float rounding at cases derived by hand; .npy round trips per type;
// programs that load int8 into fp32 tiles by casting DMAs and write integer results of
// tensor_copy, each against a reference computed here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "isa/dtype.h"
#include "isa/npy.h"
#include "isa/program_json.h"
#include "isa/validate.h"
#include "program_json_fixture.h"

namespace trn2::test {
namespace {

using isa::DType;
using nlohmann::json;

const DType kInts[] = {DType::I8, DType::U8, DType::I16, DType::U16, DType::I32, DType::U32};

// The value of an integer pattern by its definition (little-endian, two's complement for the
// signed types), independent of isa::load_element.
int64_t int_value(const uint8_t* p, DType t) {
  uint64_t u = 0;
  const size_t n = isa::dtype_size(t);
  for (size_t i = 0; i < n; ++i) u |= uint64_t(p[i]) << (8 * i);
  const bool is_signed = t == DType::I8 || t == DType::I16 || t == DType::I32;
  if (is_signed && (u >> (8 * n - 1))) return int64_t(u) - (int64_t(1) << (8 * n));
  return int64_t(u);
}

// The reference float -> int conversion: round half to even in double (the host's default
// rounding mode, to-nearest-even, is what std::nearbyint uses), then saturate; NaN -> 0.
int64_t ref_to_int(DType t, float f) {
  if (std::isnan(f)) return 0;
  const double lo = double(isa::int_min(t)), hi = double(isa::int_max(t));
  const double r = std::nearbyint(double(f));
  return int64_t(std::min(std::max(r, lo), hi));
}

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

TEST(IntDType, NamesSizesRangesAndNpyDescriptors) {
  const struct { DType t; const char* name; size_t size; int64_t lo, hi; const char* descr; } want[] = {
      {DType::I8, "int8", 1, -128, 127, "|i1"},
      {DType::U8, "uint8", 1, 0, 255, "|u1"},
      {DType::I16, "int16", 2, -32768, 32767, "<i2"},
      {DType::U16, "uint16", 2, 0, 65535, "<u2"},
      {DType::I32, "int32", 4, -2147483648LL, 2147483647LL, "<i4"},
      {DType::U32, "uint32", 4, 0, 4294967295LL, "<u4"}};
  for (const auto& w : want) {
    EXPECT_STREQ(isa::dtype_name(w.t), w.name);
    EXPECT_EQ(isa::dtype_size(w.t), w.size) << w.name;
    EXPECT_EQ(isa::int_min(w.t), w.lo) << w.name;
    EXPECT_EQ(isa::int_max(w.t), w.hi) << w.name;
    EXPECT_EQ(isa::npy_descr(w.t), w.descr) << w.name;
    EXPECT_TRUE(isa::is_integer(w.t)) << w.name;
    EXPECT_FALSE(isa::is_fp8(w.t)) << w.name;
  }
  for (DType t : {DType::F32, DType::BF16, DType::F16, DType::F8E4M3, DType::F8E5M2}) EXPECT_FALSE(isa::is_integer(t));
  // uint8 shares numpy's |u1 with the fp8 types, uint16 <u2 with bf16: the tensor's dtype
  // says how the bytes are read.
  EXPECT_EQ(isa::npy_descr(DType::U8), isa::npy_descr(DType::F8E4M3));
  EXPECT_EQ(isa::npy_descr(DType::U16), isa::npy_descr(DType::BF16));
}

TEST(IntDType, EveryEightAndSixteenBitPatternReadsExactlyAndWritesBack) {
  for (DType t : {DType::I8, DType::U8, DType::I16, DType::U16}) {
    const size_t es = isa::dtype_size(t);
    const uint32_t patterns = 1u << (8 * es);
    std::vector<uint8_t> all(size_t(patterns) * es), back(all.size(), 0xa5);
    for (uint32_t h = 0; h < patterns; ++h) std::memcpy(&all[h * es], &h, es);  // little-endian host
    std::vector<float> row(patterns);
    isa::load_elements(all.data(), int64_t(es), t, patterns, row.data());
    for (uint32_t h = 0; h < patterns; ++h) {
      const int64_t v = int_value(&all[h * es], t);
      // Exact: every 8- and 16-bit integer is an fp32.
      ASSERT_EQ(row[h], float(v)) << isa::dtype_name(t) << " pattern " << h;
      ASSERT_EQ(isa::load_element(&all[h * es], t), float(v)) << isa::dtype_name(t) << " pattern " << h;
      ASSERT_EQ(isa::f32_to_int(t, row[h]), v) << isa::dtype_name(t) << " pattern " << h;
      ASSERT_EQ(isa::round_to(t, row[h]), row[h]) << isa::dtype_name(t) << " pattern " << h;
      uint8_t one[2] = {0xa5, 0xa5};
      isa::store_element(one, t, row[h]);
      ASSERT_EQ(std::memcmp(one, &all[h * es], es), 0) << isa::dtype_name(t) << " pattern " << h;
    }
    isa::store_elements(back.data(), int64_t(es), t, patterns, row.data());
    EXPECT_EQ(back, all) << isa::dtype_name(t);
    // Strided rows (every other element) read and write the same values.
    std::vector<float> odd(patterns / 2);
    isa::load_elements(all.data() + es, int64_t(2 * es), t, patterns / 2, odd.data());
    for (uint32_t i = 0; i < patterns / 2; ++i) ASSERT_EQ(odd[i], row[2 * i + 1]) << isa::dtype_name(t) << " " << i;
    std::vector<uint8_t> strided(all.size(), 0);
    isa::store_elements(strided.data() + es, int64_t(2 * es), t, patterns / 2, odd.data());
    for (uint32_t i = 0; i < patterns / 2; ++i)
      ASSERT_EQ(std::memcmp(&strided[(2 * i + 1) * es], &all[(2 * i + 1) * es], es), 0) << isa::dtype_name(t) << " " << i;
  }
}

TEST(IntDType, FloatToIntRoundsHalfToEvenAndSaturates) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const struct { DType t; float f; int64_t want; } cases[] = {
      // Ties go to the even neighbour, in both signs; anything short of a tie to the nearest.
      {DType::I32, 0.5f, 0}, {DType::I32, 1.5f, 2}, {DType::I32, 2.5f, 2}, {DType::I32, 3.5f, 4},
      {DType::I32, -0.5f, 0}, {DType::I32, -1.5f, -2}, {DType::I32, -2.5f, -2}, {DType::I32, -3.5f, -4},
      {DType::I32, 0.49999997f, 0}, {DType::I32, 0.50000006f, 1}, {DType::I32, 2.4999998f, 2}, {DType::I32, -2.5000002f, -3},
      {DType::I32, 1e-45f, 0}, {DType::I32, -0.0f, 0},
      // 2^22 + 0.5 (the last binade with halves) and 2^22 + 1.5: ties to 2^22 and 2^22 + 2.
      {DType::I32, 4194304.5f, 4194304}, {DType::I32, 4194305.5f, 4194306}, {DType::I32, 8388609.0f, 8388609},
      // int8: 126.5 -> 126; 127.5 ties to 128, past 127: saturates; -128.5 ties to -128.
      {DType::I8, 126.5f, 126}, {DType::I8, 127.4f, 127}, {DType::I8, 127.5f, 127}, {DType::I8, 1000.0f, 127},
      {DType::I8, -128.5f, -128}, {DType::I8, -129.0f, -128}, {DType::I8, -127.5f, -128},
      // uint8: negatives saturate to 0 (-0.4 rounds to 0 anyway); 254.5 -> 254; 255.5 -> 256 -> 255.
      {DType::U8, -0.4f, 0}, {DType::U8, -1.0f, 0}, {DType::U8, 254.5f, 254}, {DType::U8, 255.5f, 255}, {DType::U8, 3e9f, 255},
      {DType::I16, 32766.5f, 32766}, {DType::I16, 32767.5f, 32767}, {DType::I16, -32768.5f, -32768}, {DType::I16, -40000.0f, -32768},
      {DType::U16, 65534.5f, 65534}, {DType::U16, 65535.4f, 65535}, {DType::U16, 65536.0f, 65535}, {DType::U16, -7.0f, 0},
      // int32's ends: 2147483520 (2^31 - 128) is the largest fp32 below 2^31; 2^31 saturates;
      // -2^31 is exact; the next fp32 below it (-2^31 - 256) saturates.
      {DType::I32, 2147483520.0f, 2147483520LL}, {DType::I32, 2147483648.0f, 2147483647LL},
      {DType::I32, -2147483648.0f, -2147483648LL}, {DType::I32, -2147483904.0f, -2147483648LL},
      // uint32: 2^32 - 256 is the largest fp32 below 2^32; 2^32 saturates.
      {DType::U32, 4294967040.0f, 4294967040LL}, {DType::U32, 4294967296.0f, 4294967295LL}, {DType::U32, -0.5f, 0},
      // Infinities saturate; NaN (either sign) is 0.
      {DType::I8, inf, 127}, {DType::I8, -inf, -128}, {DType::U32, inf, 4294967295LL}, {DType::U32, -inf, 0},
      {DType::I32, inf, 2147483647LL}, {DType::I32, -inf, -2147483648LL},
      {DType::I8, nan, 0}, {DType::I32, -nan, 0}, {DType::U16, nan, 0}};
  for (const auto& c : cases) {
    EXPECT_EQ(isa::f32_to_int(c.t, c.f), c.want) << isa::dtype_name(c.t) << " of " << c.f;
    EXPECT_EQ(ref_to_int(c.t, c.f), c.want) << "reference: " << isa::dtype_name(c.t) << " of " << c.f;
    uint8_t b[4] = {};
    isa::store_element(b, c.t, c.f);
    EXPECT_EQ(int_value(b, c.t), c.want) << "stored: " << isa::dtype_name(c.t) << " of " << c.f;
  }
  // round_to: the value the integer holds, as fp32.
  EXPECT_EQ(isa::round_to(DType::I8, 300.0f), 127.0f);
  EXPECT_EQ(isa::round_to(DType::U16, 2.5f), 2.0f);
  EXPECT_EQ(isa::round_to(DType::I32, nan), 0.0f);
}

TEST(IntDType, Int32ToFloatIsExactTo2To24ThenRoundsHalfToEven) {
  const struct { int64_t v; float want; } cases[] = {
      {0, 0.0f}, {-1, -1.0f}, {16777215, 16777215.0f}, {16777216, 16777216.0f},
      // 2^24 + 1: a tie between 2^24 (even) and 2^24 + 2; 2^24 + 3: a tie, to 2^24 + 4 (even).
      {16777217, 16777216.0f}, {16777218, 16777218.0f}, {16777219, 16777220.0f}, {-16777217, -16777216.0f},
      // 2^25 + 3: steps of 4, 3 is past the half: up.
      {33554435, 33554436.0f},
      // Just under 2^31: steps of 128. 2^31 - 65 is below the half (2^31 - 128 + 63), 2^31 - 64
      // a tie: 2^31 - 128 = 16777215 x 128 is odd, so up to 2^31.
      {2147483583LL, 2147483520.0f}, {2147483584LL, 2147483648.0f}, {2147483647LL, 2147483648.0f},
      {-2147483648LL, -2147483648.0f}, {4294967295LL, 4294967296.0f}, {4294967040LL, 4294967040.0f}};
  for (const auto& c : cases) {
    EXPECT_EQ(isa::int_to_f32(c.v), c.want) << c.v;
    EXPECT_EQ(float(c.v), c.want) << "the host's conversion agrees: " << c.v;
  }
  // Through memory: int32 and uint32 patterns.
  const int32_t i32[4] = {2147483647, -2147483647 - 1, 16777217, -3};
  const uint32_t u32[3] = {4294967295u, 16777219u, 7u};
  float got[4];
  isa::load_elements(reinterpret_cast<const uint8_t*>(i32), 4, DType::I32, 4, got);
  EXPECT_EQ(got[0], 2147483648.0f);
  EXPECT_EQ(got[1], -2147483648.0f);
  EXPECT_EQ(got[2], 16777216.0f);
  EXPECT_EQ(got[3], -3.0f);
  isa::load_elements(reinterpret_cast<const uint8_t*>(u32), 4, DType::U32, 3, got);
  EXPECT_EQ(got[0], 4294967296.0f);
  EXPECT_EQ(got[1], 16777220.0f);
  EXPECT_EQ(got[2], 7.0f);
}

TEST(IntNpy, EveryTypeRoundTripsThroughItsNumpyDescriptor) {
  for (DType t : kInts) {
    const size_t es = isa::dtype_size(t);
    std::vector<uint8_t> data(6 * es);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(37 * i + 200);
    const std::string path = temp_path(std::string("int_rt_") + isa::dtype_name(t) + ".npy");
    isa::write_npy(path, {2, 3}, isa::npy_descr(t), data.data(), data.size());
    const isa::NpyArray a = isa::read_npy(path);
    EXPECT_EQ(a.descr, isa::npy_descr(t)) << isa::dtype_name(t);
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3})) << isa::dtype_name(t);
    EXPECT_EQ(a.data, data) << isa::dtype_name(t);
  }
}

TEST(IntNpy, ATensorsDeclaredDtypeDecidesHowAFileIsRead) {
  // A program with no instructions passes its tensors through: each integer tensor's .npy
  // comes back as it went in, and uint8 and fp8 both take |u1, uint16 and bf16 both <u2.
  json tensors = json::array();
  std::string args;
  const struct { const char* name; const char* dtype; const char* descr; size_t es; } ts[] = {
      {"i8", "int8", "|i1", 1},   {"u8", "uint8", "|u1", 1},   {"f8", "float8_e4m3", "|u1", 1},
      {"i16", "int16", "<i2", 2}, {"u16", "uint16", "<u2", 2}, {"b16", "bfloat16", "<u2", 2},
      {"i32", "int32", "<i4", 4}, {"u32", "uint32", "<u4", 4}};
  for (const auto& t : ts) {
    tensors.push_back({{"name", t.name}, {"dtype", t.dtype}, {"shape", {2, 4}}});
    std::vector<uint8_t> data(8 * t.es);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(91 * i + t.es);
    const std::string in = temp_path(std::string("pass_in_") + t.name + ".npy");
    isa::write_npy(in, {2, 4}, t.descr, data.data(), data.size());
    args += std::string(" --input ") + t.name + "=" + in + " --output " + t.name + "=" + temp_path(std::string("pass_out_") + t.name + ".npy");
  }
  const std::string file = write_file("int_pass.json", json({{"tensors", tensors}, {"cores", {json::array()}}}).dump());
  const Outcome o = run_binary("run-program " + file + args);
  ASSERT_EQ(o.status, 0) << o.out;
  for (const auto& t : ts) {
    const isa::NpyArray in = isa::read_npy(temp_path(std::string("pass_in_") + t.name + ".npy"));
    const isa::NpyArray out = isa::read_npy(temp_path(std::string("pass_out_") + t.name + ".npy"));
    EXPECT_EQ(out.descr, t.descr) << t.name;
    EXPECT_EQ(out.data, in.data) << t.name;
  }
  // The wrong descriptor is refused naming both: an int8 tensor given uint8 bytes, a uint16
  // tensor given int16, a uint8 tensor given int8.
  const struct { const char* dtype; const char* file_descr; const char* said; } wrong[] = {
      {"int8", "|u1", "holds '|u1' but tensor 'a' is int8 ('|i1')"},
      {"uint16", "<i2", "holds '<i2' but tensor 'a' is uint16 ('<u2')"},
      {"uint8", "|i1", "holds '|i1' but tensor 'a' is uint8 ('|u1')"},
      {"float8_e5m2", "|i1", "holds '|i1' but tensor 'a' is float8_e5m2 ('|u1')"}};
  for (const auto& w : wrong) {
    const std::string f = write_file("int_wrong.json", json({{"tensors", {{{"name", "a"}, {"dtype", w.dtype}, {"shape", {4}}}}},
                                                              {"cores", {json::array()}}}).dump());
    const std::string npy = temp_path("int_wrong.npy");
    const uint8_t bytes[8] = {};
    isa::write_npy(npy, {4}, w.file_descr, bytes, 4 * (w.file_descr[2] == '1' ? 1 : 2));
    const Outcome r = run_binary("run-program " + f + " --input a=" + npy);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find(w.said), std::string::npos) << r.out;
  }
}

// ---- programs ---------------------------------------------------------------------------------

float f32_at(const std::vector<uint8_t>& v, size_t i) {
  float f;
  std::memcpy(&f, &v[4 * i], 4);
  return f;
}

TEST(IntProgram, CastingDmaLoadsInt8IntoFp32Tiles) {
  // q: int8 [2, 8] over the whole range; acc: fp32 [2, 8].
  //  0 DMA q (int8, HBM) -> fp32 SBUF: a cast.       3 ACT identity x 0.5 of it -> fp32.
  //  1 DMA acc -> fp32 SBUF.                          4, 5 DMA the two results out.
  //  2 DMA q added into the acc tile (accumulate).
  // The reference: every int8 is exact in fp32, so out = q / 2 and sum = acc + q (one fp32 add).
  const int8_t q[16] = {-128, -127, -1, 0, 1, 2, 3, 100, 127, -100, 55, -55, 64, -64, 126, 5};
  float acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = 0.1f * float(i) - 0.75f;
  const json row = {{1, 8}};
  const json program = {
      {"tensors",
       {{{"name", "q"}, {"dtype", "int8"}, {"shape", {2, 8}}},
        {{"name", "acc"}, {"dtype", "float32"}, {"shape", {2, 8}}},
        {{"name", "out"}, {"dtype", "float32"}, {"shape", {2, 8}}},
        {{"name", "sum"}, {"dtype", "float32"}, {"shape", {2, 8}}}}},
      {"cores",
       {{dma_op(0, sb("float32", 0, 2, row), hb("q", 2, 8), json::array()),
         dma_op(1, sb("float32", 64, 2, row), hb("acc", 2, 8), json::array()),
         {{"op", "dma_copy"}, {"engine", "dma"}, {"queue", 2}, {"accumulate", true}, {"deps", {1}},
          {"dst", sb("float32", 64, 2, row)}, {"src", hb("q", 2, 8)}},
         {{"op", "activation"}, {"engine", "act"}, {"func", "identity"}, {"scale", 0.5}, {"deps", {0}},
          {"dst", sb("float32", 128, 2, row)}, {"src", sb("float32", 0, 2, row)}},
         dma_op(3, hb("out", 2, 8), sb("float32", 128, 2, row), {3}),
         dma_op(4, hb("sum", 2, 8), sb("float32", 64, 2, row), {2})}}}};
  const std::string file = write_file("int8_load.json", program.dump()), q_path = temp_path("int8_q.npy"),
                    acc_path = temp_path("int8_acc.npy"), report = temp_path("int8_report.json");
  isa::write_npy(q_path, {2, 8}, "|i1", q, sizeof q);
  isa::write_npy(acc_path, {2, 8}, "<f4", acc, sizeof acc);
  const Outcome o = run_binary("run-program " + file + " --input q=" + q_path + " --input acc=" + acc_path +
                               " --output out=" + temp_path("int8_out.npy") + " --output sum=" + temp_path("int8_sum.npy") +
                               " --report " + report);
  ASSERT_EQ(o.status, 0) << o.out;
  const std::vector<uint8_t> out = read_raw(temp_path("int8_out.npy"), "<f4"), sum = read_raw(temp_path("int8_sum.npy"), "<f4");
  ASSERT_EQ(out.size(), 64u);
  ASSERT_EQ(sum.size(), 64u);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(f32_at(out, size_t(i)), float(q[i]) * 0.5f) << i;
    EXPECT_EQ(bits(f32_at(sum, size_t(i))), bits(acc[i] + float(q[i]))) << i;
  }
  EXPECT_EQ(f32_at(out, 0), -64.0f);  // by hand: -128 / 2
  // HBM bytes: a casting DMA counts the wider dtype (docs/timing-model.md, DMA): the int8
  // load 16 x 4, acc 64, the accumulating one 16 x 4 x 2 (it streams dst too); writes 2 x 64.
  std::ifstream f(report);
  const json r = json::parse(f);
  EXPECT_EQ(r["hbm_read_bytes"], 64 + 64 + 128);
  EXPECT_EQ(r["hbm_write_bytes"], 128);
}

TEST(IntProgram, TensorCopyWritesRoundedSaturatedIntegersAndInt32TransposesAsBits) {
  // x: fp32 [1, 8]. 1 DVE tensor_copy to int32, 2 POOL tensor_copy to uint8, 5 a DMA cast of
  // x to an int16 tensor. big: int32 [2, 4] with values fp32 cannot hold; 7 the PE transposes
  // it into PSUM and 8 ACT copies it out (same dtype: bits), 9 stores it as bigT [4, 2].
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float x[8] = {2.5f, -3.5f, 1e10f, -1e10f, nan, 255.5f, -0.4f, 2147483520.0f};
  const int32_t big[8] = {2147483647, -2147483647 - 1, 16777217, -16777217, 123456789, 0, -1, 2147483583};
  const json row = {{1, 8}};
  const json program = {
      {"tensors",
       {{{"name", "x"}, {"dtype", "float32"}, {"shape", {1, 8}}},
        {{"name", "i32"}, {"dtype", "int32"}, {"shape", {1, 8}}},
        {{"name", "u8"}, {"dtype", "uint8"}, {"shape", {1, 8}}},
        {{"name", "i16"}, {"dtype", "int16"}, {"shape", {1, 8}}},
        {{"name", "big"}, {"dtype", "int32"}, {"shape", {2, 4}}},
        {{"name", "bigT"}, {"dtype", "int32"}, {"shape", {4, 2}}}}},
      {"cores",
       {{dma_op(0, sb("float32", 0, 1, row), hb("x", 1, 8), json::array()),
         {{"op", "tensor_copy"}, {"engine", "dve"}, {"deps", {0}}, {"dst", sb("int32", 64, 1, row)}, {"src", sb("float32", 0, 1, row)}},
         {{"op", "tensor_copy"}, {"engine", "pool"}, {"deps", {0}}, {"dst", sb("uint8", 128, 1, row)}, {"src", sb("float32", 0, 1, row)}},
         dma_op(1, hb("i32", 1, 8), sb("int32", 64, 1, row), {1}),
         dma_op(2, hb("u8", 1, 8), sb("uint8", 128, 1, row), {2}),
         dma_op(3, hb("i16", 1, 8), sb("float32", 0, 1, row), {0}),
         dma_op(4, sb("int32", 256, 2, {{1, 4}}), hb("big", 2, 4), json::array()),
         {{"op", "nc_transpose"}, {"engine", "pe"}, {"deps", {6}}, {"src", sb("int32", 256, 2, {{1, 4}})},
          {"dst", {{"space", "psum"}, {"dtype", "int32"}, {"base", 0}, {"partition_count", 4}, {"dims", {{1, 2}}}}}},
         {{"op", "tensor_copy"}, {"engine", "act"}, {"deps", {7}}, {"dst", sb("int32", 512, 4, {{1, 2}})},
          {"src", {{"space", "psum"}, {"dtype", "int32"}, {"base", 0}, {"partition_count", 4}, {"dims", {{1, 2}}}}}},
         dma_op(5, hb("bigT", 4, 2), sb("int32", 512, 4, {{1, 2}}), {8})}}}};
  const std::string file = write_file("int_results.json", program.dump()), x_path = temp_path("int_x.npy"),
                    big_path = temp_path("int_big.npy");
  isa::write_npy(x_path, {1, 8}, "<f4", x, sizeof x);
  isa::write_npy(big_path, {2, 4}, "<i4", big, sizeof big);
  const Outcome o = run_binary("run-program " + file + " --input x=" + x_path + " --input big=" + big_path + " --output i32=" +
                               temp_path("int_i32.npy") + " --output u8=" + temp_path("int_u8.npy") + " --output i16=" +
                               temp_path("int_i16.npy") + " --output bigT=" + temp_path("int_bigT.npy"));
  ASSERT_EQ(o.status, 0) << o.out;
  const std::vector<uint8_t> i32 = read_raw(temp_path("int_i32.npy"), "<i4"), u8 = read_raw(temp_path("int_u8.npy"), "|u1"),
                             i16 = read_raw(temp_path("int_i16.npy"), "<i2"), bigT = read_raw(temp_path("int_bigT.npy"), "<i4");
  ASSERT_EQ(i32.size(), 32u);
  ASSERT_EQ(u8.size(), 8u);
  ASSERT_EQ(i16.size(), 16u);
  ASSERT_EQ(bigT.size(), 32u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(int_value(&i32[size_t(4 * i)], DType::I32), ref_to_int(DType::I32, x[i])) << i;
    EXPECT_EQ(int_value(&u8[size_t(i)], DType::U8), ref_to_int(DType::U8, x[i])) << i;
    EXPECT_EQ(int_value(&i16[size_t(2 * i)], DType::I16), ref_to_int(DType::I16, x[i])) << i;
  }
  // By hand: 2.5 -> 2, -3.5 -> -4, 1e10 -> int32 max, NaN -> 0, 255.5 -> 256 (255 in uint8).
  EXPECT_EQ(int_value(&i32[0], DType::I32), 2);
  EXPECT_EQ(int_value(&i32[4], DType::I32), -4);
  EXPECT_EQ(int_value(&i32[8], DType::I32), 2147483647);
  EXPECT_EQ(int_value(&i32[16], DType::I32), 0);
  EXPECT_EQ(int_value(&i32[20], DType::I32), 256);
  EXPECT_EQ(u8[5], 255);
  EXPECT_EQ(int_value(&i16[6], DType::I16), -32768);
  // The transpose and the same-dtype copy keep every bit: bigT[f][p] = big[p][f].
  for (int p = 0; p < 2; ++p)
    for (int f = 0; f < 4; ++f) EXPECT_EQ(int_value(&bigT[size_t(4 * (2 * f + p))], DType::I32), big[4 * p + f]) << p << "," << f;
}

TEST(IntValidation, MatmulRefusesIntegersAndThePeRefusesOneByteIntegerTransposes) {
  auto tile = [](DType t, int partitions, int64_t n, isa::Space space = isa::Space::SBUF) {
    isa::AccessPattern a;
    a.space = space;
    a.dtype = t;
    a.partition_count = partitions;
    a.ndims = 1;
    a.dims[0] = {1, n};
    return a;
  };
  auto error_of = [](const isa::Instruction& in) {
    isa::Program p;
    p.cores.push_back({in});
    try {
      isa::validate(p, isa::Limits{});
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  for (DType t : kInts) {
    isa::Instruction mm;
    mm.op = isa::Opcode::Matmul;
    mm.engine = isa::Engine::Tensor;
    mm.src = tile(t, 32, 4);
    mm.src2 = tile(DType::BF16, 32, 8);
    mm.dst = tile(DType::F32, 4, 8, isa::Space::PSUM);
    EXPECT_NE(error_of(mm).find("nc_matmul takes float operands only"), std::string::npos) << isa::dtype_name(t) << ": " << error_of(mm);
    isa::Instruction tr;
    tr.op = isa::Opcode::Transpose;
    tr.engine = isa::Engine::Tensor;
    tr.src = tile(t, 32, 4);
    tr.dst = tile(t, 4, 32, isa::Space::PSUM);
    const std::string e = error_of(tr);
    if (isa::dtype_size(t) == 1) EXPECT_NE(e.find("is not modelled"), std::string::npos) << isa::dtype_name(t) << ": " << e;
    else EXPECT_EQ(e, "") << isa::dtype_name(t);
  }
}

}  // namespace
}  // namespace trn2::test

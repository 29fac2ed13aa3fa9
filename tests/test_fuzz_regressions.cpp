// Inputs the fuzzers (fuzz/) found that escaped as the wrong error, one test each.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "cli_helpers.h"
#include "isa/program_json.h"
#include "isa/validate.h"
#include "kernels/depthwise_conv1d.h"
#include "sim/configuration/hardware_config.h"
#include "sim/configuration/run_config.h"

namespace trn2 {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  return test::write_file("fuzz_regression_" + name + ".json", text);
}

// nlohmann's parser throws out_of_range (not parse_error) for a number beyond double:
// it escaped as an internal error (exit 3) instead of bad input (exit 2).
TEST(FuzzRegression, ConfigNumberOverflowIsConfigError) {
  const std::string path = write_temp(
      "number_overflow", R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm"}, "check": {"atol": 1e400}})");
  try {
    sim::load_run_config(path);
    FAIL() << "accepted 1e400";
  } catch (const sim::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

std::string hardware_error(const std::string& overrides) {
  try {
    sim::HardwareConfig hw;
    hw.apply(nlohmann::json::parse(overrides));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// psum_bank_bytes near 2^63 overflowed int64 in the kernel builder's PSUM pools (UBSan), and
// integer fields were narrowed to int after the range check (2^32 + 1 partitions passed as 1).
TEST(FuzzRegression, HardwareSizesAreBounded) {
  EXPECT_EQ(hardware_error(R"({"psum_bank_bytes": 9223372036854775807})"),
            "hardware.psum_bank_bytes: 9223372036854775808 is outside its range [64, 1048576]");
  EXPECT_EQ(hardware_error(R"({"psum_bank_bytes": 4096, "psum_partition_bytes": 2048})"),
            "hardware.psum_bank_bytes: 4096 does not divide hardware.psum_partition_bytes 2048 into whole banks");
  EXPECT_EQ(hardware_error(R"({"partitions": 4294967297})"), "hardware.partitions: 4294967297 is outside its range [1, 128]");
  EXPECT_EQ(hardware_error(R"({"sbuf_partition_bytes": 4194305})"),
            "hardware.sbuf_partition_bytes: 4194305 is outside its range [64, 4194304]");
  EXPECT_EQ(hardware_error(R"({"hbm_bytes": 1099511627777})"),
            "hardware.hbm_bytes: 1099511627777 is outside its range [1, 1099511627776]");
  EXPECT_EQ(hardware_error(R"({"sbuf_partition_bytes": 4194304, "psum_partition_bytes": 1048576})"), "");
}

std::string validation_error(const std::string& program) {
  try {
    isa::validate(isa::program_from_json(nlohmann::json::parse(program)), isa::Limits{});
  } catch (const isa::ValidationError& e) {
    return e.what();
  }
  return "";
}

std::string memset_program(const std::string& dst_fields, const std::string& tensors = "[]") {
  return R"({"kernel": "k", "hbm_bytes": 64, "tensors": )" + tensors +
         R"(, "cores": [[{"op": "memset", "engine": "dve", "value": 0, "deps": [], "dst": {"space": "sbuf",
            "dtype": "float32", "start_partition": 0, "partition_count": 1, "partition_step": 1, )" +
         dst_fields + "}}]]}";
}

// Access-pattern fields anywhere in int64 overflowed in byte_extent(), and a huge tensor shape
// in HbmTensor::bytes(), before validate() could reject them (UBSan signed overflow).
TEST(FuzzRegression, LoaderBoundsPatternsAndTensors) {
  EXPECT_EQ(validation_error(memset_program(R"("base": 0, "offset": 0, "dims": [[1, 4]])")), "");
  EXPECT_EQ(validation_error(memset_program(R"("base": 0, "offset": 0, "dims": [[9223372036854775807, 3]])")),
            "program.cores[0][0].dst.dims[0]: step 9223372036854775807 is outside [-2^34, 2^34]");
  EXPECT_EQ(validation_error(memset_program(R"("base": 0, "offset": 0, "dims": [[1099511627776, 3]])")),
            "program.cores[0][0].dst.dims[0]: step 1099511627776 is outside [-2^34, 2^34]");
  EXPECT_EQ(validation_error(memset_program(R"("base": 9223372036854775807, "offset": 0, "dims": [[1, 4]])")),
            "program.cores[0][0].dst.base: 9223372036854775807 is outside [0, 1099511627776]");
  EXPECT_EQ(validation_error(memset_program(R"("base": 0, "offset": 0, "dims": [[0, 4294967296], [0, 4294967296]])")),
            "program.cores[0][0].dst.dims[0]: count 4294967296 is outside [1, 2^26]");
  EXPECT_EQ(validation_error(memset_program(R"("base": 0, "offset": 0, "dims": [[0, 65536], [0, 65536]])")),
            "core 0 instruction 0 (memset): dst has 4294967296 elements per partition, more than the 212984 bytes of a sbuf partition");
  const std::string ok = R"("base": 0, "offset": 0, "dims": [[1, 4]])";
  EXPECT_EQ(validation_error(memset_program(ok, R"([{"name": "x", "dtype": "float32", "shape": [4294967296, 4294967296], "base": 0}])")),
            "program.tensors[0].shape: expected positive integers up to 2^30, got 4294967296");
  EXPECT_EQ(validation_error(memset_program(ok, R"([{"name": "x", "dtype": "float32", "shape": [-1], "base": 0}])")),
            "program.tensors[0].shape: expected positive integers up to 2^30, got -1");
  EXPECT_EQ(validation_error(memset_program(ok, R"([{"name": "x", "dtype": "float32", "shape": [4, 4], "base": 0}])")),
            "");
  EXPECT_EQ(validation_error(memset_program(ok, R"([{"name": "x", "dtype": "float32", "shape": [4, 5], "base": 0}])")),
            "tensor x does not fit the program's HBM");
}

// validate() bounds patterns itself too, for programs built in C++ rather than loaded.
TEST(FuzzRegression, ValidateBoundsPatterns) {
  isa::Program p;
  p.hbm_bytes = 64;
  isa::Instruction in;
  in.op = isa::Opcode::Memset;
  in.engine = isa::Engine::Vector;
  in.dst = isa::tile(isa::Space::SBUF, isa::DType::F32, 0, 0, 1, 3);
  in.dst.dims[0].step = INT64_MAX;
  p.cores = {{in}};
  try {
    isa::validate(p, isa::Limits{});
    FAIL() << "accepted a step of 2^63 - 1";
  } catch (const isa::ValidationError& e) {
    EXPECT_STREQ(e.what(), "core 0 instruction 0 (memset): dst free dim step 9223372036854775807 is outside +-2^40");
  }
}

// With matmul_stationary_free_max below kernel_size and partitions, the kernel's filter
// transpose exceeded it: an accepted config failed validation on an instruction.
TEST(FuzzRegression, KernelTilesFollowStationaryFreeMax) {
  kernels::DepthwiseConv1dParams p;
  p.channels = 6;
  p.width = 20;
  p.kernel_size = 5;
  p.pad_left = 3;
  p.pad_right = 2;
  isa::Limits limits;
  limits.partitions = 4;
  limits.matmul_stationary_free_max = 2;
  limits.matmul_moving_free_max = 8;
  limits.psum_bank_bytes = 64;
  limits.psum_partition_bytes = 512;
  limits.sbuf_partition_bytes = 4096;
  EXPECT_NO_THROW(isa::validate(kernels::build_depthwise_conv1d(p, limits), limits));
}

// A memset value beyond fp32 became inf, which --dump-program writes as null: the dumped
// program could not be loaded again.
TEST(FuzzRegression, MemsetValueWithinFp32) {
  const std::string dst = R"("base": 0, "offset": 0, "dims": [[1, 4]])";
  std::string program = memset_program(dst);
  program.replace(program.find(R"("value": 0)"), 10, R"("value": 1e39)");
  try {
    isa::program_from_json(nlohmann::json::parse(program));
    FAIL() << "accepted 1e39";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "program.cores[0][0].value: 1e+39 does not fit a float32");
  }
}

}  // namespace
}  // namespace trn2

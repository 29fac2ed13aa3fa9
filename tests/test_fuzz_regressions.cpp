// Inputs the fuzzers (fuzz/) found that escaped as the wrong error, one test each.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "sim/run_config.h"

namespace trn2 {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "fuzz_regression_" + name + ".json";
  std::ofstream(path) << text;
  return path;
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

}  // namespace
}  // namespace trn2

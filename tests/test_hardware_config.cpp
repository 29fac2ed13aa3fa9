// configs/trn2.json and the compiled-in defaults must agree, and overrides are checked.
#include <gtest/gtest.h>

#include <fstream>

#include "sim/hardware_config.h"

namespace trn2::test {
namespace {

TEST(HardwareConfig, Trn2JsonMatchesDefaults) {
  std::ifstream f(std::string(TRN2SIM_SOURCE_DIR) + "/configs/trn2.json");
  const auto j = nlohmann::json::parse(f);
  sim::HardwareConfig from_file;
  from_file.apply(j);
  EXPECT_EQ(from_file.to_json(), sim::HardwareConfig{}.to_json());
  // Every parameter names its source.
  const nlohmann::json defaults = sim::HardwareConfig{}.to_json();
  for (auto it = defaults.begin(); it != defaults.end(); ++it)
    EXPECT_TRUE(j["sources"].contains(it.key())) << it.key() << " has no source in configs/trn2.json";
}

TEST(HardwareConfig, OverrideAndErrors) {
  sim::HardwareConfig hw;
  hw.apply(nlohmann::json::parse(R"({"hbm_bandwidth_gbps": 500})"));
  EXPECT_EQ(hw.hbm_bandwidth_gbps, 500);
  auto message = [](const std::string& text) {
    const nlohmann::json j = nlohmann::json::parse(text);
    try {
      sim::HardwareConfig h;
      h.apply(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message(R"({"pe_clock_ghz": "fast"})"), "hardware.pe_clock_ghz: expected a number");
  EXPECT_EQ(message(R"({"dma_engines": 2.5})"), "hardware.dma_engines: expected an integer");
  EXPECT_EQ(message(R"({"hbm_bandwidth_gbps": 0})"), "hardware.hbm_bandwidth_gbps: 0 is outside its range [0.001, 1000000]");
  EXPECT_EQ(message(R"({"partitions": 256})"), "hardware.partitions: 256 is outside its range [1, 128]");
}

}  // namespace
}  // namespace trn2::test

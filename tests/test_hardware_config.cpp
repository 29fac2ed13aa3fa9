// configs/trn2.json and the compiled-in defaults must agree, and overrides are checked.
#include <gtest/gtest.h>

#include <cmath>

#include <fstream>

#include "sim/configuration/hardware_config.h"

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


// Every figure refuses a value past either end of its range, naming the field and the range:
// one case per field and end (issue 17: figures far beyond reason hung the model).
struct RangeCase {
  std::string field;
  bool above;
};
void PrintTo(const RangeCase& c, std::ostream* os) { *os << c.field << (c.above ? " above" : " below"); }

std::vector<RangeCase> range_cases() {
  std::vector<RangeCase> cases;
  const nlohmann::json ranges = sim::HardwareConfig::ranges();
  for (auto it = ranges.begin(); it != ranges.end(); ++it)
    for (bool above : {false, true}) cases.push_back({it.key(), above});
  return cases;
}

class HardwareRange : public ::testing::TestWithParam<RangeCase> {};

TEST_P(HardwareRange, PastEitherEndIsRefusedNamingTheRange) {
  const RangeCase& c = GetParam();
  const nlohmann::json range = sim::HardwareConfig::ranges().at(c.field);
  const double lo = range[0].get<double>(), hi = range[1].get<double>();
  // Past the end by a margin a double can tell (an integer field takes an integer).
  const double value = c.above ? (hi >= 1e15 ? hi * 4 : std::floor(hi) + 1) : (lo > 0 && lo < 1 ? lo / 2 : lo - 1);
  sim::HardwareConfig hw;
  nlohmann::json j;
  const bool integral = sim::HardwareConfig{}.to_json().at(c.field).is_number_integer();
  if (integral) j[c.field] = int64_t(std::llround(value));
  else j[c.field] = value;
  try {
    hw.apply(j);
    ADD_FAILURE() << c.field << " = " << j[c.field].dump() << " was accepted";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("hardware." + c.field + ": ", 0), 0u) << m;
    EXPECT_NE(m.find(" is outside its range ["), std::string::npos) << m;
  }
  // And both ends themselves are accepted (where they are whole numbers for an integer field).
  for (const double end : {lo, hi}) {
    sim::HardwareConfig ok;
    nlohmann::json k;
    if (integral) k[c.field] = int64_t(end);
    else k[c.field] = end;
    if (c.field == "psum_bank_bytes" || c.field == "psum_partition_bytes") continue;  // must divide each other
    EXPECT_NO_THROW(ok.apply(k)) << c.field << " = " << k[c.field].dump();
  }
}

TEST(HardwareConfig, EveryRangeIsDocumented) {
  std::ifstream doc(std::string(TRN2SIM_SOURCE_DIR) + "/docs/timing-model.md");
  const std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  const nlohmann::json ranges = sim::HardwareConfig::ranges();
  for (auto it = ranges.begin(); it != ranges.end(); ++it)
    EXPECT_NE(text.find("| `" + it.key() + "` | "), std::string::npos) << it.key() << " is missing from the Ranges table";
}

INSTANTIATE_TEST_SUITE_P(Fields, HardwareRange, ::testing::ValuesIn(range_cases()),
                         [](const ::testing::TestParamInfo<RangeCase>& info) {
                           return info.param.field + (info.param.above ? "_above" : "_below");
                         });

}  // namespace
}  // namespace trn2::test

// The validation set (validation/cases.json): each public trn2 kernel, simulated, must stay
// within its documented error bound of its measurement, and the mean absolute error over the
// validated cases within the 10% the project aims at, so that no change to the model can
// silently degrade its agreement with hardware. The table is docs/validation.md.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "validation/validation.h"

namespace trn2::test {
namespace {

const validation::Set& cases() {
  static const validation::Set set = validation::load(validation::default_path());
  return set;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& c : cases().cases) names.push_back(c.name);
  return names;
}

class Validation : public ::testing::TestWithParam<std::string> {};

TEST_P(Validation, WithinItsBoundOfTheMeasurement) {
  for (const auto& c : cases().cases)
    if (c.name == GetParam()) {
      const validation::Result r = validation::run(cases(), c);
      EXPECT_GT(r.simulated, 0.0);
      EXPECT_LE(std::fabs(r.error_percent), c.bound_percent)
          << c.name << ": simulated " << r.simulated << " against " << c.measured << " measured (" << c.metric << ")";
      return;
    }
  FAIL() << "no case " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Public, Validation, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(ValidationSet, MeanAbsoluteErrorWithinTenPercent) {
  // Every case in a child process of trn2sim_validate (one model per process).
  FILE* pipe = popen("'" TRN2SIM_VALIDATE_BINARY "' --all 2>/dev/null", "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0) << out;
  const std::string key = "Mean absolute error over the ";
  const size_t at = out.find(key);
  ASSERT_NE(at, std::string::npos) << out;
  const size_t stars = out.find("**", at);
  ASSERT_NE(stars, std::string::npos) << out;
  const double mae = std::stod(out.substr(stars + 2));
  EXPECT_LE(mae, 10.0) << out;
  EXPECT_GT(mae, 0.0) << out;  // a table of zeros would mean nothing was compared
}

}  // namespace
}  // namespace trn2::test

#include "sim/simulation/hazard_gate.h"

#include <spdlog/spdlog.h>

namespace trn2::sim {

namespace {
constexpr size_t kMaxHazardReports = 16;
}  // namespace

bool parse_hazard_mode(const std::string& s, HazardMode& out) {
  if (s == "fail") out = HazardMode::Fail;
  else if (s == "warn") out = HazardMode::Warn;
  else if (s == "off") out = HazardMode::Off;
  else return false;
  return true;
}

void gate_hazards(const isa::Program& p, const isa::Limits& limits, HazardMode mode, bool users_program) {
  if (mode == HazardMode::Off) return;
  const std::vector<isa::Hazard> found = isa::find_hazards(p, limits, kMaxHazardReports);
  if (found.empty()) return;
  if (mode == HazardMode::Warn) {
    for (const auto& h : found) spdlog::warn("{}", h.message);
    return;
  }
  std::string message = found.front().message;
  // find_hazards stops at its limit: at the limit there may be more than it found.
  if (found.size() > 1)
    message += " (and " + std::to_string(found.size() - 1) + (found.size() >= kMaxHazardReports ? " or more" : "") +
               " more; --hazards warn lists them)";
  if (users_program) throw HazardError(message);
  throw std::logic_error("the kernel builder made a program with a hazard: " + message);
}

}  // namespace trn2::sim

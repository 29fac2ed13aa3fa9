#include "sim/reporting/occupancy.h"

#include <algorithm>
#include <string>

namespace trn2::sim {

namespace {

struct Step {
  double t_ns;
  int64_t delta;
};

// One counter event per distinct time, holding the total after every change at that time.
void write_counter(Trace& trace, int core, const char* name, const char* series, std::vector<Step> steps) {
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.t_ns < b.t_ns; });
  int64_t level = 0;
  for (size_t i = 0; i < steps.size();) {
    const double t = steps[i].t_ns;
    for (; i < steps.size() && steps[i].t_ns == t; ++i) level += steps[i].delta;
    trace.counter(core, name, t, std::string("{\"") + series + "\":" + std::to_string(level) + "}");
  }
}

}  // namespace

void trace_occupancy(Trace& trace, int core, const std::vector<isa::Allocation>& allocations,
                     const Scoreboard& scoreboard, int64_t psum_bank_bytes) {
  std::vector<Step> sbuf, psum;
  for (const isa::Allocation& a : allocations) {
    if (a.core != core) continue;
    const double from = scoreboard.trace_at(a.first), to = std::max(from, scoreboard.finish(a.last));
    if (a.space == isa::Space::SBUF) {
      sbuf.push_back({from, a.bytes});
      sbuf.push_back({to, -a.bytes});
    } else {
      const int64_t banks = (a.bytes + psum_bank_bytes - 1) / psum_bank_bytes;
      psum.push_back({from, banks});
      psum.push_back({to, -banks});
    }
  }
  if (!sbuf.empty()) write_counter(trace, core, "SBUF bytes allocated (per partition)", "bytes", std::move(sbuf));
  if (!psum.empty()) write_counter(trace, core, "PSUM banks in use", "banks", std::move(psum));
}

}  // namespace trn2::sim

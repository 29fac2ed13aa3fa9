#include "sim/simulation/host_memory.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "sim/configuration/run_config.h"

namespace trn2::sim {

uint64_t host_available_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream in(line.substr(13));
    uint64_t kib = 0;
    if (in >> kib) return kib * 1024;
  }
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
}

uint64_t model_bytes(const isa::Program& program, const HardwareConfig& hw) {
  const uint64_t per_core = uint64_t(hw.limits.partitions) *
                            uint64_t(hw.limits.sbuf_partition_bytes + hw.limits.psum_partition_bytes);
  return uint64_t(program.hbm_bytes) + per_core * uint64_t(program.cores.size());
}

void check_host_memory(uint64_t needed, const std::string& what) {
  const uint64_t available = host_available_bytes();
  if (available == 0 || needed <= available) return;
  throw ConfigError("the run needs " + std::to_string(needed) + " bytes of host memory (" + what + "), more than the " +
                    std::to_string(available) + " available");
}

}  // namespace trn2::sim

#include "sim/hardware/psum.h"

#include <string>

namespace trn2::sim {

Psum::Psum(sc_core::sc_module_name name, int partitions, size_t partition_bytes, size_t bank_bytes)
    : sc_module(name), bank_bytes_(int64_t(bank_bytes)) {
  for (size_t b = 0; b < partition_bytes / bank_bytes; ++b)
    banks_.push_back(std::make_unique<PsumBank>(("bank_" + std::to_string(b)).c_str(), partitions, bank_bytes));
}

}  // namespace trn2::sim

#include "sim/sbuf.h"

#include <string>

namespace trn2::sim {

Sbuf::Sbuf(sc_core::sc_module_name name, int partitions, size_t bytes_per_partition) : sc_module(name) {
  for (int p = 0; p < partitions; ++p)
    partitions_.push_back(std::make_unique<SbufPartition>(("partition_" + std::to_string(p)).c_str(), bytes_per_partition));
}

}  // namespace trn2::sim

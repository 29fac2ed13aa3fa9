#include "sim/sbuf.h"

#include <string>

namespace trn2::sim {

Sbuf::Sbuf(sc_core::sc_module_name name, int partitions, size_t bytes_per_partition)
    : sc_module(name), pitch_(bytes_per_partition),
      block_(static_cast<uint8_t*>(std::calloc(std::max<size_t>(size_t(partitions) * bytes_per_partition, 1), 1))) {
  if (!block_) throw std::bad_alloc();
  for (int p = 0; p < partitions; ++p)
    partitions_.push_back(std::make_unique<SbufPartition>(("partition_" + std::to_string(p)).c_str(), partition(p)));
}

}  // namespace trn2::sim

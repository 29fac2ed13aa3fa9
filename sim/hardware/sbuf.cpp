#include "sim/hardware/sbuf.h"

#include <string>

namespace trn2::sim {

Sbuf::Sbuf(sc_core::sc_module_name name, int partitions, size_t bytes_per_partition)
    // One cache line between partitions: with a pitch of 192 KiB (a multiple of 4 KiB) the
    // rows of a tile, one per partition, would all fall in the same L1 and L2 sets and evict
    // each other (a matmul reads 128 of them); a line more puts row p in set p.
    : sc_module(name), pitch_(bytes_per_partition + kPartitionPad),
      block_(static_cast<uint8_t*>(std::calloc(std::max<size_t>(size_t(partitions) * pitch_, 1), 1))) {
  if (!block_) throw std::bad_alloc();
  for (int p = 0; p < partitions; ++p)
    partitions_.push_back(std::make_unique<SbufPartition>(("partition_" + std::to_string(p)).c_str(), partition(p)));
}

}  // namespace trn2::sim

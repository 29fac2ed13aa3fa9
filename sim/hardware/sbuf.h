#pragma once
// The state buffer: 128 partition modules, each a view of its slice of one block of real bytes.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <systemc>
#include <vector>

namespace trn2::sim {

// One partition: a view of its slice of the Sbuf's block of bytes.
class SbufPartition : public sc_core::sc_module {
 public:
  SbufPartition(sc_core::sc_module_name name, uint8_t* bytes) : sc_module(name), bytes_(bytes) {}
  uint8_t* data() { return bytes_; }

 private:
  uint8_t* bytes_;
};

class Sbuf : public sc_core::sc_module {
 public:
  Sbuf(sc_core::sc_module_name name, int partitions, size_t bytes_per_partition);
  uint8_t* partition(int p) { return block_.get() + size_t(p) * pitch_; }
  // Bytes from one partition's start to the next: the partitions are one block, so a tile's
  // rows are evenly spaced and the datapath walks them by pointer.
  size_t pitch() const { return pitch_; }
  static constexpr size_t kPartitionPad = 64;

 private:
  // calloc'd: pages that no tile uses are never touched (zero on demand).
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  size_t pitch_;
  std::unique_ptr<uint8_t[], Free> block_;
  std::vector<std::unique_ptr<SbufPartition>> partitions_;
};

}  // namespace trn2::sim

#pragma once
// The state buffer: 128 partition modules, each holding its real bytes.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <systemc>
#include <vector>

namespace trn2::sim {

class SbufPartition : public sc_core::sc_module {
 public:
  SbufPartition(sc_core::sc_module_name name, size_t bytes)
      : sc_module(name), bytes_(static_cast<uint8_t*>(std::calloc(std::max<size_t>(bytes, 1), 1))) {
    if (!bytes_) throw std::bad_alloc();
  }
  uint8_t* data() { return bytes_.get(); }

 private:
  // calloc'd: pages of the partition that no tile uses are never touched (zero on demand).
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t[], Free> bytes_;
};

class Sbuf : public sc_core::sc_module {
 public:
  Sbuf(sc_core::sc_module_name name, int partitions, size_t bytes_per_partition);
  uint8_t* partition(int p) { return partitions_[p]->data(); }

 private:
  std::vector<std::unique_ptr<SbufPartition>> partitions_;
};

}  // namespace trn2::sim

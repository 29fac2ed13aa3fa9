#pragma once
// The state buffer: 128 partition modules, each holding its real bytes.
#include <memory>
#include <systemc>
#include <vector>

namespace trn2::sim {

class SbufPartition : public sc_core::sc_module {
 public:
  SbufPartition(sc_core::sc_module_name name, size_t bytes) : sc_module(name), bytes_(bytes, 0) {}
  uint8_t* data() { return bytes_.data(); }

 private:
  std::vector<uint8_t> bytes_;
};

class Sbuf : public sc_core::sc_module {
 public:
  Sbuf(sc_core::sc_module_name name, int partitions, size_t bytes_per_partition);
  uint8_t* partition(int p) { return partitions_[p]->data(); }

 private:
  std::vector<std::unique_ptr<SbufPartition>> partitions_;
};

}  // namespace trn2::sim

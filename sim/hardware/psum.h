#pragma once
// The partial-sum buffer: 8 bank modules of 128 partitions x 2 KiB (512 fp32) each.
// A matmul writes (or accumulates into) one bank.
#include <memory>
#include <systemc>
#include <vector>

namespace trn2::sim {

class PsumBank : public sc_core::sc_module {
 public:
  PsumBank(sc_core::sc_module_name name, int partitions, size_t bytes_per_partition)
      : sc_module(name), stride_(bytes_per_partition + kPartitionPad), bytes_(size_t(partitions) * stride_, 0) {}
  uint8_t* partition(int p) { return bytes_.data() + size_t(p) * stride_; }

 private:
  // A cache line between partitions, as in Sbuf: 2 KiB apart, a transpose's 128 rows would
  // share two L1 sets.
  static constexpr size_t kPartitionPad = 64;
  size_t stride_;
  std::vector<uint8_t> bytes_;
};

class Psum : public sc_core::sc_module {
 public:
  Psum(sc_core::sc_module_name name, int partitions, size_t partition_bytes, size_t bank_bytes);
  // Byte `address` of partition `p` (address spans all banks of that partition).
  uint8_t* at(int p, int64_t address) {
    return banks_[size_t(address / bank_bytes_)]->partition(p) + address % bank_bytes_;
  }
  int banks() const { return int(banks_.size()); }

 private:
  int64_t bank_bytes_;
  std::vector<std::unique_ptr<PsumBank>> banks_;
};

}  // namespace trn2::sim

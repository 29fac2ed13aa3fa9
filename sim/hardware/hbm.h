#pragma once
// One HBM stack: the real bytes of every tensor, and the bandwidth both cores share.
#include <cstddef>
#include <cstdint>
#include <systemc>

namespace trn2::sim {

class Hbm : public sc_core::sc_module {
 public:
  Hbm(sc_core::sc_module_name name, size_t bytes, double bandwidth_gbps);

  ~Hbm() override;
  Hbm(const Hbm&) = delete;
  Hbm& operator=(const Hbm&) = delete;

  uint8_t* data() { return bytes_; }
  size_t size() const { return size_; }

  // Reserves the stack for `bytes` starting no earlier than `start_ns` (a fluid FIFO: requests
  // are served in the order they are made, which the callers keep in simulated-time order).
  // Returns when the last byte has moved.
  double transfer(double start_ns, int64_t bytes, bool write);

  int64_t read_bytes() const { return read_bytes_; }
  int64_t write_bytes() const { return write_bytes_; }
  double busy_ns() const { return busy_ns_; }

 private:
  // An anonymous mapping: the OS hands out zero pages, so bytes no instruction touches never
  // become resident (a vector would write every byte of a multi-GiB image up front). It is
  // advised to use transparent huge pages where the host has them: loading a kernel's
  // inputs then faults once per 2 MiB instead of once per 4 KiB.
  uint8_t* bytes_;
  size_t mapped_;
  size_t size_;
  double bytes_per_ns_;
  double free_at_ns_ = 0;
  double busy_ns_ = 0;
  int64_t read_bytes_ = 0, write_bytes_ = 0;
};

}  // namespace trn2::sim

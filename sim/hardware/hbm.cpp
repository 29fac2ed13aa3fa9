#include "sim/hardware/hbm.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace trn2::sim {

namespace {
// AddressSanitizer builds keep a heap block, whose ends it guards: a datapath access past
// the image (which validation should make impossible) is then reported, not silently read.
#if defined(__SANITIZE_ADDRESS__)  // GCC
constexpr bool kGuardedHeap = true;
#elif defined(__has_feature)  // Clang
constexpr bool kGuardedHeap = __has_feature(address_sanitizer);
#else
constexpr bool kGuardedHeap = false;
#endif

uint8_t* zeroed(size_t bytes) {
  if (kGuardedHeap) {
    void* p = std::calloc(bytes, 1);
    if (!p) throw std::bad_alloc();
    return static_cast<uint8_t*>(p);
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  madvise(p, bytes, MADV_HUGEPAGE);  // advice: without transparent huge pages, 4 KiB pages
  return static_cast<uint8_t*>(p);
}
}  // namespace

Hbm::Hbm(sc_core::sc_module_name name, size_t bytes, double bandwidth_gbps)
    : sc_module(name), bytes_(zeroed(std::max<size_t>(bytes, 1))), mapped_(std::max<size_t>(bytes, 1)),
      size_(bytes), bytes_per_ns_(bandwidth_gbps) {}

Hbm::~Hbm() {
  if (kGuardedHeap) std::free(bytes_);
  else munmap(bytes_, mapped_);
}

double Hbm::transfer(double start_ns, int64_t bytes, bool write) {
  const double duration = double(bytes) / bytes_per_ns_;
  const double begin = std::max(start_ns, free_at_ns_);
  free_at_ns_ = begin + duration;
  busy_ns_ += duration;
  (write ? write_bytes_ : read_bytes_) += bytes;
  return free_at_ns_;
}

}  // namespace trn2::sim

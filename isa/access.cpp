#include "isa/access.h"

#include <algorithm>
#include <cstdio>

namespace trn2::isa {

const char* space_name(Space s) {
  switch (s) {
    case Space::HBM: return "hbm";
    case Space::SBUF: return "sbuf";
    case Space::PSUM: return "psum";
  }
  return "?";
}

bool parse_space(const std::string& s, Space& out) {
  if (s == "hbm") out = Space::HBM;
  else if (s == "sbuf") out = Space::SBUF;
  else if (s == "psum") out = Space::PSUM;
  else return false;
  return true;
}

int64_t AccessPattern::free_elements() const {
  int64_t n = 1;
  for (int d = 0; d < ndims; ++d) n *= dims[d].count;
  return n;
}

int64_t AccessPattern::run_elements() const {
  int64_t run = 1;
  for (int d = ndims - 1; d >= 0; --d) {
    if (dims[d].count == 1) continue;
    if (dims[d].step != run) break;
    run *= dims[d].count;
  }
  return run;
}

int64_t AccessPattern::free_offset(int64_t flat) const {
  int64_t off = 0;
  for (int d = ndims - 1; d >= 0; --d) {
    off += (flat % dims[d].count) * dims[d].step;
    flat /= dims[d].count;
  }
  return off;
}

void AccessPattern::byte_extent(int64_t& lo, int64_t& hi) const {
  int64_t mn = offset, mx = offset;
  for (int d = 0; d < ndims; ++d) {
    const int64_t span = (dims[d].count - 1) * dims[d].step;
    if (span < 0) mn += span; else mx += span;
  }
  if (space == Space::HBM) {
    const int64_t span = int64_t(partition_count - 1) * partition_step;
    if (span < 0) mn += span; else mx += span;
  }
  const int64_t size = int64_t(dtype_size(dtype));
  lo = base + mn * size;
  hi = base + (mx + 1) * size;
}

std::string brief(const AccessPattern& a) {
  char buf[128];
  static const char* const kShort[kNumDTypes] = {"fp32", "bf16", "fp16", "fp8e4m3", "fp8e5m2", "i8", "u8", "i16", "u16", "i32", "u32"};
  const char* t = kShort[int(a.dtype)];
  std::snprintf(buf, sizeof buf, "%s[%d:%d]+0x%llx %s x%lld", space_name(a.space), a.start_partition,
                a.start_partition + a.partition_count, static_cast<unsigned long long>(a.base + a.offset * int64_t(dtype_size(a.dtype))),
                t, static_cast<long long>(a.free_elements()));
  return buf;
}

AccessPattern tile(Space space, DType dtype, int64_t base, int start_partition, int partitions,
                   int64_t free) {
  AccessPattern ap;
  ap.space = space;
  ap.dtype = dtype;
  ap.base = base;
  ap.start_partition = start_partition;
  ap.partition_count = partitions;
  ap.partition_step = space == Space::HBM ? free : 1;
  ap.ndims = 1;
  ap.dims[0] = {1, free};
  return ap;
}

}  // namespace trn2::isa

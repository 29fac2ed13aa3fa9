#pragma once
// An access pattern: which elements of which memory an instruction touches.
#include <array>
#include <cstdint>
#include <string>

#include "isa/dtype.h"

namespace trn2::isa {

enum class Space : uint8_t { HBM, SBUF, PSUM };
const char* space_name(Space s);
bool parse_space(const std::string& s, Space& out);

// One free dimension: `count` elements `step` elements apart.
struct Dim {
  int64_t step = 1;
  int64_t count = 1;
};

constexpr int kMaxFreeDims = 4;

// For SBUF/PSUM, `base` is a byte address inside every partition and the pattern covers
// partitions start_partition + i * partition_step for i < partition_count. For HBM, `base`
// is the byte address of the tensor and partition i starts `i * partition_step` elements
// further on (steps may overlap: the implicit im2col reads overlapping rows).
// Element (i, j0..j3) is at element offset offset + i*partition_step (HBM only) + sum jd*stepd.
struct AccessPattern {
  Space space = Space::SBUF;
  DType dtype = DType::F32;
  int64_t base = 0;
  int64_t offset = 0;
  int start_partition = 0;
  int64_t partition_step = 1;
  int partition_count = 1;
  int ndims = 1;
  std::array<Dim, kMaxFreeDims> dims{};

  int64_t free_elements() const;           // elements per partition
  int64_t total_elements() const { return free_elements() * partition_count; }
  bool inner_contiguous() const { return dims[ndims - 1].step == 1 || dims[ndims - 1].count == 1; }
  // Elements per contiguous run of a row: the inner dims that step densely, multiplied.
  int64_t run_elements() const;
  // Element offset of free index `flat` (row-major over dims) from the partition's start.
  int64_t free_offset(int64_t flat) const;
  // Byte range [lo, hi) touched within one partition (SBUF/PSUM) or in HBM overall.
  void byte_extent(int64_t& lo, int64_t& hi) const;
};

// Builds a simple row-major pattern: `partitions` x `free` contiguous elements.
// A short human-readable form for traces: "sbuf[0:128]+0x40 bf16 x512".
std::string brief(const AccessPattern& a);

AccessPattern tile(Space space, DType dtype, int64_t base, int start_partition, int partitions,
                   int64_t free);

}  // namespace trn2::isa

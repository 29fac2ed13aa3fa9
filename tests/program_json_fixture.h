#pragma once
// Pieces of program files (docs/program-format.md) for tests that run whole programs through
// the binary: patterns, a DMA, and a .npy read back with its descriptor checked.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/npy.h"

namespace trn2::test {

// `partitions` SBUF partitions from byte `base`, free dims `dims`.
inline nlohmann::json sb(const char* dtype, int64_t base, int partitions, nlohmann::json dims) {
  return {{"space", "sbuf"}, {"dtype", dtype}, {"base", base}, {"partition_count", partitions}, {"dims", dims}};
}
// Rows of tensor `tensor` (the tensor's dtype), `row` elements each.
inline nlohmann::json hb(const char* tensor, int partitions, int64_t row) {
  return {{"space", "hbm"}, {"tensor", tensor}, {"partition_step", row}, {"partition_count", partitions},
          {"dims", {{1, row}}}};
}
inline nlohmann::json dma_op(int queue, nlohmann::json dst, nlohmann::json src, nlohmann::json deps) {
  return {{"op", "dma_copy"}, {"engine", "dma"}, {"queue", queue}, {"dst", dst}, {"src", src}, {"deps", deps}};
}
// The bytes of a .npy file whose descriptor must be `descr`.
inline std::vector<uint8_t> read_raw(const std::string& path, const char* descr) {
  const isa::NpyArray a = isa::read_npy(path);
  EXPECT_EQ(a.descr, descr) << path;
  return a.data;
}

}  // namespace trn2::test

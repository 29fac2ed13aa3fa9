#pragma once
// Hardware limits and the checks that every instruction respects them.
#include <stdexcept>
#include <string>

#include "isa/instruction.h"

namespace trn2::isa {

struct Limits {
  int partitions = 128;
  int64_t sbuf_partition_bytes = 212984;  // usable per partition on trn2 (nkipy HardwareConstants.h)
  int64_t psum_partition_bytes = 16384;
  int64_t psum_bank_bytes = 2048;
  int64_t matmul_stationary_free_max = 128;
  int64_t matmul_moving_free_max = 512;
  int dma_queues = 16;
  int64_t hbm_bytes = int64_t(24) << 30;  // one stack: 96 GiB / 4 stacks (ARCH2)
};

struct ValidationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws ValidationError: "core 0 instruction 17 (dma_copy): dst partition count 256 exceeds 128".
void validate(const Program& p, const Limits& limits);
// The same checks in parts, for a program streamed while it runs: the header (stream count,
// HBM size, tensors; the streams themselves may be empty), then each instruction in turn.
void validate_header(const Program& p, const Limits& limits);
void validate_instruction(const Program& header, const Limits& limits, size_t core, size_t index,
                          const Instruction& in);

}  // namespace trn2::isa

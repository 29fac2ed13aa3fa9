#pragma once
// An HBM tensor's bytes from and to a .npy file, for kernel configs and program runs alike.
// Errors are ConfigError (bad input) starting with `label` (the field or flag that named
// the file).
#include <cstdint>
#include <string>
#include <vector>

#include "isa/instruction.h"

namespace trn2::sim {

// The file must hold the tensor's shape and dtype; `owner` says who sets them in the message
// ("the kernel needs", "tensor 'a' is").
std::vector<uint8_t> read_tensor_npy(const std::string& path, const isa::HbmTensor& t, const std::string& label,
                                     const std::string& owner);
void write_tensor_npy(const std::string& path, const isa::HbmTensor& t, const std::vector<uint8_t>& bytes,
                      const std::string& label);

}  // namespace trn2::sim

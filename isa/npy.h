#pragma once
#include <string>
#include <vector>
#include "isa/dtype.h"
namespace trn2::isa {
struct NpyArray { std::vector<size_t> shape; std::string descr; std::vector<uint8_t> data; };
NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const std::vector<size_t>& shape, const std::string& descr, const void* data, size_t bytes);
std::string npy_descr(DType t);
}

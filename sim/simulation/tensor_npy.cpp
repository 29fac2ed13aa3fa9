#include "sim/simulation/tensor_npy.h"

#include <sstream>

#include "isa/npy.h"
#include "sim/configuration/run_config.h"

namespace trn2::sim {

namespace {
std::string shape_text(const std::vector<size_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (size_t d : shape) s << d << ",";
  s << ")";
  return s.str();
}
}  // namespace

std::vector<uint8_t> read_tensor_npy(const std::string& path, const isa::HbmTensor& t, const std::string& label,
                                     const std::string& owner) {
  isa::NpyArray a;
  try {
    a = isa::read_npy(path);
  } catch (const std::runtime_error& e) {
    throw ConfigError(label + ": " + e.what());
  }
  const std::vector<size_t> want(t.shape.begin(), t.shape.end());
  if (a.shape != want)
    throw ConfigError(label + ": " + path + " has shape " + shape_text(a.shape) + " but " + owner + " " + shape_text(want));
  if (a.descr != isa::npy_descr(t.dtype))
    throw ConfigError(label + ": " + path + " holds '" + a.descr + "' but " + owner + " " + isa::dtype_name(t.dtype) +
                      " ('" + isa::npy_descr(t.dtype) + "')");
  return std::move(a.data);
}

void write_tensor_npy(const std::string& path, const isa::HbmTensor& t, const std::vector<uint8_t>& bytes,
                      const std::string& label) {
  const std::vector<size_t> shape(t.shape.begin(), t.shape.end());
  try {
    isa::write_npy(path, shape, isa::npy_descr(t.dtype), bytes.data(), bytes.size());
  } catch (const std::runtime_error& e) {
    throw ConfigError(label + ": " + e.what());
  }
}

}  // namespace trn2::sim

#include "isa/npy.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "isa/json_file.h"

namespace trn2::isa {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

// The value text after 'key': in the header dict, up to the matching close.
std::string dict_value(const std::string& header, const std::string& key, const std::string& path) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) k = header.find("\"" + key + "\"");
  if (k == std::string::npos) fail(path, "npy header has no '" + key + "'");
  k += key.size() + 2;
  size_t v = header.find(':', k);
  if (v == std::string::npos) fail(path, "npy header is malformed");
  ++v;
  while (v < header.size() && (header[v] == ' ' || header[v] == '\t')) ++v;
  if (v >= header.size()) fail(path, "npy header is malformed");
  size_t end;
  if (header[v] == '\'' || header[v] == '"') {
    end = header.find(header[v], v + 1);
    if (end == std::string::npos) fail(path, "npy header is malformed");
    return header.substr(v + 1, end - v - 1);
  }
  if (header[v] == '(') {
    end = header.find(')', v);
    if (end == std::string::npos) fail(path, "npy header is malformed");
    return header.substr(v + 1, end - v - 1);
  }
  end = header.find_first_of(",}", v);
  if (end == std::string::npos) fail(path, "npy header is malformed");
  std::string s = header.substr(v, end - v);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.pop_back();
  return s;
}

size_t descr_size(const std::string& d) {
  if (d == "<f4") return 4;
  if (d == "<f2" || d == "<u2" || d == "<i2") return 2;
  if (d == "|u1" || d == "|i1") return 1;
  if (d == "<i4" || d == "<u4") return 4;
  return 0;
}

}  // namespace

std::string npy_descr(DType t) {
  switch (t) {
    case DType::F32: return "<f4";
    case DType::F16: return "<f2";
    case DType::BF16: return "<u2";
    // numpy has no fp8 (ml_dtypes adds it): the raw bytes, as uint8, as bf16 is raw <u2.
    case DType::F8E4M3:
    case DType::F8E5M2: return "|u1";
    // The integers as numpy writes them. uint8 shares |u1 with fp8 and uint16 <u2 with bf16:
    // the tensor's declared dtype, not the file, says how the bytes are read.
    case DType::I8: return "|i1";
    case DType::U8: return "|u1";
    case DType::I16: return "<i2";
    case DType::U16: return "<u2";
    case DType::I32: return "<i4";
    case DType::U32: return "<u4";
  }
  return "";
}

NpyArray read_npy(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a .npy file");
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open the file");
  char magic[8];
  if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "not a .npy file (bad magic)");
  const int major = uint8_t(magic[6]);
  uint32_t header_len = 0;
  if (major == 1) {
    uint8_t b[2];
    if (!f.read(reinterpret_cast<char*>(b), 2)) fail(path, "truncated npy header");
    header_len = uint32_t(b[0]) | uint32_t(b[1]) << 8;
  } else if (major == 2 || major == 3) {
    uint8_t b[4];
    if (!f.read(reinterpret_cast<char*>(b), 4)) fail(path, "truncated npy header");
    header_len = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  } else {
    fail(path, "unsupported npy version " + std::to_string(major));
  }
  if (header_len > (1u << 20)) fail(path, "npy header too long");
  std::string header(header_len, '\0');
  if (!f.read(header.data(), header_len)) fail(path, "truncated npy header");

  NpyArray a;
  a.descr = dict_value(header, "descr", path);
  const size_t esize = descr_size(a.descr);
  if (esize == 0) fail(path, "unsupported dtype '" + printable(a.descr) + "' (supported: <f4, <f2, <u2 for bfloat16 or uint16, |u1 for float8 or uint8, |i1, <i2, <i4, <u4)");
  if (dict_value(header, "fortran_order", path) != "False") fail(path, "Fortran-order arrays are not supported");
  const std::string dims = dict_value(header, "shape", path);
  std::stringstream shape(dims);
  std::string item;
  size_t count = 1;
  while (std::getline(shape, item, ',')) {
    const size_t b = item.find_first_not_of(" \t\n");
    if (b == std::string::npos) continue;
    const size_t e = item.find_last_not_of(" \t\nL");  // "5L" from Python 2 writers
    if (e == std::string::npos || e < b) fail(path, "bad shape '(" + printable(dims) + ")' in npy header");
    unsigned long long d = 0;
    for (size_t i = b; i <= e; ++i) {
      if (item[i] < '0' || item[i] > '9' || d > (1ull << 40)) fail(path, "bad shape '(" + printable(dims) + ")' in npy header");
      d = d * 10 + unsigned(item[i] - '0');
    }
    a.shape.push_back(size_t(d));
    if (d > 0 && count > (size_t(1) << 40) / d) fail(path, "npy array too large");
    count *= size_t(d);
  }
  // The data must be exactly what the header declares: compared before any memory is taken
  // for it, so that a short file declaring gigabytes costs nothing.
  const uint64_t declared = uint64_t(count) * esize;
  const uint64_t start = uint64_t(f.tellg());
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot tell the file's size");
  if (size < start + declared)
    fail(path, "truncated npy data (the header declares " + std::to_string(declared) + " bytes, the file holds " +
                   std::to_string(size - start) + ")");
  if (size > start + declared)
    fail(path, "npy file has " + std::to_string(size - start - declared) + " bytes after the " +
                   std::to_string(declared) + " its header declares");
  a.data.resize(count * esize);
  if (!a.data.empty() && !f.read(reinterpret_cast<char*>(a.data.data()), std::streamsize(a.data.size())))
    fail(path, "truncated npy data (expected " + std::to_string(a.data.size()) + " bytes)");
  return a;
}

void write_npy(const std::string& path, const std::vector<size_t>& shape, const std::string& descr,
               const void* data, size_t bytes) {
  const size_t esize = descr_size(descr);
  if (esize != 0) {
    size_t count = 1;
    for (size_t d : shape) count *= d;
    if (count * esize != bytes)
      throw std::runtime_error(path + ": npy data is " + std::to_string(bytes) + " bytes but the shape needs " +
                               std::to_string(count * esize));
  }
  std::string dims;
  for (size_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.erase(dims.size() - 2);
  else if (shape.size() == 1) dims.pop_back();  // "(5,)"
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so the data starts at a multiple of 64 bytes; the header ends in '\n'.
  // Version 1.0 has a 2-byte header length; a longer header needs version 2.0 (4 bytes).
  const bool v2 = 10 + header.size() + 64 > 0xffff;
  const size_t preamble_size = v2 ? 12 : 10;
  const size_t unpadded = preamble_size + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string preamble("\x93NUMPY", 6);
  preamble.push_back(char(v2 ? 2 : 1));
  preamble.push_back(char(0));
  const size_t len = header.size();
  for (size_t i = 0; i < preamble_size - 8; ++i) preamble.push_back(char((len >> (8 * i)) & 0xff));
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(path + ": cannot open the file for writing");
  f.write(preamble.data(), std::streamsize(preamble.size()));
  f.write(header.data(), std::streamsize(header.size()));
  if (bytes) f.write(static_cast<const char*>(data), std::streamsize(bytes));
  f.close();
  if (!f) throw std::runtime_error(path + ": writing the file failed");
}

}  // namespace trn2::isa

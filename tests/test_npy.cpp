// The .npy reader and writer: round trips, header layout, tolerant header parsing, and errors.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_helpers.h"
#include "isa/dtype.h"
#include "isa/npy.h"

namespace trn2::test {
namespace {

using namespace trn2::isa;

void spit(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(content.data(), std::streamsize(content.size()));
}

// A version 1.0 file from a header dict written by hand, padded the way NumPy pads it.
std::string npy_file(const std::string& dict, const std::string& payload) {
  std::string h = dict;
  h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
  h.push_back('\n');
  return std::string("\x93NUMPY\x01\x00", 8) + char(h.size() & 0xff) + char(h.size() >> 8) + h + payload;
}

std::string error_of(const std::string& path) {
  try {
    read_npy(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

void expect_error(const std::string& name, const std::string& content, const std::string& words) {
  const std::string path = temp_path(name);
  spit(path, content);
  const std::string msg = error_of(path);
  ASSERT_FALSE(msg.empty()) << name << " was accepted";
  EXPECT_NE(msg.find(path), std::string::npos) << "message does not name the file: " << msg;
  EXPECT_NE(msg.find(words), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
}

TEST(NpyFile, DescrPerDType) {
  EXPECT_EQ(npy_descr(DType::F32), "<f4");
  EXPECT_EQ(npy_descr(DType::F16), "<f2");
  EXPECT_EQ(npy_descr(DType::BF16), "<u2");
  // numpy has no fp8: raw bytes, as bf16 is raw <u2.
  EXPECT_EQ(npy_descr(DType::F8E4M3), "|u1");
  EXPECT_EQ(npy_descr(DType::F8E5M2), "|u1");
}

TEST(NpyFile, WriteThenReadBack) {
  const std::vector<std::vector<size_t>> shapes = {{7}, {1}, {3, 4, 5}, {2, 1, 3, 4}, {}, {0}, {2, 0, 3}};
  int k = 0;
  for (const char* descr : {"<f4", "<f2", "<u2", "|u1"}) {
    const size_t esize = size_t(descr[2] - '0');
    for (const auto& shape : shapes) {
      size_t n = 1;
      for (size_t d : shape) n *= d;
      std::vector<uint8_t> bytes(n * esize);
      for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 31 + 7 + k);
      const std::string path = temp_path("rt" + std::to_string(k++) + ".npy");
      write_npy(path, shape, descr, bytes.data(), bytes.size());

      const std::string raw = slurp(path);
      ASSERT_GE(raw.size(), 10u + bytes.size());
      EXPECT_EQ(raw.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
      const size_t header_len = uint8_t(raw[8]) | size_t(uint8_t(raw[9])) << 8;
      EXPECT_EQ((10 + header_len) % 64, 0u) << "data does not start on a 64-byte boundary";
      EXPECT_EQ(raw.size(), 10 + header_len + bytes.size());
      EXPECT_EQ(raw[10 + header_len - 1], '\n');
      EXPECT_EQ(raw.substr(10, 1), "{");

      const NpyArray a = read_npy(path);
      EXPECT_EQ(a.shape, shape) << path;
      EXPECT_EQ(a.descr, descr);
      EXPECT_EQ(a.data, bytes);
    }
  }
}

TEST(NpyFile, HeaderTextMatchesNumPyStyle) {
  const float v[3] = {1.0f, -2.0f, 0.5f};
  write_npy(temp_path("style1.npy"), {3}, "<f4", v, sizeof v);
  EXPECT_NE(slurp(temp_path("style1.npy")).find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"),
            std::string::npos);
  write_npy(temp_path("style2.npy"), {1, 3}, "<f4", v, sizeof v);
  EXPECT_NE(slurp(temp_path("style2.npy")).find("'shape': (1, 3)"), std::string::npos);
  const NpyArray a = read_npy(temp_path("style1.npy"));
  float back[3];
  ASSERT_EQ(a.data.size(), sizeof back);
  std::memcpy(back, a.data.data(), sizeof back);
  EXPECT_EQ(back[1], -2.0f);
}

TEST(NpyFile, ReadsVariousHeaderSpellings) {
  const std::string four(4 * 6, '\x01');
  struct Case { const char* dict; std::vector<size_t> shape; size_t payload; };
  const Case cases[] = {
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", {2, 3}, 24},
      {"{'descr':'<f4','fortran_order':False,'shape':(2,3)}", {2, 3}, 24},
      {"{ 'shape' : ( 6 , ) , 'fortran_order' : False , 'descr' : '<f4' , }", {6}, 24},
      {"{\"descr\": \"<f2\", \"fortran_order\": False, \"shape\": (3,)}", {3}, 6},
      {"{'descr': '<u2', 'fortran_order': False, 'shape': (), }", {}, 2},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", {5}, 5},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3, 1,), }", {1, 2, 3, 1}, 24},
  };
  int k = 0;
  for (const Case& c : cases) {
    const std::string path = temp_path("spell" + std::to_string(k++) + ".npy");
    spit(path, npy_file(c.dict, four.substr(0, c.payload)));
    const NpyArray a = read_npy(path);
    EXPECT_EQ(a.shape, c.shape) << c.dict;
    EXPECT_EQ(a.data.size(), c.payload) << c.dict;
  }
}

TEST(NpyFile, ReadsVersion2) {
  std::string h = "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }";
  h.append((64 - (12 + h.size() + 1) % 64) % 64, ' ');
  h.push_back('\n');
  std::string file("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) file.push_back(char((h.size() >> (8 * i)) & 0xff));
  file += h + std::string("\x00\x3c\x00\xc0", 4);
  spit(temp_path("v2.npy"), file);
  const NpyArray a = read_npy(temp_path("v2.npy"));
  ASSERT_EQ(a.shape, std::vector<size_t>{2});
  EXPECT_EQ(load_element(a.data.data(), DType::F16), 1.0f);
  EXPECT_EQ(load_element(a.data.data() + 2, DType::F16), -2.0f);
}

TEST(NpyFile, ReadErrors) {
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  {
    const std::string missing = temp_path("does_not_exist.npy");
    const std::string msg = error_of(missing);
    EXPECT_NE(msg.find(missing), std::string::npos) << msg;
    EXPECT_NE(msg.find("cannot open"), std::string::npos) << msg;
  }
  expect_error("magic.npy", "PK\x03\x04 this is a zip file, not npy", "bad magic");
  expect_error("empty.npy", "", "bad magic");
  expect_error("fortran.npy",
               npy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", std::string(16, '\0')),
               "Fortran");
  expect_error("f8.npy", npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", std::string(16, '\0')),
               "unsupported dtype");
  expect_error("i8.npy", npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", std::string(16, '\0')),
               "unsupported dtype '<i8' (supported: <f4, <f2, <u2 for bfloat16 or uint16, |u1 for float8 or uint8, |i1, <i2, <i4, <u4)");
  expect_error("bigendian_i4.npy",
               npy_file("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", std::string(8, '\0')),
               "unsupported dtype");
  expect_error("bigendian.npy",
               npy_file("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", std::string(8, '\0')),
               "unsupported dtype");
  expect_error("short.npy", npy_file(ok_dict, std::string(7, '\0')), "truncated");
  expect_error("nodata.npy", npy_file(ok_dict, ""), "truncated");
  expect_error("shorthdr.npy", npy_file(ok_dict, "").substr(0, 30), "truncated");
  expect_error("badshape.npy",
               npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", std::string(8, '\0')),
               "shape");
  expect_error("noshape.npy", npy_file("{'descr': '<f4', 'fortran_order': False}", std::string(8, '\0')), "shape");
  // A good file reads fine, to show the helpers themselves are right.
  spit(temp_path("good.npy"), npy_file(ok_dict, std::string(8, '\0')));
  EXPECT_EQ(read_npy(temp_path("good.npy")).data.size(), 8u);
}

TEST(NpyFile, WriteErrors) {
  const float v[4] = {};
  EXPECT_THROW(write_npy(temp_dir() + "/no/such/dir/x.npy", {4}, "<f4", v, sizeof v), std::runtime_error);
  EXPECT_THROW(write_npy(temp_path("mismatch.npy"), {5}, "<f4", v, sizeof v), std::runtime_error);
}

}  // namespace
}  // namespace trn2::test

#pragma once
// Running the trn2sim binary from a test and writing the files it reads.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include <unistd.h>

namespace trn2::test {

struct Outcome {
  int status;
  std::string out;  // stdout and stderr
};

// Under AddressSanitizer (scripts/sanitize.sh), an exception thrown on a SystemC thread's
// own stack (an emitter unwinding when a run fails) makes ASan print a three-line warning
// that it cannot tell that stack's bounds: an artefact of the sanitizer, not the binary's
// output, which the tests check line by line.
inline void strip_asan_fiber_warning(std::string& out) {
  const std::string first = "WARNING: ASan is ignoring requested __asan_handle_no_return";
  const std::string last = "For details see https://github.com/google/sanitizers/issues/189\n";
  const size_t at = out.find(first);
  if (at == std::string::npos) return;
  const size_t begin = out.rfind('\n', at) == std::string::npos ? 0 : out.rfind('\n', at) + 1;
  const size_t end = out.find(last, at);
  if (end != std::string::npos) out.erase(begin, end + last.size() - begin);
}

inline Outcome run_binary(const std::string& args) {
  const std::string cmd = std::string(TRN2SIM_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  Outcome o{-1, ""};
  if (!pipe) return o;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) o.out.append(buf.data(), n);
  const int rc = pclose(pipe);
  o.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  strip_asan_fiber_warning(o.out);
  return o;
}

// A path in the test's temporary directory, unique to this process (CTest may run several
// cases of one suite at once).
inline std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/" + std::to_string(getpid()) + "_" + name;
}

inline std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

}  // namespace trn2::test

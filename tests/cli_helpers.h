#pragma once
// Running the trn2sim binary from a test, and the private directory where a test writes the
// files the binary reads and writes.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

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

// A file's whole content (empty if it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
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

// Where every file a test writes goes: one directory per process, since CTest runs each case
// in its own process, several at once. Removed when the process exits, whether its case passed
// or failed (not if it is killed or crashes): left in /tmp, the files of every run added up
// to thousands. Emptied when created too, so that a case never reads a stale file that a
// crashed earlier process with the same pid left, in place of one the binary failed to write.
class PrivateTempDir {
 public:
  PrivateTempDir()
      : owner_(getpid()),
        path_((std::filesystem::path(::testing::TempDir()) / ("trn2sim_test_" + std::to_string(owner_))).string()) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    std::filesystem::create_directories(path_);
  }
  // The error_code overload: a destructor run at exit must not throw. Only the process that
  // made the directory removes it, not a forked child that happens to exit normally.
  ~PrivateTempDir() {
    if (getpid() != owner_) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  PrivateTempDir(const PrivateTempDir&) = delete;
  PrivateTempDir& operator=(const PrivateTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  pid_t owner_;
  std::string path_;
};

// Created on first use; a function-local static, so that its destructor runs at exit, after
// the last case of the process.
inline const std::string& temp_dir() {
  static const PrivateTempDir dir;
  return dir.path();
}

// A path in this process's private directory (no pid in the name: the directory has it).
inline std::string temp_path(const std::string& name) { return temp_dir() + "/" + name; }

inline std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

}  // namespace trn2::test

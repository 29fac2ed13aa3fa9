// libFuzzer target: .npy bytes -> isa::read_npy. A bad file must end as the reader's
// std::runtime_error (which trn2sim turns into exit 2 naming the file); any other exception,
// a crash, a sanitizer report, a hang or an allocation beyond the file's own size is a finding
// (a header declaring gigabytes must be refused before anything is allocated for it).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "isa/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The reader takes a path: each input goes to this process's own file.
  static const std::string path = "/tmp/fuzz_npy_" + std::to_string(getpid()) + ".npy";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  try {
    const trn2::isa::NpyArray a = trn2::isa::read_npy(path);
    // What was read is what the header declared, and no more than the file held.
    if (a.data.size() > size) std::abort();
  } catch (const std::runtime_error&) {
  }
  return 0;
}

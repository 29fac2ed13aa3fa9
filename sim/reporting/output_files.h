#pragma once
// A run's output files, all or none: each is written to a temporary file beside it and
// renamed into place only when the whole run has succeeded, so that a failed run leaves no
// output behind and no output is ever half written. Paths that are not regular files
// (/dev/null, /dev/stdout, a pipe) are written directly: renaming over them would replace
// the device. Outputs must differ from each other and from every input.
#include <string>
#include <utility>
#include <vector>

namespace trn2::sim {

class OutputFiles {
 public:
  OutputFiles() = default;
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;
  ~OutputFiles();  // removes what was staged and not committed

  // Checks that no two outputs (flag, path) share a file and that none is one of `inputs`;
  // throws ConfigError naming the flag and the file.
  static void check_distinct(const std::vector<std::pair<std::string, std::string>>& outputs,
                             const std::vector<std::string>& inputs);
  // Where to write `path` (the output of `flag`) until commit(): a temporary file beside it,
  // or `path` itself; throws ConfigError naming the flag when it cannot be written.
  std::string stage(const std::string& flag, const std::string& path);
  // Renames every staged file into place; throws ConfigError naming the one that failed.
  void commit();

 private:
  std::vector<std::pair<std::string, std::string>> staged_;  // (temporary, final)
  bool committed_ = false;
};

}  // namespace trn2::sim

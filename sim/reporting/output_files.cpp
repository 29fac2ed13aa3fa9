#include "sim/reporting/output_files.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "sim/configuration/run_config.h"

namespace trn2::sim {

namespace fs = std::filesystem;

namespace {

// The file a path names, for comparisons: `a.json` and `./a.json` are one file.
std::string identity(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? path : p.string();
}

bool is_special(const std::string& path) {
  std::error_code ec;
  const fs::file_status s = fs::status(path, ec);
  return !ec && fs::exists(s) && !fs::is_regular_file(s);
}

}  // namespace

void OutputFiles::check_distinct(const std::vector<std::pair<std::string, std::string>>& outputs,
                                 const std::vector<std::string>& inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& [flag, path] = outputs[i];
    if (path.empty()) continue;
    const std::string id = identity(path);
    if (is_special(path)) continue;  // several outputs may go to /dev/null
    for (const std::string& in : inputs)
      if (!in.empty() && identity(in) == id)
        throw ConfigError(flag + ": " + path + " is also an input of this run; it would be overwritten");
    for (size_t j = 0; j < i; ++j)
      if (!outputs[j].second.empty() && identity(outputs[j].second) == id)
        throw ConfigError(flag + ": " + path + " is also the file of " + outputs[j].first + "; give each output its own file");
  }
}

std::string OutputFiles::stage(const std::string& flag, const std::string& path) {
  std::error_code ec;
  if (!path.empty() && fs::is_directory(path, ec)) throw ConfigError(flag + ": " + path + " is a directory, not an output file");
  if (path.empty() || is_special(path)) return path;
  const std::string temporary = path + ".trn2sim-partial-" + std::to_string(getpid());
  // Made now, so that an unwritable place is said before the run, naming the output.
  FILE* f = std::fopen(temporary.c_str(), "w");
  if (!f) throw ConfigError(flag + ": cannot write " + path);
  std::fclose(f);
  staged_.emplace_back(temporary, path);
  return temporary;
}

void OutputFiles::commit() {
  for (const auto& [temporary, path] : staged_) {
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) throw ConfigError("cannot write " + path + " (" + ec.message() + ")");
  }
  committed_ = true;
}

OutputFiles::~OutputFiles() {
  if (committed_) return;
  for (const auto& staged : staged_) std::remove(staged.first.c_str());
}

}  // namespace trn2::sim

// libFuzzer target: a command line (arguments separated by NUL bytes) -> parse_args ->
// apply_trace_options. Every command line must end as good options or one error line; an
// exception, a crash, a sanitizer report or a hang is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/configuration/command_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args = {"trn2sim"};
  std::string current;
  for (size_t i = 0; i < size && args.size() < 64; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(char(data[i]));
    }
  }
  if (!current.empty()) args.push_back(current);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  trn2::sim::Options o;
  bool done = false;
  const std::string error = trn2::sim::parse_args(int(args.size()), argv.data(), o, done);
  if (!error.empty()) {
    if (error.find('\n') != std::string::npos) std::abort();  // one line, whatever the arguments hold
    return 0;
  }
  if (done) return 0;
  if (o.file.empty()) std::abort();  // good options always name a file
  trn2::sim::TraceOptions t;
  const std::string trace_error = trn2::sim::apply_trace_options(o, t);
  if (trace_error.empty() && !o.trace_window.empty() && !(t.window_end_us > t.window_start_us)) std::abort();
  return 0;
}

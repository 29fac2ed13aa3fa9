#include "sim/configuration/command_line.h"

#include <cstdlib>
#include <iostream>

#include "isa/json_file.h"

namespace trn2::sim {

const char* const kUsage =
    "usage: trn2sim CONFIG.json [options] [--output-npy FILE]\n"
    "       trn2sim run-program PROGRAM.json [--input NAME=FILE.npy]... [--output NAME=FILE.npy]...\n"
    "               [--hardware HARDWARE.json] [options]\n"
    "       trn2sim --help | --version\n"
    "options: [--report FILE] [--report-html FILE] [--dump-program FILE] [--hazards fail|warn|off]\n"
    "         [--trace FILE [--trace-max-events N] [--trace-window START_US:END_US]]\n"
    "         [--log-level trace|debug|info|warn|error|off]\n"
    "Simulates the kernel of CONFIG.json, or the instruction program of PROGRAM.json (format:\n"
    "docs/program-format.md), on a TRN2 logical core (two NeuronCores sharing one HBM stack)\n"
    "and reports the time it took; a kernel's numbers are checked against its reference.\n"
    "Programs are checked for races and uninitialised reads first (--hazards).\n"
    "Exit status: 0 run completed (and numerics passed), 1 numerics failed, 2 bad input\n"
    "(including a program with hazards), 3 internal error.\n";

namespace {

// NAME=PATH of --input/--output.
bool split_binding(const std::string& s, std::pair<std::string, std::string>& out) {
  const size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) return false;
  out = {s.substr(0, eq), s.substr(eq + 1)};
  return true;
}

}  // namespace

std::string parse_args(int argc, char* argv[], Options& o, bool& done) {
  int i = 1;
  if (argc > 1 && std::string(argv[1]) == "run-program") {
    o.program_mode = true;
    i = 2;
  }
  // What the user typed is printed back escaped: an argument holding a newline cannot make
  // the one-line error two lines.
  using isa::printable;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    std::string* value_of = nullptr;
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      done = true;
      return "";
    } else if (a == "--version") {
      o.version = true;  // the binary prints it (with SystemC's release)
      done = true;
      return "";
    } else if (a == "--report") value_of = &o.report;
    else if (a == "--report-html") value_of = &o.report_html;
    else if (a == "--dump-program") value_of = &o.dump_program;
    else if (a == "--trace") value_of = &o.trace;
    else if (a == "--trace-max-events") value_of = &o.trace_max;
    else if (a == "--trace-window") value_of = &o.trace_window;
    else if (a == "--log-level") value_of = &o.log_level;
    else if (a == "--hazards") value_of = &o.hazards;
    else if (a == "--output-npy" && !o.program_mode) value_of = &o.output_npy;
    else if (a == "--hardware" && o.program_mode) value_of = &o.hardware;
    else if ((a == "--input" || a == "--output") && o.program_mode) {
      std::pair<std::string, std::string> b;
      if (!has_value || !split_binding(argv[i + 1], b)) return printable(a) + " needs NAME=FILE.npy";
      (a == "--input" ? o.inputs : o.outputs).push_back(b);
      ++i;
      continue;
    } else if (!a.empty() && a[0] == '-') {
      return "unknown option " + printable(a) + (o.program_mode ? " for run-program" : "") + " (see --help)";
    } else if (o.file.empty()) {
      o.file = a;
      continue;
    } else {
      return std::string("more than one ") + (o.program_mode ? "program" : "config") + " given: " + printable(o.file) +
             " and " + printable(a);
    }
    if (!has_value) return printable(a) + " needs a value";
    if (argv[i + 1][0] == '\0') return printable(a) + ": the value is empty (give one, or leave the flag out)";
    *value_of = argv[++i];
  }
  if (o.file.empty()) return o.program_mode ? "run-program: no program given (see --help)" : "no config given (see --help)";
  return "";
}

std::string apply_trace_options(const Options& o, TraceOptions& t) {
  if (!o.trace.empty()) t.path = o.trace;
  t.utilisation = !o.report_html.empty();  // the HTML report draws it
  if (!o.trace_max.empty()) {
    char* end = nullptr;
    const long long n = std::strtoll(o.trace_max.c_str(), &end, 10);
    if (*end != '\0' || n < 0) return "--trace-max-events: expected a non-negative integer, got " + isa::printable(o.trace_max);
    t.max_events = n;
  }
  if (!o.trace_window.empty()) {
    char* end = nullptr;
    const double a = std::strtod(o.trace_window.c_str(), &end);
    const double b = *end == ':' ? std::strtod(end + 1, &end) : -1;
    if (*end != '\0' || !(a >= 0) || !(b > a))
      return "--trace-window: expected START_US:END_US with START < END, got " + isa::printable(o.trace_window);
    t.window_start_us = a;
    t.window_end_us = b;
  }
  return "";
}


}  // namespace trn2::sim

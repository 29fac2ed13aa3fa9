// trn2sim: simulate a kernel config on the TRN2 logical-core model. Thin by design: parse
// the arguments, load the config, run, report.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <systemc>

#include "isa/npy.h"
#include "isa/program_json.h"
#include "sim/html_report.h"
#include "sim/kernel_run.h"

// SystemC prints its banner from main() unless this is set; set it before main() runs so that
// stdout holds only what trn2sim says.
static const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);

namespace {

constexpr const char* kUsage =
    "usage: trn2sim CONFIG.json [--report FILE] [--report-html FILE] [--output-npy FILE] [--dump-program FILE]\n"
    "               [--trace FILE [--trace-max-events N] [--trace-window START_US:END_US]]\n"
    "               [--log-level trace|debug|info|warn|error|off]\n"
    "       trn2sim --help | --version\n"
    "Simulates the kernel of CONFIG.json on a TRN2 logical core (two NeuronCores sharing one\n"
    "HBM stack), checks its numbers against the reference and reports the time it took.\n"
    "Exit status: 0 run completed and numerics passed, 1 numerics failed, 2 bad input,\n"
    "3 internal error.\n";

int bad_input(const std::string& message) {
  std::cerr << "trn2sim: error: " << message << "\n";
  return 2;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f || !(f << text)) throw trn2::sim::ConfigError("cannot write " + path);
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  std::string config, report, report_html, output_npy, dump_program, trace, trace_max, trace_window, log_level = "warn";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--version") {
      std::cout << "trn2sim " << TRN2SIM_VERSION << " (SystemC " << sc_core::sc_release() << ")\n";
      return 0;
    } else if (a == "--report") {
      if (!value(report)) return bad_input("--report needs a file name");
    } else if (a == "--report-html") {
      if (!value(report_html)) return bad_input("--report-html needs a file name");
    } else if (a == "--output-npy") {
      if (!value(output_npy)) return bad_input("--output-npy needs a file name");
    } else if (a == "--dump-program") {
      if (!value(dump_program)) return bad_input("--dump-program needs a file name");
    } else if (a == "--trace") {
      if (!value(trace)) return bad_input("--trace needs a file name");
    } else if (a == "--trace-max-events") {
      if (!value(trace_max)) return bad_input("--trace-max-events needs a number");
    } else if (a == "--trace-window") {
      if (!value(trace_window)) return bad_input("--trace-window needs START_US:END_US");
    } else if (a == "--log-level") {
      if (!value(log_level)) return bad_input("--log-level needs a level");
    } else if (!a.empty() && a[0] == '-') {
      return bad_input("unknown option " + a + " (see --help)");
    } else if (config.empty()) {
      config = a;
    } else {
      return bad_input("more than one config given: " + config + " and " + a);
    }
  }
  if (config.empty()) return bad_input("no config given (see --help)");

  auto logger = spdlog::stderr_color_mt("trn2sim");
  spdlog::set_default_logger(logger);
  const auto level = spdlog::level::from_str(log_level);
  if (level == spdlog::level::off && log_level != "off") return bad_input("unknown --log-level " + log_level);
  spdlog::set_level(level);

  try {
    trn2::sim::RunConfig rc = trn2::sim::load_run_config(config);
    if (!report.empty()) rc.report_json = report;
    if (!output_npy.empty()) rc.output_npy = output_npy;
    if (!trace.empty()) rc.trace.path = trace;
    if (!trace_max.empty()) {
      char* end = nullptr;
      const long long n = std::strtoll(trace_max.c_str(), &end, 10);
      if (*end != '\0' || n < 0) return bad_input("--trace-max-events: expected a non-negative integer, got " + trace_max);
      rc.trace.max_events = n;
    }
    if (!trace_window.empty()) {
      char* end = nullptr;
      const double a = std::strtod(trace_window.c_str(), &end);
      const double b = *end == ':' ? std::strtod(end + 1, &end) : -1;
      if (*end != '\0' || !(a >= 0) || !(b > a)) return bad_input("--trace-window: expected START_US:END_US with START < END, got " + trace_window);
      rc.trace.window_start_us = a;
      rc.trace.window_end_us = b;
    }
    spdlog::info("running {} from {}", rc.kernel_name, config);
    const trn2::sim::KernelRun run = trn2::sim::run_kernel(rc);
    std::cout << trn2::sim::summary_text(rc, run);
    const nlohmann::json report = trn2::sim::make_report(rc, run);
    if (!rc.report_json.empty()) write_text(rc.report_json, report.dump(2) + "\n");
    if (!report_html.empty()) write_text(report_html, trn2::sim::html_report(report, run.sim));
    if (!dump_program.empty()) write_text(dump_program, trn2::isa::to_json(run.program).dump() + "\n");
    if (!rc.output_npy.empty()) {
      const auto& t = *run.program.find_tensor("output");
      const auto& bytes = run.sim.tensors.at("output");
      std::vector<size_t> shape(t.shape.begin(), t.shape.end());
      trn2::isa::write_npy(rc.output_npy, shape, trn2::isa::npy_descr(t.dtype), bytes.data(), bytes.size());
    }
    if (!run.numerics.pass) {
      std::cerr << "trn2sim: error: numerics check failed: " << run.numerics.mismatches
                << " elements outside atol " << rc.atol << " + rtol " << rc.rtol << " x |reference|\n";
      return 1;
    }
    return 0;
  } catch (const trn2::sim::ConfigError& e) {
    return bad_input(e.what());
  } catch (const trn2::isa::ValidationError& e) {
    return bad_input(e.what());
  } catch (const std::exception& e) {
    std::cerr << "trn2sim: internal error: " << e.what() << "\n";
    return 3;
  }
}

// trn2sim: simulate a kernel config on the TRN2 logical-core model. Thin by design: parse
// the arguments, load the config, run, report.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <systemc>

#include "isa/json_file.h"
#include "isa/program_json.h"
#include "sim/reporting/html_report.h"
#include "sim/configuration/command_line.h"
#include "sim/simulation/kernel_run.h"
#include "sim/reporting/output_files.h"
#include "sim/simulation/program_run.h"
#include "sim/simulation/tensor_npy.h"

// SystemC prints its banner from main() unless this is set; set it before main() runs so that
// stdout holds only what trn2sim says.
static const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);

namespace {

// One line, whatever the message quotes back from the user (a file name with a newline).
int bad_input(const std::string& message) {
  std::cerr << "trn2sim: error: " << trn2::isa::one_line(message) << "\n";
  return 2;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();  // its flush fails on a full disk too
  if (!f) throw trn2::sim::ConfigError("cannot write " + path);
}

trn2::sim::HardwareConfig load_hardware(const std::string& path) {
  trn2::sim::HardwareConfig hw;
  if (path.empty()) return hw;
  const nlohmann::json j = trn2::sim::read_config_json(path, "hardware file");
  try {
    hw.apply(j);
  } catch (const std::invalid_argument& e) {
    throw trn2::sim::ConfigError(path + ": " + e.what());
  }
  return hw;
}

// Where a run's outputs are written until the run has succeeded (OutputFiles::stage).
struct Staged {
  std::string report, report_html, dump_program;
};

// Checks the run's outputs against each other and its inputs, and stages them.
Staged stage_outputs(trn2::sim::OutputFiles& files, const trn2::sim::Options& o, const std::string& report_path,
                     std::vector<std::pair<std::string, std::string>> others, const std::vector<std::string>& inputs) {
  others.insert(others.begin(), {{"--report", report_path}, {"--report-html", o.report_html}, {"--dump-program", o.dump_program}});
  trn2::sim::OutputFiles::check_distinct(others, inputs);
  return {files.stage("--report", report_path), files.stage("--report-html", o.report_html),
          files.stage("--dump-program", o.dump_program)};
}

// The report, the HTML page and the program dump, as asked, to their staged files.
void write_outputs(const Staged& to, const nlohmann::json& report, const trn2::sim::SimResult& sim,
                   const trn2::isa::Program& program) {
  if (!to.report.empty()) write_text(to.report, report.dump(2) + "\n");
  if (!to.report_html.empty()) write_text(to.report_html, trn2::sim::html_report(report, sim));
  if (!to.dump_program.empty()) write_text(to.dump_program, trn2::isa::to_json(program).dump() + "\n");
}

int run_program(const trn2::sim::Options& o, std::optional<trn2::sim::HazardMode> hazards) {
  trn2::sim::ProgramRunOptions po;
  po.program_path = o.file;
  po.inputs = o.inputs;
  po.outputs = o.outputs;
  po.hw = load_hardware(o.hardware);
  po.hazards = hazards.value_or(trn2::sim::HazardMode::Fail);
  if (const std::string e = trn2::sim::apply_trace_options(o, po.trace); !e.empty()) return bad_input(e);
  std::vector<std::pair<std::string, std::string>> others = {{"--trace", po.trace.path}};
  std::vector<std::string> inputs = {o.file, o.hardware};
  for (const auto& [name, path] : o.outputs) others.push_back({"--output " + name, path});
  for (const auto& [name, path] : o.inputs) inputs.push_back(path);
  trn2::sim::OutputFiles files;
  const Staged to = stage_outputs(files, o, o.report, others, inputs);
  po.trace.path = files.stage("--trace", po.trace.path);
  for (auto& [name, path] : po.outputs) path = files.stage("--output " + name, path);
  spdlog::info("running program {}", o.file);
  const trn2::sim::ProgramRun run = trn2::sim::run_program(po);
  write_outputs(to, trn2::sim::program_report(po, run), run.sim, run.program);
  files.commit();
  // Last: a run whose outputs could not be written says only that.
  std::cout << trn2::sim::program_summary(run, po.hw);
  return 0;
}

int run_kernel(const trn2::sim::Options& o, std::optional<trn2::sim::HazardMode> hazards) {
  trn2::sim::RunConfig rc = trn2::sim::load_run_config(o.file);
  if (!o.report.empty()) rc.report_json = o.report;
  if (!o.output_npy.empty()) rc.output_npy = o.output_npy;
  if (hazards) rc.hazards = *hazards;
  if (const std::string e = trn2::sim::apply_trace_options(o, rc.trace); !e.empty()) return bad_input(e);
  trn2::sim::OutputFiles files;
  const Staged to = stage_outputs(files, o, rc.report_json, {{"--trace", rc.trace.path}, {"--output-npy", rc.output_npy}},
                                  {o.file, rc.input_npy, rc.filter_npy});
  rc.trace.path = files.stage("--trace", rc.trace.path);
  const std::string output_npy = files.stage("--output-npy", rc.output_npy);
  spdlog::info("running {} from {}", rc.kernel_name, o.file);
  const trn2::sim::KernelRun run = trn2::sim::run_kernel(rc);
  // A streamed run holds only the program's header: a dump makes the whole program again.
  const bool streamed = rc.window > 0;
  const trn2::isa::Program whole = streamed && !o.dump_program.empty()
                                       ? trn2::kernels::build_depthwise_conv1d(rc.kernel, rc.hw.limits)
                                       : trn2::isa::Program{};
  write_outputs(to, trn2::sim::make_report(rc, run), run.sim, streamed ? whole : run.program);
  if (!output_npy.empty())
    trn2::sim::write_tensor_npy(output_npy, *run.program.find_tensor("output"), run.sim.tensors.at("output"),
                                "--output-npy");
  files.commit();  // a run whose numbers failed the check still completed: its outputs stand
  // Last: a run whose outputs could not be written says only that.
  std::cout << trn2::sim::summary_text(rc, run);
  if (!run.numerics.pass) {
    std::cerr << "trn2sim: error: numerics check failed: " << run.numerics.mismatches << " elements outside atol "
              << rc.atol << " + rtol " << rc.rtol << " x |reference|\n";
    return 1;
  }
  return 0;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  // A closed standard output (trn2sim ... | head -0) is an error to report, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  trn2::sim::Options o;
  bool done = false;
  if (const std::string e = trn2::sim::parse_args(argc, argv, o, done); !e.empty()) return bad_input(e);
  if (o.version) std::cout << "trn2sim " << TRN2SIM_VERSION << " (SystemC " << sc_core::sc_release() << ")\n";
  if (done) return 0;

  auto logger = spdlog::stderr_color_mt("trn2sim");
  spdlog::set_default_logger(logger);
  const auto level = spdlog::level::from_str(o.log_level);
  if (level == spdlog::level::off && o.log_level != "off") return bad_input("unknown --log-level " + o.log_level);
  spdlog::set_level(level);
  std::optional<trn2::sim::HazardMode> hazards;  // unset: the config's (or fail)
  if (!o.hazards.empty()) {
    trn2::sim::HazardMode mode;
    if (!trn2::sim::parse_hazard_mode(o.hazards, mode)) return bad_input("--hazards: expected fail, warn or off, got " + o.hazards);
    hazards = mode;
  }

  try {
    const int status = o.program_mode ? run_program(o, hazards) : run_kernel(o, hazards);
    if (!std::cout.flush()) return bad_input("cannot write the summary to standard output");
    return status;
  } catch (const trn2::sim::ConfigError& e) {
    return bad_input(e.what());
  } catch (const trn2::isa::ValidationError& e) {
    return bad_input(e.what());
  } catch (const trn2::sim::TraceFileError& e) {
    return bad_input(e.what());
  } catch (const trn2::sim::SimulatedTimeLimit& e) {
    return bad_input(e.what());
  } catch (const trn2::sim::WindowTooSmall& e) {
    return bad_input(e.what());
  } catch (const std::exception& e) {
    std::cerr << "trn2sim: internal error: " << trn2::isa::one_line(e.what()) << "\n";
    return 3;
  }
}

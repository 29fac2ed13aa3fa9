#include "sim/simulation/program_run.h"

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include "isa/program_json.h"
#include "sim/simulation/host_memory.h"
#include "isa/validate.h"
#include "kernels/infer_dependencies.h"
#include "sim/reporting/report.h"
#include "sim/configuration/run_config.h"
#include "sim/simulation/tensor_npy.h"

namespace trn2::sim {

namespace {

const isa::HbmTensor& tensor_named(const isa::Program& p, const std::string& name, const std::string& flag) {
  const isa::HbmTensor* t = p.find_tensor(name);
  if (!t) {
    std::string names;
    for (const auto& x : p.tensors) names += (names.empty() ? "" : ", ") + x.name;
    throw ConfigError(flag + " " + name + ": the program has no tensor '" + name + "' (it has: " + names + ")");
  }
  return *t;
}

}  // namespace

isa::Program load_program(const std::string& path) {
  const nlohmann::json j = read_config_json(path, "program file");
  try {
    return isa::program_from_json(j);
  } catch (const isa::ValidationError& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

ProgramRun run_program(const ProgramRunOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  ProgramRun run;
  run.program = load_program(o.program_path);
  isa::validate(run.program, o.hw.limits);
  // Inferred deps always point backwards, so validation's check of them holds; the race
  // check then sees the deps that will run.
  if (run.program.infer_deps) kernels::infer_dependencies(run.program, o.hw.limits);
  gate_hazards(run.program, o.hw.limits, o.hazards, true);
  check_host_memory(model_bytes(run.program, o.hw), "the model's HBM, SBUF and PSUM");
  std::map<std::string, std::vector<uint8_t>> inputs;
  for (const auto& [name, path] : o.inputs) {
    const isa::HbmTensor& t = tensor_named(run.program, name, "--input");
    if (inputs.count(name)) throw ConfigError("--input " + name + ": given twice");
    inputs[name] = read_tensor_npy(path, t, "--input " + name, "tensor '" + name + "' is");
  }
  for (const auto& out : o.outputs)  // fail before running
    if (tensor_named(run.program, out.first, "--output").read_only)
      throw ConfigError("--output " + out.first + ": tensor '" + out.first +
                        "' is read_only: the program never writes it");
  run.sim = simulate(run.program, o.hw, std::move(inputs), o.trace);
  for (const auto& [name, path] : o.outputs) {
    write_tensor_npy(path, tensor_named(run.program, name, "--output"), run.sim.tensors.at(name), "--output " + name);
  }
  run.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run;
}

nlohmann::json program_report(const ProgramRunOptions& o, const ProgramRun& run) {
  nlohmann::json r = timing_report(run.sim, o.hw, program_pe_macs(run.program, o.hw), run.host_seconds);
  r["kernel"] = run.program.kernel;
  r["program"] = o.program_path;
  return r;
}

std::string program_summary(const ProgramRun& run, const HardwareConfig& hw) {
  const SimResult& s = run.sim;
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(3);
  o << "program " << run.program.kernel << "  " << run.program.cores.size() << " core(s)  " << s.instructions
    << " instructions\n";
  o << "total time      " << s.total_ns / 1e3 << " us  (" << std::llround(s.total_ns * hw.profiler_clock_ghz)
    << " cycles at " << hw.profiler_clock_ghz << " GHz)\n";
  for (size_t c = 0; c < s.cores.size(); ++c) {
    o << "core " << c << "         ";
    for (int e = 0; e < isa::kNumComputeEngines; ++e) {
      const EngineStats& es = s.cores[c].engines[e];
      o << isa::engine_name(isa::Engine(e)) << " " << es.instructions << " instr   ";
    }
    o << "dma " << s.cores[c].dma.transfers << " transfers " << s.cores[c].dma.bytes << " B\n";
  }
  o << "hbm             read " << s.hbm_read_bytes << " B  write " << s.hbm_write_bytes << " B\n";
  o << "simulator       " << s.instructions << " instructions in " << run.host_seconds << " s (model "
    << s.host_seconds << " s)\n";
  return o.str();
}

}  // namespace trn2::sim

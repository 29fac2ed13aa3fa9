// trn2sim_datapath_floor: how fast the numbers alone can go. Builds a kernel config's whole
// program, makes its seeded inputs in a bare HBM, SBUF and PSUM, and runs only the datapath
// (sim::execute, what every engine and DMA queue calls to compute an instruction's numbers)
// over each core's stream in stream order: no SystemC scheduling, no timing, no scoreboard,
// no builder, validation or race check while the clock runs. Its time per instruction is
// a floor under the whole model's, "numerics included" (issue 5): the model cannot run
// faster than this, and what is left of the budget after it is all that timing may cost.
//
//   trn2sim_datapath_floor CONFIG.json... [--repeat N] [--json FILE]
//
// --repeat: timed passes per config (default 5; the best counts). --json: also writes the
// rows to FILE ([{"config", "instructions", "seconds", "numerics_pass"}], for trn2sim_bench).
//
// Prints a Markdown table, a row per config: instructions, the best pass's host seconds, ns
// per instruction, the rate that makes and whether the numbers match the kernel's reference
// (exit status 1 if not); then per config each opcode's share and ns per instruction (from a
// second, instrumented pass: two clock reads per instruction, whose own cost is measured and
// subtracted).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>

#include "isa/instruction.h"
#include "kernels/depthwise_conv1d.h"
#include "sim/hardware/datapath.h"
#include "sim/hardware/hbm.h"
#include "sim/simulation/kernel_run.h"
#include "sim/hardware/psum.h"
#include "sim/configuration/run_config.h"
#include "sim/hardware/sbuf.h"

namespace {

// SystemC prints its banner from main() unless this is set before main() runs.
const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct CoreState {
  std::unique_ptr<trn2::sim::Sbuf> sbuf;
  std::unique_ptr<trn2::sim::Psum> psum;
  trn2::sim::CoreMemory memory;
};

// One pass over every core's stream, in stream order (a topological order of the
// dependencies, so each instruction sees the numbers it would on the model).
double run_pass(const trn2::isa::Program& program, const std::vector<CoreState>& cores) {
  const auto t0 = Clock::now();
  for (size_t c = 0; c < program.cores.size(); ++c)
    for (const trn2::isa::Instruction& in : program.cores[c]) trn2::sim::execute(in, cores[c].memory);
  return seconds_since(t0);
}

// The same pass, each instruction timed on its own: seconds per opcode.
std::vector<double> run_timed_pass(const trn2::isa::Program& program, const std::vector<CoreState>& cores,
                                   double& clock_pair_s) {
  std::vector<double> by_opcode(trn2::isa::kNumOpcodes, 0.0);
  size_t n = 0;
  for (size_t c = 0; c < program.cores.size(); ++c)
    for (const trn2::isa::Instruction& in : program.cores[c]) {
      const auto t0 = Clock::now();
      trn2::sim::execute(in, cores[c].memory);
      by_opcode[size_t(in.op)] += seconds_since(t0);
      ++n;
    }
  // What two clock reads cost with nothing between them, to subtract per instruction.
  const auto t0 = Clock::now();
  double sink = 0;
  for (size_t k = 0; k < n; ++k) {
    const auto t = Clock::now();
    sink += seconds_since(t);
  }
  clock_pair_s = seconds_since(t0) / double(std::max<size_t>(n, 1));
  if (sink < 0) std::puts("");  // keeps the loop from being optimised away
  return by_opcode;
}

struct Floor {
  std::string config;
  size_t instructions = 0;
  double best_s = 0;
  std::vector<size_t> count;   // per opcode
  std::vector<double> net_s;   // per opcode, the instrumented pass less its clock reads
  trn2::sim::Numerics numerics;
};

Floor measure(const std::string& config, int repeat) {
  using namespace trn2;
  const sim::RunConfig rc = sim::load_run_config(config);
  const isa::Program program = kernels::build_depthwise_conv1d(rc.kernel, rc.hw.limits);
  // Modules of one measurement: each config elaborates its own, named apart.
  static int serial = 0;
  const std::string tag = "m" + std::to_string(serial++) + "_";
  sim::Hbm hbm((tag + "hbm").c_str(), size_t(program.hbm_bytes), rc.hw.hbm_bandwidth_gbps);
  // Seeded inputs, as the model makes them (a config's .npy inputs are not read: the values
  // change no instruction's path through the datapath, but zeros would not be the same run).
  const isa::DType dt = rc.kernel.dtype;
  const isa::HbmTensor& input = *program.find_tensor("input");
  const isa::HbmTensor& filter = *program.find_tensor("filter");
  sim::seeded_kernel_inputs(rc.kernel, rc.seed, hbm.data() + input.base, hbm.data() + filter.base);
  std::vector<CoreState> cores(program.cores.size());
  const isa::Limits& l = rc.hw.limits;
  for (size_t c = 0; c < cores.size(); ++c) {
    const std::string core = tag + "core" + std::to_string(c);
    cores[c].sbuf = std::make_unique<sim::Sbuf>((core + "_sbuf").c_str(), l.partitions, size_t(l.sbuf_partition_bytes));
    cores[c].psum = std::make_unique<sim::Psum>((core + "_psum").c_str(), l.partitions, size_t(l.psum_partition_bytes),
                                                size_t(l.psum_bank_bytes));
    cores[c].memory = {&hbm, cores[c].sbuf.get(), cores[c].psum.get()};
  }
  Floor f;
  f.config = config;
  f.instructions = program.instruction_count();
  run_pass(program, cores);  // warm: the first touch of SBUF's and PSUM's pages
  f.best_s = 1e300;
  for (int r = 0; r < repeat; ++r) f.best_s = std::min(f.best_s, run_pass(program, cores));
  double clock_pair_s = 0;
  const std::vector<double> by_opcode = run_timed_pass(program, cores, clock_pair_s);
  // The numbers the passes computed, against the kernel's reference: a floor that skipped
  // work would not be one.
  const isa::HbmTensor& output = *program.find_tensor("output");
  std::vector<float> out(size_t(output.bytes()) / isa::dtype_size(dt));
  isa::load_elements(hbm.data() + output.base, int64_t(isa::dtype_size(dt)), dt, int64_t(out.size()), out.data());
  f.numerics = sim::compare_output(out, sim::reference_output(rc.kernel, hbm.data() + input.base,
                                                              hbm.data() + filter.base),
                                   rc.atol, rc.rtol);
  f.count.assign(isa::kNumOpcodes, 0);
  for (const auto& stream : program.cores)
    for (const isa::Instruction& in : stream) ++f.count[size_t(in.op)];
  f.net_s.assign(isa::kNumOpcodes, 0.0);
  for (int o = 0; o < isa::kNumOpcodes; ++o)
    f.net_s[size_t(o)] = std::max(0.0, by_opcode[size_t(o)] - double(f.count[size_t(o)]) * clock_pair_s);
  return f;
}

}  // namespace

int sc_main(int argc, char** argv) {
  int repeat = 5;
  std::string json_path;
  std::vector<std::string> configs;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--repeat" && a + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++a]));
    } else if (arg == "--json" && a + 1 < argc) {
      json_path = argv[++a];
    } else if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr, "unknown option '%s'\n", arg.c_str());
      return 2;
    } else {
      configs.push_back(arg);
    }
  }
  if (configs.empty()) {
    std::fprintf(stderr, "usage: %s CONFIG.json... [--repeat N] [--json FILE]\n", argv[0]);
    return 2;
  }
  std::vector<Floor> floors;
  try {
    for (const std::string& c : configs) floors.push_back(measure(c, repeat));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  std::printf("datapath alone, best of %d passes\n\n", repeat);
  std::printf("| config | instructions | host s | ns / instruction | instr / host s | numerics |\n"
              "|---|---:|---:|---:|---:|---|\n");
  bool all_pass = true;
  for (const Floor& f : floors) {
    std::printf("| %s | %zu | %.4f | %.0f | %.0f | %s |\n", f.config.c_str(), f.instructions, f.best_s,
                1e9 * f.best_s / double(f.instructions), double(f.instructions) / f.best_s,
                f.numerics.pass ? "pass" : "FAIL");
    all_pass = all_pass && f.numerics.pass;
  }
  for (const Floor& f : floors) {
    double total = 0;
    for (double t : f.net_s) total += t;
    std::printf("\n%s\n\n| opcode | instructions | share | ns each |\n|---|---:|---:|---:|\n", f.config.c_str());
    for (int o = 0; o < trn2::isa::kNumOpcodes; ++o) {
      if (f.count[size_t(o)] == 0) continue;
      std::printf("| %s | %zu | %.1f%% | %.0f |\n", trn2::isa::opcode_name(trn2::isa::Opcode(o)), f.count[size_t(o)],
                  100.0 * f.net_s[size_t(o)] / std::max(total, 1e-300),
                  1e9 * f.net_s[size_t(o)] / double(f.count[size_t(o)]));
    }
  }
  if (!json_path.empty()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const Floor& f : floors)
      rows.push_back({{"config", f.config}, {"instructions", f.instructions}, {"seconds", f.best_s},
                      {"numerics_pass", f.numerics.pass}});
    std::ofstream out(json_path);
    out << rows.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "error: cannot write %s\n", json_path.c_str());
      return 2;
    }
  }
  return all_pass ? 0 : 1;
}

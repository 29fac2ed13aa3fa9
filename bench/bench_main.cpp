// trn2sim_bench: how fast the simulator answers. Runs the trn2sim binary once per shape per
// repeat (a SystemC model elaborates once per process, so every run is its own process),
// reads the run's report and the child's resource usage, and prints a Markdown table:
// host seconds (whole process, best of the repeats) and that run's CPU seconds (all its
// threads: the inputs and the reference run on several), simulated instructions, instructions
// and simulated ns per host second, the model's own share, and peak resident memory.
//
//   trn2sim_bench [--repeat N] [--binary PATH] [--hazards fail|warn|off] [--matrix] [--scaling] [--memory]
//                 [--floor] [--work DIR]
//
// Default: the four reference shapes of issue 5. --matrix: every config of configs/matrix/
// and the total host time. --scaling: one shape family over four sizes (linear growth check).
// --memory: one shape (so the same tensors) cut into more and more instructions (smaller
// matmul tiles), streamed and as a whole program: the bytes each extra instruction costs.
// --floor: a second table, each shape's datapath alone (trn2sim_datapath_floor: the numbers
// without the model around them) and what the model costs per instruction above it.
// Not part of ctest: timings on a shared machine are noisy and the big shapes take seconds.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Shape {
  std::string label;   // as the table shows it
  std::string config;  // path of a config file
};

struct Measurement {
  double wall_s = 1e300;  // best of the repeats
  double cpu_s = 0;       // that run's user + system CPU time, every thread's
  double model_s = 0;     // the SystemC model's share of that run
  int64_t instructions = 0;
  double simulated_ns = 0;
  int64_t peak_rss = 0;   // largest over the repeats
  bool ok = true;
};

// How the binary is run: its path and any options added to every run (--hazards off).
struct Binary {
  std::string path;
  std::vector<std::string> options;
};

// Runs args[0] with args and stdout discarded; returns the wall time and fills `usage` (the
// child's, from wait4), or returns a negative time when it failed or exited non-zero.
double run_quiet(std::vector<std::string> args, rusage& usage) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);  // or the child's freopen would write our buffered table a second time
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stdout)) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || wait4(pid, &status, 0, &usage) != pid) return -1;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? wall : -1;
}

// Runs `binary config --report report [options]`; returns the wall time, and the child's CPU
// time and peak RSS, or a negative time when it failed.
double run_once(const Binary& binary, const std::string& config, const std::string& report, double& cpu_s,
                int64_t& rss) {
  std::vector<std::string> args = {binary.path, config, "--report", report};
  args.insert(args.end(), binary.options.begin(), binary.options.end());
  rusage usage{};
  const double wall = run_quiet(std::move(args), usage);
  if (wall < 0) return wall;
  rss = int64_t(usage.ru_maxrss) * 1024;
  cpu_s = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
          1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  return wall;
}

Measurement measure(const Binary& binary, const Shape& s, int repeat, const std::string& work) {
  Measurement m;
  const std::string report = work + "/bench_report.json";
  for (int r = 0; r < repeat; ++r) {
    int64_t rss = 0;
    double cpu = 0;
    const double wall = run_once(binary, s.config, report, cpu, rss);
    if (wall < 0) {
      m.ok = false;
      return m;
    }
    m.peak_rss = std::max(m.peak_rss, rss);
    if (wall < m.wall_s) {
      std::ifstream f(report);
      const json j = json::parse(f);
      m.wall_s = wall;
      m.cpu_s = cpu;
      m.model_s = j["simulator"]["phase_seconds"]["simulate"].get<double>();
      m.instructions = j["simulator"]["simulated_instructions"].get<int64_t>();
      m.simulated_ns = j["total_time_us"].get<double>() * 1e3;
    }
  }
  return m;
}

void print_header() {
  std::printf("| shape | host s | cpu s | model s | instructions | instr / host s | model instr / s | sim ns / host s "
              "| peak RSS MiB |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
}

void print_row(const Shape& s, const Measurement& m) {
  if (!m.ok) {
    std::printf("| %s | failed | | | | | | | |\n", s.label.c_str());
    return;
  }
  std::printf("| %s | %.3f | %.3f | %.3f | %lld | %.0f | %.0f | %.0f | %.0f |\n", s.label.c_str(), m.wall_s, m.cpu_s,
              m.model_s, static_cast<long long>(m.instructions), double(m.instructions) / m.wall_s,
              m.model_s > 0 ? double(m.instructions) / m.model_s : 0.0, m.simulated_ns / m.wall_s,
              double(m.peak_rss) / (1 << 20));
  std::fflush(stdout);
}

// The datapath floor of `s` (trn2sim_datapath_floor, best of `repeat` passes), in seconds, or
// a negative number when it failed or its numbers did not match the reference.
double floor_seconds(const Shape& s, int repeat, const std::string& work) {
  const std::string out = work + "/bench_floor.json";
  rusage usage{};
  if (run_quiet({TRN2SIM_FLOOR_BINARY, s.config, "--repeat", std::to_string(repeat), "--json", out}, usage) < 0)
    return -1;
  std::ifstream f(out);
  const json rows = json::parse(f);
  return rows.at(0).at("seconds").get<double>();
}

void print_floor(const std::vector<Shape>& shapes, const std::vector<Measurement>& runs, int repeat,
                 const std::string& work) {
  std::printf("\n| shape | datapath alone s | datapath instr / s | model s | model ns / instr above the datapath |\n");
  std::printf("|---|---:|---:|---:|---:|\n");
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Measurement& m = runs[i];
    const double d = floor_seconds(shapes[i], repeat, work);
    if (!m.ok || d < 0) {
      std::printf("| %s | failed | | | |\n", shapes[i].label.c_str());
      continue;
    }
    std::printf("| %s | %.4f | %.0f | %.3f | %.0f |\n", shapes[i].label.c_str(), d, double(m.instructions) / d,
                m.model_s, 1e9 * (m.model_s - d) / double(m.instructions));
    std::fflush(stdout);
  }
}

// A config for a [n, c, 1, w] S=s shape, written into `work`; `moving_max` (matmul moving
// free size, so the Q tile) and `window` (instructions) as given, or defaults when negative.
std::string write_config(const std::string& work, int64_t n, int64_t c, int64_t w, int64_t s, const char* dtype,
                         int64_t moving_max = -1, int64_t window = -1) {
  std::string path = work + "/bench_n" + std::to_string(n) + "_c" + std::to_string(c) + "_w" + std::to_string(w) +
                     "_s" + std::to_string(s) + "_" + dtype;
  json j = {{"kernel", {{"name", "depthwise_conv1d_implicit_gemm"}, {"batch", n}, {"channels", c},
                        {"width", w}, {"kernel_size", s}, {"dtype", dtype}}},
            {"inputs", {{"seed", 1}}}};
  if (moving_max >= 0) {
    j["hardware"] = {{"matmul_moving_free_max", moving_max}};
    path += "_m" + std::to_string(moving_max);
  }
  if (window >= 0) {
    j["simulator"] = {{"window_instructions", window}};
    path += "_win" + std::to_string(window);
  }
  std::ofstream(path + ".json") << j.dump(2) << "\n";
  return path + ".json";
}

// Bytes of peak RSS per instruction between the first and the last row (same tensors).
void print_growth(const char* what, const Measurement& first, const Measurement& last) {
  if (!first.ok || !last.ok || last.instructions == first.instructions) return;
  std::printf("%s: %.0f bytes of peak RSS per extra instruction\n", what,
              double(last.peak_rss - first.peak_rss) / double(last.instructions - first.instructions));
}

}  // namespace

int main(int argc, char** argv) {
  Binary binary{TRN2SIM_BINARY, {}};
  std::string source = TRN2SIM_SOURCE_DIR, work = fs::temp_directory_path().string();
  int repeat = 3;
  bool matrix = false, scaling = false, memory = false, floor = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (a == "--binary" && i + 1 < argc) binary.path = argv[++i];
    else if (a == "--hazards" && i + 1 < argc) binary.options = {"--hazards", argv[++i]};
    else if (a == "--work" && i + 1 < argc) work = argv[++i];
    else if (a == "--matrix") matrix = true;
    else if (a == "--scaling") scaling = true;
    else if (a == "--memory") memory = true;
    else if (a == "--floor") floor = true;
    else {
      std::cerr << "usage: trn2sim_bench [--repeat N] [--binary PATH] [--hazards fail|warn|off] [--matrix] [--scaling]"
                   " [--memory] [--floor] [--work DIR]\n";
      return 2;
    }
  }
  const std::string m = source + "/configs/matrix/";
  std::printf("trn2sim_bench: %s%s%s, best of %d, %u host cores\n\n", binary.path.c_str(),
              binary.options.empty() ? "" : " --hazards ", binary.options.empty() ? "" : binary.options[1].c_str(), repeat,
              unsigned(sysconf(_SC_NPROCESSORS_ONLN)));
  std::vector<Shape> shapes = {{"[1,384,1,2051] S=4 fp32", m + "seed_n1_c384_w2051_s4_fp32.json"},
                               {"[1,2048,1,2048] S=256 bf16", m + "n1_c2048_w2048_s256_bf16.json"},
                               {"[1,8192,1,4096] S=4093 bf16", m + "n1_c8192_w4096_s4093_bf16.json"},
                               {"[4,256,1,512] S=128 bf16", m + "n4_c256_w512_s128_bf16.json"}};
  if (matrix) {
    shapes.clear();
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(m))
      if (e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) shapes.push_back({fs::path(f).stem().string(), f});
  }
  if (scaling) {
    // Instruction count grows with the channels; everything else stays fixed.
    shapes.clear();
    for (int64_t c : {1024, 2048, 4096, 8192})
      shapes.push_back({"[1," + std::to_string(c) + ",1,4096] S=4093 bf16", write_config(work, 1, c, 4096, 4093, "bfloat16")});
  }
  if (memory) {
    // [1,2048,1,2048] S=256 bf16 with Q tiles of 512, 128 and 32 columns: 57k, 215k and 817k
    // instructions over the same 16 MiB of tensors. Window 0 builds the whole program first.
    print_header();
    std::vector<std::vector<Measurement>> rows(2);
    const int64_t windows[2] = {-1, 0};  // the default window, and the whole program first
    for (int k = 0; k < 2; ++k)
      for (int64_t moving : {512, 128, 32}) {
        const Shape s{"[1,2048,1,2048] S=256 bf16, Q tile " + std::to_string(moving) + ", window " +
                          (windows[k] < 0 ? std::string("default") : std::to_string(windows[k])),
                      write_config(work, 1, 2048, 2048, 256, "bfloat16", moving, windows[k])};
        rows[k].push_back(measure(binary, s, repeat, work));
        print_row(s, rows[k].back());
      }
    std::printf("\n");
    print_growth("streamed (default window)", rows[0].front(), rows[0].back());
    print_growth("whole program (window 0)", rows[1].front(), rows[1].back());
    return 0;
  }
  print_header();
  double total = 0;
  bool all_ok = true;
  std::vector<Measurement> runs;
  for (const Shape& s : shapes) {
    runs.push_back(measure(binary, s, repeat, work));
    print_row(s, runs.back());
    all_ok = all_ok && runs.back().ok;
    if (runs.back().ok) total += runs.back().wall_s;
  }
  if (matrix) std::printf("\nmatrix total: %.3f host s over %zu configs\n", total, shapes.size());
  if (floor) print_floor(shapes, runs, repeat, work);
  return all_ok ? 0 : 1;
}

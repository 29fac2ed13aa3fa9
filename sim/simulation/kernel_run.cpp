#include "sim/simulation/kernel_run.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <future>
#include <sstream>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "isa/validate.h"
#include "sim/simulation/host_memory.h"
#include "sim/reporting/report.h"
#include "sim/simulation/tensor_npy.h"

namespace trn2::sim {

namespace {

std::vector<float> decode(const std::vector<uint8_t>& bytes, isa::DType t) {
  const size_t es = isa::dtype_size(t);
  std::vector<float> v(bytes.size() / es);
  isa::load_elements(bytes.data(), int64_t(es), t, int64_t(v.size()), v.data());
  return v;
}

// Seconds since `t0`, and resets `t0` to now: times consecutive phases.
double lap(std::chrono::steady_clock::time_point& t0) {
  const auto now = std::chrono::steady_clock::now();
  const double s = std::chrono::duration<double>(now - t0).count();
  t0 = now;
  return s;
}

}  // namespace

namespace {

// A 32-bit integer hash (xorshift-multiply; constants from Chris Wellons' "lowbias32",
// hash-prospector): a bijection whose output bits each depend on every input bit.
inline uint32_t mix32(uint32_t z) {
  z ^= z >> 16;
  z *= 0x7feb352du;
  z ^= z >> 15;
  z *= 0x846ca68bu;
  return z ^ (z >> 16);
}

// Values [i0, i0 + m) of the stream keyed by `key` (m <= 2^30, one 2^31 block's key). 32-bit
// arithmetic only, so the loop vectorises with AVX2 and AVX-512 (a 64-bit hash has no AVX2
// multiply); integer lanes, so the bits do not depend on which is chosen at load time.
__attribute__((target_clones("avx512f", "avx2", "default"))) void seeded_block(uint32_t key, uint32_t i0, uint32_t m,
                                                                               float* out) {
  const float scale = 1.7320508075688772f / 65536.0f;
  for (uint32_t k = 0; k < m; ++k) {
    // The key enters between two rounds: with key + counter, two seeds' streams would be
    // one stream shifted (a seed's key a small even number from another's).
    const uint32_t c = 2 * (i0 + k);
    const uint32_t a = mix32(mix32(c) ^ key), b = mix32(mix32(c + 1) ^ key);
    const int32_t sum = int32_t(a & 0xffff) + int32_t(a >> 16) + int32_t(b & 0xffff) + int32_t(b >> 16);
    out[k] = float(sum - 131070) * scale;  // exact integer, one rounding
  }
}

// The key of block `block` (2^31 values) of seed `seed`'s stream: every bit of both enters.
uint32_t block_key(uint64_t seed, uint64_t block) {
  return mix32(uint32_t(seed) ^ mix32(uint32_t(seed >> 32) ^ mix32(uint32_t(block) + 0x9e3779b9u)));
}

// Work (values to make, or a reference's widened inputs plus multiply-adds) below which a
// part is not worth a thread of its own: 2^19 units are 0.25-1 ms of one core (on the largest
// shape, ~2 ns a seeded value with its share of page faults, ~0.5 ns a reference unit), ten
// times and more what starting and joining a thread costs (tens of us). So work is split only
// from 1 Mi units up: small shapes run on the calling thread alone, the largest (32 Mi values
// a tensor, 168 M reference units) on every core there is.
constexpr double kWorkPerThread = double(1 << 19);

// Threads for `work` units: one per kWorkPerThread of work, at most the host's cores and
// never more than 8 (the largest shape's ~0.2 s of this work is then ~25 ms a thread: more
// would save little next to the model's own time).
unsigned threads_for(double work) {
  const unsigned cores = std::max(1u, std::min(std::thread::hardware_concurrency(), 8u));
  return unsigned(std::max(1.0, std::min(double(cores), std::floor(work / kWorkPerThread))));
}

// Runs part(0) .. part(parts - 1): part 0 on this thread, the others on threads of their own,
// and returns when every part has ended, so nothing outlives the caller's buffers. The first
// exception a part threw (std::bad_alloc, or std::system_error when a thread cannot start)
// is rethrown then, on this thread.
template <class Part>
void run_parts(unsigned parts, const Part& part) {
  std::vector<std::future<void>> others;
  std::exception_ptr error;
  try {
    others.reserve(parts - 1);
    for (unsigned i = 1; i < parts; ++i) others.push_back(std::async(std::launch::async, [&part, i] { part(i); }));
    part(0);
  } catch (...) {
    error = std::current_exception();
  }
  for (std::future<void>& f : others) {
    try {
      f.get();
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

// Part `i` of `parts` of [0, n) in whole units of `unit` (the last part ends at n).
std::pair<size_t, size_t> part_range(size_t n, size_t unit, unsigned i, unsigned parts) {
  const size_t units = (n + unit - 1) / unit;
  return {std::min(n, units * i / parts * unit), std::min(n, units * (i + 1) / parts * unit)};
}

constexpr size_t kSeedBlock = 4096;  // values per seeded_block call

// Values [i0, i1) of seed `seed`'s stream into dst (the whole tensor), i0 a multiple of
// kSeedBlock.
void seeded_fill_range(uint8_t* dst, size_t i0, size_t i1, uint64_t seed, isa::DType dtype) {
  // Irwin-Hall with four terms: the four 16-bit halves of two 32-bit hashes of a counter are
  // uniform on [0, 65535], their sum has mean 131070 and variance 4 (65536^2 - 1) / 12, so
  // (sum - 131070) * sqrt(3) / 65536 has mean 0 and variance 1 (to 2^-32), bounded by
  // +-2 sqrt(3). No log/sincos: Box-Muller over mt19937_64 was a third of the host time of
  // the largest matrix shape, and a splitmix64 hash per value a tenth after that.
  const size_t es = isa::dtype_size(dtype);
  float block[kSeedBlock];
  // The counter's low 31 bits run within a block of 2^31 values; each block (and each seed)
  // has its own key, so seeds n and n + 1 (input and filter) are unrelated streams.
  for (size_t b0 = i0; b0 < i1; b0 += kSeedBlock) {
    const size_t m = std::min(kSeedBlock, i1 - b0);
    // 4096 divides 2^31: a block of 4096 never straddles two keys.
    seeded_block(block_key(seed, b0 >> 31), uint32_t(b0 & 0x7fffffffu), uint32_t(m), block);
    isa::store_elements(dst + b0 * es, int64_t(es), dtype, int64_t(m), block);
  }
}

}  // namespace

void seeded_fill(uint8_t* dst, size_t n, uint64_t seed, isa::DType dtype, unsigned threads) {
  // A value depends only on its index and the seed, so the parts may be made in any order;
  // parts begin on block boundaries so each is the same seeded_block calls as one thread's.
  const size_t blocks = (n + kSeedBlock - 1) / kSeedBlock;
  const unsigned parts =
      unsigned(std::min<size_t>(threads > 0 ? threads : threads_for(double(n)), std::max<size_t>(1, blocks)));
  run_parts(parts, [&](unsigned i) {
    const auto [i0, i1] = part_range(n, kSeedBlock, i, parts);
    seeded_fill_range(dst, i0, i1, seed, dtype);
  });
}

void seeded_kernel_inputs(const kernels::DepthwiseConv1dParams& p, uint64_t seed, uint8_t* input, uint8_t* filter) {
  seeded_fill(input, size_t(p.batch * p.channels * p.width), seed, p.dtype);
  seeded_fill(filter, size_t(p.channels * p.kernel_size), seed + 1, p.filter_type());
}

std::vector<double> reference_output(const kernels::DepthwiseConv1dParams& p, const uint8_t* input,
                                     const uint8_t* filter, unsigned threads) {
  const int64_t rows = p.batch * p.channels, Q = p.out_width();
  std::vector<double> out(size_t(rows * Q));
  // A row's work: widening its input, and its multiply-adds.
  const double work = double(rows) * double(p.width + Q * p.kernel_size);
  const unsigned parts =
      unsigned(std::min<int64_t>(threads > 0 ? threads : threads_for(work), std::max<int64_t>(1, rows)));
  run_parts(parts, [&](unsigned i) {
    const auto [r0, r1] = part_range(size_t(rows), 1, i, parts);
    kernels::depthwise_conv1d_reference_rows(p, input, filter, int64_t(r0), int64_t(r1), out.data());
  });
  return out;
}

std::vector<uint8_t> seeded_bytes(size_t n, uint64_t seed, isa::DType dtype) {
  std::vector<uint8_t> bytes(n * isa::dtype_size(dtype));
  seeded_fill(bytes.data(), n, seed, dtype);
  return bytes;
}

Numerics compare_output(const std::vector<float>& output, const std::vector<double>& reference, double atol,
                        double rtol) {
  Numerics n;
  if (output.size() != reference.size()) {
    n.mismatches = int64_t(std::max(output.size(), reference.size()));
    n.pass = false;
    return n;
  }
  for (size_t i = 0; i < reference.size(); ++i) {
    const double err = std::fabs(double(output[i]) - reference[i]);
    const double rel = err / std::max(std::fabs(reference[i]), 1e-30);
    const bool ok = err <= atol + rtol * std::fabs(reference[i]);  // NaN fails too
    n.max_abs_error = std::max(n.max_abs_error, std::isnan(err) ? INFINITY : err);
    if (std::fabs(reference[i]) > atol) n.max_rel_error = std::max(n.max_rel_error, rel);
    if (!ok) n.mismatches += 1;
  }
  n.pass = n.mismatches == 0;
  return n;
}

KernelRun run_kernel(const RunConfig& rc) {
  KernelRun run;
  auto t0 = std::chrono::steady_clock::now();
  try {
    // Streamed, the program is only its header here: the model makes the streams as it runs.
    run.program = rc.window > 0 ? kernels::depthwise_conv1d_header(rc.kernel, rc.hw.limits)
                                : kernels::build_depthwise_conv1d(rc.kernel, rc.hw.limits);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("kernel: ") + e.what());
  }
  if (rc.window > 0) {
    isa::validate_header(run.program, rc.hw.limits);
  } else {
    isa::validate(run.program, rc.hw.limits);
    for (size_t c = 0; c < run.program.cores.size(); ++c)
      spdlog::debug("core {}: {} instructions", c, run.program.cores[c].size());
  }
  run.times.build = lap(t0);
  {
    // Beyond the model: the reference (double), the output read back (fp32) and its bytes.
    const uint64_t outputs = uint64_t(rc.kernel.batch) * uint64_t(rc.kernel.channels) * uint64_t(rc.kernel.out_width());
    const uint64_t model = model_bytes(run.program, rc.hw);
    const uint64_t extra = outputs * (8 + 4 + isa::dtype_size(rc.kernel.dtype));
    check_host_memory(model + extra, "the model's HBM, SBUF and PSUM " + std::to_string(model) +
                                         ", the reference and the output " + std::to_string(extra));
  }
  if (rc.window == 0) gate_hazards(run.program, rc.hw.limits, rc.hazards, false);
  run.times.hazards = lap(t0);
  const isa::HbmTensor& in_t = *run.program.find_tensor("input");
  const isa::HbmTensor& f_t = *run.program.find_tensor("filter");
  const isa::DType dt = rc.kernel.dtype;
  // Files are read (and checked) before the model is made; the model copies them in.
  std::vector<uint8_t> x_npy, f_npy;
  if (!rc.input_npy.empty()) {
    x_npy = read_tensor_npy(rc.input_npy, in_t, "inputs.input", "the kernel needs");
    f_npy = read_tensor_npy(rc.filter_npy, f_t, "inputs.filter", "the kernel needs");
  }
  std::vector<double> ref;
  double setup = 0;  // making the model, before the inputs are loaded
  // Seeded inputs are made straight in the model's HBM, and the reference reads them there
  // before the simulation starts: no other copy of them is ever held, so the tensors
  // themselves set the peak.
  const InputLoader load = [&](const TensorBytes& tensor) {
    setup = lap(t0);
    uint8_t* input = tensor("input");
    uint8_t* filter = tensor("filter");
    if (!rc.input_npy.empty()) {
      std::memcpy(input, x_npy.data(), x_npy.size());
      std::memcpy(filter, f_npy.data(), f_npy.size());
      std::vector<uint8_t>().swap(x_npy);
      std::vector<uint8_t>().swap(f_npy);
    } else {
      seeded_kernel_inputs(rc.kernel, rc.seed, input, filter);
    }
    run.times.inputs = lap(t0);
    ref = reference_output(rc.kernel, input, filter);
    run.times.check = lap(t0);
  };
  if (rc.window == 0) {
    run.sim = simulate(run.program, rc.hw, load, rc.trace);
  } else {
    StreamedProgram streamed;
    streamed.header = run.program;
    streamed.window = size_t(rc.window);
    streamed.hazards = rc.hazards;
    streamed.emit = [&rc](int core, isa::InstructionSink& sink, bool keep_allocations) {
      return kernels::emit_depthwise_conv1d_core(rc.kernel, rc.hw.limits, core, sink, keep_allocations);
    };
    try {
      run.sim = simulate(streamed, rc.hw, load, rc.trace);
    } catch (const WindowTooSmall& e) {
      throw ConfigError(std::string("simulator.window_instructions: ") + e.what() + " (raise it; 0: no window)");
    }
  }
  run.times.simulate = setup + lap(t0);
  run.output = decode(run.sim.tensors.at("output"), dt);
  run.numerics = compare_output(run.output, ref, rc.atol, rc.rtol);
  run.times.check += lap(t0);
  return run;
}


nlohmann::json make_report(const RunConfig& rc, const KernelRun& run) {
  const auto& k = rc.kernel;
  // Useful MACs (N*C*Q*S), at the bf16 rate.
  const double macs = double(k.batch) * double(k.channels) * double(k.out_width()) * double(k.kernel_size) *
                      (k.dtype == isa::DType::F32 ? rc.hw.matmul_fp32_slowdown : 1.0);
  nlohmann::json r = timing_report(run.sim, rc.hw, macs, run.times.total());
  r["simulator"]["phase_seconds"] = {{"build", run.times.build},   {"hazard_check", run.times.hazards},
                                     {"inputs", run.times.inputs}, {"simulate", run.times.simulate},
                                     {"check", run.times.check}};
  r["kernel"] = rc.kernel_name;
  r["shape"] = {{"batch", k.batch}, {"channels", k.channels}, {"width", k.width}, {"kernel_size", k.kernel_size},
                {"out_width", k.out_width()}, {"dtype", isa::dtype_name(k.dtype)},
                {"filter_dtype", isa::dtype_name(k.filter_type())}, {"stride", k.stride},
                {"padding", {k.pad_left, k.pad_right}}, {"lnc", k.lnc}, {"buffers", k.buffers}};
  r["variant"] = kernels::variant_name(k.variant);
  const kernels::Conv1dPlan plan = kernels::depthwise_conv1d_plan(k, rc.hw.limits);
  r["tiling"] = {{"s_tile", plan.s_tile},   {"q_tile", plan.q_tile},   {"c_tile", plan.c_tile},
                 {"s_tiles", plan.s_tiles}, {"q_tiles", plan.q_tiles}, {"c_tiles", plan.c_tiles},
                 {"input_buffers", plan.input_buffers}, {"sbuf_bytes_per_partition", plan.sbuf_bytes}};
  r["numerics"] = {{"max_abs_error", run.numerics.max_abs_error}, {"max_rel_error", run.numerics.max_rel_error},
                   {"mismatches", run.numerics.mismatches}, {"atol", rc.atol}, {"rtol", rc.rtol},
                   {"pass", run.numerics.pass}};
  return r;
}

std::string summary_text(const RunConfig& rc, const KernelRun& run) {
  const SimResult& s = run.sim;
  const auto& k = rc.kernel;
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(3);
  o << rc.kernel_name << " (" << kernels::variant_name(k.variant) << ")  input [" << k.batch << ", " << k.channels << ", 1, " << k.width << "]  filter ["
    << k.channels << ", 1, 1, " << k.kernel_size << "]  " << isa::dtype_name(k.dtype);
  if (k.filter_type() != k.dtype) o << " (filter " << isa::dtype_name(k.filter_type()) << ")";
  o << "  stride " << k.stride
    << "  padding (" << k.pad_left << ", " << k.pad_right << ")  lnc " << k.lnc << "\n";
  o << "total time      " << s.total_ns / 1e3 << " us  (" << std::llround(s.total_ns * rc.hw.profiler_clock_ghz)
    << " cycles at " << rc.hw.profiler_clock_ghz << " GHz)\n";
  for (size_t c = 0; c < s.cores.size(); ++c) {
    const CoreResult& cr = s.cores[c];
    o << "core " << c << "         ";
    for (int e = 0; e < isa::kNumComputeEngines; ++e) {
      const EngineStats& es = cr.engines[e];
      o << isa::engine_name(isa::Engine(e)) << " " << es.instructions << " instr "
        << (s.total_ns > 0 ? 100.0 * es.active_ns / s.total_ns : 0.0) << "% busy   ";
    }
    o << "dma " << cr.dma.transfers << " transfers " << cr.dma.bytes << " B\n";
  }
  o << "hbm             read " << s.hbm_read_bytes << " B  write " << s.hbm_write_bytes << " B\n";
  o << "numerics        max abs error " << run.numerics.max_abs_error << "  max rel error "
    << run.numerics.max_rel_error << "  " << (run.numerics.pass ? "PASS" : "FAIL") << "\n";
  const double host = run.times.total();
  o << "simulator       " << s.instructions << " instructions in " << host << " s (model " << run.times.simulate
    << " s)  " << std::llround(host > 0 ? double(s.instructions) / host : 0.0) << " instr/s  peak "
    << peak_rss_bytes() / (1 << 20) << " MiB\n";
  return o.str();
}

}  // namespace trn2::sim

#include "validation/validation.h"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "isa/json_file.h"
#include "kernels/public_kernels.h"
#include "sim/configuration/hardware_config.h"
#include "sim/simulation/simulation.h"

namespace trn2::validation {

namespace {

using nlohmann::json;

const json& field(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) throw std::runtime_error(where + "." + key + ": missing");
  return j.at(key);
}

isa::Program build(const Case& c, const isa::Limits& limits) {
  kernels::PublicKernelOptions o;
  o.buffers = c.buffers;
  if (!isa::parse_dge(c.dge, o.dge)) throw std::runtime_error(c.name + ": unknown dge mode " + c.dge);
  const json& p = c.params;
  auto i = [&](const char* k) { return field(p, k, c.name + ".params").get<int64_t>(); };
  if (c.kernel == "vector_add_stream") return kernels::vector_add_stream(i("n"), i("free_dim"), o, limits);
  if (c.kernel == "vector_add_tiled") return kernels::vector_add_tiled(i("n"), i("row_chunk"), o, limits);
  if (c.kernel == "transpose_tiled") return kernels::transpose_tiled(i("n"), o, limits);
  if (c.kernel == "matmul_hoisted") return kernels::matmul_hoisted(i("m"), i("n"), i("k"), o, limits);
  throw std::runtime_error(c.name + ".kernel: unknown kernel " + c.kernel);
}

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

}  // namespace

std::string default_path() { return std::string(TRN2SIM_SOURCE_DIR) + "/validation/cases.json"; }

Set load(const std::string& path) {
  // Strict, as every input file: a duplicate key or a trailing token is an error.
  const json j = isa::read_json_file(path, "validation cases file");
  Set s;
  s.ncl_overhead_us = field(j, "ncl_overhead_us", "cases").get<double>();
  s.ncl_overhead_why = field(j, "ncl_overhead_why", "cases").get<std::string>();
  s.profile_overhead_us = field(j, "profile_overhead_us", "cases").get<double>();
  s.profile_overhead_why = field(j, "profile_overhead_why", "cases").get<std::string>();
  for (const json& e : field(j, "cases", "cases")) {
    Case c;
    c.name = field(e, "name", "case").get<std::string>();
    const std::string w = "cases." + c.name;
    c.kernel = field(e, "kernel", w).get<std::string>();
    c.params = field(e, "params", w);
    c.buffers = field(e, "buffers", w).get<int>();
    c.buffers_why = field(e, "buffers_why", w).get<std::string>();
    c.dge = field(e, "dge", w).get<std::string>();
    c.source = field(e, "source", w).get<std::string>();
    const json& m = field(e, "measured", w);
    c.metric = field(m, "metric", w + ".measured").get<std::string>();
    c.measured = field(m, "value", w + ".measured").get<double>();
    c.measured_what = field(m, "what", w + ".measured").get<std::string>();
    c.bound_percent = field(e, "bound_percent", w).get<double>();
    c.calibration = e.value("calibration", false);
    if (c.metric != "body_us" && c.metric != "total_us" && c.metric != "ncl_us" && c.metric != "pe_ns_per_matmul")
      throw std::runtime_error(w + ".measured.metric: unknown metric " + c.metric);
    s.cases.push_back(c);
  }
  return s;
}

Result run(const Set& set, const Case& c) {
  const sim::HardwareConfig hw;
  const isa::Program program = build(c, hw.limits);
  isa::validate(program, hw.limits);
  const sim::SimResult r = sim::simulate(program, hw, std::map<std::string, std::vector<uint8_t>>{});
  Result out;
  out.body_us = r.total_ns / 1e3;
  out.instructions = r.instructions;
  if (c.metric == "body_us") out.simulated = out.body_us;
  if (c.metric == "ncl_us") out.simulated = out.body_us + set.ncl_overhead_us;
  if (c.metric == "total_us") out.simulated = out.body_us + set.profile_overhead_us;
  if (c.metric == "pe_ns_per_matmul") {
    const sim::EngineStats& pe = r.cores[0].engines[int(isa::Engine::Tensor)];
    const int64_t matmuls = pe.by_opcode[int(isa::Opcode::Matmul)];
    out.simulated = matmuls > 0 ? pe.active_ns / double(matmuls) : 0.0;
  }
  out.error_percent = 100.0 * (out.simulated - c.measured) / c.measured;
  return out;
}

std::string markdown(const Set& set, const std::vector<Result>& results) {
  std::ostringstream o;
  o << "| case | kernel and shape | measured | simulated | error | bound |\n|---|---|---:|---:|---:|---:|\n";
  double abs_sum = 0;
  int validated = 0;
  for (size_t i = 0; i < set.cases.size(); ++i) {
    const Case& c = set.cases[i];
    const Result& r = results[i];
    const std::string unit = c.metric == "pe_ns_per_matmul" ? " ns" : " us";
    o << "| " << c.name << (c.calibration ? " (calibration)" : "") << " | " << c.kernel << " " << c.params.dump()
      << " | " << fixed(c.measured, 2) << unit << " (" << c.metric << ") | " << fixed(r.simulated, 2) << unit << " | "
      << (r.error_percent >= 0 ? "+" : "") << fixed(r.error_percent, 1) << "% | " << fixed(c.bound_percent, 0)
      << "% |\n";
    if (!c.calibration) {
      abs_sum += std::fabs(r.error_percent);
      ++validated;
    }
  }
  o << "\nMean absolute error over the " << validated << " validated cases: **"
    << fixed(validated > 0 ? abs_sum / validated : 0.0, 1) << "%**.\n";
  return o.str();
}

}  // namespace trn2::validation

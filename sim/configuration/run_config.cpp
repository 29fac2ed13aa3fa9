#include "sim/configuration/run_config.h"

#include "isa/json_file.h"

#include <algorithm>
#include <fstream>
#include <set>

namespace trn2::sim {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw ConfigError(path + ": " + what); }

void only_keys(const json& j, const std::string& path, const std::set<std::string>& allowed) {
  if (!j.is_object()) fail(path, "expected an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!allowed.count(it.key())) fail(path + "." + isa::printable(it.key()), "unknown key");
}

int64_t get_int(const json& j, const std::string& key, const std::string& path, int64_t fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (!it->is_number_integer()) fail(path + "." + key, "expected an integer");
  // JSON keeps integers above INT64_MAX unsigned; read as int64 they would wrap negative.
  if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX))
    fail(path + "." + key, "exceeds " + std::to_string(INT64_MAX));
  return it->get<int64_t>();
}

double get_number(const json& j, const std::string& key, const std::string& path, double fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (!it->is_number()) fail(path + "." + key, "expected a number");
  const double v = it->get<double>();
  if (v < 0) fail(path + "." + key, "must not be negative");
  return v;
}

std::string get_path(const json& j, const std::string& key, const std::string& path, const std::string& base_dir) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (!it->is_string() || it->get<std::string>().empty()) fail(path + "." + key, "expected a file name");
  const std::string p = it->get<std::string>();
  return p[0] == '/' || base_dir.empty() ? p : base_dir + "/" + p;
}

void parse_kernel(const json& k, RunConfig& rc) {
  only_keys(k, "kernel", {"name", "batch", "channels", "width", "kernel_size", "dtype", "filter_dtype", "variant",
                          "stride", "padding", "lnc", "buffers", "dilation", "batch_group_count", "feature_group_count"});
  auto name = k.find("name");
  if (name == k.end()) fail("kernel.name", "missing");
  if (!name->is_string()) fail("kernel.name", "expected a string");
  rc.kernel_name = name->get<std::string>();
  if (rc.kernel_name != "depthwise_conv1d_implicit_gemm" && rc.kernel_name != "depthwise_conv1d_vector")
    fail("kernel.name", "unknown kernel '" + isa::printable(rc.kernel_name) +
                            "' (known: depthwise_conv1d_implicit_gemm, depthwise_conv1d_vector)");
  auto& p = rc.kernel;
  p.batch = get_int(k, "batch", "kernel", p.batch);
  p.channels = get_int(k, "channels", "kernel", p.channels);
  p.width = get_int(k, "width", "kernel", p.width);
  p.kernel_size = get_int(k, "kernel_size", "kernel", p.kernel_size);
  p.stride = get_int(k, "stride", "kernel", p.stride);
  // Range-checked before narrowing to int, so 2^32 + 2 cannot pass as 2.
  const int64_t lnc = get_int(k, "lnc", "kernel", p.lnc), buffers = get_int(k, "buffers", "kernel", p.buffers);
  if (lnc != 1 && lnc != 2) fail("kernel.lnc", "must be 1 or 2, got " + std::to_string(lnc));
  if (buffers < 1 || buffers > 8) fail("kernel.buffers", "must be 1 to 8, got " + std::to_string(buffers));
  p.lnc = int(lnc);
  p.buffers = int(buffers);
  p.dilation = get_int(k, "dilation", "kernel", p.dilation);
  p.batch_group_count = get_int(k, "batch_group_count", "kernel", p.batch_group_count);
  p.feature_group_count = get_int(k, "feature_group_count", "kernel", p.feature_group_count);
  if (auto d = k.find("dtype"); d != k.end()) {
    if (!d->is_string() || !isa::parse_dtype(d->get<std::string>(), p.dtype))
      fail("kernel.dtype", "unknown dtype " + d->dump() + " (known: float32, bfloat16, float16)");
  }
  if (auto d = k.find("filter_dtype"); d != k.end()) {
    isa::DType f;
    if (d->is_string() && isa::parse_dtype(d->get<std::string>(), f)) p.filter_dtype = f;
    else fail("kernel.filter_dtype", "unknown dtype " + d->dump() + " (known: float32, bfloat16, float16)");
  }
  if (auto v = k.find("variant"); v != k.end()) {
    if (rc.kernel_name == "depthwise_conv1d_vector") fail("kernel.variant", "is the implicit-GEMM kernel's; the vector kernel has none");
    if (!v->is_string() || !kernels::parse_variant(v->get<std::string>(), p.variant))
      fail("kernel.variant", "unknown variant " + v->dump() + " (known: nkilib, filter_once, q_tiled)");
  }
  if (rc.kernel_name == "depthwise_conv1d_vector") p.variant = kernels::Conv1dVariant::Vector;
  if (auto pad = k.find("padding"); pad != k.end()) {
    if (!pad->is_array() || pad->size() != 2 || !(*pad)[0].is_number_integer() || !(*pad)[1].is_number_integer())
      fail("kernel.padding", "expected [left, right]");
    for (const json& v : *pad)  // read as int64, 2^63 and up would wrap negative
      if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX))
        fail("kernel.padding", v.dump() + " exceeds 1048576");
    p.pad_left = (*pad)[0].get<int64_t>();
    p.pad_right = (*pad)[1].get<int64_t>();
  }
  try {
    p.check();
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
}

}  // namespace

RunConfig parse_run_config(const json& j, const std::string& base_dir) {
  RunConfig rc;
  only_keys(j, "config", {"hardware", "kernel", "inputs", "check", "outputs", "simulator", "description"});
  if (auto hw = j.find("hardware"); hw != j.end()) {
    try {
      rc.hw.apply(*hw);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }
  }
  auto k = j.find("kernel");
  if (k == j.end()) fail("kernel", "missing");
  parse_kernel(*k, rc);
  if (auto in = j.find("inputs"); in != j.end()) {
    only_keys(*in, "inputs", {"seed", "input", "filter"});
    const int64_t seed = get_int(*in, "seed", "inputs", 0);
    if (seed < 0) fail("inputs.seed", "must not be negative");
    rc.seed = uint64_t(seed);
    rc.input_npy = get_path(*in, "input", "inputs", base_dir);
    rc.filter_npy = get_path(*in, "filter", "inputs", base_dir);
    if (rc.input_npy.empty() != rc.filter_npy.empty()) fail("inputs", "give both input and filter .npy files, or neither");
    if (!rc.input_npy.empty() && in->contains("seed")) fail("inputs.seed", "cannot be combined with .npy inputs");
  }
  if (auto c = j.find("check"); c != j.end()) {
    only_keys(*c, "check", {"atol", "rtol", "hazards"});
    rc.atol = get_number(*c, "atol", "check", rc.atol);
    rc.rtol = get_number(*c, "rtol", "check", rc.rtol);
    if (auto h = c->find("hazards"); h != c->end())
      if (!h->is_string() || !parse_hazard_mode(h->get<std::string>(), rc.hazards))
        fail("check.hazards", "expected \"fail\", \"warn\" or \"off\"");
  }
  // The vector kernel's tiles are chains of S taps on DVE and GpSimd at once, interleaved in
  // time but one after another in the stream: a window would hold a GpSimd tile behind a DVE
  // tile's chain. By default its program is made whole first.
  if (rc.kernel.variant == kernels::Conv1dVariant::Vector) rc.window = 0;
  if (auto s = j.find("simulator"); s != j.end()) {
    only_keys(*s, "simulator", {"window_instructions"});
    rc.window = get_int(*s, "window_instructions", "simulator", rc.window);
    if (rc.window < 0 || rc.window > (int64_t(1) << 30))
      fail("simulator.window_instructions", "must be 0 (the whole program) to 2^30, got " + std::to_string(rc.window));
  }
  if (auto o = j.find("outputs"); o != j.end()) {
    only_keys(*o, "outputs", {"npy", "report", "trace"});
    rc.output_npy = get_path(*o, "npy", "outputs", "");
    rc.report_json = get_path(*o, "report", "outputs", "");
    rc.trace.path = get_path(*o, "trace", "outputs", "");
  }
  return rc;
}

json read_config_json(const std::string& path, const char* what) {
  try {
    return isa::read_json_file(path, what);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
}

RunConfig load_run_config(const std::string& path) {
  const json j = read_config_json(path, "config file");
  const size_t slash = path.find_last_of('/');
  return parse_run_config(j, slash == std::string::npos ? "" : path.substr(0, slash));
}

}  // namespace trn2::sim

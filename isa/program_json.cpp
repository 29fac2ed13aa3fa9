#include "isa/program_json.h"

#include <cfloat>
#include <cmath>
#include <stdexcept>

namespace trn2::isa {

using nlohmann::json;

namespace {

json ap_to_json(const AccessPattern& a) {
  json dims = json::array();
  for (int d = 0; d < a.ndims; ++d) dims.push_back({a.dims[d].step, a.dims[d].count});
  return {{"space", space_name(a.space)}, {"dtype", dtype_name(a.dtype)}, {"base", a.base},
          {"offset", a.offset}, {"start_partition", a.start_partition},
          {"partition_step", a.partition_step}, {"partition_count", a.partition_count},
          {"dims", dims}};
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

const json& field(const json& j, const std::string& key, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object");
  auto it = j.find(key);
  if (it == j.end()) fail(path + "." + key, "missing");
  return *it;
}

int64_t get_int(const json& j, const std::string& key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_number_integer()) fail(path + "." + key, "expected an integer");
  return v.get<int64_t>();
}

std::string get_str(const json& j, const std::string& key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_string()) fail(path + "." + key, "expected a string");
  return v.get<std::string>();
}

DType get_dtype(const json& j, const std::string& key, const std::string& path) {
  DType t;
  if (!parse_dtype(get_str(j, key, path), t)) fail(path + "." + key, "unknown dtype");
  return t;
}

AccessPattern ap_from_json(const json& j, const std::string& path) {
  AccessPattern a;
  if (!parse_space(get_str(j, "space", path), a.space)) fail(path + ".space", "unknown space");
  a.dtype = get_dtype(j, "dtype", path);
  a.base = get_int(j, "base", path);
  a.offset = get_int(j, "offset", path);
  a.start_partition = int(get_int(j, "start_partition", path));
  a.partition_step = get_int(j, "partition_step", path);
  a.partition_count = int(get_int(j, "partition_count", path));
  const json& dims = field(j, "dims", path);
  if (!dims.is_array() || dims.empty() || dims.size() > size_t(kMaxFreeDims))
    fail(path + ".dims", "expected 1 to 4 [step, count] pairs");
  a.ndims = int(dims.size());
  for (int d = 0; d < a.ndims; ++d) {
    const json& p = dims[d];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer() || !p[1].is_number_integer())
      fail(path + ".dims[" + std::to_string(d) + "]", "expected [step, count]");
    a.dims[d] = {p[0].get<int64_t>(), p[1].get<int64_t>()};
  }
  return a;
}

}  // namespace

json to_json(const Program& p) {
  json tensors = json::array();
  for (const auto& t : p.tensors)
    tensors.push_back({{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape},
                       {"base", t.base}});
  json cores = json::array();
  for (const auto& stream : p.cores) {
    json list = json::array();
    for (const auto& in : stream) {
      json j = {{"op", opcode_name(in.op)}, {"engine", engine_name(in.engine)},
                {"dst", ap_to_json(in.dst)}, {"deps", in.deps}};
      if (in.engine == Engine::Dma) j["queue"] = in.queue;
      if (in.op != Opcode::Memset) j["src"] = ap_to_json(in.src);
      if (in.op == Opcode::Matmul) {
        j["moving"] = ap_to_json(in.src2);
        j["accumulate"] = in.accumulate;
      }
      if (in.op == Opcode::Memset) j["value"] = in.value;
      list.push_back(std::move(j));
    }
    cores.push_back(std::move(list));
  }
  return {{"kernel", p.kernel}, {"hbm_bytes", p.hbm_bytes}, {"tensors", tensors}, {"cores", cores}};
}

Program program_from_json(const json& j) {
  Program p;
  p.kernel = get_str(j, "kernel", "program");
  p.hbm_bytes = get_int(j, "hbm_bytes", "program");
  const json& tensors = field(j, "tensors", "program");
  if (!tensors.is_array()) fail("program.tensors", "expected an array");
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string path = "program.tensors[" + std::to_string(i) + "]";
    HbmTensor t;
    t.name = get_str(tensors[i], "name", path);
    t.dtype = get_dtype(tensors[i], "dtype", path);
    t.base = get_int(tensors[i], "base", path);
    const json& shape = field(tensors[i], "shape", path);
    if (!shape.is_array()) fail(path + ".shape", "expected an array");
    for (const auto& d : shape) {
      if (!d.is_number_integer()) fail(path + ".shape", "expected integers");
      t.shape.push_back(d.get<int64_t>());
    }
    p.tensors.push_back(std::move(t));
  }
  const json& cores = field(j, "cores", "program");
  if (!cores.is_array()) fail("program.cores", "expected an array");
  for (size_t c = 0; c < cores.size(); ++c) {
    if (!cores[c].is_array()) fail("program.cores[" + std::to_string(c) + "]", "expected an array");
    std::vector<Instruction> stream;
    for (size_t i = 0; i < cores[c].size(); ++i) {
      const std::string path = "program.cores[" + std::to_string(c) + "][" + std::to_string(i) + "]";
      const json& ji = cores[c][i];
      Instruction in;
      if (!parse_opcode(get_str(ji, "op", path), in.op)) fail(path + ".op", "unknown opcode");
      if (!parse_engine(get_str(ji, "engine", path), in.engine)) fail(path + ".engine", "unknown engine");
      if (in.engine == Engine::Dma) in.queue = int(get_int(ji, "queue", path));
      in.dst = ap_from_json(field(ji, "dst", path), path + ".dst");
      if (in.op != Opcode::Memset) in.src = ap_from_json(field(ji, "src", path), path + ".src");
      if (in.op == Opcode::Matmul) {
        in.src2 = ap_from_json(field(ji, "moving", path), path + ".moving");
        const json& acc = field(ji, "accumulate", path);
        if (!acc.is_boolean()) fail(path + ".accumulate", "expected a boolean");
        in.accumulate = acc.get<bool>();
      }
      if (in.op == Opcode::Memset) {
        const json& v = field(ji, "value", path);
        // Within fp32 range: a value that rounds to inf would be dumped as null.
        if (!v.is_number() || !(std::fabs(v.get<double>()) <= FLT_MAX)) fail(path + ".value", "expected an fp32 number");
        in.value = v.get<float>();
      }
      const json& deps = field(ji, "deps", path);
      if (!deps.is_array()) fail(path + ".deps", "expected an array");
      for (const auto& d : deps) {
        if (!d.is_number_unsigned()) fail(path + ".deps", "expected non-negative integers");
        in.deps.push_back(d.get<uint32_t>());
      }
      stream.push_back(std::move(in));
    }
    p.cores.push_back(std::move(stream));
  }
  return p;
}

}  // namespace trn2::isa

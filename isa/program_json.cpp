#include "isa/program_json.h"

#include <cmath>
#include <limits>
#include <set>

#include "isa/json_file.h"
#include "isa/validate.h"

namespace trn2::isa {

using nlohmann::json;

namespace {

// Sanity bounds of the format, far above any hardware limit: they keep every byte-address
// computation of a pattern inside int64 (|step| * count summed over 5 dims < 2^63), so that
// validate() can compare the result with the real limits.
constexpr int64_t kMaxStep = int64_t(1) << 34;
constexpr int64_t kMaxCount = int64_t(1) << 26;
constexpr int64_t kMaxAddress = int64_t(1) << 40;
constexpr int64_t kMaxElements = int64_t(1) << 40;
constexpr const char* kDtypes = "float32, bfloat16, float16, float8_e4m3, float8_e5m2, int8, uint8, int16, uint16, int32 or uint32";
constexpr const char* kAluOps = "add, subtract, multiply, max, min, divide, pow, is_equal, is_gt, is_ge, is_lt or is_le";

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw ValidationError(path + ": " + what); }

std::string type_name(const json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  if (v.is_null()) return "null";
  return std::string("a ") + v.type_name();
}

// One JSON object being read: fields are taken by name, and whatever is left over at the end
// is an unknown key (a typo would otherwise be ignored silently).
class Object {
 public:
  Object(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j.is_object()) fail(path_, "expected an object, got " + type_name(j));
  }
  const std::string& path() const { return path_; }
  std::string at(const std::string& key) const { return path_ + "." + key; }
  bool has(const std::string& key) const { return j_.contains(key); }

  const json& get(const std::string& key) {
    auto it = j_.find(key);
    if (it == j_.end()) fail(at(key), "missing");
    seen_.insert(key);
    return *it;
  }
  int64_t integer(const std::string& key, int64_t lo, int64_t hi, const std::string& hint = "") {
    const json& v = get(key);
    if (!v.is_number_integer()) fail(at(key), "expected an integer, got " + type_name(v));
    const std::string range = " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]" + hint;
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) fail(at(key), v.dump() + range);
    const int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) fail(at(key), std::to_string(x) + range);
    return x;
  }
  int64_t integer_or(const std::string& key, int64_t lo, int64_t hi, int64_t dflt) {
    return has(key) ? integer(key, lo, hi) : dflt;
  }
  float number_or(const std::string& key, float dflt) { return has(key) ? number(key) : dflt; }
  float number(const std::string& key) {
    const json& v = get(key);
    if (!v.is_number()) fail(at(key), "expected a number, got " + type_name(v));
    const double d = v.get<double>();
    if (std::fabs(d) > double(std::numeric_limits<float>::max())) fail(at(key), v.dump() + " does not fit a float32");
    return float(d);
  }
  std::string string(const std::string& key) {
    const json& v = get(key);
    if (!v.is_string()) fail(at(key), "expected a string, got " + type_name(v));
    return v.get<std::string>();
  }
  bool boolean_or(const std::string& key, bool dflt) {
    if (!has(key)) return dflt;
    const json& v = get(key);
    if (!v.is_boolean()) fail(at(key), "expected true or false, got " + type_name(v));
    return v.get<bool>();
  }
  const json& array(const std::string& key) {
    const json& v = get(key);
    if (!v.is_array()) fail(at(key), "expected an array, got " + type_name(v));
    return v;
  }
  // A name from a fixed list: "unknown engine 'gpu' (expected pe, dve, act, pool or dma)".
  template <typename E>
  E name(const std::string& key, bool (*parse)(const std::string&, E&), const char* what, const char* choices) {
    E out{};
    const std::string s = string(key);
    if (!parse(s, out)) fail(at(key), "unknown " + std::string(what) + " '" + printable(s) + "' (expected " + choices + ")");
    return out;
  }
  // Call once every known field has been taken.
  void no_unknown_keys() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) fail(at(printable(it.key())), "unknown key");
  }

 private:
  const json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

// A dtype by name. float8_e4m3fn is a real nki.language dtype, but Trn3's, so it gets its
// own message rather than "unknown".
DType dtype_field(Object& o, const std::string& key) {
  const json& v = o.get(key);
  if (v.is_string() && v.get<std::string>() == "float8_e4m3fn")
    fail(o.at(key), "float8_e4m3fn (OCP fp8) runs on Trn3 only; trn2 runs float8_e4m3 (compiler error NCC_EVRF051)");
  return o.name<DType>(key, parse_dtype, "dtype", kDtypes);
}

json ap_to_json(const AccessPattern& a) {
  json dims = json::array();
  for (int d = 0; d < a.ndims; ++d) dims.push_back({a.dims[d].step, a.dims[d].count});
  return {{"space", space_name(a.space)}, {"dtype", dtype_name(a.dtype)}, {"base", a.base},
          {"offset", a.offset}, {"start_partition", a.start_partition},
          {"partition_step", a.partition_step}, {"partition_count", a.partition_count},
          {"dims", dims}};
}

// A pattern. An HBM pattern may name its tensor ("tensor": "a") instead of giving its byte
// base; the tensor's dtype is then the default.
AccessPattern ap_from_json(const json& j, const std::string& path, const Program& p) {
  Object o(j, path);
  AccessPattern a;
  a.space = o.name<Space>("space", parse_space, "space", "hbm, sbuf or psum");
  const HbmTensor* t = nullptr;
  if (o.has("tensor")) {
    if (a.space != Space::HBM) fail(o.at("tensor"), "only HBM patterns name a tensor");
    if (o.has("base")) fail(o.at("base"), "give either base or tensor, not both");
    const std::string name = o.string("tensor");
    t = p.find_tensor(name);
    if (!t) fail(o.at("tensor"), "no tensor named '" + printable(name) + "'");
    a.base = t->base;
  } else {
    a.base = o.integer("base", 0, kMaxAddress);
  }
  if (t && !o.has("dtype")) a.dtype = t->dtype;
  else a.dtype = dtype_field(o, "dtype");
  a.offset = o.integer_or("offset", -kMaxAddress, kMaxAddress, 0);
  a.start_partition = int(o.integer_or("start_partition", 0, kMaxCount, 0));
  a.partition_step = o.integer_or("partition_step", -kMaxStep, kMaxStep, 1);
  // Beyond the partitions is validation's to say, in the hardware's terms.
  a.partition_count = int(o.integer("partition_count", 1, kMaxCount, " (a pattern covers 1 to 128 partitions)"));
  const json& dims = o.array("dims");
  if (dims.empty() || dims.size() > size_t(kMaxFreeDims)) fail(o.at("dims"), "expected 1 to 4 [step, count] pairs");
  a.ndims = int(dims.size());
  int64_t elements = a.partition_count;
  for (int d = 0; d < a.ndims; ++d) {
    const json& pr = dims[size_t(d)];
    const std::string dp = o.at("dims") + "[" + std::to_string(d) + "]";
    if (!pr.is_array() || pr.size() != 2 || !pr[0].is_number_integer() || !pr[1].is_number_integer())
      fail(dp, "expected [step, count] integers");
    const int64_t step = pr[0].get<int64_t>(), count = pr[1].get<int64_t>();
    for (const json& v : pr)
      if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) fail(dp, v.dump() + " is out of range");
    if (step < -kMaxStep || step > kMaxStep) fail(dp, "step " + std::to_string(step) + " is outside [-2^34, 2^34]");
    if (count < 1 || count > kMaxCount) fail(dp, "count " + std::to_string(count) + " is outside [1, 2^26]");
    a.dims[size_t(d)] = {step, count};
    elements *= count;  // <= 2^26 * 2^40 before the check below stops it
    if (elements > kMaxElements) fail(o.at("dims"), "the pattern has more than 2^40 elements");
  }
  o.no_unknown_keys();
  return a;
}

// An operand given as a number (an immediate) or as a pattern (one value per partition):
// `key` missing takes `dflt` when there is one.
void operand(Object& o, const std::string& key, const Program& p, float& value, AccessPattern& tile, bool& is_tile,
             const float* dflt) {
  if (dflt && !o.has(key)) {
    value = *dflt;
    return;
  }
  const json& v = o.get(key);
  if (v.is_object()) {
    tile = ap_from_json(v, o.at(key), p);
    is_tile = true;
  } else if (v.is_number()) {
    value = o.number(key);
  } else {
    fail(o.at(key), "expected a number or an access pattern (one value per partition)");
  }
}

Instruction instruction_from_json(const json& j, const std::string& path, const Program& p, size_t index) {
  Object o(j, path);
  Instruction in;
  in.op = o.name<Opcode>("op", parse_opcode, "opcode", "dma_copy, nc_matmul, nc_transpose, tensor_copy, memset, tensor_tensor, tensor_scalar, activation, iota, tensor_reduce or scalar_tensor_tensor");
  in.engine = o.name<Engine>("engine", parse_engine, "engine", "pe, dve, act, pool or dma");
  // Which queues a core has is validation's to say, in the hardware's terms (0..15 on trn2).
  if (in.engine == Engine::Dma) in.queue = int(o.integer("queue", -(1 << 20), 1 << 20));
  if (in.op == Opcode::DmaCopy && o.has("dge_mode"))
    in.dge = o.name<DgeMode>("dge_mode", parse_dge, "dge_mode", "unknown, none, swdge or hwdge");
  in.dst = ap_from_json(o.get("dst"), o.at("dst"), p);
  if (reads_src(in.op)) in.src = ap_from_json(o.get("src"), o.at("src"), p);
  switch (in.op) {
    case Opcode::Matmul:
      in.src2 = ap_from_json(o.get("moving"), o.at("moving"), p);
      in.accumulate = o.boolean_or("accumulate", false);
      if (o.has("perf_mode"))  // whether the operands allow it is validation's to say
        in.perf_mode = o.name<PerfMode>("perf_mode", parse_perf_mode, "perf_mode", "none or double_row");
      break;
    case Opcode::DmaCopy:
      in.accumulate = o.boolean_or("accumulate", false);  // nki.isa.dma_copy's dst_rmw_op=nl.add
      break;
    case Opcode::TensorTensor:
      in.src2 = ap_from_json(o.get("src2"), o.at("src2"), p);
      in.alu = o.name<AluOp>("alu", parse_alu, "alu op", kAluOps);
      break;
    case Opcode::TensorScalar:
      in.alu = o.name<AluOp>("alu", parse_alu, "alu op", kAluOps);
      operand(o, "scalar", p, in.value, in.operand0, in.operand0_tile, nullptr);
      in.reverse0 = o.boolean_or("reverse0", false);
      if (o.has("alu1")) {  // the second operator, with its scalar
        in.two_ops = true;
        in.alu1 = o.name<AluOp>("alu1", parse_alu, "alu op", kAluOps);
        operand(o, "scalar1", p, in.value1, in.operand1, in.operand1_tile, nullptr);
        in.reverse1 = o.boolean_or("reverse1", false);
      }
      break;
    case Opcode::ScalarTensorTensor:
      in.src2 = ap_from_json(o.get("src2"), o.at("src2"), p);
      in.alu = o.name<AluOp>("alu", parse_alu, "alu op", kAluOps);
      in.alu1 = o.name<AluOp>("alu1", parse_alu, "alu op", kAluOps);
      operand(o, "scalar", p, in.value, in.operand0, in.operand0_tile, nullptr);
      in.reverse0 = o.boolean_or("reverse0", false);
      in.reverse1 = o.boolean_or("reverse1", false);
      break;
    case Opcode::Activation: {
      in.func = o.name<ActFunc>("func", parse_act, "activation function",
                                "identity, relu, exp, tanh, sigmoid, silu, gelu, rsqrt, sqrt or square");
      const float one = 1.0f, zero = 0.0f;
      operand(o, "scale", p, in.scale, in.operand0, in.operand0_tile, &one);
      operand(o, "bias", p, in.bias, in.operand1, in.operand1_tile, &zero);
      if (o.has("reduce_res")) {
        in.reduce_res = ap_from_json(o.get("reduce_res"), o.at("reduce_res"), p);
        in.reduce_tile = true;
      }
      break;
    }
    case Opcode::Iota:
      in.value = o.number_or("start", 0.0f);
      in.scale = o.number_or("step", 1.0f);
      in.bias = o.number_or("partition_step", 0.0f);
      break;
    case Opcode::Memset:
      in.value = o.number("value");
      break;
    case Opcode::TensorReduce:
      in.alu = o.name<AluOp>("alu", parse_alu, "alu op", kAluOps);
      in.negate = o.boolean_or("negate", false);
      break;
    default:
      break;
  }
  if (o.has("deps")) {
    const json& deps = o.array("deps");
    for (const auto& d : deps) {
      if (!d.is_number_unsigned() || d.get<uint64_t>() >= index)
        fail(o.at("deps"), "expected indices of earlier instructions of this core (0 to " +
                               std::to_string(int64_t(index) - 1) + "), got " + d.dump());
      in.deps.push_back(d.get<uint32_t>());
    }
  }
  if (o.has("source")) in.source = o.string("source");
  o.no_unknown_keys();
  return in;
}

}  // namespace

json to_json(const Program& p) {
  json tensors = json::array();
  for (const auto& t : p.tensors) {
    tensors.push_back({{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape},
                       {"base", t.base}});
    if (t.read_only) tensors.back()["read_only"] = true;
  }
  json cores = json::array();
  for (const auto& stream : p.cores) {
    json list = json::array();
    for (const auto& in : stream) {
      json j = {{"op", opcode_name(in.op)}, {"engine", engine_name(in.engine)},
                {"dst", ap_to_json(in.dst)}, {"deps", in.deps}};
      if (in.engine == Engine::Dma) j["queue"] = in.queue;
      if (in.op == Opcode::DmaCopy && in.dge != DgeMode::Unknown) j["dge_mode"] = dge_name(in.dge);
      if (reads_src(in.op)) j["src"] = ap_to_json(in.src);
      switch (in.op) {
        case Opcode::Matmul:
          j["moving"] = ap_to_json(in.src2);
          j["accumulate"] = in.accumulate;
          if (in.perf_mode != PerfMode::None) j["perf_mode"] = perf_mode_name(in.perf_mode);
          break;
        case Opcode::DmaCopy:
          if (in.accumulate) j["accumulate"] = true;
          break;
        case Opcode::TensorTensor:
          j["src2"] = ap_to_json(in.src2);
          j["alu"] = alu_name(in.alu);
          break;
        case Opcode::TensorScalar:
          j["alu"] = alu_name(in.alu);
          j["scalar"] = in.operand0_tile ? ap_to_json(in.operand0) : json(in.value);
          if (in.reverse0) j["reverse0"] = true;
          if (in.two_ops) {
            j["alu1"] = alu_name(in.alu1);
            j["scalar1"] = in.operand1_tile ? ap_to_json(in.operand1) : json(in.value1);
            if (in.reverse1) j["reverse1"] = true;
          }
          break;
        case Opcode::ScalarTensorTensor:
          j["src2"] = ap_to_json(in.src2);
          j["alu"] = alu_name(in.alu);
          j["alu1"] = alu_name(in.alu1);
          j["scalar"] = in.operand0_tile ? ap_to_json(in.operand0) : json(in.value);
          if (in.reverse0) j["reverse0"] = true;
          if (in.reverse1) j["reverse1"] = true;
          break;
        case Opcode::Activation:
          j["func"] = act_name(in.func);
          j["scale"] = in.operand0_tile ? ap_to_json(in.operand0) : json(in.scale);
          j["bias"] = in.operand1_tile ? ap_to_json(in.operand1) : json(in.bias);
          if (in.reduce_tile) j["reduce_res"] = ap_to_json(in.reduce_res);
          break;
        case Opcode::Iota:
          j["start"] = in.value;
          j["step"] = in.scale;
          j["partition_step"] = in.bias;
          break;
        case Opcode::Memset:
          j["value"] = in.value;
          break;
        case Opcode::TensorReduce:
          j["alu"] = alu_name(in.alu);
          if (in.negate) j["negate"] = true;
          break;
        default:
          break;
      }
      if (!in.source.empty()) j["source"] = in.source;
      list.push_back(std::move(j));
    }
    cores.push_back(std::move(list));
  }
  json out = {{"kernel", p.kernel}, {"hbm_bytes", p.hbm_bytes}, {"tensors", tensors}, {"cores", cores}};
  // Only while the deps are still to be found: once inferred they are written out, explicit.
  if (p.infer_deps) out["infer_deps"] = true;
  if (!p.allocations.empty()) {
    json allocs = json::array();
    for (const auto& a : p.allocations)
      allocs.push_back({{"core", a.core}, {"space", space_name(a.space)}, {"name", a.name}, {"base", a.base},
                        {"bytes", a.bytes}, {"first", a.first}, {"last", a.last}});
    out["allocations"] = std::move(allocs);
  }
  return out;
}

Program program_from_json(const json& j) {
  Program p;
  Object o(j, "program");
  p.kernel = o.has("kernel") ? o.string("kernel") : "program";
  const json& tensors = o.array("tensors");
  int64_t end = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    Object ot(tensors[i], o.at("tensors") + "[" + std::to_string(i) + "]");
    HbmTensor t;
    t.name = ot.string("name");
    if (t.name.empty()) fail(ot.at("name"), "must not be empty");
    if (p.find_tensor(t.name)) fail(ot.at("name"), "tensor '" + t.name + "' is declared twice");
    t.dtype = dtype_field(ot, "dtype");
    // Without a base, tensors are placed one after the other, 64-byte aligned.
    t.base = ot.integer_or("base", 0, kMaxAddress, (end + 63) / 64 * 64);
    const json& shape = ot.array("shape");
    if (shape.empty() || shape.size() > 8) fail(ot.at("shape"), "expected 1 to 8 dimensions");
    int64_t elements = 1;
    for (const auto& d : shape) {
      if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > kMaxCount * 16)
        fail(ot.at("shape"), "expected positive integers up to 2^30, got " + d.dump());
      t.shape.push_back(d.get<int64_t>());
      elements *= t.shape.back();
      if (elements > kMaxElements) fail(ot.at("shape"), "more than 2^40 elements");
    }
    t.read_only = ot.boolean_or("read_only", false);
    ot.no_unknown_keys();
    end = std::max(end, t.base + t.bytes());
    p.tensors.push_back(std::move(t));
  }
  p.hbm_bytes = o.integer_or("hbm_bytes", 0, kMaxAddress * 64, end);
  p.infer_deps = o.boolean_or("infer_deps", false);
  const json& cores = o.array("cores");
  if (cores.empty() || cores.size() > 2) fail(o.at("cores"), "expected 1 or 2 core streams, got " + std::to_string(cores.size()));
  for (size_t c = 0; c < cores.size(); ++c) {
    const std::string cp = o.at("cores") + "[" + std::to_string(c) + "]";
    if (!cores[c].is_array()) fail(cp, "expected an array of instructions, got " + type_name(cores[c]));
    if (cores[c].size() > size_t(UINT32_MAX)) fail(cp, "too many instructions");
    std::vector<Instruction> stream;
    stream.reserve(cores[c].size());
    for (size_t i = 0; i < cores[c].size(); ++i)
      stream.push_back(instruction_from_json(cores[c][i], cp + "[" + std::to_string(i) + "]", p, i));
    p.cores.push_back(std::move(stream));
  }
  if (o.has("allocations")) {
    const json& allocs = o.array("allocations");
    for (size_t i = 0; i < allocs.size(); ++i) {
      Object oa(allocs[i], o.at("allocations") + "[" + std::to_string(i) + "]");
      Allocation a;
      a.core = int(oa.integer("core", 0, int64_t(p.cores.size()) - 1));
      a.space = oa.name<Space>("space", parse_space, "space", "sbuf or psum");
      if (a.space == Space::HBM) fail(oa.at("space"), "allocations are in sbuf or psum");
      a.name = oa.has("name") ? oa.string("name") : "";
      a.base = oa.integer("base", 0, kMaxAddress);
      a.bytes = oa.integer("bytes", 1, kMaxAddress);
      const int64_t n = int64_t(p.cores[size_t(a.core)].size());
      a.first = uint32_t(oa.integer("first", 0, n - 1));
      a.last = uint32_t(oa.integer("last", a.first, n - 1));
      oa.no_unknown_keys();
      p.allocations.push_back(std::move(a));
    }
  }
  o.no_unknown_keys();
  return p;
}

}  // namespace trn2::isa

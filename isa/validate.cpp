#include "isa/validate.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <sstream>
#include <utility>

namespace trn2::isa {

namespace {

class Checker {
 public:
  Checker(const Limits& l, const Program& p, size_t core, size_t index, const Instruction& in)
      : l_(l), p_(p), in_(in), core_(core), index_(index) {}

  [[noreturn]] void fail(const std::string& what) const {
    std::ostringstream s;
    s << "core " << core_ << " instruction " << index_ << " (" << opcode_name(in_.op) << at_source(in_.source)
      << "): " << what;
    throw ValidationError(s.str());
  }

  void require(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }
  void require(bool ok, const char* what) const {
    if (!ok) fail(what);
  }
  // Every instruction of a big program passes through here: messages are made only when a
  // check fails, so `what` is a callable returning the message.
  template <class Message, class = decltype(std::declval<Message>()())>
  void require(bool ok, Message&& what) const {
    if (!ok) fail(what());
  }

  void pattern(const AccessPattern& a, const char* role) const {
    // The messages are made only on failure; `role` becomes a string only then.
    const auto r = [role] { return std::string(role); };
    require(a.ndims >= 1 && a.ndims <= kMaxFreeDims, [&] { return r() + " has " + std::to_string(a.ndims) + " free dims, must be 1 to 4"; });
    for (int d = 0; d < a.ndims; ++d)
      require(a.dims[d].count >= 1, [&] { return r() + " free dim " + std::to_string(d) + " count " + std::to_string(a.dims[d].count) + " must be positive"; });
    require(a.partition_count >= 1, [&] { return r() + " partition count " + std::to_string(a.partition_count) + " must be positive"; });
    require(a.partition_count <= l_.partitions, [&] { return r() + " partition count " + std::to_string(a.partition_count) + " exceeds " + std::to_string(l_.partitions); });
    in_range(a, role);
    int64_t lo, hi;
    a.byte_extent(lo, hi);
    if (a.space == Space::HBM) {
      require(lo >= 0 && hi <= p_.hbm_bytes, [&] { return r() + " HBM bytes [" + std::to_string(lo) + ", " + std::to_string(hi) + ") outside the program's " + std::to_string(p_.hbm_bytes) + " bytes of HBM"; });
      if (std::strcmp(role, "dst") == 0)
        for (const HbmTensor& t : p_.tensors)
          require(!t.read_only || hi <= t.base || lo >= t.base + t.bytes(), [&] { return "dst writes read-only tensor '" + t.name + "'"; });
      return;
    }
    require(a.partition_step >= 1, [&] { return r() + " partition step must be positive"; });
    const int64_t last = a.start_partition + int64_t(a.partition_count - 1) * a.partition_step;
    require(a.start_partition >= 0 && last < l_.partitions, [&] { return r() + " partitions " + std::to_string(a.start_partition) + ".." + std::to_string(last) + " exceed " + std::to_string(l_.partitions); });
    if (in_.engine != Engine::Dma) {
      // Compute engines address a contiguous range of partitions (lanes); DMA may touch any.
      require(a.partition_step == 1 || a.partition_count == 1, [&] { return r() + " partition step " + std::to_string(a.partition_step) + ": compute engines access contiguous partitions"; });
      // Start-partition rule - NeuronCore architecture guide: >64 partitions start at 0,
      // 33-64 at 0 or 64, 1-32 at a multiple of 32.
      const int n = a.partition_count, s = a.start_partition;
      const bool ok = n > 64 ? s == 0 : n > 32 ? (s == 0 || s == 64) : s % 32 == 0;
      require(ok, [&] { return r() + " start partition " + std::to_string(s) + " is not allowed for " + std::to_string(n) + " partitions"; });
    }
    const int64_t cap = a.space == Space::SBUF ? l_.sbuf_partition_bytes : l_.psum_partition_bytes;
    // Repeats (step 0) aside, a row cannot hold more elements than bytes: a bound that keeps
    // an instruction's work finite (2^40 broadcast elements would run for days).
    require(a.free_elements() <= cap, [&] { return r() + " has " + std::to_string(a.free_elements()) + " elements per partition, more than the " + std::to_string(cap) + " bytes of a " + space_name(a.space) + " partition"; });
    require(lo >= 0 && hi <= cap, [&] { return r() + " bytes [" + std::to_string(lo) + ", " + std::to_string(hi) + ") exceed " + space_name(a.space) + " partition size " + std::to_string(cap); });
  }

  // The fields come from JSON and may be anywhere in int64: bound them so that byte_extent(),
  // free_elements() and the simulator's address arithmetic cannot overflow. 2^40 is beyond
  // any HBM stack.
  void in_range(const AccessPattern& a, const char* role) const {
    const auto r = [role] { return std::string(role); };
    constexpr int64_t kMax = int64_t(1) << 40;
    auto bounded = [&](int64_t v, const char* what) {
      require(v >= -kMax && v <= kMax, [&] { return r() + " " + what + " " + std::to_string(v) + " is outside +-2^40"; });
    };
    bounded(a.base, "base");
    bounded(a.offset, "offset");
    bounded(a.partition_step, "partition step");
    int64_t elements = 1;
    for (int d = 0; d < a.ndims; ++d) {
      const Dim& dim = a.dims[d];
      bounded(dim.step, "free dim step");
      // In 128 bits: products, not divisions (this runs for every operand of every instruction).
      require(__int128(dim.count) * elements <= kMax, [&] { return r() + " has more than 2^40 elements per partition"; });
      require(__int128(dim.count - 1) * std::abs(dim.step) <= kMax, [&] { return r() + " free dim " + std::to_string(d) + " spans more than 2^40 elements"; });
      elements *= a.dims[d].count;
    }
  }


  void within_one_bank(const AccessPattern& a, const char* role) const {
    int64_t lo, hi;
    a.byte_extent(lo, hi);
    require(lo / l_.psum_bank_bytes == (hi - 1) / l_.psum_bank_bytes, [&] { return std::string(role) + " crosses a PSUM bank boundary (" + std::to_string(l_.psum_bank_bytes) + " bytes per bank)"; });
  }

  void engine_is(std::initializer_list<Engine> allowed) const {
    std::string names;
    for (Engine e : allowed) {
      if (e == in_.engine) return;
      names += (names.empty() ? "" : ", ") + std::string(engine_name(e));
    }
    fail(std::string("runs on ") + names + ", not " + engine_name(in_.engine));
  }

  // dst on chip, written by a compute engine.
  void on_chip_dst() const {
    pattern(in_.dst, "dst");
    require(in_.dst.space != Space::HBM, "compute engines cannot access HBM");
  }

  // An input of a compute engine: on chip, on dst's partitions, of dst's shape.
  void on_chip_input(const AccessPattern& a, const char* role) const {
    const AccessPattern& d = in_.dst;
    pattern(a, role);
    require(a.space != Space::HBM, "compute engines cannot access HBM");
    require(a.start_partition == d.start_partition, [&] { return std::string("compute engines keep data in its partitions (") + role + " starts at " + std::to_string(a.start_partition) + ", dst at " + std::to_string(d.start_partition) + ")"; });
    require(a.partition_count == d.partition_count, [&] { return std::string(role) + " has " + std::to_string(a.partition_count) + " partitions but dst has " + std::to_string(d.partition_count); });
    require(a.free_elements() == d.free_elements(), [&] { return std::string(role) + " has " + std::to_string(a.free_elements()) + " elements per partition but dst has " + std::to_string(d.free_elements()); });
  }

  // GpSimd cannot reach PSUM (nki.isa tensor_copy, tensor_tensor).
  void gpsimd_in_sbuf() const {
    if (in_.engine != Engine::GpSimd) return;
    bool psum = in_.dst.space == Space::PSUM || in_.src.space == Space::PSUM ||
                (reads_src2(in_.op) && in_.src2.space == Space::PSUM);
    for_each_operand_tile(in_, [&](const AccessPattern& a) { psum = psum || a.space == Space::PSUM; });
    require(!psum, "GpSimd cannot access PSUM");
  }

  // A [P, 1] column on chip, on dst's partitions: `one` names its element ("one value"),
  // `has_one` ends the message when it has more.
  void per_partition_column(const AccessPattern& a, const char* role, const char* one, const char* has_one) const {
    pattern(a, role);
    require(a.space != Space::HBM, "compute engines cannot access HBM");
    require(a.start_partition == in_.dst.start_partition && a.partition_count == in_.dst.partition_count,
            [&] { return std::string(role) + " must be on dst's partitions (" + one + " per partition)"; });
    require(a.free_elements() == 1, [&] { return std::string(role) + " has " + std::to_string(a.free_elements()) + " elements per partition; " + has_one; });
  }

  // Per-partition operands: one value each.
  void operand_tiles() const {
    for_each_operand_tile(in_, [&](const AccessPattern& a) {
      per_partition_column(a, &a == &in_.operand0 ? "operand0" : "operand1", "one value", "a per-partition operand has 1");
    });
  }

  // dst = f(src): both on chip, same partitions, same shape.
  void on_chip_unary() const {
    on_chip_dst();
    on_chip_input(in_.src, "src");
  }

  // nki.isa.nc_matmul's double_row (the PE's FP8 double mode): fp8 stationary and moving,
  // either format, mixed or not; each [K, 2, F], the outermost free dim (count 2) holding the
  // second half of the contraction.
  void double_row_operands() const {
    require(is_fp8(in_.src.dtype) && is_fp8(in_.src2.dtype), [&] { return std::string("perf_mode double_row needs fp8 stationary and moving (float8_e4m3 or float8_e5m2), not ") + dtype_name(in_.src.dtype) + " and " + dtype_name(in_.src2.dtype); });
    for (const AccessPattern* a : {&in_.src, &in_.src2}) {
      const char* role = a == &in_.src ? "stationary" : "moving";
      require(a->dims[0].count == 2, [&] { return std::string("perf_mode double_row: ") + role + "'s outermost free dim has count " + std::to_string(a->dims[0].count) + ", must be 2 (" + role + " [K, 2, F] holds both halves of the contraction)"; });
    }
  }

  void check() const {
    const Instruction& in = in_;
    require(in.perf_mode == PerfMode::None || in.op == Opcode::Matmul, "perf_mode is nc_matmul's only");
    switch (in.op) {
      case Opcode::DmaCopy: {
        require(in.engine == Engine::Dma, [&] { return std::string("runs on DMA queues, not ") + engine_name(in.engine); });
        require(in.queue >= 0 && in.queue < l_.dma_queues, [&] { return "queue " + std::to_string(in.queue) + " is not one of the core's queues 0.." + std::to_string(l_.dma_queues - 1); });
        pattern(in.dst, "dst");
        pattern(in.src, "src");
        require(in.dst.space != Space::PSUM, "dst in PSUM: DMA writes HBM or SBUF only");
        // An on-chip side bounds a transfer's elements; an HBM-to-HBM copy writes no more
        // elements than the program has bytes of HBM (overlapping reads may exceed it), which
        // keeps its work finite.
        require(in.dst.space != Space::HBM || in.src.space != Space::HBM || in.dst.total_elements() <= p_.hbm_bytes, [&] { return "dst has " + std::to_string(in.dst.total_elements()) + " elements, more than the program's " + std::to_string(p_.hbm_bytes) + " bytes of HBM"; });
        require(in.src.total_elements() == in.dst.total_elements(), [&] { return "src has " + std::to_string(in.src.total_elements()) + " elements but dst has " + std::to_string(in.dst.total_elements()); });
        // HWDGE "moves raw bytes ... no type casting occurs" (the NKI 0.3.0 migration guide,
        // nisa.dma_copy's dge_mode type matching): a casting DMA takes the none path.
        require(in.dge != DgeMode::HwDge || in.src.dtype == in.dst.dtype, [&] { return std::string("dge_mode hwdge does not cast (src ") + dtype_name(in.src.dtype) + ", dst " + dtype_name(in.dst.dtype) + "): the hardware DGE moves raw bytes; use dge_mode none to cast"; });
        // GpSimd's descriptor software has no public cost figure to model it from.
        require(in.dge != DgeMode::SwDge, "dge_mode swdge is not modelled (no public figure for GpSimd descriptor generation); use none or hwdge");
        break;
      }
      case Opcode::Matmul: {
        require(in.engine == Engine::Tensor, "runs on the tensor engine (pe) only");
        pattern(in.src, "stationary");
        pattern(in.src2, "moving");
        pattern(in.dst, "dst");
        require(in.src.space == Space::SBUF && in.src2.space == Space::SBUF, "stationary and moving must be in SBUF");
        require(in.dst.space == Space::PSUM && in.dst.dtype == DType::F32, "dst must be an fp32 PSUM tile");
        require(in.src.start_partition == in.src2.start_partition, [&] { return "stationary starts at partition " + std::to_string(in.src.start_partition) + " but moving at " + std::to_string(in.src2.start_partition) + " (K runs over the same partitions)"; });
        require(in.src.partition_count == in.src2.partition_count, [&] { return "stationary has " + std::to_string(in.src.partition_count) + " partitions (K) but moving has " + std::to_string(in.src2.partition_count); });
        // nki.isa.nc_matmul "supports float8_e4m3/float8_e5m2/bfloat16/float16/tfloat32/float32
        // input data types": no integers.
        require(!is_integer(in.src.dtype) && !is_integer(in.src2.dtype), [&] { return std::string("stationary ") + dtype_name(in.src.dtype) + " and moving " + dtype_name(in.src2.dtype) + ": nc_matmul takes float operands only (float32, bfloat16, float16, float8_e4m3, float8_e5m2), not integers"; });
        // nki.isa.nc_matmul: fp32 (and tf32) pair only with each other; bf16, fp16 and fp8 mix freely.
        require((in.src.dtype == DType::F32) == (in.src2.dtype == DType::F32), "stationary and moving mix fp32 with a narrower dtype");
        if (in.perf_mode == PerfMode::DoubleRow) double_row_operands();
        // In double_row mode the limits and dst's shape are per half of the contraction.
        const MatmulShape s = matmul_shape(in);
        const char* half = in.perf_mode == PerfMode::DoubleRow ? " per double_row half" : "";
        require(s.m <= l_.matmul_stationary_free_max, [&] { return "stationary free size " + std::to_string(s.m) + half + " exceeds " + std::to_string(l_.matmul_stationary_free_max); });
        require(s.n <= l_.matmul_moving_free_max, [&] { return "moving free size " + std::to_string(s.n) + half + " exceeds " + std::to_string(l_.matmul_moving_free_max); });
        require(in.dst.partition_count == s.m && in.dst.free_elements() == s.n, [&] { return std::string("dst must be [stationary free, moving free]") + half; });
        within_one_bank(in.dst, "dst");
        break;
      }
      case Opcode::Transpose: {
        require(in.engine == Engine::Tensor, "runs on the tensor engine (pe) only");
        pattern(in.src, "src");
        pattern(in.dst, "dst");
        require(in.src.space == Space::SBUF && in.dst.space == Space::PSUM, "transposes SBUF into PSUM");
        require(in.src.free_elements() <= l_.matmul_stationary_free_max, [&] { return "src free size " + std::to_string(in.src.free_elements()) + " exceeds " + std::to_string(l_.matmul_stationary_free_max); });
        require(in.dst.partition_count == in.src.free_elements() && in.dst.free_elements() == in.src.partition_count, "dst must be src's shape transposed");
        // The PE's transpose mode writes fp8 as 16-bit PSUM elements, the upper byte zero
        // (Trainium2 architecture guide): a layout this model's one-byte fp8 has no name for.
        require(!is_fp8(in.src.dtype), "an fp8 transpose on the PE is not modelled (trn2 writes it as 16-bit PSUM elements); transpose by nc_matmul against an identity instead");
        // nki.isa.nc_transpose takes "any valid NKI data type" and trn2's transpose mode is
        // bit-accurate, so 16- and 32-bit integers transpose as their bits. 1-byte integers are
        // taken to widen in PSUM as the guide says fp8 does, which is not modelled.
        require(!(is_integer(in.src.dtype) && dtype_size(in.src.dtype) == 1), [&] { return std::string("a PE transpose of ") + dtype_name(in.src.dtype) + " is not modelled (trn2's transpose mode widens 1-byte elements to 16 bits in PSUM); copy it to bfloat16 (exact for 8-bit integers) and transpose that"; });
        // nki.isa nc_transpose: the PSUM result keeps the input's dtype.
        require(in.dst.dtype == in.src.dtype, [&] { return "dst dtype " + std::string(dtype_name(in.dst.dtype)) + " differs from src dtype " + dtype_name(in.src.dtype) + " (a transpose does not convert)"; });
        within_one_bank(in.dst, "dst");
        break;
      }
      case Opcode::TensorCopy:
        engine_is({Engine::Vector, Engine::Scalar, Engine::GpSimd});
        on_chip_unary();
        break;
      case Opcode::Memset:
        engine_is({Engine::Vector, Engine::Scalar, Engine::GpSimd});
        on_chip_dst();
        break;
      case Opcode::TensorTensor:
        engine_is({Engine::Vector, Engine::GpSimd});  // nki.isa: Vector or GpSimd
        on_chip_unary();
        on_chip_input(in.src2, "src2");
        require(!(in.src.space == Space::PSUM && in.src2.space == Space::PSUM), "at most one input may be in PSUM");
        gpsimd_in_sbuf();
        break;
      case Opcode::TensorScalar:
        engine_is({Engine::Vector, Engine::GpSimd});  // nki.isa: Vector, Scalar or GpSimd
        on_chip_unary();
        operand_tiles();
        gpsimd_in_sbuf();
        break;
      case Opcode::ScalarTensorTensor:
        engine_is({Engine::Vector});
        on_chip_unary();
        on_chip_input(in.src2, "src2");
        require(!(in.src.space == Space::PSUM && in.src2.space == Space::PSUM), "at most one input may be in PSUM");
        operand_tiles();
        break;
      case Opcode::Activation:
        engine_is({Engine::Scalar});
        on_chip_unary();
        operand_tiles();
        if (in.reduce_tile) per_partition_column(in.reduce_res, "reduce_res", "one sum", "it holds one sum per partition");
        break;
      case Opcode::TensorReduce: {
        engine_is({Engine::Vector});
        on_chip_dst();
        pattern(in.src, "src");
        require(in.src.space != Space::HBM, "compute engines cannot access HBM");
        require(in.src.start_partition == in.dst.start_partition && in.src.partition_count == in.dst.partition_count,
                "src and dst must be on the same partitions (the reduction runs along each partition's free elements)");
        require(in.dst.free_elements() == 1, [&] { return "dst has " + std::to_string(in.dst.free_elements()) + " elements per partition; a reduction of every free element writes 1"; });
        require(in.alu == AluOp::Add || in.alu == AluOp::Max || in.alu == AluOp::Min || in.alu == AluOp::Multiply,
                [&] { return std::string("reduces with add, max, min or multiply, not ") + alu_name(in.alu); });
        break;
      }
      case Opcode::Iota:
        engine_is({Engine::GpSimd});
        on_chip_dst();
        require(in.dst.space == Space::SBUF, "iota writes SBUF");
        break;
    }
  }

 private:
  const Limits& l_;
  const Program& p_;
  const Instruction& in_;
  size_t core_, index_;
};

}  // namespace

void validate_header(const Program& p, const Limits& limits) {
  if (p.cores.empty() || p.cores.size() > 2)
    throw ValidationError("program has " + std::to_string(p.cores.size()) + " core streams, must be 1 or 2");
  if (p.hbm_bytes > limits.hbm_bytes)
    throw ValidationError("program uses " + std::to_string(p.hbm_bytes) + " bytes of HBM, more than the stack's " +
                          std::to_string(limits.hbm_bytes));
  if (p.hbm_bytes < 0) throw ValidationError("program uses " + std::to_string(p.hbm_bytes) + " bytes of HBM");
  for (const auto& t : p.tensors) {
    // Dimension by dimension (elements that still fit), so a huge shape cannot overflow bytes().
    bool fits = t.base >= 0 && t.base <= p.hbm_bytes, empty = false;
    int64_t room = fits ? (p.hbm_bytes - t.base) / int64_t(dtype_size(t.dtype)) : 0;
    for (int64_t d : t.shape) {
      if (d < 0) fits = false;
      else if (d == 0) empty = true;
      else room /= d;
    }
    if (!fits || (!empty && room < 1)) throw ValidationError("tensor " + t.name + " does not fit the program's HBM");
  }
}

void validate_instruction(const Program& header, const Limits& limits, size_t core, size_t index,
                          const Instruction& in) {
  Checker ck(limits, header, core, index, in);
  ck.check();
  for (uint32_t d : in.deps)
    ck.require(d < index, [&] { return "dependency on instruction " + std::to_string(d) + ", which is not earlier in the stream"; });
}

void validate(const Program& p, const Limits& limits) {
  validate_header(p, limits);
  for (size_t c = 0; c < p.cores.size(); ++c)
    for (size_t i = 0; i < p.cores[c].size(); ++i) validate_instruction(p, limits, c, i, p.cores[c][i]);
  for (size_t i = 0; i < p.allocations.size(); ++i) {
    const Allocation& a = p.allocations[i];
    const std::string at = "allocation " + std::to_string(i) + " (" + a.name + "): ";
    if (a.core < 0 || size_t(a.core) >= p.cores.size())
      throw ValidationError(at + "core " + std::to_string(a.core) + " has no stream");
    if (a.first > a.last || a.last >= p.cores[size_t(a.core)].size())
      throw ValidationError(at + "live range " + std::to_string(a.first) + ".." + std::to_string(a.last) +
                            " is not within the core's " + std::to_string(p.cores[size_t(a.core)].size()) + " instructions");
    const int64_t cap = a.space == Space::SBUF ? limits.sbuf_partition_bytes : limits.psum_partition_bytes;
    if (a.space == Space::HBM || a.base < 0 || a.bytes <= 0 || a.base + a.bytes > cap)
      throw ValidationError(at + "bytes [" + std::to_string(a.base) + ", " + std::to_string(a.base + a.bytes) +
                            ") exceed " + space_name(a.space) + " partition size " + std::to_string(cap));
  }
}

}  // namespace trn2::isa

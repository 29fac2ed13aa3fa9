#include "kernels/builder.h"

#include <algorithm>
#include <stdexcept>

#include "isa/footprint.h"

namespace trn2::kernels {

namespace {
constexpr uint32_t kUnused = UINT32_MAX;  // an allocation no instruction has touched yet

// One number for (space, base): the space (0..2) in the low two bits.
uint64_t buffer_key(isa::Space space, int64_t base) { return uint64_t(base) << 2 | uint64_t(space); }
}  // namespace

ProgramBuilder::ProgramBuilder(const isa::Limits& limits, int cores, std::string kernel_name)
    : limits_(limits), next_queue_(cores, 0), buffers_(cores), emitted_(size_t(cores), 0) {
  program_.kernel = std::move(kernel_name);
  program_.cores.resize(cores);
  pool_next_.resize(cores);
}

void ProgramBuilder::stream_to(isa::InstructionSink* sink, bool keep_allocations) {
  sink_ = sink;
  keep_allocations_ = keep_allocations;
}

const isa::HbmTensor& ProgramBuilder::hbm_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                                                 bool read_only) {
  isa::HbmTensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.base = (program_.hbm_bytes + 63) / 64 * 64;  // 64-byte aligned tensors
  if (t.base + t.bytes() > limits_.hbm_bytes)
    throw std::invalid_argument("HBM tensor '" + name + "' ends at byte " + std::to_string(t.base + t.bytes()) +
                                ", beyond the stack's " + std::to_string(limits_.hbm_bytes) + " bytes");
  program_.hbm_bytes = t.base + t.bytes();
  t.read_only = read_only;
  program_.tensors.push_back(t);
  return program_.tensors.back();
}

const isa::HbmTensor& ProgramBuilder::adopt_hbm_tensor(const isa::HbmTensor& t) {
  program_.hbm_bytes = std::max(program_.hbm_bytes, t.base + t.bytes());
  program_.tensors.push_back(t);
  return program_.tensors.back();
}

int ProgramBuilder::sbuf_pool(const std::string& name, int64_t bytes_per_partition, int bufs) {
  const int64_t bytes = sbuf_buffer_bytes(bytes_per_partition);
  Pool p{name, isa::Space::SBUF, sbuf_used_, bytes, bufs, 0};
  sbuf_used_ += bytes * bufs;
  if (sbuf_used_ > limits_.sbuf_partition_bytes)
    throw std::invalid_argument("SBUF pool '" + name + "' needs " + std::to_string(sbuf_used_) +
                                " bytes per partition in all, more than the " +
                                std::to_string(limits_.sbuf_partition_bytes) + " available");
  pools_.push_back(p);
  for (auto& n : pool_next_) n.push_back(0);
  return int(pools_.size()) - 1;
}

int ProgramBuilder::psum_pool(const std::string& name, int bufs) {
  Pool p{name, isa::Space::PSUM, psum_banks_used_ * limits_.psum_bank_bytes, limits_.psum_bank_bytes, bufs, 0};
  psum_banks_used_ += bufs;
  if (psum_banks_used_ * limits_.psum_bank_bytes > limits_.psum_partition_bytes)
    throw std::invalid_argument("PSUM pool '" + name + "' needs " + std::to_string(psum_banks_used_) +
                                " banks in all, more than the " +
                                std::to_string(limits_.psum_partition_bytes / limits_.psum_bank_bytes) +
                                " available");
  pools_.push_back(p);
  for (auto& n : pool_next_) n.push_back(0);
  return int(pools_.size()) - 1;
}

int64_t ProgramBuilder::allocate(int pool) {
  const Pool& p = pools_.at(pool);
  int& next = pool_next_[core_][pool];
  const int64_t base = p.base + int64_t(next) * p.buffer_bytes;
  next = (next + 1) % p.bufs;
  if (keep_allocations_) {  // else nothing reads them: no record, no copy of the pool's name
    isa::Allocation a;
    a.core = core_;
    a.space = p.space;
    a.name = p.name;
    a.base = base;
    a.bytes = p.buffer_bytes;
    a.first = kUnused;
    buffers_[core_][buffer_key(p.space, base)].allocation = program_.allocations.size();
    program_.allocations.push_back(std::move(a));
  }
  return base;
}

void ProgramBuilder::set_core(int core) { core_ = core; }

ProgramBuilder::Buffer& ProgramBuilder::buffer_of(const AccessPattern& ap) {
  // SBUF/PSUM patterns are tracked per buffer (their base); HBM per tensor.
  int64_t base = ap.base;
  if (ap.space == isa::Space::HBM) {
    for (const auto& t : program_.tensors)
      if (ap.base >= t.base && ap.base < t.base + t.bytes()) {
        base = t.base;
        // hbm_tensor() places each after the last: they do not overlap. Adopted ones may: the
        // first that holds the base keys the pattern, and the race check reports an order
        // that keying misses.
        break;
      }
  }
  return buffers_[core_][buffer_key(ap.space, base)];
}

void ProgramBuilder::track(const AccessPattern& ap, bool write, uint32_t index, isa::Engine engine,
                           std::vector<uint32_t>& deps) {
  Access a;
  ap.byte_extent(a.b_lo, a.b_hi);
  if (ap.space == isa::Space::HBM) {
    for (const isa::HbmTensor& t : program_.tensors) {
      const int64_t lo = t.base, hi = t.base + t.bytes();
      if (!t.read_only || a.b_lo >= hi || a.b_hi <= lo) continue;
      if (write) throw std::logic_error("instruction " + std::to_string(index) + " writes read-only HBM tensor bytes");
      if (a.b_lo >= lo && a.b_hi <= hi) return;  // nothing writes them: no dependency, no record
    }
    a.p_lo = 0;
    a.p_hi = 1;
  } else {
    a.p_lo = ap.start_partition;
    a.p_hi = isa::partition_of(ap, ap.partition_count - 1) + 1;
  }
  a.instruction = index;
  a.write = write;
  a.engine = int(engine);
  Buffer& buffer = buffer_of(ap);
  if (buffer.allocation != SIZE_MAX) {  // only SBUF/PSUM buffers have allocation records
    isa::Allocation& al = program_.allocations[buffer.allocation];
    if (al.first == kUnused) al.first = index;
    al.last = index;
  }
  Footprints& f = buffer.footprints;
  // RAW and WAW: earlier writes; WAR: a write also orders after earlier reads.
  conflicts(f.writes, a, deps);
  if (write) conflicts(f.reads, a, deps);
  // DMA queues are left out: their transfers overlap and may finish out of order.
  if (!write && engine != isa::Engine::Dma) forget_covered_reads(f.reads, a);
  (write ? f.writes : f.reads).insert(a);
}

void ProgramBuilder::Accesses::insert(const Access& a) {
  // After those that start at the same byte, as a multimap would put it.
  const auto at = std::upper_bound(by_start.begin(), by_start.end(), a.b_lo,
                                   [](int64_t b, const Access& e) { return b < e.b_lo; });
  by_start.insert(at, a);
  longest = std::max(longest, a.b_hi - a.b_lo);
}

std::vector<ProgramBuilder::Access>::iterator ProgramBuilder::Accesses::starting_from(int64_t b) {
  return std::lower_bound(by_start.begin(), by_start.end(), b,
                          [](const Access& e, int64_t v) { return e.b_lo < v; });
}

template <class Visit>
void ProgramBuilder::Accesses::sweep(std::vector<Access>::iterator first, int64_t end, Visit visit) {
  // Those kept move down over those forgotten; the tail after the range moves once at the end.
  auto kept = first, it = first;
  for (; it != by_start.end() && it->b_lo < end; ++it) {
    if (visit(*it)) continue;
    if (kept != it) *kept = *it;
    ++kept;
  }
  by_start.erase(kept, it);
}

void ProgramBuilder::conflicts(Accesses& set, const Access& a, std::vector<uint32_t>& deps) {
  set.sweep(set.starting_from(a.b_lo - set.longest), a.b_hi, [&](const Access& e) {
    const bool overlap = e.b_hi > a.b_lo && e.p_lo < a.p_hi && e.p_hi > a.p_lo;
    if (overlap) deps.push_back(e.instruction);
    // A write that covers an earlier access orders everything after it: forget the old one.
    return a.write && e.b_lo >= a.b_lo && e.b_hi <= a.b_hi && e.p_lo >= a.p_lo && e.p_hi <= a.p_hi;
  });
}

void ProgramBuilder::forget_covered_reads(Accesses& set, const Access& a) {
  // A covered read starts inside `a`.
  set.sweep(set.starting_from(a.b_lo), a.b_hi, [&](const Access& e) {
    return e.engine == a.engine && e.b_hi <= a.b_hi && e.p_lo >= a.p_lo && e.p_hi <= a.p_hi;
  });
}

uint32_t ProgramBuilder::emit(isa::Instruction in) {
  const uint32_t index = emitted_[size_t(core_)]++;
  // The conflicts are gathered in a vector kept from one instruction to the next (it only
  // grows while the first few instructions are made). A sink is lent the sorted, distinct
  // ones in place, and copies what it keeps; a program in memory gets its own copy.
  std::vector<uint32_t>& deps = deps_scratch_;
  deps.assign(in.deps.begin(), in.deps.end());  // any order the caller asks for, beyond the footprints'
  if (isa::reads_src(in.op)) track(in.src, false, index, in.engine, deps);
  if (isa::reads_src2(in.op)) track(in.src2, false, index, in.engine, deps);
  if (isa::reads_dst(in)) track(in.dst, false, index, in.engine, deps);
  isa::for_each_operand_tile(in, [&](const AccessPattern& a) { track(a, false, index, in.engine, deps); });
  track(in.dst, true, index, in.engine, deps);
  isa::for_each_extra_write(in, [&](const AccessPattern& a) { track(a, true, index, in.engine, deps); });
  deps.erase(std::remove(deps.begin(), deps.end(), index), deps.end());
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  if (sink_) {
    in.deps.swap(deps);
    sink_->put(core_, in);
    in.deps.swap(deps);
  } else {
    in.deps.assign(deps.begin(), deps.end());
    program_.cores[size_t(core_)].push_back(std::move(in));
  }
  return index;
}

uint32_t ProgramBuilder::dma_copy(const AccessPattern& dst, const AccessPattern& src, isa::DgeMode dge, int queue) {
  isa::Instruction in;
  in.op = isa::Opcode::DmaCopy;
  in.engine = Engine::Dma;
  in.dge = dge;
  if (queue >= 0) {
    in.queue = queue;
  } else {
    in.queue = next_queue_[core_];
    next_queue_[core_] = (next_queue_[core_] + 1) % limits_.dma_queues;
  }
  in.dst = dst;
  in.src = src;
  return emit(std::move(in));
}

uint32_t ProgramBuilder::matmul(const AccessPattern& dst, const AccessPattern& stationary,
                                const AccessPattern& moving, bool accumulate) {
  isa::Instruction in;
  in.op = isa::Opcode::Matmul;
  in.engine = Engine::Tensor;
  in.dst = dst;
  in.src = stationary;
  in.src2 = moving;
  in.accumulate = accumulate;
  return emit(std::move(in));
}

uint32_t ProgramBuilder::transpose(const AccessPattern& dst, const AccessPattern& src) {
  isa::Instruction in;
  in.op = isa::Opcode::Transpose;
  in.engine = Engine::Tensor;
  in.dst = dst;
  in.src = src;
  return emit(std::move(in));
}

uint32_t ProgramBuilder::tensor_copy(const AccessPattern& dst, const AccessPattern& src, Engine engine) {
  isa::Instruction in;
  in.op = isa::Opcode::TensorCopy;
  in.engine = engine;
  in.dst = dst;
  in.src = src;
  return emit(std::move(in));
}

uint32_t ProgramBuilder::memset(const AccessPattern& dst, float value, Engine engine) {
  isa::Instruction in;
  in.op = isa::Opcode::Memset;
  in.engine = engine;
  in.dst = dst;
  in.value = value;
  return emit(std::move(in));
}

isa::Program ProgramBuilder::finish() {
  // A buffer allocated but never touched was never live.
  auto& allocs = program_.allocations;
  allocs.erase(std::remove_if(allocs.begin(), allocs.end(), [](const isa::Allocation& a) { return a.first == kUnused; }),
               allocs.end());
  return std::move(program_);
}

}  // namespace trn2::kernels

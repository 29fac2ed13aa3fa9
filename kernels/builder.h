#pragma once
// A small builder in NKI's vocabulary that emits Programs and does the compiler's part:
// SBUF/PSUM allocation in rotating buffers, dependencies from memory footprints (RAW, WAR,
// WAW) and DMA-queue assignment. It knows nothing of the simulator.
#include <string>
#include <unordered_map>
#include <vector>

#include "isa/instruction.h"
#include "isa/sink.h"
#include "isa/validate.h"

namespace trn2::kernels {

using isa::AccessPattern;
using isa::DType;
using isa::Engine;

// A pool of `bufs` equally sized buffers that allocations rotate through, so that the
// next tile's load can run while this tile is still being computed on.
struct Pool {
  std::string name;
  isa::Space space;
  int64_t base = 0;          // byte address inside each partition
  int64_t buffer_bytes = 0;  // per partition
  int bufs = 1;
  int next = 0;
};

class ProgramBuilder {
 public:
  ProgramBuilder(const isa::Limits& limits, int cores, std::string kernel_name);

  // A tensor the program only reads (read_only) needs no dependencies for its reads, and
  // the builder keeps no record of them; writing it is an error (std::logic_error).
  const isa::HbmTensor& hbm_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                                   bool read_only = false);
  // A tensor placed already (a program read from a file, re-emitted through add() to find
  // its dependencies): kept as it is, base and read_only included.
  const isa::HbmTensor& adopt_hbm_tensor(const isa::HbmTensor& t);

  // Instructions go to `sink` as they are made instead of into the program; allocation
  // records are then kept only if `keep_allocations`. Set before the first instruction.
  void stream_to(isa::InstructionSink* sink, bool keep_allocations);

  // All pools are declared up front for every core (each core has its own SBUF and PSUM).
  // Throws std::invalid_argument when the pools do not fit.
  int sbuf_pool(const std::string& name, int64_t bytes_per_partition, int bufs);
  // SBUF bytes per partition one buffer of `bytes_per_partition` takes (64-byte aligned).
  static int64_t sbuf_buffer_bytes(int64_t bytes_per_partition) { return (bytes_per_partition + 63) / 64 * 64; }
  // SBUF bytes per partition the pools declared so far take.
  int64_t sbuf_used() const { return sbuf_used_; }
  int psum_pool(const std::string& name, int bufs);  // one PSUM bank per buffer
  // Base address of the next buffer of `pool` on the current core. The buffer is live (for the
  // program's allocation records) from the first to the last instruction that touches it
  // before the pool comes round to it again.
  int64_t allocate(int pool);

  void set_core(int core);

  // On `queue`, or (-1) the core's queues taken in turn.
  uint32_t dma_copy(const AccessPattern& dst, const AccessPattern& src, isa::DgeMode dge = isa::DgeMode::Unknown,
                    int queue = -1);
  uint32_t matmul(const AccessPattern& dst, const AccessPattern& stationary,
                  const AccessPattern& moving, bool accumulate);
  uint32_t transpose(const AccessPattern& dst, const AccessPattern& src);
  uint32_t tensor_copy(const AccessPattern& dst, const AccessPattern& src, Engine engine);
  uint32_t memset(const AccessPattern& dst, float value, Engine engine);
  // Any other instruction: its dependencies are found like those of the calls above, and
  // kept with any it already lists (an order its footprints do not show).
  uint32_t add(isa::Instruction in) { return emit(std::move(in)); }

  // The program: tensors, HBM size, pools' allocation records and (unless streamed) the
  // instruction streams.
  isa::Program finish();

 private:
  struct Access {
    int p_lo, p_hi;
    int64_t b_lo, b_hi;
    uint32_t instruction;
    bool write;
    int engine;  // isa::Engine of the instruction (reads only)
  };
  // Accesses to one buffer (or HBM tensor), ordered by first byte, for overlap queries.
  // Reads and writes are kept apart because a read only conflicts with writes: the conv's
  // filter column is read by every channel's matmul, and those reads must not be scanned
  // again for each new read.
  // A sorted vector rather than a tree: a buffer's live accesses are few, kernels mostly add
  // them in address order (at the end), and a tree costs an allocation per access.
  struct Accesses {
    std::vector<Access> by_start;  // by b_lo; accesses starting at the same byte in arrival order
    int64_t longest = 0;

    void insert(const Access& a);
    // The first access that starts at or after byte `b`.
    std::vector<Access>::iterator starting_from(int64_t b);
    // Visits the accesses from `first` on that start before byte `end`, in order, and forgets
    // those for which `visit` returns true (the others keep their order).
    template <class Visit>
    void sweep(std::vector<Access>::iterator first, int64_t end, Visit visit);
  };
  struct Footprints {
    Accesses reads, writes;
  };
  // What the builder knows of one buffer (SBUF/PSUM, by its base) or HBM tensor of a core.
  struct Buffer {
    Footprints footprints;
    size_t allocation = SIZE_MAX;  // its current allocation record, if it has one
  };

  uint32_t emit(isa::Instruction in);
  void track(const AccessPattern& ap, bool write, uint32_t index, isa::Engine engine, std::vector<uint32_t>& deps);
  // Adds to `deps` the accesses of `set` that overlap `a`; a write forgets those it covers.
  static void conflicts(Accesses& set, const Access& a, std::vector<uint32_t>& deps);
  // A read on a compute engine makes the earlier reads it covers on that engine redundant:
  // the engine finishes in order, so a write that waits for this read waits for them too.
  static void forget_covered_reads(Accesses& set, const Access& a);
  // The buffer `ap` is in on the current core: one hash lookup for both its footprints and
  // its allocation record, as every access needs both.
  Buffer& buffer_of(const AccessPattern& ap);

  isa::Limits limits_;
  isa::Program program_;
  std::vector<Pool> pools_;
  std::vector<std::vector<int>> pool_next_;  // per core, per pool: next buffer
  int64_t sbuf_used_ = 0;
  int64_t psum_banks_used_ = 0;
  int core_ = 0;
  std::vector<int> next_queue_;
  // Per core, by buffer_key(space, base); a record's address stays put as others are added.
  std::vector<std::unordered_map<uint64_t, Buffer>> buffers_;
  isa::InstructionSink* sink_ = nullptr;
  bool keep_allocations_ = true;
  std::vector<uint32_t> emitted_;  // per core: instructions so far
  std::vector<uint32_t> deps_scratch_;  // emit()'s conflicts before they are sorted
};

}  // namespace trn2::kernels

#include "isa/hazards.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <cstdio>
#include <unordered_map>

namespace trn2::isa {

namespace {

// ---- order: vector clocks over one core's engines and queues --------------------------

int slot_of(const Instruction& in) {
  return in.engine == Engine::Dma ? kNumComputeEngines + in.queue : int(in.engine);
}

// clock(i)[s] = how many instructions of slot s happen before or are instruction i. Built in
// stream order, which is a topological order (dependencies point to earlier instructions).
//
// A later instruction needs an earlier one's clock only if it depends on it, and not even
// then if the dependency is already implied (a clock joined before shows it): every
// instruction's slot and place there (5 bytes) are kept to tell. With `recent` = 0 every
// clock is kept. Otherwise the clocks of the last `recent` instructions are kept, and older
// ones only while an access of theirs is still on file (pinned). A kernel builder finds
// dependencies among the accesses it keeps, so its dependencies are nearly always at hand;
// one that is not (its accesses all covered by later ones since) is almost always implied
// by the others. Only if it is not is its order guessed, from below: the instruction is
// taken to follow that dependency itself but not, through it, what came before it (counted
// in lost_orders(); a race may then be reported that is not one, never the other way round).
class Order {
 public:
  Order(int slots, size_t recent)
      : slots_(size_t(slots)), recent_(recent), count_(slots_, 0), last_clock_(slots_ * slots_, 0), current_(slots_, 0) {
    if (recent_) {
      ring_.assign(recent_ * slots_, 0);
      ring_pins_.assign(recent_, 0);
    }
  }

  // Instruction `n` (the count so far) of the stream.
  void add(uint32_t n, const Instruction& in) {
    const size_t s = size_t(slot_of(in));
    // The slot's previous instruction comes first (in-order engines and queues).
    std::copy_n(&last_clock_[s * slots_], slots_, current_.begin());
    missing_.clear();
    for (uint32_t d : in.deps) {
      // Already known to come first (an instruction joined so far follows it, so its clock
      // holds d's): reading d's clock, often long out of cache, would change nothing.
      if (current_[place_[d].slot] > place_[d].seq) continue;
      if (const uint32_t* c = clock_of(d, n)) join(c);
      else missing_.push_back(d);
    }
    for (uint32_t d : missing_) {
      if (current_[place_[d].slot] > place_[d].seq) continue;  // implied by the others
      current_[place_[d].slot] = place_[d].seq + 1;
      ++lost_orders_;
    }
    current_seq_ = count_[s]++;
    current_slot_ = uint8_t(s);
    current_[s] = current_seq_ + 1;
    place_.push_back({current_slot_, current_seq_});
    std::copy(current_.begin(), current_.end(), &last_clock_[s * slots_]);
    store(n);
  }
  // The current instruction's slot and sequence number within it.
  uint8_t slot() const { return current_slot_; }
  uint32_t seq() const { return current_seq_; }
  // Whether the instruction `seq` of `slot` happens before the current one.
  bool before_current(uint8_t slot, uint32_t seq) const { return current_[slot] > seq; }

  uint64_t lost_orders() const { return lost_orders_; }
  // Accesses on file of instruction i (only ever the current one is pinned). Counted in a
  // flat array while i's clock is in the ring (most accesses are pruned by then), in a map
  // once it has left with its clock.
  void pin(uint32_t i) {
    if (!recent_) return;  // every clock is kept
    if (in_ring(i)) ++ring_pins_[i % recent_];
    else ++spilled_.at(i).pins;
  }
  void unpin(uint32_t i) {
    if (!recent_) return;
    if (in_ring(i)) {
      --ring_pins_[i % recent_];
      return;
    }
    auto it = spilled_.find(i);
    if (--it->second.pins > 0) return;
    free_clocks_.push_back(it->second.clock);
    spilled_.erase(it);
  }

 private:
  void join(const uint32_t* c) {
    for (size_t k = 0; k < slots_; ++k) current_[k] = std::max(current_[k], c[k]);
  }
  // The clock of instruction d, or nullptr if it is no longer kept.
  const uint32_t* clock_of(uint32_t d, uint32_t n) const {
    if (!recent_) return &all_[size_t(d) * slots_];
    if (size_t(n - d) <= recent_) return &ring_[(d % recent_) * slots_];
    auto it = spilled_.find(d);
    return it == spilled_.end() ? nullptr : &clock_pool_[size_t(it->second.clock) * slots_];
  }
  // Whether instruction i's clock is in the ring (i is at most the latest instruction).
  bool in_ring(uint32_t i) const { return size_t(latest_ - i) < recent_; }
  void store(uint32_t n) {
    if (!recent_) {
      all_.insert(all_.end(), current_.begin(), current_.end());
      return;
    }
    uint32_t* slot = &ring_[(n % recent_) * slots_];
    uint32_t& pins = ring_pins_[n % recent_];
    // The ring's oldest clock leaves it now; keep it aside while its accesses are on file.
    if (pins > 0) {
      uint32_t clock;
      if (free_clocks_.empty()) {
        clock = uint32_t(clock_pool_.size() / slots_);
        clock_pool_.insert(clock_pool_.end(), slot, slot + slots_);
      } else {
        clock = free_clocks_.back();
        free_clocks_.pop_back();
        std::copy(slot, slot + slots_, &clock_pool_[size_t(clock) * slots_]);
      }
      spilled_.emplace(uint32_t(n - recent_), Spilled{pins, clock});
      pins = 0;
    }
    latest_ = n;
    std::copy(current_.begin(), current_.end(), slot);
  }

  size_t slots_, recent_;
  std::vector<uint32_t> count_;
  std::vector<uint32_t> last_clock_;  // per slot: the clock of its latest instruction
  std::vector<uint32_t> current_;
  uint32_t current_seq_ = 0;
  uint8_t current_slot_ = 0;
  struct Place {
    uint8_t slot;
    uint32_t seq;
  } __attribute__((packed));
  std::vector<Place> place_;  // every instruction's
  std::vector<uint32_t> missing_;
  uint64_t lost_orders_ = 0;
  std::vector<uint32_t> all_;   // recent_ == 0: every clock
  std::vector<uint32_t> ring_;  // the last recent_ clocks
  uint32_t latest_ = 0;             // the latest instruction stored
  std::vector<uint32_t> ring_pins_;  // accesses on file of the instructions in the ring
  // Instructions older than the ring with accesses on file: how many, and where their clock
  // is kept (a slot of clock_pool_, reused once they are gone: no allocation per clock).
  struct Spilled {
    uint32_t pins;
    uint32_t clock;
  };
  std::unordered_map<uint32_t, Spilled> spilled_;
  std::vector<uint32_t> clock_pool_;
  std::vector<uint32_t> free_clocks_;
};

// ---- footprints -------------------------------------------------------------------------

struct Run {
  int64_t lo, hi;  // bytes
};

// Calls f(lo, hi) for each run of contiguous bytes of row `i` of a pattern: bytes within the
// partition for SBUF/PSUM, absolute HBM addresses for HBM.
template <typename F>
void for_each_run(const AccessPattern& a, int i, F&& f) {
  const int64_t run = a.run_elements();
  const int64_t es = int64_t(dtype_size(a.dtype));
  const int64_t row = a.offset + (a.space == Space::HBM ? int64_t(i) * a.partition_step : 0);
  const int64_t n = a.free_elements();
  for (int64_t flat = 0; flat < n; flat += run) {
    const int64_t e = row + a.free_offset(flat);
    f(a.base + e * es, a.base + (e + run) * es);
  }
}

int partition_of(const AccessPattern& a, int i) { return a.start_partition + i * int(a.partition_step); }

// Row index of partition p in a (SBUF/PSUM), or -1.
int row_of(const AccessPattern& a, int p) {
  const int d = p - a.start_partition;
  if (d < 0 || d % int(a.partition_step) != 0) return -1;
  const int r = d / int(a.partition_step);
  return r < a.partition_count ? r : -1;
}

std::vector<Run> sorted_runs(const AccessPattern& a, int row_lo, int row_hi) {
  std::vector<Run> runs;
  for (int i = row_lo; i < row_hi; ++i) for_each_run(a, i, [&](int64_t lo, int64_t hi) { runs.push_back({lo, hi}); });
  std::sort(runs.begin(), runs.end(), [](const Run& x, const Run& y) { return x.lo < y.lo; });
  return runs;
}

bool first_common(const std::vector<Run>& x, const std::vector<Run>& y, Run& out) {
  // Two sorted lists of runs (a list's runs may overlap each other when a pattern touches an
  // element twice); advancing the side whose run ends first never skips a common byte.
  size_t i = 0, j = 0;
  while (i < x.size() && j < y.size()) {
    const int64_t lo = std::max(x[i].lo, y[j].lo), hi = std::min(x[i].hi, y[j].hi);
    if (lo < hi) {
      out = {lo, hi};
      return true;
    }
    if (x[i].hi < y[j].hi) ++i; else ++j;
  }
  return false;
}

// The first bytes two patterns of one memory both touch; partition -1 for HBM.
bool exact_overlap(const AccessPattern& a, const AccessPattern& b, int& partition, Run& bytes) {
  if (a.space == Space::HBM) {
    partition = -1;
    return first_common(sorted_runs(a, 0, a.partition_count), sorted_runs(b, 0, b.partition_count), bytes);
  }
  for (int i = 0; i < a.partition_count; ++i) {
    const int p = partition_of(a, i), j = row_of(b, p);
    if (j < 0) continue;
    if (first_common(sorted_runs(a, i, i + 1), sorted_runs(b, j, j + 1), bytes)) {
      partition = p;
      return true;
    }
  }
  return false;
}

// The first bytes `a` touches of a box that some dense on-chip access touches whole (each
// of its partitions one run, the box's bytes): as exact_overlap with that access.
template <typename Box>
bool overlap_with_box(const AccessPattern& a, const Box& box, int& partition, Run& bytes) {
  const std::vector<Run> run = {{box.b_lo, box.b_hi}};
  for (int i = 0; i < a.partition_count; ++i) {
    const int p = partition_of(a, i);
    if (p < box.p_lo || p >= box.p_hi) continue;
    if (first_common(sorted_runs(a, i, i + 1), run, bytes)) {
      partition = p;
      return true;
    }
  }
  return false;
}

// Whether every byte of the bounding box [partitions] x [b_lo, b_hi) is touched.
bool dense(const AccessPattern& a) {
  const int64_t run = a.run_elements();
  if (run != a.free_elements()) return false;
  if (a.space == Space::HBM) return a.partition_count == 1 || a.partition_step == run;
  return a.partition_count == 1 || a.partition_step == 1;
}

// Rows of bits, set and searched a 64-bit word at a time. Stored word-major (word k of every
// row, then word k + 1): a tile touches the same bytes of many partitions, and those words
// then share cache lines instead of sitting a partition's length (a page or more) apart.
class Bits {
 public:
  bool empty() const { return words_.empty(); }
  void resize(int rows, int64_t bits_per_row) {
    rows_ = size_t(rows);
    words_.assign(rows_ * size_t((bits_per_row + 63) / 64), 0);
  }
  void set(int row, int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi;) {  // b >= 0: shifts, not divisions
      const int64_t k = b >> 6, bit = b & 63, n = std::min<int64_t>(64 - bit, hi - b);
      words_[size_t(k) * rows_ + size_t(row)] |= mask(bit, n);
      b += n;
    }
  }
  // The first clear bit in [lo, hi) of a row, or -1.
  int64_t first_clear(int row, int64_t lo, int64_t hi) const {
    for (int64_t b = lo; b < hi;) {
      const int64_t k = b >> 6, bit = b & 63, n = std::min<int64_t>(64 - bit, hi - b);
      const uint64_t clear = ~words_[size_t(k) * rows_ + size_t(row)] & mask(bit, n);
      if (clear) return k * 64 + __builtin_ctzll(clear);
      b += n;
    }
    return -1;
  }

 private:
  static uint64_t mask(int64_t bit, int64_t n) { return (n == 64 ? ~uint64_t(0) : ((uint64_t(1) << n) - 1)) << bit; }
  size_t rows_ = 0;
  std::vector<uint64_t> words_;
};

// An access, with what its report needs of its instruction (the stream is not kept).
struct Access {
  int core;
  uint32_t index;
  uint8_t slot;  // where the instruction runs, and its place there (for the order check)
  uint32_t seq;
  bool write;
  Opcode op;
  Engine engine;
  int queue;
  AccessPattern ap;
  int p_lo, p_hi;
  int64_t b_lo, b_hi;
};

Access make_access(int core, uint32_t index, uint8_t slot, uint32_t seq, bool write, const Instruction& in,
                   const AccessPattern& ap) {
  Access a{core, index, slot, seq, write, in.op, in.engine, in.queue, ap, 0, 1, 0, 0};
  ap.byte_extent(a.b_lo, a.b_hi);
  if (ap.space != Space::HBM) {
    a.p_lo = ap.start_partition;
    a.p_hi = partition_of(ap, ap.partition_count - 1) + 1;
  }
  return a;
}

// What the table keeps of an access on file, beside its buckets' entries, to report a race:
// small, so that thousands on file (every matmul's read of a resident operand until the
// buffer is rewritten) stay out of the way of the model's own data in the host's caches. The
// pattern itself is kept only where the box does not say which bytes it touches (an HBM
// access, whose rows a report splits at, or a strided one): a dense on-chip access touches
// its whole box.
struct Record {
  static constexpr uint32_t kNoPattern = UINT32_MAX;
  uint32_t index;
  uint8_t core;
  bool write;
  Opcode op;
  Engine engine;
  int queue;
  uint32_t pattern;  // its slot in AccessTable::patterns, or kNoPattern
};

bool keeps_pattern(const AccessPattern& ap) { return ap.space == Space::HBM || !dense(ap); }

// What a grid's bucket keeps of an access on file: its box and what the order check needs,
// so that the common case (an earlier access the new one follows, or that covers nothing)
// is settled without touching the access's full record, which only a race report reads.
struct Entry {
  uint32_t id;     // in the AccessTable
  uint32_t index;  // of its instruction
  uint32_t seq;    // the instruction's place in its slot
  int p_lo, p_hi;
  uint8_t core, slot;
  bool write;
  int64_t b_lo, b_hi;
};

// Whether two boxes (partitions [p_lo, p_hi) x bytes [b_lo, b_hi)) meet.
template <typename X, typename Y>
bool boxes_overlap(const X& x, const Y& y) {
  return x.b_lo < y.b_hi && y.b_lo < x.b_hi && x.p_lo < y.p_hi && y.p_lo < x.p_hi;
}

template <typename Y>
bool covers(const Access& x, const Y& y) {
  return dense(x.ap) && x.b_lo <= y.b_lo && x.b_hi >= y.b_hi && x.p_lo <= y.p_lo && x.p_hi >= y.p_hi;
}

// Every access some grid still holds, by id. An id is reused once every bucket that held
// it has let it go, so memory follows the live accesses, not the program's length.
struct AccessTable {
  explicit AccessTable(std::vector<Order>& orders) : orders(orders) {}
  std::vector<Order>& orders;  // per core: an access on file pins its instruction's clock
  std::vector<Record> record;
  std::vector<AccessPattern> patterns;  // of the records that keep theirs; slots reused
  std::vector<uint32_t> free_patterns;
  std::vector<uint8_t> dead;      // pruned: buckets drop it when they next see it
  std::vector<uint32_t> stamp;    // the last query that visited it
  std::vector<uint32_t> buckets;  // how many buckets still hold it
  std::vector<uint32_t> free_ids;

  uint32_t add(const Access& a, uint32_t bucket_count) {
    uint32_t id;
    if (!free_ids.empty()) {
      id = free_ids.back();
      free_ids.pop_back();
      dead[id] = 0;
      stamp[id] = 0;
    } else {
      id = uint32_t(record.size());
      record.emplace_back();
      dead.push_back(0);
      stamp.push_back(0);
      buckets.push_back(0);
    }
    uint32_t slot = Record::kNoPattern;
    if (keeps_pattern(a.ap)) {
      if (free_patterns.empty()) {
        slot = uint32_t(patterns.size());
        patterns.push_back(a.ap);
      } else {
        slot = free_patterns.back();
        free_patterns.pop_back();
        patterns[slot] = a.ap;
      }
    }
    record[id] = {a.index, uint8_t(a.core), a.write, a.op, a.engine, a.queue, slot};
    buckets[id] = bucket_count;
    orders[size_t(a.core)].pin(a.index);
    return id;
  }
  // Pruned: it can race with nothing later, so its clock is let go now; its buckets drop it
  // the next time they are visited.
  void kill(const Entry& e) {
    dead[e.id] = 1;
    orders[e.core].unpin(e.index);
  }
  void left_a_bucket(uint32_t id) {
    if (--buckets[id] > 0) return;
    free_ids.push_back(id);  // only dead accesses leave buckets
    if (record[id].pattern != Record::kNoPattern) free_patterns.push_back(record[id].pattern);
  }
};

// Accesses to one memory that later accesses may still race with, filed under every
// fixed-size bucket of bytes they span (a query visits only the buckets it spans, however
// long other accesses are). Entries are dropped lazily: a pruned access is marked dead and
// leaves each bucket the next time that bucket is visited.
class Grid {
 public:
  // `span_bytes` > 0: addresses lie in [0, span_bytes) (a partition of SBUF or PSUM), and the
  // buckets are one array; 0: any address (HBM), buckets in a hash map.
  Grid(int64_t bucket_bytes, int64_t span_bytes) : shift_(0) {
    while ((int64_t(1) << shift_) < bucket_bytes) ++shift_;
    if (span_bytes > 0) dense_.resize(size_t(((span_bytes - 1) >> shift_) + 1));
  }
  // f(entry) for each live access whose box meets `q`'s, once each. A bucket keeps each access's
  // box beside its id, so accesses that only share a bucket with `q` (another column of the
  // same tile, a neighbouring small tile) are passed over without touching their records.
  template <typename F>
  void visit(const Access& q, uint32_t stamp, AccessTable& t, F&& f) {
    for (int64_t b = q.b_lo >> shift_; b <= (q.b_hi - 1) >> shift_; ++b) {
      Bucket* bk = bucket(b, false);
      if (!bk) continue;
      std::vector<Entry>& es = bk->entries;
      for (size_t k = 0; k < es.size();) {
        const Entry& e = es[k];
        if (t.dead[e.id]) {
          t.left_a_bucket(e.id);
          es[k] = es.back();
          es.pop_back();
          continue;
        }
        ++k;
        if (!boxes_overlap(e, q)) continue;
        if (t.stamp[e.id] == stamp) continue;
        t.stamp[e.id] = stamp;
        f(e);
      }
      bk->settled = uint32_t(es.size());
    }
  }
  // Whether a bucket meeting [lo, hi) has doubled (and holds at least kCrowd) since it was
  // last visited. A visit made only to prune (a read looking for the older reads it covers)
  // is worth its cost only then: reads that cover nothing (a matmul reading one column of a
  // resident operand after another) would otherwise be visited by every next one, while
  // pruning a bucket each time it doubles keeps it within twice what pruning leaves.
  bool crowded(int64_t lo, int64_t hi) {
    for (int64_t b = lo >> shift_; b <= (hi - 1) >> shift_; ++b) {
      const Bucket* bk = bucket(b, false);
      if (bk && bk->entries.size() >= std::max<size_t>(kCrowd, 2 * size_t(bk->settled))) return true;
    }
    return false;
  }
  void add(AccessTable& t, const Access& a) {
    const int64_t first = a.b_lo >> shift_, last = (a.b_hi - 1) >> shift_;
    const uint32_t id = t.add(a, uint32_t(last - first + 1));
    const Entry e{id, a.index, a.seq, a.p_lo, a.p_hi, uint8_t(a.core), a.slot, a.write, a.b_lo, a.b_hi};
    for (int64_t b = first; b <= last; ++b) bucket(b, true)->entries.push_back(e);
  }

 private:
  struct Bucket {
    std::vector<Entry> entries;
    uint32_t settled = 0;  // how many it held after its last visit
  };
  static constexpr size_t kCrowd = 8;

  Bucket* bucket(int64_t b, bool make) {
    if (!dense_.empty()) return &dense_[size_t(b)];  // validation keeps on-chip bytes in the span
    if (!make) {
      auto it = sparse_.find(b);
      return it == sparse_.end() ? nullptr : &it->second;
    }
    return &sparse_[b];
  }

  int shift_;
  std::vector<Bucket> dense_;
  std::unordered_map<int64_t, Bucket> sparse_;
};

constexpr int64_t kOnChipBucketBytes = 128;

struct Index {
  explicit Index(int64_t bucket_bytes = 1024, int64_t span_bytes = 0)
      : reads(bucket_bytes, span_bytes), writes(bucket_bytes, span_bytes) {}
  Grid reads, writes;
};

std::string hex(int64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

template <typename A>  // an Access or a Record
std::string describe(const A& a) {
  std::string unit = a.engine == Engine::Dma ? "queue " + std::to_string(a.queue) : engine_name(a.engine);
  return "core " + std::to_string(a.core) + " instruction " + std::to_string(a.index) + " (" + opcode_name(a.op) +
         " on " + unit + ")";
}

std::string where(const std::vector<HbmTensor>& tensors, Space space, int partition, const Run& bytes) {
  std::string w = space_name(space);
  if (space == Space::HBM) {
    for (const auto& t : tensors)
      if (bytes.lo >= t.base && bytes.lo < t.base + t.bytes()) w += " tensor '" + t.name + "'";
  } else {
    w += " partition " + std::to_string(partition);
  }
  return w + " bytes [" + hex(bytes.lo) + ", " + hex(bytes.hi) + ")";
}

}  // namespace

class HazardChecker::Impl {
 public:
  Impl(const Program& header, const Limits& l, size_t max_reports, size_t recent_clocks)
      : tensors_(header.tensors), l_(l), max_(max_reports) {
    for (size_t c = 0; c < header.cores.size(); ++c)
      orders_.emplace_back(kNumComputeEngines + l.dma_queues, recent_clocks);
    // On chip, buckets span a few bytes of every partition: small tiles of different pools
    // (a kernel's filter columns, its input tiles) must not share one, or each write would
    // visit every read of its neighbours.
    for (size_t c = 0; c < header.cores.size(); ++c) {
      on_chip_.emplace_back(kOnChipBucketBytes, l.sbuf_partition_bytes);
      on_chip_.emplace_back(kOnChipBucketBytes, l.psum_partition_bytes);
    }
    written_.resize(header.cores.size() * 2);
    known_.resize(header.cores.size() * 2);
  }

  void add(int core, uint32_t i, const Instruction& in) {
    orders_[size_t(core)].add(i, in);
    // Past max_reports accesses are still filed (only reports stop): they pin the clocks
    // later dependencies need.
    if (reads_src(in.op)) read(core, i, in, in.src);
    if (reads_src2(in.op)) read(core, i, in, in.src2);
    if (reads_dst(in)) read(core, i, in, in.dst);
    write(core, i, in, in.dst);
  }
  const std::vector<Hazard>& found() const { return found_; }
  uint64_t lost_orders() const {
    uint64_t n = 0;
    for (const Order& o : orders_) n += o.lost_orders();
    return n;
  }

 private:
  bool in_read_only_tensor(const AccessPattern& ap) const {
    int64_t lo, hi;
    ap.byte_extent(lo, hi);
    for (const HbmTensor& t : tensors_)
      if (t.read_only && lo >= t.base && hi <= t.base + t.bytes()) return true;
    return false;
  }
  bool full() const { return found_.size() >= max_; }
  // A new visit stamp; when the counter wraps, every access's stamp is cleared so that no
  // old stamp can pass for the new one.
  uint32_t next_stamp() {
    if (++stamp_ == 0) {
      std::fill(table_.stamp.begin(), table_.stamp.end(), 0u);
      stamp_ = 1;
    }
    return stamp_;
  }

  Index& index_of(int core, Space s) {
    if (s == Space::HBM) return hbm_;
    return on_chip_[size_t(core) * 2 + (s == Space::PSUM ? 1 : 0)];
  }

  void read(int core, uint32_t i, const Instruction& in, const AccessPattern& ap) {
    if (ap.space == Space::HBM && in_read_only_tensor(ap)) return;  // nothing writes it (validated)
    const Order& o = orders_[size_t(core)];
    const Access a = make_access(core, i, o.slot(), o.seq(), false, in, ap);
    if (ap.space != Space::HBM) check_initialised(a);
    Index& ix = index_of(core, ap.space);
    scan(ix.writes, a);
    // Earlier reads this one covers and follows can go: a later write unordered with one of
    // them is unordered with this one too. (Else every matmul's read of a resident operand
    // would stay on file until the buffer is rewritten.) Looked for once a bucket has doubled:
    // keeping an older read a while longer can only add reports of real races.
    if (ix.reads.crowded(a.b_lo, a.b_hi)) scan(ix.reads, a);
    ix.reads.add(table_, a);
  }

  void write(int core, uint32_t i, const Instruction& in, const AccessPattern& ap) {
    const Order& o = orders_[size_t(core)];
    const Access a = make_access(core, i, o.slot(), o.seq(), true, in, ap);
    Index& ix = index_of(core, ap.space);
    scan(ix.reads, a);
    scan(ix.writes, a);
    ix.writes.add(table_, a);
    if (ap.space != Space::HBM) mark_initialised(a);
  }

  // Checks `a` against the earlier accesses of one grid. An earlier access ordered before a
  // dense write (or a dense access after a read) that covers it can never race with anything
  // later that the newer one does not also race with, so it is dropped.
  void scan(Grid& g, const Access& a) {
    g.visit(a, next_stamp(), table_, [&](const Entry& f) {
      if (f.core == a.core && f.index == a.index) return;
      // `a` belongs to the instruction being added: its core's current clock.
      const bool ordered = f.core == a.core && orders_[size_t(a.core)].before_current(f.slot, f.seq);
      if (ordered) {
        if ((a.write || !f.write) && covers(a, f)) table_.kill(f);
        return;
      }
      if (!(a.write || f.write) || full()) return;
      const Record& e = table_.record[f.id];
      int partition;
      Run bytes;
      const bool meet = e.pattern == Record::kNoPattern
                            ? overlap_with_box(a.ap, f, partition, bytes)
                            : exact_overlap(a.ap, table_.patterns[e.pattern], partition, bytes);
      if (!meet) return;
      // The writer first: the earlier access if it writes, else the new one.
      const std::string earlier = describe(e), now = describe(a);
      const std::string& w = e.write ? earlier : now;
      const std::string& o = e.write ? now : earlier;
      const bool other_writes = e.write ? a.write : e.write;
      found_.push_back({Hazard::Kind::Race, "race: " + w + " writes and " + o + (other_writes ? " writes " : " reads ") +
                                                where(tensors_, a.ap.space, partition, bytes) +
                                                ", and no dependency path orders them"});
    });
  }

  // One bit per byte of SBUF or PSUM of a core, set once the byte has been written.
  Bits& written(int core, Space s) {
    Bits& w = written_[size_t(core) * 2 + (s == Space::PSUM ? 1 : 0)];
    if (w.empty()) w.resize(l_.partitions, row_bytes(s));
    return w;
  }
  int64_t row_bytes(Space s) const { return s == Space::SBUF ? l_.sbuf_partition_bytes : l_.psum_partition_bytes; }

  // Written bytes stay written, so a box once known to be fully initialised stays so: the
  // few most recent such boxes answer most checks without touching the bits.
  struct Box {
    int p_lo, p_hi;
    int64_t b_lo, b_hi;
    bool holds(const Access& a) const { return p_lo <= a.p_lo && a.p_hi <= p_hi && b_lo <= a.b_lo && a.b_hi <= b_hi; }
  };
  static constexpr size_t kKnownBoxes = 32;
  std::vector<Box>& known(const Access& a) { return known_[size_t(a.core) * 2 + (a.ap.space == Space::PSUM ? 1 : 0)]; }
  bool known_initialised(const Access& a) {
    std::vector<Box>& k = known(a);
    for (size_t i = 0; i < k.size(); ++i)
      if (k[i].holds(a)) {
        std::rotate(k.begin(), k.begin() + long(i), k.begin() + long(i) + 1);  // most recently used first
        return true;
      }
    return false;
  }
  void remember_initialised(const Access& a) {
    if (!dense(a.ap)) return;  // its box has bytes it does not touch
    std::vector<Box>& k = known(a);
    Box b{a.p_lo, a.p_hi, a.b_lo, a.b_hi};
    // A box over the same partitions that meets this one joins it: a pool's buffers (say a
    // kernel's 64 resident filter tiles) become one box, not 64 that crowd the list out.
    for (size_t i = 0; i < k.size();) {
      if (k[i].p_lo == b.p_lo && k[i].p_hi == b.p_hi && k[i].b_lo <= b.b_hi && b.b_lo <= k[i].b_hi) {
        b.b_lo = std::min(b.b_lo, k[i].b_lo);
        b.b_hi = std::max(b.b_hi, k[i].b_hi);
        k.erase(k.begin() + long(i));
      } else {
        ++i;
      }
    }
    k.insert(k.begin(), b);
    if (k.size() > kKnownBoxes) k.pop_back();
  }

  void mark_initialised(const Access& a) {
    if (known_initialised(a)) return;
    remember_initialised(a);
    Bits& w = written(a.core, a.ap.space);
    for (int i = 0; i < a.ap.partition_count; ++i) {
      const int p = partition_of(a.ap, i);
      for_each_run(a.ap, i, [&](int64_t lo, int64_t hi) { w.set(p, lo, hi); });
    }
  }

  void check_initialised(const Access& a) {
    if (known_initialised(a)) return;
    const size_t reports = found_.size();
    check_initialised_bits(a);
    if (found_.size() == reports) remember_initialised(a);
  }

  void check_initialised_bits(const Access& a) {
    Bits& w = written(a.core, a.ap.space);
    for (int i = 0; i < a.ap.partition_count && !full(); ++i) {
      const int p = partition_of(a.ap, i);
      bool reported = false;
      for_each_run(a.ap, i, [&](int64_t lo, int64_t hi) {
        if (reported) return;
        const int64_t hole = w.first_clear(p, lo, hi);
        if (hole < 0) return;
        int64_t end = hole + 1;
        while (end < hi && w.first_clear(p, end, end + 1) == end) ++end;
        found_.push_back({Hazard::Kind::UninitialisedRead,
                          "uninitialised read: " + describe(a) + " reads " + where(tensors_, a.ap.space, p, {hole, end}) +
                              ", which nothing wrote before it"});
        reported = true;
      });
      if (reported) return;  // one report per access
    }
  }

  std::vector<HbmTensor> tensors_;
  Limits l_;
  size_t max_;
  std::vector<Order> orders_;  // before table_, which refers to it
  Index hbm_;
  std::vector<Index> on_chip_;  // [core * 2 + (psum)]
  AccessTable table_{orders_};
  uint32_t stamp_ = 0;
  std::vector<Bits> written_;             // [core * 2 + (psum)]
  std::vector<std::vector<Box>> known_;  // [core * 2 + (psum)], most recently used first
  std::vector<Hazard> found_;
};

HazardChecker::HazardChecker(const Program& header, const Limits& limits, size_t max_reports, size_t recent_clocks)
    : impl_(std::make_unique<Impl>(header, limits, max_reports, recent_clocks)) {}
HazardChecker::~HazardChecker() = default;
void HazardChecker::add(int core, uint32_t index, const Instruction& in) { impl_->add(core, index, in); }
const std::vector<Hazard>& HazardChecker::found() const { return impl_->found(); }
uint64_t HazardChecker::lost_orders() const { return impl_->lost_orders(); }

std::vector<Hazard> find_hazards(const Program& p, const Limits& limits, size_t max_reports) {
  HazardChecker checker(p, limits, max_reports);
  for (size_t c = 0; c < p.cores.size(); ++c)
    for (uint32_t i = 0; i < p.cores[c].size(); ++i) checker.add(int(c), i, p.cores[c][i]);
  return checker.found();
}

}  // namespace trn2::isa

#include "isa/hazards.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "isa/footprint.h"
#include "isa/stream_order.h"

namespace trn2::isa {

namespace {

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
  const AccessPattern& ap;  // the instruction's, which outlives the Access (one add() call)
  int p_lo, p_hi;
  int64_t b_lo, b_hi;
  bool dense;  // its box is exactly the bytes it touches (isa::dense)
};

Access make_access(int core, uint32_t index, uint8_t slot, uint32_t seq, bool write, const Instruction& in,
                   const AccessPattern& ap) {
  Access a{core, index, slot, seq, write, in.op, in.engine, in.queue, ap, 0, 1, 0, 0, dense(ap)};
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

bool keeps_pattern(const Access& a) { return a.ap.space == Space::HBM || !a.dense; }

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
  return x.dense && x.b_lo <= y.b_lo && x.b_hi >= y.b_hi && x.p_lo <= y.p_lo && x.p_hi >= y.p_hi;
}

// Every access some grid still holds, by id. An id is reused once every bucket that held
// it has let it go, so memory follows the live accesses, not the program's length.
struct AccessTable {
  explicit AccessTable(std::vector<StreamOrder>& orders) : orders(orders) {}
  std::vector<StreamOrder>& orders;  // per core: an access on file pins its instruction's clock
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
    if (keeps_pattern(a)) {
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
std::string describe_instruction(const A& a, const std::string& source) {
  std::string unit = a.engine == Engine::Dma ? "queue " + std::to_string(a.queue) : engine_name(a.engine);
  return "core " + std::to_string(a.core) + " instruction " + std::to_string(a.index) + " (" + opcode_name(a.op) +
         " on " + unit + at_source(source) + ")";
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
    if (!in.source.empty()) sources_.emplace(source_key(core, i), in.source);
    orders_[size_t(core)].add(i, in);
    // Past max_reports accesses are still filed (only reports stop): they pin the clocks
    // later dependencies need.
    if (reads_src(in.op)) read(core, i, in, in.src);
    if (reads_src2(in.op)) read(core, i, in, in.src2);
    for_each_operand_tile(in, [&](const AccessPattern& a) { read(core, i, in, a); });
    // An accumulating matmul or DMA reads the bytes it writes: its write, filed below, races with
    // whatever its read would race with (any unordered write of those bytes), so the read is
    // only checked for uninitialised bytes, not filed.
    if (reads_dst(in) && in.dst.space != Space::HBM) {
      const StreamOrder& o = orders_[size_t(core)];
      check_initialised(make_access(core, i, o.slot(), o.seq(), false, in, in.dst));
    }
    write(core, i, in, in.dst);
    for_each_extra_write(in, [&](const AccessPattern& a) { write(core, i, in, a); });
  }
  const std::vector<Hazard>& found() const { return found_; }
  uint64_t lost_orders() const {
    uint64_t n = 0;
    for (const StreamOrder& o : orders_) n += o.lost_orders();
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
  static uint64_t source_key(int core, uint32_t index) { return uint64_t(core) << 32 | index; }
  // Where instruction `index` of `core` came from ("" when it did not say).
  const std::string& source_of(int core, uint32_t index) const {
    static const std::string none;
    if (sources_.empty()) return none;  // a kernel's stream: never a lookup
    const auto it = sources_.find(source_key(core, index));
    return it == sources_.end() ? none : it->second;
  }
  template <typename A>  // an Access or a Record
  std::string describe(const A& a) const {
    return describe_instruction(a, source_of(int(a.core), a.index));
  }
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
    const StreamOrder& o = orders_[size_t(core)];
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
    const StreamOrder& o = orders_[size_t(core)];
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
                            ? overlap_with_box(a.ap, f.p_lo, f.p_hi, f.b_lo, f.b_hi, partition, bytes)
                            : exact_overlap(a.ap, table_.patterns[e.pattern], partition, bytes);
      if (!meet) return;
      // The writer first: the earlier access if it writes, else the new one.
      const std::string earlier = describe(e), now = describe(a);
      const std::string& w = e.write ? earlier : now;
      const std::string& o = e.write ? now : earlier;
      const bool other_writes = e.write && a.write;
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
  // Enough for a pool of 64 small buffers whose writes leave gaps between them (nkilib's
  // conv keeps 2 x 32 input tiles of 8 bytes in 64-byte slots: their boxes never meet). With
  // 32, those boxes crowded each other out and every read re-scanned the written bits: the
  // race check of [1, 8192, 1, 4096] S=4093 took 0.89 s instead of 0.16.
  static constexpr size_t kKnownBoxes = 128;
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
    if (!a.dense) return;  // its box has bytes it does not touch
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
  std::vector<StreamOrder> orders_;  // before table_, which refers to it
  Index hbm_;
  std::vector<Index> on_chip_;  // [core * 2 + (psum)]
  AccessTable table_{orders_};
  uint32_t stamp_ = 0;
  std::vector<Bits> written_;             // [core * 2 + (psum)]
  std::vector<std::vector<Box>> known_;  // [core * 2 + (psum)], most recently used first
  std::vector<Hazard> found_;
  // The sources of the instructions that give one, for the reports: kept aside, so that the
  // accesses on file stay small and a kernel's stream (no sources) pays nothing.
  std::unordered_map<uint64_t, std::string> sources_;
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

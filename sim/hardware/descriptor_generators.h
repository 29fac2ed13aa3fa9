#pragma once
// A core's hardware descriptor-generation (DGE) blocks, shared by its DMA queues: a DMA whose
// descriptors the hardware makes (dge_mode hwdge) waits hwdge_issue_ns on one of them before
// it issues (ARCH2, nki-dge.rst: about 600 ns per instruction, two instances per core).
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace trn2::sim {

// Each block makes one instruction's descriptors at a time. Queues run ahead of the clock, so requests do not come
// in time order: each takes the earliest gap of ns_each at or after its ready time on any
// instance, so a request is never held behind one booked for a later time.
class DescriptorGenerators {
 public:
  DescriptorGenerators(int instances, double ns_each) : busy_(size_t(std::max(1, instances))), ns_(ns_each) {}
  // Books an instruction ready at `ready`; returns when its descriptors are made.
  double generate(double ready);

 private:
  std::vector<std::vector<std::pair<double, double>>> busy_;  // per instance, booked [start, end) by start
  double ns_;
};

}  // namespace trn2::sim

// sim/hardware/stats.h IntervalUnion: the DMA active time, kept as transfers start (in order of their
// start, up to SystemC's rounding of ns to ps) instead of sorting a list of every transfer.
#include <gtest/gtest.h>

#include "sim/hardware/stats.h"

namespace trn2::test {
namespace {

TEST(IntervalUnion, EmptyIsZero) { EXPECT_EQ(sim::IntervalUnion().length(), 0.0); }

TEST(IntervalUnion, DisjointIntervalsAdd) {
  sim::IntervalUnion u;
  u.add(0, 10);
  u.add(20, 25);
  u.add(30, 31);
  EXPECT_DOUBLE_EQ(u.length(), 10 + 5 + 1);
}

TEST(IntervalUnion, OverlapsAndNestingCountOnce) {
  sim::IntervalUnion u;
  u.add(0, 10);
  u.add(5, 15);   // overlaps: [0, 15)
  u.add(6, 7);    // nested
  u.add(15, 20);  // touches: [0, 20)
  u.add(40, 50);
  u.add(40, 45);  // same start, shorter
  EXPECT_DOUBLE_EQ(u.length(), 20 + 10);
}

TEST(IntervalUnion, AStartJustBeforeTheOpenOneExtendsIt) {
  // Two transfers issued within a picosecond of each other may arrive in either order.
  sim::IntervalUnion u;
  u.add(100.0004, 200);
  u.add(100.0001, 150);
  EXPECT_DOUBLE_EQ(u.length(), 200 - 100.0001);
}

}  // namespace
}  // namespace trn2::test

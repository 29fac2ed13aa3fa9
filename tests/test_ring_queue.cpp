// sim/hardware/ring_queue.h: the FIFO under the scoreboard's per-slot queues and semaphores. Order
// must survive the buffer's growth (which re-packs from the head) and positions wrapping
// past the end of the buffer; elements are moved, never copied.
#include <gtest/gtest.h>

#include <memory>

#include "sim/hardware/ring_queue.h"

namespace trn2::test {
namespace {

using Item = std::unique_ptr<int>;  // move-only: a copy anywhere would not compile

Item item(int v) { return std::make_unique<int>(v); }

// Pops the front, moving it out, and returns its value.
int pop(sim::RingQueue<Item>& q) {
  Item x = std::move(q.front());
  q.pop_front();
  return x ? *x : -1;
}

TEST(RingQueue, StartsEmpty) {
  sim::RingQueue<Item> q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
}

TEST(RingQueue, FifoAcrossGrowth) {
  // 100 elements: the buffer grows from 16 to 32, 64 and 128 slots with the head at 0.
  sim::RingQueue<Item> q;
  for (int i = 0; i < 100; ++i) {
    q.push_back(item(i));
    ASSERT_EQ(q.size(), size_t(i + 1));
    ASSERT_EQ(*q.front(), 0);
    ASSERT_EQ(*q[size_t(i)], i);
  }
  for (int i = 0; i < 100; ++i) ASSERT_EQ(pop(q), i);
  EXPECT_TRUE(q.empty());
}

TEST(RingQueue, FifoAcrossWrapAround) {
  // 16 slots: push 12, pop 10 (head at 10), then push 14 more: the tail wraps past slot 15
  // to slots 0..9, and operator[] must follow it.
  sim::RingQueue<Item> q;
  int next_in = 0, next_out = 0;
  for (; next_in < 12; ++next_in) q.push_back(item(next_in));
  for (; next_out < 10; ++next_out) ASSERT_EQ(pop(q), next_out);
  for (; next_in < 26; ++next_in) q.push_back(item(next_in));
  ASSERT_EQ(q.size(), 16u);
  for (size_t k = 0; k < q.size(); ++k) EXPECT_EQ(*q[k], next_out + int(k)) << k;
  for (; next_out < 26; ++next_out) ASSERT_EQ(pop(q), next_out);
  EXPECT_TRUE(q.empty());
}

TEST(RingQueue, GrowsWhileWrapped) {
  // The buffer is full with its head in the middle when it must grow: the elements are
  // re-packed from the head, oldest first.
  sim::RingQueue<Item> q;
  int next_in = 0, next_out = 0;
  for (; next_in < 16; ++next_in) q.push_back(item(next_in));
  for (; next_out < 7; ++next_out) ASSERT_EQ(pop(q), next_out);
  for (; next_in < 23; ++next_in) q.push_back(item(next_in));  // full again, head at 7
  ASSERT_EQ(q.size(), 16u);
  for (; next_in < 60; ++next_in) q.push_back(item(next_in));  // grows to 32, then 64
  ASSERT_EQ(q.size(), size_t(60 - 7));
  for (size_t k = 0; k < q.size(); ++k) ASSERT_EQ(*q[k], next_out + int(k)) << k;
  for (; next_out < 60; ++next_out) ASSERT_EQ(pop(q), next_out);
  EXPECT_TRUE(q.empty());
}

TEST(RingQueue, SteadyStateKeepsOrderOverManyLaps) {
  // A queue that holds between 5 and 20 elements while 10000 pass through it: positions
  // wrap many times around the buffer.
  sim::RingQueue<Item> q;
  int next_in = 0, next_out = 0;
  for (int lap = 0; lap < 1000; ++lap) {
    while (q.size() < 20) q.push_back(item(next_in++));
    while (q.size() > 5) ASSERT_EQ(pop(q), next_out++) << "lap " << lap;
  }
  while (!q.empty()) ASSERT_EQ(pop(q), next_out++);
  EXPECT_EQ(next_out, next_in);
}

TEST(RingQueue, FrontIsWritableInPlace) {
  sim::RingQueue<Item> q;
  q.push_back(item(1));
  q.push_back(item(2));
  *q.front() = 10;
  *q[1] = 20;
  EXPECT_EQ(pop(q), 10);
  EXPECT_EQ(pop(q), 20);
}

}  // namespace
}  // namespace trn2::test

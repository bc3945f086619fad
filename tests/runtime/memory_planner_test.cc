#include "runtime/memory_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace picoml {
namespace {

uint32_t Place(std::vector<PlannedBuffer>& buffers, uint32_t alignment = 16) {
  std::vector<uint32_t> scratch(PlannerScratchBytes(buffers.size()) / sizeof(uint32_t) + 1);
  return PlaceBuffers(buffers.data(), static_cast<uint32_t>(buffers.size()), scratch.data(),
                      alignment);
}

// No two buffers alive at the same time share a byte; offsets are aligned;
// the peak covers every buffer.
void ExpectValid(const std::vector<PlannedBuffer>& b, uint32_t peak, uint32_t alignment = 16) {
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i].size == 0) continue;
    EXPECT_EQ(b[i].offset % alignment, 0u);
    EXPECT_LE(b[i].offset + b[i].size, peak);
    for (size_t j = i + 1; j < b.size(); ++j) {
      if (b[j].size == 0) continue;
      const bool time = b[i].first <= b[j].last && b[j].first <= b[i].last;
      const bool space =
          b[i].offset < b[j].offset + b[j].size && b[j].offset < b[i].offset + b[i].size;
      EXPECT_FALSE(time && space) << "buffers " << i << " and " << j << " collide";
    }
  }
}

PlannedBuffer B(uint32_t size, uint32_t first, uint32_t last) {
  PlannedBuffer b;
  b.size = size;
  b.first = first;
  b.last = last;
  return b;
}

TEST(MemoryPlanner, ChainUsesTwoSlots) {
  // a -> b -> c -> d: each lives two steps; two slots suffice.
  std::vector<PlannedBuffer> b = {B(100, 0, 1), B(100, 1, 2), B(100, 2, 3), B(100, 3, 4)};
  const uint32_t peak = Place(b);
  ExpectValid(b, peak);
  EXPECT_EQ(peak, 112u + 100u);  // 100 rounded to 112 for the second slot
}

TEST(MemoryPlanner, DisjointLifetimesShareOffsetZero) {
  std::vector<PlannedBuffer> b = {B(64, 0, 0), B(32, 1, 1), B(48, 2, 2)};
  EXPECT_EQ(Place(b), 64u);
  for (const auto& x : b) EXPECT_EQ(x.offset, 0u);
}

TEST(MemoryPlanner, SmallBufferFillsAGap) {
  // Big buffers at both ends of time leave a hole the small one fits into.
  std::vector<PlannedBuffer> b = {B(1024, 0, 3), B(512, 0, 1), B(512, 2, 3), B(256, 2, 2)};
  const uint32_t peak = Place(b);
  ExpectValid(b, peak);
  EXPECT_EQ(peak, 1024u + 512u + 256u);
}

TEST(MemoryPlanner, ZeroSizedBuffersAreNotPlaced) {
  std::vector<PlannedBuffer> b = {B(0, 0, 5), B(16, 0, 5)};
  EXPECT_EQ(Place(b), 16u);
}

TEST(MemoryPlanner, RandomGraphsAreAlwaysValid) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<PlannedBuffer> b;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      const uint32_t first = rng() % 20;
      b.push_back(B(rng() % 5000, first, first + rng() % 6));
    }
    const uint32_t peak = Place(b);
    ExpectValid(b, peak);
    // Never worse than laying every buffer end to end.
    uint32_t sum = 0;
    for (const auto& x : b) sum += (x.size + 15) / 16 * 16;
    EXPECT_LE(peak, sum);
    // Never better than the largest set of buffers alive at one time.
    for (uint32_t t = 0; t < 26; ++t) {
      uint32_t alive = 0;
      for (const auto& x : b)
        if (x.first <= t && t <= x.last) alive += x.size;
      EXPECT_GE(peak, alive);
    }
  }
}

}  // namespace
}  // namespace picoml

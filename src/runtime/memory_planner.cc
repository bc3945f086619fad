#include "runtime/memory_planner.h"

namespace picoml {
namespace {

uint64_t AlignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

bool Overlaps(const PlannedBuffer& a, const PlannedBuffer& b) {
  return a.first <= b.last && b.first <= a.last;
}

// Placement order: larger first; ties by earlier first use, then index, so
// the plan is the same on every platform.
bool Before(const PlannedBuffer* buffers, uint32_t a, uint32_t b) {
  if (buffers[a].size != buffers[b].size) return buffers[a].size > buffers[b].size;
  if (buffers[a].first != buffers[b].first) return buffers[a].first < buffers[b].first;
  return a < b;
}

// Heap sort of indices (no recursion, no heap memory).
void SortIndices(const PlannedBuffer* buffers, uint32_t* order, uint32_t n) {
  auto sift = [&](uint32_t root, uint32_t end) {
    while (2 * root + 1 < end) {
      uint32_t child = 2 * root + 1;
      // Max-heap under Before: the array ends sorted in placement order.
      if (child + 1 < end && Before(buffers, order[child], order[child + 1])) ++child;
      if (!Before(buffers, order[root], order[child])) return;
      const uint32_t t = order[root];
      order[root] = order[child];
      order[child] = t;
      root = child;
    }
  };
  for (uint32_t i = n / 2; i-- > 0;) sift(i, n);
  for (uint32_t end = n; end > 1; --end) {
    const uint32_t t = order[0];
    order[0] = order[end - 1];
    order[end - 1] = t;
    sift(0, end - 1);
  }
}

}  // namespace

uint64_t PlaceBuffers(PlannedBuffer* buffers, uint32_t count, uint32_t* scratch,
                      uint32_t alignment) {
  uint32_t* order = scratch;              // buffers to place, in placement order
  uint32_t* by_offset = scratch + count;  // placed buffers, sorted by offset
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; ++i)
    if (buffers[i].size > 0) order[n++] = i;
  SortIndices(buffers, order, n);

  uint32_t placed = 0;
  uint64_t peak = 0;
  for (uint32_t k = 0; k < n; ++k) {
    PlannedBuffer& buffer = buffers[order[k]];
    // Walk the placed buffers by offset, skipping those alive at other
    // times; take the first gap that fits.
    uint64_t candidate = 0;
    uint32_t insert_at = placed;
    for (uint32_t p = 0; p < placed; ++p) {
      const PlannedBuffer& other = buffers[by_offset[p]];
      if (!Overlaps(buffer, other)) continue;
      if (other.offset >= candidate + buffer.size) break;
      const uint64_t end = AlignUp(static_cast<uint64_t>(other.offset) + other.size, alignment);
      if (end > candidate) candidate = end;
    }
    // Past 4 GiB the plan is refused by the caller; stop here so no offset
    // is truncated into a plausible one.
    if (candidate + buffer.size > 0xffffffffu) return candidate + buffer.size;
    buffer.offset = static_cast<uint32_t>(candidate);
    if (candidate + buffer.size > peak) peak = candidate + buffer.size;
    // Keep by_offset sorted.
    for (uint32_t p = 0; p < placed; ++p) {
      if (buffers[by_offset[p]].offset > candidate) {
        insert_at = p;
        break;
      }
    }
    for (uint32_t p = placed; p > insert_at; --p) by_offset[p] = by_offset[p - 1];
    by_offset[insert_at] = order[k];
    ++placed;
  }
  return peak;
}

}  // namespace picoml

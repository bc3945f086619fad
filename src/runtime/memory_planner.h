// Placement of buffers with known lifetimes in one block of memory.
//
// Each buffer lives from node `first` to node `last` (inclusive). Two buffers
// may share bytes only if their lifetimes do not overlap. Buffers are placed
// largest first, each at the lowest offset that clears every placed buffer it
// overlaps in time (the greedy-by-size heuristic TFLM's planner also uses).
// Working memory is caller-provided: no heap.
#ifndef PICOML_RUNTIME_MEMORY_PLANNER_H_
#define PICOML_RUNTIME_MEMORY_PLANNER_H_

#include <stddef.h>
#include <stdint.h>

namespace picoml {

struct PlannedBuffer {
  uint32_t size = 0;    // bytes; 0 = nothing to place
  uint32_t offset = 0;  // result
  uint32_t first = 0;   // first node that needs it
  uint32_t last = 0;    // last node that needs it
};

// Bytes of scratch PlaceBuffers needs for `count` buffers.
constexpr size_t PlannerScratchBytes(size_t count) { return count * 2 * sizeof(uint32_t); }

// Places `count` buffers with offsets aligned to `alignment` (a power of
// two); `scratch` must hold PlannerScratchBytes(count) bytes, 4-aligned.
// Returns the peak: the bytes the placed buffers span. Offsets and the peak
// are worked out in 64 bits: a hostile model can ask for several buffers of
// nearly 2 GiB alive at once, and a 32-bit sum would wrap into a small,
// wrong plan. When the peak does not fit in 32 bits, offsets are not valid
// and the caller must refuse the plan.
uint64_t PlaceBuffers(PlannedBuffer* buffers, uint32_t count, uint32_t* scratch,
                      uint32_t alignment);

}  // namespace picoml

#endif  // PICOML_RUNTIME_MEMORY_PLANNER_H_

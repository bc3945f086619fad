// Index arithmetic for elementwise operators whose two inputs broadcast
// against each other (ADD, MUL), following NumPy's rule as LiteRT applies it:
// shapes are aligned at their last dimension, missing leading dimensions count
// as 1, and each pair of dimensions must be equal or contain a 1. Shapes of up
// to kMaxRank (6) dimensions are handled; LiteRT's reference kernels extend
// every shape to 6-D the same way (BroadcastBinaryFunction6DSlow).
//
// A BroadcastPlan holds fixed-width integers only, so a kernel can keep it in
// its node data: computed once in prepare, walked every eval.
#ifndef PICOML_KERNELS_BROADCAST_H_
#define PICOML_KERNELS_BROADCAST_H_

#include <stdint.h>

#include "picoml/model.h"
#include "picoml/status.h"
#include "picoml/types.h"

namespace picoml {
namespace broadcast {

// The output shape of broadcasting `a` against `b`; false when some pair of
// dimensions differs and neither is 1.
inline bool BroadcastShape(const Shape& a, const Shape& b, Shape* output) {
  const int rank = a.rank > b.rank ? a.rank : b.rank;
  Shape result;
  result.rank = rank;
  for (int i = 0; i < rank; ++i) {
    // Dimension i of the output, aligned at the last dimension.
    const int ia = i - (rank - a.rank);
    const int ib = i - (rank - b.rank);
    const int32_t da = ia >= 0 ? a.dims[ia] : 1;
    const int32_t db = ib >= 0 ? b.dims[ib] : 1;
    if (da != db && da != 1 && db != 1) return false;
    result.dims[i] = da == 1 ? db : da;
  }
  *output = result;
  return true;
}

// Output extents and the element strides of both inputs, all extended to
// kMaxRank dimensions. A broadcast dimension has stride 0: the same input
// element serves every output position along it.
struct BroadcastPlan {
  int32_t output_dims[kMaxRank];
  int32_t input1_strides[kMaxRank];
  int32_t input2_strides[kMaxRank];
};

// Row-major element strides of `input` with its shape extended to kMaxRank
// dimensions by leading 1s; 0 wherever `input` has extent 1.
inline void BroadcastStrides(const Shape& input, int32_t strides[kMaxRank]) {
  int32_t stride = 1;
  for (int i = kMaxRank - 1; i >= 0; --i) {
    const int in = i - (kMaxRank - input.rank);
    const int32_t extent = in >= 0 ? input.dims[in] : 1;
    strides[i] = extent == 1 ? 0 : stride;
    stride *= extent;
  }
}

// `output` must be BroadcastShape(input1, input2).
inline void MakeBroadcastPlan(const Shape& input1, const Shape& input2, const Shape& output,
                              BroadcastPlan* plan) {
  for (int i = 0; i < kMaxRank; ++i) {
    const int out = i - (kMaxRank - output.rank);
    plan->output_dims[i] = out >= 0 ? output.dims[out] : 1;
  }
  BroadcastStrides(input1, plan->input1_strides);
  BroadcastStrides(input2, plan->input2_strides);
}

// Calls visit(output_index, input1_index, input2_index) for every output
// element in row-major order.
template <typename Visit>
inline void ForEachIndex(const BroadcastPlan& plan, Visit visit) {
  constexpr int kLast = kMaxRank - 1;
  for (int i = 0; i < kMaxRank; ++i)
    if (plan.output_dims[i] == 0) return;
  int32_t position[kMaxRank] = {};
  int32_t in1 = 0, in2 = 0, out = 0;
  const int32_t inner = plan.output_dims[kLast];
  const int32_t stride1 = plan.input1_strides[kLast];
  const int32_t stride2 = plan.input2_strides[kLast];
  for (;;) {
    for (int32_t c = 0; c < inner; ++c) visit(out++, in1 + c * stride1, in2 + c * stride2);
    // Odometer step over the outer dimensions.
    int d = kLast - 1;
    for (; d >= 0; --d) {
      in1 += plan.input1_strides[d];
      in2 += plan.input2_strides[d];
      if (++position[d] < plan.output_dims[d]) break;
      in1 -= plan.input1_strides[d] * plan.output_dims[d];
      in2 -= plan.input2_strides[d] * plan.output_dims[d];
      position[d] = 0;
    }
    if (d < 0) return;
  }
}

// Checks that `output` has exactly the shape that broadcasting `input1`
// against `input2` gives (the converter writes it so; picoml never resizes).
inline Status CheckBroadcastOutput(const Shape& input1, const Shape& input2, const Shape& output) {
  Shape expected;
  if (!BroadcastShape(input1, input2, &expected))
    return Status::Error(StatusCode::kInvalidModel,
                         "input shapes do not broadcast (rank %d and rank %d; each pair of "
                         "dimensions, aligned at the last, must be equal or contain a 1)",
                         input1.rank, input2.rank);
  if (!expected.Equals(output))
    return Status::Error(StatusCode::kInvalidModel,
                         "output has %ld elements in %d dimensions, the broadcast of the inputs "
                         "has %ld in %d; the output shape must be the broadcast shape",
                         static_cast<long>(output.ElementCount()), output.rank,
                         static_cast<long>(expected.ElementCount()), expected.rank);
  return Status::Ok();
}

}  // namespace broadcast
}  // namespace picoml

#endif  // PICOML_KERNELS_BROADCAST_H_

// RESHAPE: the same bytes under the output tensor's shape. The shape the
// converter wrote on the output tensor is the one used; the target shape in
// ReshapeOptions.new_shape or in input 1 (when constant) must agree with it,
// with -1 standing for any one dimension. Quantization is not compared:
// neither LiteRT nor TFLM requires input and output to match.
//
// The planner may give input and output one buffer (output_may_alias_input),
// in which case there is nothing to do.
#include <string.h>

#include "picoml/kernel.h"
#include "picoml/kernels.h"
#include "picoml/schema.h"

namespace picoml {
namespace kernels {
namespace {

// Checks a target shape (from the options or the shape input) against the
// output shape; `count` entries read by `at`.
template <typename At>
Status CheckTargetShape(const char* source, uint32_t count, At at, const Shape& output) {
  if (static_cast<int>(count) != output.rank)
    return Status::Error(StatusCode::kInvalidModel,
                         "%s has %u dimensions, the output tensor %d; they must agree", source,
                         static_cast<unsigned>(count), output.rank);
  int stretch = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const int64_t d = at(i);
    if (d == -1 && ++stretch == 1) continue;
    if (d != output.dims[i])
      return Status::Error(StatusCode::kInvalidModel,
                           "%s says %ld for dimension %u, the output tensor %d; they must agree",
                           source, static_cast<long>(d), static_cast<unsigned>(i),
                           static_cast<int>(output.dims[i]));
  }
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory*) {
  if (node.input_count() < 1 || node.input_count() > 2 || node.output_count() != 1 ||
      !node.has_input(0))
    return Status::Error(StatusCode::kInvalidModel,
                         "RESHAPE takes 1 or 2 inputs and 1 output, has %d and %d",
                         node.input_count(), node.output_count());
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kInvalidModel, "input is %s, output is %s; they must match",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  if (input.ElementCount() != output.ElementCount() || input.bytes != output.bytes)
    return Status::Error(
        StatusCode::kInvalidModel, "input has %ld elements, output %ld; RESHAPE keeps the count",
        static_cast<long>(input.ElementCount()), static_cast<long>(output.ElementCount()));
  if (node.has_input(1)) {
    const Tensor shape = node.input(1);
    if (shape.type != TensorType::kInt32 || shape.shape.rank > 1)
      return Status::Error(StatusCode::kInvalidModel,
                           "the shape input must be a 1-D INT32 tensor, it is %s of rank %d",
                           TensorTypeName(shape.type), shape.shape.rank);
    // A computed shape cannot be checked ahead; the output tensor's is used.
    if (shape.is_constant) {
      const uint32_t count = static_cast<uint32_t>(shape.ElementCount());
      PICOML_RETURN_IF_ERROR(CheckTargetShape(
          "the shape input", count,
          [&](uint32_t i) {
            int32_t v;
            memcpy(&v, static_cast<const uint8_t*>(shape.data) + 4 * i, 4);
            return static_cast<int64_t>(v);
          },
          output.shape));
    }
  } else if (node.op().options_type ==
             static_cast<uint8_t>(schema::BuiltinOptionsType::kReshapeOptions)) {
    const FlatVector new_shape = node.options().Vector(schema::reshape_options::kNewShape);
    // An empty or absent new_shape says nothing (old converters wrote [] for
    // "see the output tensor").
    if (new_shape.size() > 0)
      PICOML_RETURN_IF_ERROR(CheckTargetShape(
          "new_shape", new_shape.size(),
          [&](uint32_t i) { return static_cast<int64_t>(new_shape.Scalar<int32_t>(i)); },
          output.shape));
  }
  return Status::Ok();
}

Status Prepare(const NodeContext&, void*) { return Status::Ok(); }

Status Eval(const NodeContext& node, const void*, void*) {
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.data != output.data && input.bytes != 0) memmove(output.data, input.data, input.bytes);
  return Status::Ok();
}

const KernelRegistration kReshape = {BuiltinOperator::kReshape, Plan, Prepare, Eval, true};

}  // namespace

const KernelRegistration& Reshape() { return kReshape; }

}  // namespace kernels
}  // namespace picoml

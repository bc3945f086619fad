// CONCATENATION: joins its inputs along `axis` (ConcatenationOptions; a
// negative axis counts from the end), as LiteRT's reference concatenation.h.
// Bytes are copied, never requantized, so int8 inputs must share the
// output's scale and zero point: desktop LiteRT refuses int8 inputs that
// differ, while TFLM copies them unchanged and so would silently mislabel
// them. The fused activation must be NONE (TFLM requires it too). Any number
// of inputs, up to kMaxRank (6) dimensions, any element size.
#include <string.h>

#include "picoml/kernel.h"
#include "picoml/kernels.h"
#include "picoml/schema.h"

namespace picoml {
namespace kernels {
namespace {

struct ConcatenationData {
  int32_t axis;  // non-negative
};

Status ReadAxis(const NodeContext& node, int rank, int32_t* axis) {
  const uint8_t type = node.op().options_type;
  if (type != static_cast<uint8_t>(schema::BuiltinOptionsType::kNone) &&
      type != static_cast<uint8_t>(schema::BuiltinOptionsType::kConcatenationOptions))
    return Status::Error(StatusCode::kInvalidModel,
                         "options are of union type %u, CONCATENATION expects "
                         "ConcatenationOptions",
                         type);
  const FlatTable options = node.options();
  const int8_t activation =
      options.Scalar<int8_t>(schema::concatenation_options::kFusedActivation, 0);
  if (activation != static_cast<int8_t>(Activation::kNone))
    return Status::Error(StatusCode::kUnsupported,
                         "fused activation %s is not supported on CONCATENATION; only NONE",
                         ActivationName(static_cast<Activation>(activation)));
  const int32_t value = options.Scalar<int32_t>(schema::concatenation_options::kAxis, 0);
  if (value < -rank || value >= rank)
    return Status::Error(StatusCode::kInvalidModel, "axis %d is outside [-%d, %d) for rank %d",
                         static_cast<int>(value), rank, rank, rank);
  *axis = value < 0 ? value + rank : value;
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  if (node.input_count() < 1 || node.output_count() != 1)
    return Status::Error(StatusCode::kInvalidModel,
                         "CONCATENATION takes at least 1 input and 1 output, has %d and %d",
                         node.input_count(), node.output_count());
  const Tensor output = node.output(0);
  const size_t element_bytes = TensorTypeSize(output.type);
  if (element_bytes == 0 || output.type == TensorType::kBool)
    return Status::Error(StatusCode::kUnsupported, "type %s is not supported; use INT8 or FLOAT32",
                         TensorTypeName(output.type));
  const int rank = output.shape.rank;
  int32_t axis = 0;
  PICOML_RETURN_IF_ERROR(ReadAxis(node, rank, &axis));
  const bool int8 = output.type == TensorType::kInt8;
  if (int8 && output.quantization.count() != 1)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 output needs per-tensor quantization, it has %u scales",
                         static_cast<unsigned>(output.quantization.count()));
  int64_t axis_total = 0;
  for (int i = 0; i < node.input_count(); ++i) {
    if (!node.has_input(i))
      return Status::Error(StatusCode::kInvalidModel, "input %d is omitted", i);
    const Tensor input = node.input(i);
    if (input.type != output.type)
      return Status::Error(StatusCode::kInvalidModel,
                           "input %d is %s, output is %s; they must match", i,
                           TensorTypeName(input.type), TensorTypeName(output.type));
    if (input.shape.rank != rank)
      return Status::Error(StatusCode::kInvalidModel, "input %d has rank %d, output rank %d", i,
                           input.shape.rank, rank);
    for (int d = 0; d < rank; ++d) {
      if (d != axis && input.shape.dims[d] != output.shape.dims[d])
        return Status::Error(StatusCode::kInvalidModel,
                             "input %d has %d in dimension %d, output %d; only the axis (%d) may "
                             "differ",
                             i, static_cast<int>(input.shape.dims[d]), d,
                             static_cast<int>(output.shape.dims[d]), static_cast<int>(axis));
    }
    axis_total += input.shape.dims[axis];
    if (int8) {
      if (input.quantization.count() != 1 ||
          input.quantization.scale(0) != output.quantization.scale(0) ||
          input.quantization.zero_point(0) != output.quantization.zero_point(0))
        return Status::Error(StatusCode::kUnsupported,
                             "int8 input %d has another scale or zero point than the output; "
                             "CONCATENATION copies bytes: requantize it first",
                             i);
    }
  }
  if (axis_total != output.shape.dims[axis])
    return Status::Error(StatusCode::kInvalidModel,
                         "inputs add up to %ld along axis %d, output has %d",
                         static_cast<long>(axis_total), static_cast<int>(axis),
                         static_cast<int>(output.shape.dims[axis]));
  memory->node_data_bytes = sizeof(ConcatenationData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  ConcatenationData* data = static_cast<ConcatenationData*>(node_data);
  return ReadAxis(node, node.output(0).shape.rank, &data->axis);
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const ConcatenationData& d = *static_cast<const ConcatenationData*>(node_data);
  const Tensor output = node.output(0);
  const size_t element_bytes = TensorTypeSize(output.type);
  // outer = product of the dimensions before the axis; each input then
  // contributes one contiguous block of (its axis extent * inner) elements
  // per outer step.
  int64_t outer = 1;
  for (int i = 0; i < d.axis; ++i) outer *= output.shape.dims[i];
  int64_t inner = 1;
  for (int i = d.axis + 1; i < output.shape.rank; ++i) inner *= output.shape.dims[i];
  uint8_t* out = static_cast<uint8_t*>(output.data);
  for (int64_t o = 0; o < outer; ++o) {
    for (int i = 0; i < node.input_count(); ++i) {
      const Tensor input = node.input(i);
      const size_t block = static_cast<size_t>(input.shape.dims[d.axis] * inner) * element_bytes;
      if (block != 0) memcpy(out, static_cast<const uint8_t*>(input.data) + o * block, block);
      out += block;
    }
  }
  return Status::Ok();
}

const KernelRegistration kConcatenation = {BuiltinOperator::kConcatenation, Plan, Prepare, Eval,
                                           false};

}  // namespace

const KernelRegistration& Concatenation() { return kConcatenation; }

}  // namespace kernels
}  // namespace picoml

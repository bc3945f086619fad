// PAD: surrounds the input with constant values, as LiteRT's PAD does
// (TFLM pad_common.cc / reference pad.h): input 1 is a constant [rank, 2]
// tensor of (before, after) counts per dimension; float32 pads with 0.0 and
// int8 with the output's zero point (the quantized 0.0). Values are copied,
// never requantized. Up to kMaxRank (6) dimensions; any element size.
#include <string.h>

#include "picoml/kernel.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

struct PadData {
  int32_t rank;
  int32_t element_bytes;
  int32_t pad_byte;  // every byte of the pad value (0 for 0.0f, zero point for int8)
  int32_t before[kMaxRank];
};

// Reads paddings[d][side] from an int32 or int64 tensor (checked by Plan).
int64_t Padding(const Tensor& paddings, int d, int side) {
  const int index = 2 * d + side;
  if (paddings.type == TensorType::kInt64) {
    int64_t v;
    memcpy(&v, static_cast<const uint8_t*>(paddings.data) + 8 * index, 8);
    return v;
  }
  int32_t v;
  memcpy(&v, static_cast<const uint8_t*>(paddings.data) + 4 * index, 4);
  return v;
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  if (node.input_count() != 2 || node.output_count() != 1 || !node.has_input(0) ||
      !node.has_input(1))
    return Status::Error(StatusCode::kUnsupported,
                         "PAD takes 2 inputs (data, paddings) and 1 output, has %d and %d; a "
                         "constant-values input (PADV2) is not supported",
                         node.input_count(), node.output_count());
  const Tensor input = node.input(0);
  const Tensor paddings = node.input(1);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kInvalidModel, "input is %s, output is %s; they must match",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  if (input.type != TensorType::kInt8 && input.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported, "type %s is not supported; use INT8 or FLOAT32",
                         TensorTypeName(input.type));
  if (!paddings.is_constant)
    return Status::Error(StatusCode::kUnsupported,
                         "paddings (input 1) are computed at run time; picoml needs them as a "
                         "constant tensor in the model");
  if (paddings.type != TensorType::kInt32 && paddings.type != TensorType::kInt64)
    return Status::Error(StatusCode::kInvalidModel, "paddings are %s; they must be INT32 or INT64",
                         TensorTypeName(paddings.type));
  const int rank = input.shape.rank;
  if (output.shape.rank != rank)
    return Status::Error(StatusCode::kInvalidModel,
                         "input has rank %d, output rank %d; PAD keeps it", rank,
                         output.shape.rank);
  if (paddings.shape.rank != 2 || paddings.shape.dims[0] != rank || paddings.shape.dims[1] != 2)
    return Status::Error(StatusCode::kInvalidModel,
                         "paddings must have shape [%d, 2] (one before/after pair per dimension)",
                         rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t before = Padding(paddings, d, 0);
    const int64_t after = Padding(paddings, d, 1);
    if (before < 0 || after < 0)
      return Status::Error(StatusCode::kInvalidModel,
                           "dimension %d has negative padding (%ld, %ld); PAD cannot crop", d,
                           static_cast<long>(before), static_cast<long>(after));
    // Each padding is compared with the output size first, so the sum below
    // cannot overflow int64 for paddings near INT64_MAX.
    if (before > output.shape.dims[d] || after > output.shape.dims[d] ||
        input.shape.dims[d] + before + after != output.shape.dims[d])
      return Status::Error(StatusCode::kInvalidModel,
                           "dimension %d: input %d + padding %ld + %ld is not the output's %d", d,
                           static_cast<int>(input.shape.dims[d]), static_cast<long>(before),
                           static_cast<long>(after), static_cast<int>(output.shape.dims[d]));
  }
  if (input.type == TensorType::kInt8) {
    if (output.quantization.count() != 1)
      return Status::Error(StatusCode::kUnsupported,
                           "int8 output needs per-tensor quantization (its zero point is the pad "
                           "value), it has %u scales",
                           static_cast<unsigned>(output.quantization.count()));
    const int32_t zero_point = output.quantization.zero_point(0);
    if (zero_point < -128 || zero_point > 127)
      return Status::Error(StatusCode::kInvalidModel, "output zero point %d is outside [-128, 127]",
                           static_cast<int>(zero_point));
  }
  memory->node_data_bytes = sizeof(PadData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  const Tensor input = node.input(0);
  const Tensor paddings = node.input(1);
  const Tensor output = node.output(0);
  PadData* data = static_cast<PadData*>(node_data);
  *data = PadData();
  data->rank = input.shape.rank;
  data->element_bytes = static_cast<int32_t>(TensorTypeSize(input.type));
  data->pad_byte =
      input.type == TensorType::kInt8
          ? static_cast<uint8_t>(static_cast<int8_t>(output.quantization.zero_point(0)))
          : 0;
  for (int d = 0; d < data->rank; ++d)
    data->before[d] = static_cast<int32_t>(Padding(paddings, d, 0));
  return Status::Ok();
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const PadData& d = *static_cast<const PadData*>(node_data);
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  memset(output.data, d.pad_byte, output.bytes);
  if (input.bytes == 0) return Status::Ok();
  if (d.rank == 0) {
    memcpy(output.data, input.data, input.bytes);
    return Status::Ok();
  }
  // Copy the input one innermost row at a time to its place in the output.
  const int last = d.rank - 1;
  const Shape& in_shape = input.shape;
  const Shape& out_shape = output.shape;
  int64_t out_strides[kMaxRank];
  int64_t stride = d.element_bytes;
  for (int i = last; i >= 0; --i) {
    out_strides[i] = stride;
    stride *= out_shape.dims[i];
  }
  const size_t row_bytes = static_cast<size_t>(in_shape.dims[last]) * d.element_bytes;
  const uint8_t* in = static_cast<const uint8_t*>(input.data);
  uint8_t* out = static_cast<uint8_t*>(output.data);
  int32_t position[kMaxRank] = {};
  for (;;) {
    int64_t at = d.before[last] * out_strides[last];
    for (int i = 0; i < last; ++i) at += (position[i] + d.before[i]) * out_strides[i];
    memcpy(out + at, in, row_bytes);
    in += row_bytes;
    int i = last - 1;
    for (; i >= 0; --i) {
      if (++position[i] < in_shape.dims[i]) break;
      position[i] = 0;
    }
    if (i < 0) return Status::Ok();
  }
}

const KernelRegistration kPad = {BuiltinOperator::kPad, Plan, Prepare, Eval, false};

}  // namespace

const KernelRegistration& Pad() { return kPad; }

}  // namespace kernels
}  // namespace picoml

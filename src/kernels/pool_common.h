// What MAX_POOL_2D and AVERAGE_POOL_2D share: reading Pool2DOptions, the
// window geometry (output size and padding exactly as LiteRT computes them),
// the activation range, and the node data both kernels keep.
//
// Facts followed (LiteRT's kernels/padding.h and pooling kernels):
//  - output size: SAME -> ceil(in / stride) = (in + stride - 1) / stride;
//    VALID -> (in - filter + stride) / stride (C++ division); an empty output
//    is an error;
//  - padding before the first row/column: max(0, (out - 1) * stride + filter
//    - in) / 2 (an odd total puts the extra row/column after the input);
//  - window origin at output (y, x) is (y * stride_h - pad_top, x * stride_w -
//    pad_left); only taps inside the input count.
#ifndef PICOML_KERNELS_POOL_COMMON_H_
#define PICOML_KERNELS_POOL_COMMON_H_

#include <stdint.h>

#include "kernels/fixed_point.h"
#include "kernels/tensor_checks.h"
#include "picoml/kernel.h"
#include "picoml/schema.h"
#include "picoml/status.h"
#include "picoml/types.h"

namespace picoml {
namespace pool {

// Strides and filter sizes above this are refused (keeps products in int32).
constexpr int32_t kMaxWindowExtent = 1 << 15;

// Node data of both pooling kernels (fixed-width fields only).
struct Pool2DData {
  int32_t batches;
  int32_t input_height;
  int32_t input_width;
  int32_t channels;
  int32_t output_height;
  int32_t output_width;
  int32_t filter_height;
  int32_t filter_width;
  int32_t stride_height;
  int32_t stride_width;
  int32_t padding_top;
  int32_t padding_left;
  int32_t is_float;
  int32_t activation_min;  // int8: quantized range after the fused activation
  int32_t activation_max;
  float float_activation_min;  // float32: [-FLT_MAX, FLT_MAX] narrowed
  float float_activation_max;
};

// LiteRT's ComputeOutSize (dilation 1); zero or negative for a VALID window
// larger than the input.
inline int64_t PoolOutputSize(Padding padding, int32_t in, int32_t filter, int32_t stride) {
  if (padding == Padding::kSame) return (static_cast<int64_t>(in) + stride - 1) / stride;
  return (static_cast<int64_t>(in) + stride - filter) / stride;
}

// LiteRT's ComputePaddingWithOffset, leading half (dilation 1).
inline int32_t PoolPadding(int32_t in, int32_t filter, int32_t stride, int32_t out) {
  int64_t total = (static_cast<int64_t>(out) - 1) * stride + filter - in;
  if (total < 0) total = 0;
  return static_cast<int32_t>(total / 2);
}

// Reads and checks everything; fills `data` (pure: used by plan and prepare).
inline Status PlanPool2D(const NodeContext& node, Pool2DData* data) {
  PICOML_RETURN_IF_ERROR(checks::CheckArity(node, 1, 1));
  PICOML_RETURN_IF_ERROR(checks::CheckOptions(node, schema::BuiltinOptionsType::kPool2DOptions,
                                              "Pool2DOptions", /*required=*/true));
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kInvalidModel, "input is %s but output is %s",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  if (input.type != TensorType::kInt8 && input.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported,
                         "input type %s is not supported (INT8 and FLOAT32 are)",
                         TensorTypeName(input.type));
  if (input.shape.rank != 4)
    return Status::Error(StatusCode::kInvalidModel,
                         "input must be 4-D [batch, height, width, channels], it has rank %d",
                         input.shape.rank);

  const FlatTable& options = node.options();
  const int8_t padding = options.Scalar<int8_t>(schema::pool2d_options::kPadding, 0);
  if (padding != static_cast<int8_t>(Padding::kSame) &&
      padding != static_cast<int8_t>(Padding::kValid))
    return Status::Error(StatusCode::kInvalidModel,
                         "padding value %d is neither SAME (0) nor VALID (1)",
                         static_cast<int>(padding));
  data->stride_width = options.Scalar<int32_t>(schema::pool2d_options::kStrideW, 0);
  data->stride_height = options.Scalar<int32_t>(schema::pool2d_options::kStrideH, 0);
  data->filter_width = options.Scalar<int32_t>(schema::pool2d_options::kFilterWidth, 0);
  data->filter_height = options.Scalar<int32_t>(schema::pool2d_options::kFilterHeight, 0);
  if (data->stride_width < 1 || data->stride_height < 1 || data->stride_width > kMaxWindowExtent ||
      data->stride_height > kMaxWindowExtent)
    return Status::Error(StatusCode::kInvalidModel,
                         "strides %dx%d (h x w) are out of range: each must be in [1, %d]",
                         static_cast<int>(data->stride_height),
                         static_cast<int>(data->stride_width), static_cast<int>(kMaxWindowExtent));
  if (data->filter_width < 1 || data->filter_height < 1 || data->filter_width > kMaxWindowExtent ||
      data->filter_height > kMaxWindowExtent)
    return Status::Error(StatusCode::kInvalidModel,
                         "filter size %dx%d (h x w) is out of range: each must be in [1, %d]",
                         static_cast<int>(data->filter_height),
                         static_cast<int>(data->filter_width), static_cast<int>(kMaxWindowExtent));
  const int8_t raw_activation = options.Scalar<int8_t>(schema::pool2d_options::kFusedActivation, 0);
  const Activation activation = static_cast<Activation>(raw_activation);
  if (activation != Activation::kNone && activation != Activation::kRelu &&
      activation != Activation::kRelu6)
    return Status::Error(StatusCode::kUnsupported,
                         "fused activation %s (%d) is not supported on pooling (NONE, RELU and "
                         "RELU6 are); apply it as a separate operator",
                         ActivationName(activation), static_cast<int>(raw_activation));

  data->batches = input.shape.dims[0];
  data->input_height = input.shape.dims[1];
  data->input_width = input.shape.dims[2];
  data->channels = input.shape.dims[3];
  PICOML_RETURN_IF_ERROR(checks::CheckElementCount(input, "input"));
  const int64_t out_height = PoolOutputSize(static_cast<Padding>(padding), data->input_height,
                                            data->filter_height, data->stride_height);
  const int64_t out_width = PoolOutputSize(static_cast<Padding>(padding), data->input_width,
                                           data->filter_width, data->stride_width);
  if (out_height < 1 || out_width < 1)
    return Status::Error(StatusCode::kInvalidModel,
                         "a %dx%d filter does not fit a %dx%d input with VALID padding: the "
                         "output would be empty",
                         static_cast<int>(data->filter_height),
                         static_cast<int>(data->filter_width), static_cast<int>(data->input_height),
                         static_cast<int>(data->input_width));
  const Shape& out = output.shape;
  if (out.rank != 4 || out.dims[0] != data->batches || out.dims[1] != out_height ||
      out.dims[2] != out_width || out.dims[3] != data->channels)
    return Status::Error(StatusCode::kInvalidModel,
                         "output shape must be [%d, %d, %d, %d] for this input and these options, "
                         "but the model says rank %d [%d, %d, %d, %d, ...]",
                         static_cast<int>(data->batches), static_cast<int>(out_height),
                         static_cast<int>(out_width), static_cast<int>(data->channels), out.rank,
                         static_cast<int>(out.dims[0]), static_cast<int>(out.dims[1]),
                         static_cast<int>(out.dims[2]), static_cast<int>(out.dims[3]));
  data->output_height = static_cast<int32_t>(out_height);
  data->output_width = static_cast<int32_t>(out_width);
  data->padding_top = PoolPadding(data->input_height, data->filter_height, data->stride_height,
                                  data->output_height);
  data->padding_left =
      PoolPadding(data->input_width, data->filter_width, data->stride_width, data->output_width);

  data->is_float = input.type == TensorType::kFloat32 ? 1 : 0;
  data->activation_min = -128;
  data->activation_max = 127;
  fixed_point::FiniteActivationRangeFloat(activation, &data->float_activation_min,
                                          &data->float_activation_max);
  if (!data->is_float) {
    PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(input, "input"));
    PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(output, "output"));
    // LiteRT's pooling kernels do not rescale: they assume (and LiteRT's
    // Prepare checks, to 1e-6) that the output uses the input's quantization.
    const QuantizationParams in_q = input.quantization.PerTensor();
    const QuantizationParams out_q = output.quantization.PerTensor();
    const float scale_difference = in_q.scale - out_q.scale;
    if (scale_difference > 1e-6f || scale_difference < -1e-6f ||
        in_q.zero_point != out_q.zero_point)
      return Status::Error(StatusCode::kUnsupported,
                           "int8 pooling needs the output's scale and zero point equal to the "
                           "input's (LiteRT does not rescale here); re-quantize the model");
    fixed_point::ActivationRangeInt8(activation, out_q.scale, out_q.zero_point,
                                     &data->activation_min, &data->activation_max);
  }
  return Status::Ok();
}

inline Status PlanPool2DMemory(const NodeContext& node, KernelMemory* memory) {
  Pool2DData data;
  PICOML_RETURN_IF_ERROR(PlanPool2D(node, &data));
  memory->node_data_bytes = sizeof(Pool2DData);
  memory->scratch_bytes = 0;
  return Status::Ok();
}

inline Status PreparePool2D(const NodeContext& node, void* node_data) {
  return PlanPool2D(node, static_cast<Pool2DData*>(node_data));
}

// The in-bounds part of the window at output (y, x): rows [*y0, *y1) and
// columns [*x0, *x1) of the input.
inline void WindowBounds(const Pool2DData& d, int32_t out_y, int32_t out_x, int32_t* y0,
                         int32_t* y1, int32_t* x0, int32_t* x1) {
  const int32_t origin_y = out_y * d.stride_height - d.padding_top;
  const int32_t origin_x = out_x * d.stride_width - d.padding_left;
  *y0 = fixed_point::Max(0, origin_y);
  *y1 = fixed_point::Min(d.input_height, origin_y + d.filter_height);
  *x0 = fixed_point::Max(0, origin_x);
  *x1 = fixed_point::Min(d.input_width, origin_x + d.filter_width);
}

}  // namespace pool
}  // namespace picoml

#endif  // PICOML_KERNELS_POOL_COMMON_H_

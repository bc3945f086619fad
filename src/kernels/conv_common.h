// What CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED share: reading and
// checking their options, the window geometry (output size and padding, as
// LiteRT computes them), per-channel requantization multipliers and the
// fused activation range. Their kernels live in conv2d.cc,
// depthwise_conv2d.cc and fully_connected.cc.
//
// Facts followed (LiteRT's padding.h and kernel_util.cc):
//  - output size: SAME -> ceil(in / stride); VALID -> (in + stride -
//    effective_filter) / stride, effective_filter = (filter - 1) * dilation + 1;
//  - padding: total = max(0, (out - 1) * stride + effective_filter - in);
//    the top/left side gets total / 2 (the odd pixel goes bottom/right);
//  - per-channel multiplier: double(input_scale) * double(filter_scale[c]) /
//    double(output_scale), split by QuantizeMultiplier; a per-tensor filter
//    scale is broadcast over the channels.
#ifndef PICOML_KERNELS_CONV_COMMON_H_
#define PICOML_KERNELS_CONV_COMMON_H_

#include <stdint.h>

#include "kernels/fixed_point.h"
#include "picoml/kernel.h"
#include "picoml/schema.h"
#include "picoml/status.h"
#include "picoml/types.h"

// Keeps a function out of its callers (GCC and Clang; elsewhere a no-op).
#if defined(__GNUC__)
#define PICOML_NOINLINE __attribute__((noinline))
#else
#define PICOML_NOINLINE
#endif

namespace picoml {
namespace kernels {
namespace conv {

// Spatial dimensions and channel counts above this are refused, so that every
// product of two of them stays inside int32 arithmetic.
constexpr int32_t kMaxWindowExtent = 1 << 15;

// The geometry of a 2-D window operator over NHWC tensors, all in int32 so it
// can be stored in node data as it is.
struct ConvGeometry {
  int32_t batches;
  int32_t input_height, input_width, input_depth;
  int32_t filter_height, filter_width;
  int32_t output_height, output_width, output_depth;
  int32_t stride_height, stride_width;
  int32_t dilation_height, dilation_width;
  int32_t padding_top, padding_left;  // leading padding; trailing may be one more
};

// Requantization of an int8 output: per channel (multiplier, shift) pairs
// live beside this in node data; these are the per-tensor parts.
struct OutputStage {
  int32_t input_offset;  // minus the input zero point, added to each input value
  int32_t output_zero_point;
  int32_t activation_min, activation_max;  // int8 domain
  float float_min, float_max;              // float32 kernels
};

// Options read from a CONV_2D or DEPTHWISE_CONV_2D options table.
struct WindowOptions {
  Padding padding;
  int32_t stride_height, stride_width;
  int32_t dilation_height, dilation_width;
  Activation activation;
};

inline int64_t EffectiveFilterSize(int32_t filter, int32_t dilation) {
  return (static_cast<int64_t>(filter) - 1) * dilation + 1;
}

// LiteRT's ComputeOutSize; may be zero or negative for a VALID window larger
// than the input (callers refuse that).
inline int64_t ComputeOutSize(Padding padding, int32_t in, int32_t filter, int32_t stride,
                              int32_t dilation) {
  if (padding == Padding::kSame) return (static_cast<int64_t>(in) + stride - 1) / stride;
  return (static_cast<int64_t>(in) + stride - EffectiveFilterSize(filter, dilation)) / stride;
}

// LiteRT's ComputePaddingWithOffset: the leading half of the total padding.
inline int32_t ComputePadding(int32_t stride, int32_t dilation, int32_t in, int32_t filter,
                              int32_t out) {
  int64_t total =
      (static_cast<int64_t>(out) - 1) * stride + EffectiveFilterSize(filter, dilation) - in;
  if (total < 0) total = 0;
  return static_cast<int32_t>(total / 2);
}

// Checks `node.op().options_type` when an options table is present.
inline Status CheckOptionsType(const NodeContext& node, schema::BuiltinOptionsType expected,
                               const char* expected_name) {
  if (node.options().present() && node.op().options_type != static_cast<uint8_t>(expected))
    return Status::Error(StatusCode::kInvalidModel,
                         "options are of union type %u, expected %s (%u); re-export the model",
                         static_cast<unsigned>(node.op().options_type), expected_name,
                         static_cast<unsigned>(expected));
  return Status::Ok();
}

// A fused activation these kernels apply: NONE, RELU, RELU_N1_TO_1, RELU6.
inline Status ReadActivation(int8_t raw, Activation* activation) {
  switch (static_cast<Activation>(raw)) {
    case Activation::kNone:
    case Activation::kRelu:
    case Activation::kReluN1To1:
    case Activation::kRelu6:
      *activation = static_cast<Activation>(raw);
      return Status::Ok();
    case Activation::kTanh:
    case Activation::kSignBit:
      return Status::Error(StatusCode::kUnsupported,
                           "fused activation %s is not supported (NONE, RELU, RELU_N1_TO_1 and "
                           "RELU6 are); apply it as a separate operator",
                           ActivationName(static_cast<Activation>(raw)));
  }
  return Status::Error(StatusCode::kInvalidModel,
                       "fused activation value %d is not in the schema; re-export the model",
                       static_cast<int>(raw));
}

// Reads CONV_2D / DEPTHWISE_CONV_2D window options (field ids differ between
// the two tables) and checks that they make sense.
inline Status ReadWindowOptions(const NodeContext& node, int padding_id, int stride_w_id,
                                int stride_h_id, int activation_id, int dilation_w_id,
                                int dilation_h_id, WindowOptions* options) {
  const FlatTable& table = node.options();
  if (!table.present())
    return Status::Error(StatusCode::kInvalidModel,
                         "options table is missing (padding and strides are required); "
                         "re-export the model");
  const int8_t padding = table.Scalar<int8_t>(padding_id, 0);
  if (padding != static_cast<int8_t>(Padding::kSame) &&
      padding != static_cast<int8_t>(Padding::kValid))
    return Status::Error(StatusCode::kInvalidModel,
                         "padding value %d is neither SAME (0) nor VALID (1)",
                         static_cast<int>(padding));
  options->padding = static_cast<Padding>(padding);
  options->stride_width = table.Scalar<int32_t>(stride_w_id, 0);
  options->stride_height = table.Scalar<int32_t>(stride_h_id, 0);
  options->dilation_width = table.Scalar<int32_t>(dilation_w_id, 1);
  options->dilation_height = table.Scalar<int32_t>(dilation_h_id, 1);
  if (options->stride_width < 1 || options->stride_height < 1 ||
      options->stride_width > kMaxWindowExtent || options->stride_height > kMaxWindowExtent)
    return Status::Error(StatusCode::kInvalidModel,
                         "strides %dx%d (h x w) are out of range: each must be in [1, %d]",
                         static_cast<int>(options->stride_height),
                         static_cast<int>(options->stride_width),
                         static_cast<int>(kMaxWindowExtent));
  if (options->dilation_width < 1 || options->dilation_height < 1 ||
      options->dilation_width > kMaxWindowExtent || options->dilation_height > kMaxWindowExtent)
    return Status::Error(StatusCode::kInvalidModel,
                         "dilations %dx%d (h x w) are out of range: each must be in [1, %d]",
                         static_cast<int>(options->dilation_height),
                         static_cast<int>(options->dilation_width),
                         static_cast<int>(kMaxWindowExtent));
  return ReadActivation(table.Scalar<int8_t>(activation_id, 0), &options->activation);
}

// Checks one dimension against kMaxWindowExtent (and > 0).
inline Status CheckExtent(const char* what, int32_t value) {
  if (value < 1 || value > kMaxWindowExtent)
    return Status::Error(StatusCode::kUnsupported, "%s is %d; it must be in [1, %d]", what,
                         static_cast<int>(value), static_cast<int>(kMaxWindowExtent));
  return Status::Ok();
}

// Fills the spatial part of `g` (input and filter sizes must be set) from the
// options and checks that the output tensor's shape [N, H, W, C] is what the
// window gives.
inline Status ComputeWindow(const WindowOptions& options, const Shape& output_shape,
                            ConvGeometry* g) {
  g->stride_height = options.stride_height;
  g->stride_width = options.stride_width;
  g->dilation_height = options.dilation_height;
  g->dilation_width = options.dilation_width;
  const int64_t out_height = ComputeOutSize(options.padding, g->input_height, g->filter_height,
                                            g->stride_height, g->dilation_height);
  const int64_t out_width = ComputeOutSize(options.padding, g->input_width, g->filter_width,
                                           g->stride_width, g->dilation_width);
  if (out_height < 1 || out_width < 1)
    return Status::Error(StatusCode::kInvalidModel,
                         "a %dx%d filter (dilation %dx%d) does not fit a %dx%d input with VALID "
                         "padding: the output would be empty",
                         static_cast<int>(g->filter_height), static_cast<int>(g->filter_width),
                         static_cast<int>(g->dilation_height), static_cast<int>(g->dilation_width),
                         static_cast<int>(g->input_height), static_cast<int>(g->input_width));
  if (output_shape.rank != 4 || output_shape.dims[0] != g->batches ||
      output_shape.dims[1] != out_height || output_shape.dims[2] != out_width ||
      output_shape.dims[3] != g->output_depth)
    return Status::Error(
        StatusCode::kInvalidModel,
        "output shape must be [%d, %d, %d, %d] for these input, filter and "
        "options, but the model says rank %d [%d, %d, %d, %d, ...]",
        static_cast<int>(g->batches), static_cast<int>(out_height), static_cast<int>(out_width),
        static_cast<int>(g->output_depth), output_shape.rank,
        static_cast<int>(output_shape.dims[0]), static_cast<int>(output_shape.dims[1]),
        static_cast<int>(output_shape.dims[2]), static_cast<int>(output_shape.dims[3]));
  g->output_height = static_cast<int32_t>(out_height);
  g->output_width = static_cast<int32_t>(out_width);
  g->padding_top = ComputePadding(g->stride_height, g->dilation_height, g->input_height,
                                  g->filter_height, g->output_height);
  g->padding_left = ComputePadding(g->stride_width, g->dilation_width, g->input_width,
                                   g->filter_width, g->output_width);
  return Status::Ok();
}

// An int8 activation tensor needs exactly one (scale, zero point) with a
// finite positive scale.
inline Status CheckPerTensorInt8(const Tensor& tensor, const char* role) {
  const Quantization& q = tensor.quantization;
  if (q.count() != 1)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 %s must be quantized per tensor (one scale), it has %u scales", role,
                         static_cast<unsigned>(q.count()));
  const float scale = q.scale(0);
  if (!(scale > 0.0f) || !isfinite(scale))
    return Status::Error(StatusCode::kInvalidModel,
                         "int8 %s scale must be finite and > 0; re-quantize the model", role);
  const int32_t zero_point = q.zero_point(0);
  if (zero_point < -128 || zero_point > 127)
    return Status::Error(StatusCode::kInvalidModel,
                         "int8 %s has zero point %d, outside [-128, 127]", role,
                         static_cast<int>(zero_point));
  return Status::Ok();
}

// An int8 filter: one scale, or one per output channel along
// `quantized_dimension`; symmetric (every zero point 0) unless
// `allow_zero_point` (LiteRT keeps a per-tensor filter offset for
// FULLY_CONNECTED only).
inline Status CheckFilterQuantization(const Tensor& filter, int32_t quantized_dimension,
                                      int32_t channels, bool allow_zero_point) {
  const Quantization& q = filter.quantization;
  if (q.count() == 0)
    return Status::Error(StatusCode::kInvalidModel,
                         "int8 filter has no quantization parameters; re-quantize the model");
  if (q.count() != 1) {
    if (q.count() != static_cast<uint32_t>(channels))
      return Status::Error(StatusCode::kInvalidModel,
                           "filter has %u scales; per-channel quantization needs one per output "
                           "channel (%d)",
                           static_cast<unsigned>(q.count()), static_cast<int>(channels));
    if (q.quantized_dimension() != quantized_dimension)
      return Status::Error(StatusCode::kUnsupported,
                           "filter is quantized along dimension %d; only dimension %d (output "
                           "channels) is supported",
                           static_cast<int>(q.quantized_dimension()),
                           static_cast<int>(quantized_dimension));
  }
  for (uint32_t c = 0; c < q.count(); ++c) {
    const float scale = q.scale(c);
    if (!(scale >= 0.0f) || !isfinite(scale))
      return Status::Error(StatusCode::kInvalidModel, "filter scale %u is negative or not finite",
                           static_cast<unsigned>(c));
    if (q.zero_point(c) != 0 && !(allow_zero_point && q.count() == 1))
      return Status::Error(StatusCode::kUnsupported,
                           "filter zero point %u is %d; int8 filters must be symmetric (0)",
                           static_cast<unsigned>(c), static_cast<int>(q.zero_point(c)));
    if (q.zero_point(c) < -128 || q.zero_point(c) > 127)
      return Status::Error(StatusCode::kInvalidModel, "filter zero point %d is outside int8",
                           static_cast<int>(q.zero_point(c)));
  }
  return Status::Ok();
}

// The int8 accumulators sum `terms` products per output in int32; each is at
// most 128 x 255 in magnitude (filter x offset input) for CONV_2D and
// DEPTHWISE_CONV_2D, 255 x 255 for FULLY_CONNECTED (weights with a zero
// point), so the sum fits only up to `max_terms` terms.
inline Status CheckAccumulatorTerms(int64_t terms, int64_t max_terms, const char* what) {
  if (terms > max_terms)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 %s sums %ld products per output; at most %ld fit the int32 "
                         "accumulator; use a smaller filter or fewer input channels",
                         what, static_cast<long>(terms), static_cast<long>(max_terms));
  return Status::Ok();
}
constexpr int64_t kMaxWindowTerms = 65535;          // 65535 x 128 x 255 < 2^31
constexpr int64_t kMaxFullyConnectedTerms = 32768;  // 32768 x 255 x 255 < 2^31

// Bias of `channels` elements: int32 for int8 kernels, float32 for float.
inline Status CheckBias(const Tensor& bias, TensorType expected, int32_t channels) {
  if (bias.type != expected)
    return Status::Error(StatusCode::kUnsupported, "bias is %s; this kernel needs %s bias",
                         TensorTypeName(bias.type), TensorTypeName(expected));
  if (bias.ElementCount() != channels)
    return Status::Error(StatusCode::kInvalidModel,
                         "bias has %ld elements; it needs one per output channel (%d)",
                         static_cast<long>(bias.ElementCount()), static_cast<int>(channels));
  return Status::Ok();
}

// Effective requantization scales of 2^30 and more (an output scale
// billions of times finer than input x filter scale) are refused: their
// shifts leave the range LiteRT's integer arithmetic is defined for.
constexpr double kMaxEffectiveScale = 1073741824.0;

inline Status CheckEffectiveScale(double effective) {
  if (!(effective < kMaxEffectiveScale))
    return Status::Error(StatusCode::kInvalidModel,
                         "requantization scale (input x filter / output scale) is 2^30 or more; "
                         "check the output tensor's scale");
  return Status::Ok();
}

inline double EffectiveScale(float input_scale, float filter_scale, float output_scale) {
  return static_cast<double>(input_scale) * static_cast<double>(filter_scale) /
         static_cast<double>(output_scale);
}

inline Status CheckPerChannelScales(float input_scale, const Quantization& filter,
                                    float output_scale) {
  for (uint32_t c = 0; c < filter.count(); ++c)
    PICOML_RETURN_IF_ERROR(
        CheckEffectiveScale(EffectiveScale(input_scale, filter.scale(c), output_scale)));
  return Status::Ok();
}

// Per-channel (multiplier, shift) for real scale input_scale *
// filter_scale[c] / output_scale, computed in double as LiteRT's
// PopulateConvolutionQuantizationParams does. Shifts are stored as int8:
// QuantizeMultiplier gives [-31, 31] for scales below kMaxEffectiveScale.
inline void PopulatePerChannelMultipliers(float input_scale, const Quantization& filter,
                                          float output_scale, int32_t channels, Rounding rounding,
                                          int32_t* multipliers, int8_t* shifts) {
  for (int32_t c = 0; c < channels; ++c) {
    const float filter_scale = filter.scale(filter.count() == 1 ? 0 : static_cast<uint32_t>(c));
    int shift = 0;
    fixed_point::QuantizeMultiplier(EffectiveScale(input_scale, filter_scale, output_scale),
                                    &multipliers[c], &shift, rounding);
    shifts[c] = static_cast<int8_t>(shift);
  }
}

// LiteRT refuses a fused activation whose bounds (6 for RELU6, +-1 for
// RELU_N1_TO_1) do not fit int32 once quantized with the output scale.
inline Status CheckActivationBounds(Activation activation, float output_scale) {
  float bound = 0.0f;
  if (activation == Activation::kRelu6) bound = 6.0f;
  if (activation == Activation::kReluN1To1) bound = 1.0f;
  const float quantized = roundf(bound / output_scale);
  if (!(quantized < 2147483520.0f))  // the largest float below 2^31, less int8 zero points
    return Status::Error(StatusCode::kInvalidModel,
                         "fused activation %s cannot be quantized with this tiny output scale; "
                         "check the output tensor's scale",
                         ActivationName(activation));
  return Status::Ok();
}

// The checks CONV_2D and DEPTHWISE_CONV_2D share once geometry is known: for
// int8, per-tensor input and output, a per-channel filter along
// `quantized_dimension`, accumulator terms within int32 (`terms`, described
// by `what`) and requantization scales in range; then the optional bias.
inline Status CheckWindowTensors(const Tensor& input, const Tensor& filter, const Tensor& output,
                                 const Tensor* bias, bool is_float, Activation activation,
                                 int quantized_dimension, int32_t output_depth, int64_t terms,
                                 const char* what) {
  if (!is_float) {
    PICOML_RETURN_IF_ERROR(CheckPerTensorInt8(input, "input"));
    PICOML_RETURN_IF_ERROR(CheckPerTensorInt8(output, "output"));
    PICOML_RETURN_IF_ERROR(CheckActivationBounds(activation, output.quantization.scale(0)));
    PICOML_RETURN_IF_ERROR(
        CheckFilterQuantization(filter, quantized_dimension, output_depth, false));
    PICOML_RETURN_IF_ERROR(CheckAccumulatorTerms(terms, kMaxWindowTerms, what));
    PICOML_RETURN_IF_ERROR(CheckPerChannelScales(input.quantization.scale(0), filter.quantization,
                                                 output.quantization.scale(0)));
  }
  if (bias != nullptr)
    PICOML_RETURN_IF_ERROR(
        CheckBias(*bias, is_float ? TensorType::kFloat32 : TensorType::kInt32, output_depth));
  return Status::Ok();
}

// The per-tensor part of the int8 output stage.
inline OutputStage MakeInt8OutputStage(const Tensor& input, const Tensor& output,
                                       Activation activation) {
  OutputStage stage = {};
  stage.input_offset = -input.quantization.zero_point(0);
  stage.output_zero_point = output.quantization.zero_point(0);
  fixed_point::ActivationRangeInt8(activation, output.quantization.scale(0),
                                   stage.output_zero_point, &stage.activation_min,
                                   &stage.activation_max);
  fixed_point::FiniteActivationRangeFloat(activation, &stage.float_min, &stage.float_max);
  return stage;
}

// LiteRT clamps float results to [-FLT_MAX, FLT_MAX] even without an
// activation, so an overflowing sum gives +-FLT_MAX, not infinity.
inline OutputStage MakeFloatOutputStage(Activation activation) {
  OutputStage stage = {};
  fixed_point::FiniteActivationRangeFloat(activation, &stage.float_min, &stage.float_max);
  return stage;
}

// Requantizes an accumulator to int8 for output channel `c`.
inline int8_t RequantizeToInt8(int32_t acc, int32_t multiplier, int32_t shift,
                               const OutputStage& stage, Rounding rounding) {
  int32_t out = fixed_point::MultiplyByQuantizedMultiplier(acc, multiplier, shift, rounding);
  out += stage.output_zero_point;
  return static_cast<int8_t>(fixed_point::Clamp(out, stage.activation_min, stage.activation_max));
}

// The smallest accumulator (bias included) whose requantized output rises
// above stage.activation_min: every accumulator below it gives exactly
// activation_min, so a kernel may skip the requantization there (after a
// RELU that is every negative pre-activation, often half the outputs).
// This holds because the output never decreases as the accumulator grows,
// which is true for a non-negative multiplier without a left shift; with a
// left shift (a scale of 1 or more, rare) the shifted accumulator may wrap,
// so the answer is INT32_MIN: never skip. Found by bisection at prepare.
inline int32_t ClampedBelow(int32_t multiplier, int shift, const OutputStage& stage,
                            Rounding rounding) {
  if (multiplier < 0 || shift > 0) return fixed_point::kInt32Min;
  // In 64 bits: the zero point must not wrap the extreme accumulators.
  const auto above_min = [&](int64_t acc) {
    const int64_t out = fixed_point::MultiplyByQuantizedMultiplier(static_cast<int32_t>(acc),
                                                                   multiplier, shift, rounding);
    return out + stage.output_zero_point > stage.activation_min;
  };
  int64_t low = fixed_point::kInt32Min;  // invariant: every acc < low stays at the minimum
  int64_t high = fixed_point::kInt32Max;
  if (!above_min(high)) return fixed_point::kInt32Max;
  // The real-valued boundary, (minimum - zero point + 1/2) / scale, narrows
  // the bisection to a few steps where it brackets the answer (it does
  // unless rounding is far off); otherwise the whole range is searched.
  if (multiplier > 0) {
    const double scale = static_cast<double>(multiplier) * ldexp(1.0, shift - 31);
    const double guess = (stage.activation_min - stage.output_zero_point + 0.5) / scale;
    if (guess > fixed_point::kInt32Min + 64.0 && guess < fixed_point::kInt32Max - 64.0) {
      const int64_t below = static_cast<int64_t>(guess) - 32, above = below + 64;
      if (!above_min(below) && above_min(above)) {
        low = below + 1;
        high = above;
      }
    }
  }
  while (low < high) {  // the smallest acc in [low, high] above the minimum
    const int64_t middle = low + (high - low) / 2;
    if (above_min(middle))
      high = middle;
    else
      low = middle + 1;
  }
  return static_cast<int32_t>(low);
}

// Skipping the requantization of clamped outputs costs 4 bytes of node data
// per output channel; a layer keeps the thresholds only where each channel
// has at least this many outputs to skip, so that late layers of few
// positions and many channels do not pay RAM for little. person_detect:
// +4.0 KB of arena (76,656 B; TFLM needs 85,024) for 5 % fewer instructions
// on the M4; the alarm models: +0.3 KB for 15-18 %.
constexpr int64_t kMinOutputsToKeepClampedBelow = 32;

inline bool KeepsClampedBelow(const ConvGeometry& g) {
  return static_cast<int64_t>(g.batches) * g.output_height * g.output_width >=
         kMinOutputsToKeepClampedBelow;
}

// LiteRT's ActivationFunctionWithMinMax: min(max(x, lo), hi).
inline float ClampFloat(float x, float lo, float hi) {
  const float low = x < lo ? lo : x;
  return hi < low ? hi : low;
}

// Node data of the int8 kernels: a header (a multiple of 4 bytes long), then
// int32 multipliers[count], then int8 shifts[count]; 5 bytes per channel, the
// whole rounded up to 8. Only fixed-width integers, so the size is the same
// on every target.
inline uint32_t NodeDataBytes(uint32_t header_bytes, int32_t count) {
  const uint32_t bytes = header_bytes + static_cast<uint32_t>(count) * 5u;
  return (bytes + 7u) & ~7u;
}

// The arrays behind the header (node data is 8-aligned, the header 4-long).
inline int32_t* MultiplierArray(void* node_data, uint32_t header_bytes) {
  return static_cast<int32_t*>(static_cast<void*>(static_cast<uint8_t*>(node_data) + header_bytes));
}
inline const int32_t* MultiplierArray(const void* node_data, uint32_t header_bytes) {
  return static_cast<const int32_t*>(
      static_cast<const void*>(static_cast<const uint8_t*>(node_data) + header_bytes));
}
inline int8_t* ShiftArray(void* node_data, uint32_t header_bytes, int32_t count) {
  return static_cast<int8_t*>(node_data) + header_bytes + 4u * static_cast<uint32_t>(count);
}
inline const int8_t* ShiftArray(const void* node_data, uint32_t header_bytes, int32_t count) {
  return static_cast<const int8_t*>(node_data) + header_bytes + 4u * static_cast<uint32_t>(count);
}

// Largest filter size (taps x channels per output) for which the folded sum
// cannot leave int32: |filter * (input + offset)| <= 128 * 255 per term.
constexpr int64_t kMaxFoldedTerms = 65536;

// Whether bias[c] + input_offset * (sum of channel c's filter values) fits
// int32 for every channel; channel c's term t is filter[c * channel_stride +
// t * term_stride]. `bias` may be null. The optimized int8 window kernels
// compute that folded bias at the start of each eval and need it to fit;
// plan asks this of the model's constant filter.
inline bool FoldedBiasFits(const int8_t* filter, const int32_t* bias, int32_t input_offset,
                           int32_t channels, int64_t terms, int64_t channel_stride,
                           int64_t term_stride) {
  for (int32_t c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (int64_t t = 0; t < terms; ++t) sum += filter[c * channel_stride + t * term_stride];
    const int64_t value = (bias ? bias[c] : 0) + static_cast<int64_t>(input_offset) * sum;
    if (value < fixed_point::kInt32Min || value > fixed_point::kInt32Max) return false;
  }
  return true;
}

// The int8 arithmetic of CONV_2D and DEPTHWISE_CONV_2D as plain functions, so
// that the reference loops (LiteRT's, position by position, skipping padding)
// and the optimized ones can be run side by side on the same data
// (tests/kernels/conv2d_test.cc). Both give identical bytes.
struct WindowInt8Params {
  ConvGeometry geometry;
  // CONV_2D: input channels each filter reads (input_depth / groups).
  // DEPTHWISE_CONV_2D: the depth multiplier.
  int32_t filter_depth;
  OutputStage stage;
  Rounding rounding;
  const int32_t* multipliers;  // [output_depth]
  const int8_t* shifts;        // [output_depth]
  // DEPTHWISE_CONV_2D optimized only (null otherwise): output_depth int32
  // of working memory (the node's scratch) holding bias[c] + input_offset *
  // (sum of filter channel c), written by FoldDepthwiseConv2DBias at the
  // start of each eval. The caller makes sure the values fit int32
  // (FoldedBiasFits).
  int32_t* folded_bias;
  // CONV_2D optimized only (null otherwise): Conv2DInt8ScratchBytes of
  // working memory (the node's scratch) for one gathered window.
  int16_t* window;
  // Optional, [output_depth]: ClampedBelow for each channel; accumulators
  // below it are written as activation_min without requantizing. Null:
  // every output is requantized.
  const int32_t* clamped_below;
};

// Scratch the optimized depthwise kernel needs: the folded bias.
inline uint32_t WindowInt8ScratchBytes(int32_t output_depth) {
  return 4u * static_cast<uint32_t>(output_depth);
}

// Scratch the optimized CONV_2D needs: one window of filter height x width
// x depth int16 (at most kMaxWindowTerms of them, 128 KiB).
inline uint32_t Conv2DInt8ScratchBytes(int32_t filter_height, int32_t filter_width,
                                       int32_t filter_depth) {
  const uint32_t terms = static_cast<uint32_t>(filter_height) *
                         static_cast<uint32_t>(filter_width) * static_cast<uint32_t>(filter_depth);
  return (2u * terms + 3u) & ~3u;
}

// `bias` may be null. Output is [batches, out_h, out_w, output_depth].
void Conv2DInt8Reference(const WindowInt8Params& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output);
// The optimized CONV_2D's inner loops come in two forms with the same bits:
//  - kSignedWeights reads each weight with a sign-extending byte load, four
//    output channels at a time (one instruction per weight on Arm and x86);
//  - kBiasedWeights reads weights unsigned, as w + 128, and subtracts
//    128 x the window's sum once per position; four weights per word load
//    where the filter allows. For cores without a sign-extending byte load
//    (the lx106 needs three instructions per weight otherwise).
// kReference is the reference kernel's loop.
enum class Int8Loops { kReference, kSignedWeights, kBiasedWeights };

// The form this target runs. Define PICOML_BIASED_WEIGHTS to 0 or 1 to
// choose; by default Xtensa takes the biased form.
#ifndef PICOML_BIASED_WEIGHTS
#if defined(__XTENSA__)
#define PICOML_BIASED_WEIGHTS 1
#else
#define PICOML_BIASED_WEIGHTS 0
#endif
#endif
constexpr Int8Loops kTargetInt8Loops =
    PICOML_BIASED_WEIGHTS ? Int8Loops::kBiasedWeights : Int8Loops::kSignedWeights;

// Gathers each window into `params.window` (int16, input - zero point, 0 in
// the padding), then computes the output channels over it with `loops`
// (kSignedWeights or kBiasedWeights). A first layer over one input channel
// with a 3x3 or 3x4 window and no padding takes its own loops instead (one
// output channel at a time, its weights in registers; any `loops`).
void Conv2DInt8Optimized(const WindowInt8Params& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output, Int8Loops loops = kTargetInt8Loops);
// Whether Conv2DInt8Optimized takes the single-input-channel loops here.
bool Conv2DInt8SingleChannel(const WindowInt8Params& params);

void DepthwiseConv2DInt8Reference(const WindowInt8Params& params, const int8_t* input,
                                  const int8_t* filter, const int32_t* bias, int8_t* output);
void FoldDepthwiseConv2DBias(const WindowInt8Params& params, const int8_t* filter,
                             const int32_t* bias);
void DepthwiseConv2DInt8Optimized(const WindowInt8Params& params, const int8_t* input,
                                  const int8_t* filter, const int32_t* bias, int8_t* output);

// FULLY_CONNECTED's int8 arithmetic, reference and optimized. The optimized
// one (only when the filter zero point is 0) keeps nothing per unit: its sum
// is sum(w * (x + input_offset)), the reference's terms in the reference's
// order. Given working memory it first copies each batch's input with the
// offset applied (int16: x + input_offset is in [-255, 255]), so the inner
// loop is a plain dot product; that pays for the copy only with enough
// units (kMinUnitsForShiftedInput).
struct FullyConnectedInt8Params {
  int32_t batches, input_depth, units;
  int32_t filter_offset;  // minus the filter zero point (per-tensor filters only)
  int32_t per_channel;    // 1: multipliers/shifts have `units` entries, 0: one
  OutputStage stage;
  Rounding rounding;
  const int32_t* multipliers;
  const int8_t* shifts;
  // Optimized only: input_depth int16 of working memory (the node's
  // scratch), or null to add the offset term by term instead.
  int16_t* shifted_input;
};
void FullyConnectedInt8Reference(const FullyConnectedInt8Params& params, const int8_t* input,
                                 const int8_t* weights, const int32_t* bias, int8_t* output);
void FullyConnectedInt8Optimized(const FullyConnectedInt8Params& params, const int8_t* input,
                                 const int8_t* weights, const int32_t* bias, int8_t* output);

// Below this many units the int16 copy of the input costs more than the
// per-term offset addition it saves (callgrind: micro_speech's 4-unit layer
// 385k instructions without, 409k with; ad01's 128-unit layers 6.7M
// without, 5.9M with).
constexpr int32_t kMinUnitsForShiftedInput = 8;

// Scratch the optimized FULLY_CONNECTED needs: one batch of shifted input,
// when it has enough units to be worth it.
inline uint32_t FullyConnectedInt8ScratchBytes(int32_t input_depth, int32_t units) {
  return units >= kMinUnitsForShiftedInput ? 2u * static_cast<uint32_t>(input_depth) : 0u;
}

}  // namespace conv
}  // namespace kernels
}  // namespace picoml

#endif  // PICOML_KERNELS_CONV_COMMON_H_

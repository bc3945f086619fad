// DEPTHWISE_CONV_2D: int8 (per-channel filter along dimension 3, LiteRT's
// integer requantization) and float32; NHWC input, filter [1, H, W, C_out],
// optional bias.
//
// Semantics (LiteRT's reference kernels): output channel oc = ic *
// depth_multiplier + m reads input channel ic only; acc = sum over in-bounds
// taps of filter * (input - input_zero_point) + bias, padding taps skipped.
// The depth multiplier is C_out / C_in (LiteRT's kernels rely on it being
// that); the option, when set, must agree.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernels/conv_common.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

using conv::ConvGeometry;
using conv::OutputStage;
using conv::WindowInt8Params;

// Node data: this header, then int32 multipliers[C] and int8 shifts[C]
// (int8 only; C = output channels). The optimized int8 path computes the
// folded bias into the node's scratch at each eval rather than keeping it
// here: scratch shares the activation region, node data is held for good.
struct DepthwiseData {
  ConvGeometry geometry;
  int32_t depth_multiplier;
  int32_t is_float;
  int32_t has_bias;
  int32_t use_optimized;
  OutputStage stage;
};

static_assert(sizeof(DepthwiseData) % 4 == 0, "the multipliers after the header must be aligned");

struct DepthwiseSetup {
  ConvGeometry geometry;
  int32_t depth_multiplier;
  bool is_float;
  bool has_bias;
  bool use_optimized;  // int8 only; see UseOptimized
  conv::WindowOptions options;
};

// The optimized int8 loops fold the input offset into the bias, which needs
// constant filter (and bias) data whose folded sums fit int32. Decided from
// the model alone, so plan and prepare agree.
bool UseOptimized(const NodeContext& node, const DepthwiseSetup& setup) {
  const Tensor filter = node.input(1);
  if (!filter.is_constant || (setup.has_bias && !node.input(2).is_constant)) return false;
  const int32_t taps = setup.geometry.filter_height * setup.geometry.filter_width;
  if (taps > conv::kMaxFoldedTerms) return false;
  const int32_t channels = setup.geometry.output_depth;
  return conv::FoldedBiasFits(filter.data_as<const int8_t>(),
                              setup.has_bias ? node.input(2).data_as<const int32_t>() : nullptr,
                              -node.input(0).quantization.zero_point(0), channels, taps, 1,
                              channels);
}

Status Check(const NodeContext& node, DepthwiseSetup* setup) {
  if (node.input_count() < 2 || node.input_count() > 3 || node.output_count() != 1 ||
      !node.has_input(0) || !node.has_input(1))
    return Status::Error(StatusCode::kInvalidModel,
                         "needs inputs (input, filter[, bias]) and one output; it has %d inputs "
                         "and %d outputs",
                         node.input_count(), node.output_count());
  PICOML_RETURN_IF_ERROR(conv::CheckOptionsType(
      node, schema::BuiltinOptionsType::kDepthwiseConv2DOptions, "DepthwiseConv2DOptions"));
  namespace o = schema::depthwise_conv2d_options;
  PICOML_RETURN_IF_ERROR(conv::ReadWindowOptions(node, o::kPadding, o::kStrideW, o::kStrideH,
                                                 o::kFusedActivation, o::kDilationW, o::kDilationH,
                                                 &setup->options));

  const Tensor input = node.input(0);
  const Tensor filter = node.input(1);
  const Tensor output = node.output(0);
  if (input.type != TensorType::kInt8 && input.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported,
                         "input type %s is not supported; use INT8 or FLOAT32",
                         TensorTypeName(input.type));
  if (filter.type != input.type)
    return Status::Error(StatusCode::kUnsupported,
                         "filter is %s but input is %s; hybrid or mixed-type convolution is not "
                         "supported: quantize filter and input alike",
                         TensorTypeName(filter.type), TensorTypeName(input.type));
  if (output.type != input.type)
    return Status::Error(StatusCode::kUnsupported, "output is %s but input is %s; they must match",
                         TensorTypeName(output.type), TensorTypeName(input.type));
  if (input.shape.rank != 4 || filter.shape.rank != 4 || filter.shape.dims[0] != 1)
    return Status::Error(StatusCode::kInvalidModel,
                         "input must be rank 4 (NHWC) and filter rank 4 [1, H, W, C_out]; they "
                         "are rank %d and rank %d with first dimension %d",
                         input.shape.rank, filter.shape.rank,
                         static_cast<int>(filter.shape.dims[0]));
  ConvGeometry& g = setup->geometry;
  g = ConvGeometry();
  g.batches = input.shape.dims[0];
  g.input_height = input.shape.dims[1];
  g.input_width = input.shape.dims[2];
  g.input_depth = input.shape.dims[3];
  g.filter_height = filter.shape.dims[1];
  g.filter_width = filter.shape.dims[2];
  g.output_depth = filter.shape.dims[3];
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("batch size", g.batches));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("input height", g.input_height));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("input width", g.input_width));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("input depth", g.input_depth));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("output channels", g.output_depth));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("filter height", g.filter_height));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("filter width", g.filter_width));
  if (g.output_depth % g.input_depth != 0)
    return Status::Error(StatusCode::kInvalidModel,
                         "filter has %d output channels, not a multiple of the %d input channels",
                         static_cast<int>(g.output_depth), static_cast<int>(g.input_depth));
  setup->depth_multiplier = g.output_depth / g.input_depth;
  const int32_t option_multiplier = node.options().Scalar<int32_t>(o::kDepthMultiplier, 0);
  if (option_multiplier != 0 && option_multiplier != setup->depth_multiplier)
    return Status::Error(StatusCode::kInvalidModel,
                         "depth_multiplier option is %d but the filter has %d output channels for "
                         "%d input channels (multiplier %d); fix the option or the filter",
                         static_cast<int>(option_multiplier), static_cast<int>(g.output_depth),
                         static_cast<int>(g.input_depth),
                         static_cast<int>(setup->depth_multiplier));
  PICOML_RETURN_IF_ERROR(conv::ComputeWindow(setup->options, output.shape, &g));

  setup->is_float = input.type == TensorType::kFloat32;
  setup->has_bias = node.has_input(2);
  const Tensor bias = node.has_input(2) ? node.input(2) : Tensor();
  PICOML_RETURN_IF_ERROR(
      conv::CheckWindowTensors(input, filter, output, setup->has_bias ? &bias : nullptr,
                               setup->is_float, setup->options.activation, 3, g.output_depth,
                               static_cast<int64_t>(g.filter_height) * g.filter_width,
                               "DEPTHWISE_CONV_2D (filter height x width)"));
  setup->use_optimized = !setup->is_float && UseOptimized(node, *setup);
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  DepthwiseSetup setup;
  PICOML_RETURN_IF_ERROR(Check(node, &setup));
  const int32_t channels = setup.geometry.output_depth;
  memory->node_data_bytes = setup.is_float ? conv::NodeDataBytes(sizeof(DepthwiseData), 0)
                                           : conv::NodeDataBytes(sizeof(DepthwiseData), channels);
  memory->scratch_bytes = setup.use_optimized ? conv::WindowInt8ScratchBytes(channels) : 0;
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  DepthwiseSetup setup;
  PICOML_RETURN_IF_ERROR(Check(node, &setup));
  DepthwiseData data = {};
  data.geometry = setup.geometry;
  data.depth_multiplier = setup.depth_multiplier;
  data.is_float = setup.is_float ? 1 : 0;
  data.has_bias = setup.has_bias ? 1 : 0;
  const Tensor input = node.input(0);
  const Tensor filter = node.input(1);
  const Tensor output = node.output(0);
  const int32_t channels = setup.geometry.output_depth;
  if (setup.is_float) {
    data.stage = conv::MakeFloatOutputStage(setup.options.activation);
  } else {
    data.stage = conv::MakeInt8OutputStage(input, output, setup.options.activation);
    conv::PopulatePerChannelMultipliers(
        input.quantization.scale(0), filter.quantization, output.quantization.scale(0), channels,
        node.rounding(), conv::MultiplierArray(node_data, sizeof(DepthwiseData)),
        conv::ShiftArray(node_data, sizeof(DepthwiseData), channels));
    data.use_optimized = setup.use_optimized ? 1 : 0;
  }
  memcpy(node_data, &data, sizeof(data));
  return Status::Ok();
}

void DepthwiseFloat(const DepthwiseData& data, const float* input, const float* filter,
                    const float* bias, float* output) {
  const ConvGeometry& g = data.geometry;
  const int32_t multiplier = data.depth_multiplier;
  for (int32_t b = 0; b < g.batches; ++b) {
    const float* image = input + b * g.input_height * g.input_width * g.input_depth;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t y0 = oy * g.stride_height - g.padding_top;
      for (int32_t ox = 0; ox < g.output_width; ++ox) {
        const int32_t x0 = ox * g.stride_width - g.padding_left;
        for (int32_t ic = 0; ic < g.input_depth; ++ic) {
          for (int32_t m = 0; m < multiplier; ++m) {
            const int32_t oc = ic * multiplier + m;
            float total = 0.0f;
            for (int32_t fy = 0; fy < g.filter_height; ++fy) {
              const int32_t y = y0 + fy * g.dilation_height;
              if (y < 0 || y >= g.input_height) continue;
              for (int32_t fx = 0; fx < g.filter_width; ++fx) {
                const int32_t x = x0 + fx * g.dilation_width;
                if (x < 0 || x >= g.input_width) continue;
                total += image[(y * g.input_width + x) * g.input_depth + ic] *
                         filter[(fy * g.filter_width + fx) * g.output_depth + oc];
              }
            }
            const float bias_value = bias ? bias[oc] : 0.0f;
            *output++ =
                conv::ClampFloat(total + bias_value, data.stage.float_min, data.stage.float_max);
          }
        }
      }
    }
  }
}

Status Eval(const NodeContext& node, const void* node_data, void* scratch) {
  DepthwiseData data;
  memcpy(&data, node_data, sizeof(data));
  const Tensor input = node.input(0);
  const Tensor filter = node.input(1);
  const Tensor output = node.output(0);
  if (data.is_float) {
    DepthwiseFloat(data, input.data_as<const float>(), filter.data_as<const float>(),
                   data.has_bias ? node.input(2).data_as<const float>() : nullptr,
                   output.data_as<float>());
    return Status::Ok();
  }
  const int32_t channels = data.geometry.output_depth;
  WindowInt8Params params;
  params.geometry = data.geometry;
  params.filter_depth = data.depth_multiplier;
  params.stage = data.stage;
  params.rounding = node.rounding();
  params.multipliers = conv::MultiplierArray(node_data, sizeof(DepthwiseData));
  params.shifts = conv::ShiftArray(node_data, sizeof(DepthwiseData), channels);
  params.folded_bias = data.use_optimized ? static_cast<int32_t*>(scratch) : nullptr;
  params.window = nullptr;
  const int32_t* bias = data.has_bias ? node.input(2).data_as<const int32_t>() : nullptr;
  if (data.use_optimized) {
    conv::FoldDepthwiseConv2DBias(params, filter.data_as<const int8_t>(), bias);
    conv::DepthwiseConv2DInt8Optimized(params, input.data_as<const int8_t>(),
                                       filter.data_as<const int8_t>(), bias,
                                       output.data_as<int8_t>());
  } else {
    conv::DepthwiseConv2DInt8Reference(params, input.data_as<const int8_t>(),
                                       filter.data_as<const int8_t>(), bias,
                                       output.data_as<int8_t>());
  }
  return Status::Ok();
}

// LiteRT's loop at one output position: every output channel, taps checked
// against the input bounds.
void Int8Position(const WindowInt8Params& p, const int8_t* image, const int8_t* filter,
                  const int32_t* bias, int32_t y0, int32_t x0, int8_t* out) {
  const ConvGeometry& g = p.geometry;
  const int32_t multiplier = p.filter_depth;
  const int32_t offset = p.stage.input_offset;
  for (int32_t ic = 0; ic < g.input_depth; ++ic) {
    for (int32_t m = 0; m < multiplier; ++m) {
      const int32_t oc = ic * multiplier + m;
      int32_t acc = 0;
      for (int32_t fy = 0; fy < g.filter_height; ++fy) {
        const int32_t y = y0 + fy * g.dilation_height;
        if (y < 0 || y >= g.input_height) continue;
        for (int32_t fx = 0; fx < g.filter_width; ++fx) {
          const int32_t x = x0 + fx * g.dilation_width;
          if (x < 0 || x >= g.input_width) continue;
          const int32_t value = image[(y * g.input_width + x) * g.input_depth + ic];
          acc += filter[(fy * g.filter_width + fx) * g.output_depth + oc] * (value + offset);
        }
      }
      if (bias) acc = fixed_point::WrappingAdd(acc, bias[oc]);
      out[oc] = conv::RequantizeToInt8(acc, p.multipliers[oc], p.shifts[oc], p.stage, p.rounding);
    }
  }
}

// The whole window is inside the input. With multiplier 1 the taps run
// outermost over a block of channels, so input and filter are both read
// contiguously; the input offset is in the folded bias.
constexpr int32_t kChannelBlock = 32;

void Int8Interior(const WindowInt8Params& p, const int8_t* image, const int8_t* filter, int32_t y0,
                  int32_t x0, int8_t* out) {
  const ConvGeometry& g = p.geometry;
  const int32_t multiplier = p.filter_depth;
  const int8_t* origin = image + (y0 * g.input_width + x0) * g.input_depth;
  // Steps in ptrdiff_t, and pointers formed only for taps that exist: a huge
  // dilation must neither overflow int32 nor point past the input. Dot
  // products fit int32 (plan limits the taps); the folded bias is added
  // modulo 2^32 as in the reference path.
  const ptrdiff_t tap_step = static_cast<ptrdiff_t>(g.dilation_width) * g.input_depth;
  const ptrdiff_t row_step =
      static_cast<ptrdiff_t>(g.dilation_height) * g.input_width * g.input_depth;
  if (multiplier == 1) {
    int32_t acc[kChannelBlock];
    for (int32_t c0 = 0; c0 < g.output_depth; c0 += kChannelBlock) {
      const int32_t count =
          g.output_depth - c0 < kChannelBlock ? g.output_depth - c0 : kChannelBlock;
      for (int32_t i = 0; i < count; ++i) acc[i] = 0;
      const int8_t* w = filter + c0;
      const int8_t* row = origin + c0;
      for (int32_t fy = 0; fy < g.filter_height; ++fy) {
        for (int32_t fx = 0; fx < g.filter_width; ++fx, w += g.output_depth) {
          const int8_t* in = row + fy * row_step + fx * tap_step;
          for (int32_t i = 0; i < count; ++i) acc[i] += w[i] * in[i];
        }
      }
      for (int32_t i = 0; i < count; ++i)
        out[c0 + i] =
            conv::RequantizeToInt8(fixed_point::WrappingAdd(p.folded_bias[c0 + i], acc[i]),
                                   p.multipliers[c0 + i], p.shifts[c0 + i], p.stage, p.rounding);
    }
    return;
  }
  for (int32_t ic = 0; ic < g.input_depth; ++ic) {
    for (int32_t m = 0; m < multiplier; ++m) {
      const int32_t oc = ic * multiplier + m;
      int32_t sum = 0;
      const int8_t* w = filter + oc;
      const int8_t* row = origin + ic;
      for (int32_t fy = 0; fy < g.filter_height; ++fy)
        for (int32_t fx = 0; fx < g.filter_width; ++fx, w += g.output_depth)
          sum += *w * row[fy * row_step + fx * tap_step];
      const int32_t acc = fixed_point::WrappingAdd(p.folded_bias[oc], sum);
      out[oc] = conv::RequantizeToInt8(acc, p.multipliers[oc], p.shifts[oc], p.stage, p.rounding);
    }
  }
}

template <bool kOptimized>
void DepthwiseInt8(const WindowInt8Params& p, const int8_t* input, const int8_t* filter,
                   const int32_t* bias, int8_t* output) {
  const ConvGeometry& g = p.geometry;
  const int32_t last_y = (g.filter_height - 1) * g.dilation_height;
  const int32_t last_x = (g.filter_width - 1) * g.dilation_width;
  for (int32_t b = 0; b < g.batches; ++b) {
    const int8_t* image = input + b * g.input_height * g.input_width * g.input_depth;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t y0 = oy * g.stride_height - g.padding_top;
      const bool rows_inside = y0 >= 0 && y0 + last_y < g.input_height;
      for (int32_t ox = 0; ox < g.output_width; ++ox, output += g.output_depth) {
        const int32_t x0 = ox * g.stride_width - g.padding_left;
        if (kOptimized && rows_inside && x0 >= 0 && x0 + last_x < g.input_width)
          Int8Interior(p, image, filter, y0, x0, output);
        else
          Int8Position(p, image, filter, bias, y0, x0, output);
      }
    }
  }
}

}  // namespace

namespace conv {

void DepthwiseConv2DInt8Reference(const WindowInt8Params& params, const int8_t* input,
                                  const int8_t* filter, const int32_t* bias, int8_t* output) {
  DepthwiseInt8<false>(params, input, filter, bias, output);
}

void FoldDepthwiseConv2DBias(const WindowInt8Params& params, const int8_t* filter,
                             const int32_t* bias) {
  // Filter is [1, H, W, C]: sum tap by tap so it is read in order. Sums of
  // kMaxFoldedTerms int8 values times an offset of at most 128 fit int32;
  // the bias is added in 64 bits (FoldedBiasFits checked the total fits).
  const ConvGeometry& g = params.geometry;
  const int32_t channels = g.output_depth;
  int32_t* folded = params.folded_bias;
  for (int32_t c = 0; c < channels; ++c) folded[c] = 0;
  const int32_t taps = g.filter_height * g.filter_width;
  const int8_t* w = filter;
  for (int32_t t = 0; t < taps; ++t, w += channels)
    for (int32_t c = 0; c < channels; ++c) folded[c] += w[c];
  for (int32_t c = 0; c < channels; ++c)
    folded[c] = static_cast<int32_t>((bias ? bias[c] : 0) +
                                     static_cast<int64_t>(params.stage.input_offset * folded[c]));
}

void DepthwiseConv2DInt8Optimized(const WindowInt8Params& params, const int8_t* input,
                                  const int8_t* filter, const int32_t* bias, int8_t* output) {
  DepthwiseInt8<true>(params, input, filter, bias, output);
}

}  // namespace conv

const KernelRegistration& DepthwiseConv2D() {
  static const KernelRegistration registration = {BuiltinOperator::kDepthwiseConv2D, Plan, Prepare,
                                                  Eval, false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml

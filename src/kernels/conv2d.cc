// CONV_2D: int8 (per-channel or per-tensor filter, LiteRT's integer
// requantization) and float32, NHWC input, OHWI filter, optional bias.
//
// Semantics (LiteRT's reference kernels): at each output position and
// channel, acc = sum over in-bounds taps of filter * (input - input_zero_point)
// + bias; taps that fall into the padding contribute nothing. Grouped
// convolution (filter depth dividing the input depth) is supported as LiteRT
// does it. Float sums run in the same order as LiteRT's (tap row, tap column,
// input channel), then bias, then the activation clamp.
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
struct Conv2DData {
  ConvGeometry geometry;
  int32_t filter_depth;
  int32_t is_float;
  int32_t has_bias;
  int32_t use_optimized;
  OutputStage stage;
};

static_assert(sizeof(Conv2DData) % 4 == 0, "the multipliers after the header must be aligned");

struct Conv2DSetup {
  ConvGeometry geometry;
  int32_t filter_depth;
  bool is_float;
  bool has_bias;
  bool use_optimized;  // int8 only; see UseOptimized
  conv::WindowOptions options;
};

// The optimized int8 loops fold the input offset into the bias, which needs
// constant filter (and bias) data whose folded sums fit int32. Decided from
// the model alone, so plan and prepare agree.
bool UseOptimized(const NodeContext& node, const Conv2DSetup& setup) {
  const Tensor filter = node.input(1);
  if (!filter.is_constant || (setup.has_bias && !node.input(2).is_constant)) return false;
  const int64_t terms = static_cast<int64_t>(setup.geometry.filter_height) *
                        setup.geometry.filter_width * setup.filter_depth;
  if (terms > conv::kMaxFoldedTerms) return false;
  return conv::FoldedBiasFits(filter.data_as<const int8_t>(),
                              setup.has_bias ? node.input(2).data_as<const int32_t>() : nullptr,
                              -node.input(0).quantization.zero_point(0),
                              setup.geometry.output_depth, terms, terms, 1);
}

Status Check(const NodeContext& node, Conv2DSetup* setup) {
  if (node.input_count() < 2 || node.input_count() > 3 || node.output_count() != 1 ||
      !node.has_input(0) || !node.has_input(1))
    return Status::Error(StatusCode::kInvalidModel,
                         "needs inputs (input, filter[, bias]) and one output; it has %d inputs "
                         "and %d outputs",
                         node.input_count(), node.output_count());
  PICOML_RETURN_IF_ERROR(
      conv::CheckOptionsType(node, schema::BuiltinOptionsType::kConv2DOptions, "Conv2DOptions"));
  namespace o = schema::conv2d_options;
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
  if (input.shape.rank != 4 || filter.shape.rank != 4)
    return Status::Error(StatusCode::kInvalidModel,
                         "input (rank %d) and filter (rank %d) must both be rank 4 (NHWC, OHWI)",
                         input.shape.rank, filter.shape.rank);
  ConvGeometry& g = setup->geometry;
  g = ConvGeometry();
  g.batches = input.shape.dims[0];
  g.input_height = input.shape.dims[1];
  g.input_width = input.shape.dims[2];
  g.input_depth = input.shape.dims[3];
  g.output_depth = filter.shape.dims[0];
  g.filter_height = filter.shape.dims[1];
  g.filter_width = filter.shape.dims[2];
  setup->filter_depth = filter.shape.dims[3];
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("batch size", g.batches));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("input height", g.input_height));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("input width", g.input_width));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("input depth", g.input_depth));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("output channels", g.output_depth));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("filter height", g.filter_height));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("filter width", g.filter_width));
  PICOML_RETURN_IF_ERROR(conv::CheckExtent("filter depth", setup->filter_depth));
  if (g.input_depth % setup->filter_depth != 0)
    return Status::Error(StatusCode::kInvalidModel,
                         "filter depth %d does not divide the input depth %d",
                         static_cast<int>(setup->filter_depth), static_cast<int>(g.input_depth));
  const int32_t groups = g.input_depth / setup->filter_depth;
  if (g.output_depth % groups != 0)
    return Status::Error(StatusCode::kInvalidModel,
                         "%d output channels cannot be split into %d groups (input depth %d / "
                         "filter depth %d)",
                         static_cast<int>(g.output_depth), static_cast<int>(groups),
                         static_cast<int>(g.input_depth), static_cast<int>(setup->filter_depth));
  PICOML_RETURN_IF_ERROR(conv::ComputeWindow(setup->options, output.shape, &g));

  setup->is_float = input.type == TensorType::kFloat32;
  setup->has_bias = node.has_input(2);
  const Tensor bias = node.has_input(2) ? node.input(2) : Tensor();
  PICOML_RETURN_IF_ERROR(conv::CheckWindowTensors(
      input, filter, output, setup->has_bias ? &bias : nullptr, setup->is_float,
      setup->options.activation, 0, g.output_depth,
      static_cast<int64_t>(g.filter_height) * g.filter_width * setup->filter_depth,
      "CONV_2D (filter height x width x input channels)"));
  setup->use_optimized = !setup->is_float && UseOptimized(node, *setup);
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  Conv2DSetup setup;
  PICOML_RETURN_IF_ERROR(Check(node, &setup));
  const int32_t channels = setup.geometry.output_depth;
  memory->node_data_bytes = setup.is_float ? conv::NodeDataBytes(sizeof(Conv2DData), 0)
                                           : conv::NodeDataBytes(sizeof(Conv2DData), channels);
  memory->scratch_bytes = setup.use_optimized ? conv::WindowInt8ScratchBytes(channels) : 0;
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  Conv2DSetup setup;
  PICOML_RETURN_IF_ERROR(Check(node, &setup));
  Conv2DData data = {};
  data.geometry = setup.geometry;
  data.filter_depth = setup.filter_depth;
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
    conv::PopulatePerChannelMultipliers(input.quantization.scale(0), filter.quantization,
                                        output.quantization.scale(0), channels, node.rounding(),
                                        conv::MultiplierArray(node_data, sizeof(Conv2DData)),
                                        conv::ShiftArray(node_data, sizeof(Conv2DData), channels));
    data.use_optimized = setup.use_optimized ? 1 : 0;
  }
  memcpy(node_data, &data, sizeof(data));
  return Status::Ok();
}

void Conv2DFloat(const Conv2DData& data, const float* input, const float* filter, const float* bias,
                 float* output) {
  const ConvGeometry& g = data.geometry;
  const int32_t filter_depth = data.filter_depth;
  const int32_t groups = g.input_depth / filter_depth;
  const int32_t per_group = g.output_depth / groups;
  const int32_t filter_row = g.filter_width * filter_depth;
  const int32_t filter_size = g.filter_height * filter_row;
  for (int32_t b = 0; b < g.batches; ++b) {
    const float* image = input + b * g.input_height * g.input_width * g.input_depth;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t y0 = oy * g.stride_height - g.padding_top;
      for (int32_t ox = 0; ox < g.output_width; ++ox) {
        const int32_t x0 = ox * g.stride_width - g.padding_left;
        for (int32_t group = 0; group < groups; ++group) {
          for (int32_t oc = group * per_group; oc < (group + 1) * per_group; ++oc) {
            const float* taps = filter + oc * filter_size;
            float total = 0.0f;
            for (int32_t fy = 0; fy < g.filter_height; ++fy) {
              const int32_t y = y0 + fy * g.dilation_height;
              if (y < 0 || y >= g.input_height) continue;
              for (int32_t fx = 0; fx < g.filter_width; ++fx) {
                const int32_t x = x0 + fx * g.dilation_width;
                if (x < 0 || x >= g.input_width) continue;
                const float* in =
                    image + (y * g.input_width + x) * g.input_depth + group * filter_depth;
                const float* w = taps + fy * filter_row + fx * filter_depth;
                for (int32_t ic = 0; ic < filter_depth; ++ic) total += in[ic] * w[ic];
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
  Conv2DData data;
  memcpy(&data, node_data, sizeof(data));
  const Tensor input = node.input(0);
  const Tensor filter = node.input(1);
  const Tensor output = node.output(0);
  if (data.is_float) {
    Conv2DFloat(data, input.data_as<const float>(), filter.data_as<const float>(),
                data.has_bias ? node.input(2).data_as<const float>() : nullptr,
                output.data_as<float>());
    return Status::Ok();
  }
  const int32_t channels = data.geometry.output_depth;
  WindowInt8Params params;
  params.geometry = data.geometry;
  params.filter_depth = data.filter_depth;
  params.stage = data.stage;
  params.rounding = node.rounding();
  params.multipliers = conv::MultiplierArray(node_data, sizeof(Conv2DData));
  params.shifts = conv::ShiftArray(node_data, sizeof(Conv2DData), channels);
  params.folded_bias = data.use_optimized ? static_cast<int32_t*>(scratch) : nullptr;
  const int32_t* bias = data.has_bias ? node.input(2).data_as<const int32_t>() : nullptr;
  if (data.use_optimized) {
    conv::FoldConv2DBias(params, filter.data_as<const int8_t>(), bias);
    conv::Conv2DInt8Optimized(params, input.data_as<const int8_t>(), filter.data_as<const int8_t>(),
                              bias, output.data_as<int8_t>());
  } else {
    conv::Conv2DInt8Reference(params, input.data_as<const int8_t>(), filter.data_as<const int8_t>(),
                              bias, output.data_as<int8_t>());
  }
  return Status::Ok();
}

// The reference sum at one output position for output channels
// [first, first + count) reading input channels from `in_channel`.
inline void Int8Position(const WindowInt8Params& p, const int8_t* image, const int8_t* filter,
                         const int32_t* bias, int32_t y0, int32_t x0, int32_t in_channel,
                         int32_t first, int32_t count, int8_t* out) {
  const ConvGeometry& g = p.geometry;
  const int32_t depth = p.filter_depth;
  const int32_t filter_row = g.filter_width * depth;
  const int32_t filter_size = g.filter_height * filter_row;
  const int32_t offset = p.stage.input_offset;
  for (int32_t oc = first; oc < first + count; ++oc) {
    const int8_t* taps = filter + oc * filter_size;
    int32_t acc = 0;
    for (int32_t fy = 0; fy < g.filter_height; ++fy) {
      const int32_t y = y0 + fy * g.dilation_height;
      if (y < 0 || y >= g.input_height) continue;
      for (int32_t fx = 0; fx < g.filter_width; ++fx) {
        const int32_t x = x0 + fx * g.dilation_width;
        if (x < 0 || x >= g.input_width) continue;
        const int8_t* in = image + (y * g.input_width + x) * g.input_depth + in_channel;
        const int8_t* w = taps + fy * filter_row + fx * depth;
        for (int32_t ic = 0; ic < depth; ++ic) acc += w[ic] * (in[ic] + offset);
      }
    }
    if (bias) acc = fixed_point::WrappingAdd(acc, bias[oc]);
    out[oc] = conv::RequantizeToInt8(acc, p.multipliers[oc], p.shifts[oc], p.stage, p.rounding);
  }
}

// The whole window is inside the input: a pure int8 dot product per channel
// plus the folded bias.
inline void Int8Interior(const WindowInt8Params& p, const int8_t* image, const int8_t* filter,
                         int32_t y0, int32_t x0, int32_t in_channel, int32_t first, int32_t count,
                         int8_t* out) {
  const ConvGeometry& g = p.geometry;
  const int32_t depth = p.filter_depth;
  const int32_t filter_row = g.filter_width * depth;
  const int32_t filter_size = g.filter_height * filter_row;
  const int8_t* origin = image + (y0 * g.input_width + x0) * g.input_depth + in_channel;
  // Steps in ptrdiff_t, and pointers formed only for taps that exist: a huge
  // dilation must neither overflow int32 nor point past the input.
  const ptrdiff_t tap_step = static_cast<ptrdiff_t>(g.dilation_width) * g.input_depth;
  const ptrdiff_t row_step =
      static_cast<ptrdiff_t>(g.dilation_height) * g.input_width * g.input_depth;
  for (int32_t oc = first; oc < first + count; ++oc) {
    const int8_t* w = filter + oc * filter_size;
    // The dot product fits int32 (plan limits the terms); the folded bias is
    // added modulo 2^32 as in the reference path.
    int32_t sum = 0;
    for (int32_t fy = 0; fy < g.filter_height; ++fy) {
      for (int32_t fx = 0; fx < g.filter_width; ++fx, w += depth) {
        const int8_t* in = origin + fy * row_step + fx * tap_step;
        for (int32_t ic = 0; ic < depth; ++ic) sum += w[ic] * in[ic];
      }
    }
    const int32_t acc = fixed_point::WrappingAdd(p.folded_bias[oc], sum);
    out[oc] = conv::RequantizeToInt8(acc, p.multipliers[oc], p.shifts[oc], p.stage, p.rounding);
  }
}

template <bool kOptimized>
void Conv2DInt8(const WindowInt8Params& p, const int8_t* input, const int8_t* filter,
                const int32_t* bias, int8_t* output) {
  const ConvGeometry& g = p.geometry;
  const int32_t groups = g.input_depth / p.filter_depth;
  const int32_t per_group = g.output_depth / groups;
  const int32_t last_y = (g.filter_height - 1) * g.dilation_height;
  const int32_t last_x = (g.filter_width - 1) * g.dilation_width;
  for (int32_t b = 0; b < g.batches; ++b) {
    const int8_t* image = input + b * g.input_height * g.input_width * g.input_depth;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t y0 = oy * g.stride_height - g.padding_top;
      const bool rows_inside = y0 >= 0 && y0 + last_y < g.input_height;
      for (int32_t ox = 0; ox < g.output_width; ++ox, output += g.output_depth) {
        const int32_t x0 = ox * g.stride_width - g.padding_left;
        const bool inside = rows_inside && x0 >= 0 && x0 + last_x < g.input_width;
        for (int32_t group = 0; group < groups; ++group) {
          const int32_t in_channel = group * p.filter_depth;
          if (kOptimized && inside)
            Int8Interior(p, image, filter, y0, x0, in_channel, group * per_group, per_group,
                         output);
          else
            Int8Position(p, image, filter, bias, y0, x0, in_channel, group * per_group, per_group,
                         output);
        }
      }
    }
  }
}

}  // namespace

namespace conv {

void Conv2DInt8Reference(const WindowInt8Params& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output) {
  Conv2DInt8<false>(params, input, filter, bias, output);
}

void FoldConv2DBias(const WindowInt8Params& params, const int8_t* filter, const int32_t* bias) {
  // Filter is OHWI: each output channel's terms are contiguous. The sum of
  // kMaxFoldedTerms int8 values times an offset of at most 128 fits int32;
  // the bias is added in 64 bits (FoldedBiasFits checked the total fits).
  const ConvGeometry& g = params.geometry;
  const int32_t terms = g.filter_height * g.filter_width * params.filter_depth;
  const int8_t* taps = filter;
  for (int32_t c = 0; c < g.output_depth; ++c, taps += terms) {
    int32_t sum = 0;
    for (int32_t t = 0; t < terms; ++t) sum += taps[t];
    const int64_t folded =
        (bias ? bias[c] : 0) + static_cast<int64_t>(params.stage.input_offset * sum);
    params.folded_bias[c] = static_cast<int32_t>(folded);
  }
}

void Conv2DInt8Optimized(const WindowInt8Params& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output) {
  Conv2DInt8<true>(params, input, filter, bias, output);
}

}  // namespace conv

const KernelRegistration& Conv2D() {
  static const KernelRegistration registration = {BuiltinOperator::kConv2D, Plan, Prepare, Eval,
                                                  false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml

#include "conv_layers.h"

#include "host/describe.h"
#include "host/model_file.h"
#include "picoml/kernel.h"
#include "picoml/schema.h"

namespace picoml::bench {
namespace {

namespace conv = kernels::conv;

void Check(const Status& status, uint32_t node) {
  if (!status.ok())
    throw host::Error("node " + std::to_string(node) + ": " + std::string(status.message()));
}

std::vector<int8_t> XorshiftBytes(int64_t count) {
  std::vector<int8_t> bytes(static_cast<size_t>(count));
  uint32_t s = 1;
  for (auto& b : bytes) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    b = static_cast<int8_t>(s & 0xff);
  }
  return bytes;
}

// The optimized window kernels write their folded bias into working memory
// (node scratch in the interpreter); they apply only when it fits int32.
bool FoldBias(ConvLayer& layer, int32_t channels, int64_t terms, int64_t channel_stride,
              int64_t tap_stride, int32_t input_offset) {
  layer.folded_bias.assign(static_cast<size_t>(channels), 0);
  return conv::FoldedBiasFits(layer.filter, layer.bias, input_offset, channels, terms,
                              channel_stride, tap_stride);
}

// CONV_2D and DEPTHWISE_CONV_2D.
bool SetUpWindow(const NodeContext& node, ConvLayer& layer) {
  const bool depthwise = layer.op == BuiltinOperator::kDepthwiseConv2D;
  conv::WindowOptions options;
  if (depthwise) {
    namespace o = schema::depthwise_conv2d_options;
    Check(conv::ReadWindowOptions(node, o::kPadding, o::kStrideW, o::kStrideH, o::kFusedActivation,
                                  o::kDilationW, o::kDilationH, &options),
          layer.node);
  } else {
    namespace o = schema::conv2d_options;
    Check(conv::ReadWindowOptions(node, o::kPadding, o::kStrideW, o::kStrideH, o::kFusedActivation,
                                  o::kDilationW, o::kDilationH, &options),
          layer.node);
  }
  const Tensor input = node.input(0);
  const Tensor filter = node.input(1);
  const Tensor output = node.output(0);
  conv::ConvGeometry& g = layer.window.geometry;
  g = conv::ConvGeometry();
  g.batches = input.shape.dims[0];
  g.input_height = input.shape.dims[1];
  g.input_width = input.shape.dims[2];
  g.input_depth = input.shape.dims[3];
  g.filter_height = filter.shape.dims[1];
  g.filter_width = filter.shape.dims[2];
  g.output_depth = depthwise ? filter.shape.dims[3] : filter.shape.dims[0];
  layer.window.filter_depth = depthwise ? g.output_depth / g.input_depth : filter.shape.dims[3];
  Check(conv::ComputeWindow(options, output.shape, &g), layer.node);
  layer.window.stage = conv::MakeInt8OutputStage(input, output, options.activation);
  layer.window.rounding = node.rounding();
  const int32_t channels = g.output_depth;
  layer.multipliers.resize(static_cast<size_t>(channels));
  layer.shifts.resize(static_cast<size_t>(channels));
  conv::PopulatePerChannelMultipliers(input.quantization.scale(0), filter.quantization,
                                      output.quantization.scale(0), channels, node.rounding(),
                                      layer.multipliers.data(), layer.shifts.data());
  // Filter layouts: CONV_2D OHWI (a channel's taps are contiguous),
  // DEPTHWISE_CONV_2D [1, H, W, C] (a channel's taps are `channels` apart).
  const int64_t taps = int64_t{g.filter_height} * g.filter_width;
  const int64_t terms = depthwise ? taps : taps * layer.window.filter_depth;
  if (!depthwise) {  // the optimized CONV_2D gathers each window into working memory
    // and, as its prepare does, keeps the clamped-output thresholds of wide layers.
    if (conv::KeepsClampedBelow(g))
      for (int32_t c = 0; c < channels; ++c)
        layer.clamped_below.push_back(conv::ClampedBelow(layer.multipliers[c], layer.shifts[c],
                                                         layer.window.stage, node.rounding()));
    layer.gathered_window.assign(
        conv::Conv2DInt8ScratchBytes(g.filter_height, g.filter_width, layer.window.filter_depth) /
            2,
        0);
    return true;
  }
  if (terms > conv::kMaxFoldedTerms) return false;
  return FoldBias(layer, channels, taps, 1, channels, layer.window.stage.input_offset);
}

bool SetUpDense(const NodeContext& node, ConvLayer& layer) {
  namespace o = schema::fully_connected_options;
  Activation activation = Activation::kNone;
  Check(conv::ReadActivation(node.options().Scalar<int8_t>(o::kFusedActivation, 0), &activation),
        layer.node);
  const Tensor input = node.input(0);
  const Tensor weights = node.input(1);
  const Tensor output = node.output(0);
  conv::FullyConnectedInt8Params& p = layer.dense;
  p.units = weights.shape.dims[0];
  p.input_depth = weights.shape.dims[1];
  p.batches = static_cast<int32_t>(input.ElementCount() / p.input_depth);
  p.per_channel = weights.quantization.count() > 1 ? 1 : 0;
  p.filter_offset = p.per_channel ? 0 : -weights.quantization.zero_point(0);
  p.stage = conv::MakeInt8OutputStage(input, output, activation);
  p.rounding = node.rounding();
  if (p.filter_offset != 0 || p.input_depth > conv::kMaxFoldedTerms) return false;
  const float input_scale = input.quantization.scale(0);
  const float output_scale = output.quantization.scale(0);
  if (p.per_channel) {
    layer.multipliers.resize(static_cast<size_t>(p.units));
    layer.shifts.resize(static_cast<size_t>(p.units));
    conv::PopulatePerChannelMultipliers(input_scale, weights.quantization, output_scale, p.units,
                                        node.rounding(), layer.multipliers.data(),
                                        layer.shifts.data());
  } else {
    // Per tensor, LiteRT multiplies the two scales in float first.
    int shift = 0;
    int32_t multiplier = 0;
    fixed_point::QuantizeMultiplier(
        static_cast<double>(input_scale * weights.quantization.scale(0)) /
            static_cast<double>(output_scale),
        &multiplier, &shift, node.rounding());
    layer.multipliers = {multiplier};
    layer.shifts = {static_cast<int8_t>(shift)};
  }
  // As the kernel's plan does: working memory only where it pays.
  layer.shifted_input.resize(conv::FullyConnectedInt8ScratchBytes(p.input_depth, p.units) / 2);
  return true;
}

}  // namespace

std::vector<ConvLayer> ConvLayers(const Model& model, Rounding rounding) {
  std::vector<ConvLayer> layers;
  for (uint32_t n = 0; n < model.operator_count(); ++n) {
    const Operator op = model.op(n);
    if (op.code != BuiltinOperator::kConv2D && op.code != BuiltinOperator::kDepthwiseConv2D &&
        op.code != BuiltinOperator::kFullyConnected)
      continue;
    const NodeContext node(&model, n, op, nullptr, nullptr, rounding);
    const Tensor input = node.input(0);
    const Tensor filter = node.input(1);
    if (input.type != TensorType::kInt8 || !filter.is_constant) continue;
    ConvLayer layer;
    layer.op = op.code;
    layer.node = n;
    layer.macs = host::NodeMacs(model, n);
    layer.filter = filter.data_as<const int8_t>();
    if (node.has_input(2)) {
      const Tensor bias = node.input(2);
      if (!bias.is_constant) continue;
      layer.bias = bias.data_as<const int32_t>();
    }
    const bool eligible = op.code == BuiltinOperator::kFullyConnected ? SetUpDense(node, layer)
                                                                      : SetUpWindow(node, layer);
    if (!eligible) continue;
    layer.input = XorshiftBytes(input.ElementCount());
    layer.output.assign(static_cast<size_t>(node.output(0).ElementCount()), 0);
    layers.push_back(std::move(layer));
  }
  return layers;
}

void RunLayer(ConvLayer& layer, bool optimized) {
  const int8_t* in = layer.input.data();
  int8_t* out = layer.output.data();
  if (layer.op == BuiltinOperator::kFullyConnected) {
    conv::FullyConnectedInt8Params& p = layer.dense;
    p.multipliers = layer.multipliers.data();
    p.shifts = layer.shifts.data();
    p.shifted_input = layer.shifted_input.empty() ? nullptr : layer.shifted_input.data();
    if (optimized)
      conv::FullyConnectedInt8Optimized(p, in, layer.filter, layer.bias, out);
    else
      conv::FullyConnectedInt8Reference(p, in, layer.filter, layer.bias, out);
    return;
  }
  conv::WindowInt8Params& p = layer.window;
  p.multipliers = layer.multipliers.data();
  p.shifts = layer.shifts.data();
  p.folded_bias = layer.folded_bias.data();
  p.window = layer.gathered_window.data();
  // As the kernels' eval does: the optimized depthwise folds the bias into
  // working memory first, every run, and that cost is part of the figure.
  const bool depthwise = layer.op == BuiltinOperator::kDepthwiseConv2D;
  if (depthwise && optimized) {
    conv::FoldDepthwiseConv2DBias(p, layer.filter, layer.bias);
    conv::DepthwiseConv2DInt8Optimized(p, in, layer.filter, layer.bias, out);
  } else if (depthwise) {
    conv::DepthwiseConv2DInt8Reference(p, in, layer.filter, layer.bias, out);
  } else if (optimized) {
    p.clamped_below = layer.clamped_below.empty() ? nullptr : layer.clamped_below.data();
    conv::Conv2DInt8Optimized(p, in, layer.filter, layer.bias, out);
  } else {
    conv::Conv2DInt8Reference(p, in, layer.filter, layer.bias, out);
  }
}

}  // namespace picoml::bench

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
// (int8 only; C = output channels), then, where the layer keeps them,
// int32 clamped_below[C] (conv::ClampedBelow, conv::KeepsClampedBelow).
// The int8 kernel gathers each window into the node's scratch (filter
// height x width x depth int16): scratch shares the activation region, node
// data is held for good.
struct Conv2DData {
  ConvGeometry geometry;
  int32_t filter_depth;
  int32_t is_float;
  int32_t has_bias;
  int32_t keeps_clamped_below;
  OutputStage stage;
};

static_assert(sizeof(Conv2DData) % 4 == 0, "the multipliers after the header must be aligned");

// After the shifts, at the next multiple of 8.
int32_t* ClampedBelowArray(void* node_data, int32_t channels) {
  return static_cast<int32_t*>(static_cast<void*>(
      static_cast<uint8_t*>(node_data) + conv::NodeDataBytes(sizeof(Conv2DData), channels)));
}
const int32_t* ClampedBelowArray(const void* node_data, int32_t channels) {
  return static_cast<const int32_t*>(static_cast<const void*>(
      static_cast<const uint8_t*>(node_data) + conv::NodeDataBytes(sizeof(Conv2DData), channels)));
}

struct Conv2DSetup {
  ConvGeometry geometry;
  int32_t filter_depth;
  bool is_float;
  bool has_bias;
  conv::WindowOptions options;
};

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
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  Conv2DSetup setup;
  PICOML_RETURN_IF_ERROR(Check(node, &setup));
  const int32_t channels = setup.geometry.output_depth;
  const uint32_t thresholds =
      conv::KeepsClampedBelow(setup.geometry) ? 4u * static_cast<uint32_t>(channels) : 0u;
  memory->node_data_bytes =
      setup.is_float ? conv::NodeDataBytes(sizeof(Conv2DData), 0)
                     : (conv::NodeDataBytes(sizeof(Conv2DData), channels) + thresholds + 7u) & ~7u;
  memory->scratch_bytes = setup.is_float ? 0
                                         : conv::Conv2DInt8ScratchBytes(
                                               setup.geometry.filter_height,
                                               setup.geometry.filter_width, setup.filter_depth);
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
    int32_t* multipliers = conv::MultiplierArray(node_data, sizeof(Conv2DData));
    int8_t* shifts = conv::ShiftArray(node_data, sizeof(Conv2DData), channels);
    conv::PopulatePerChannelMultipliers(input.quantization.scale(0), filter.quantization,
                                        output.quantization.scale(0), channels, node.rounding(),
                                        multipliers, shifts);
    data.keeps_clamped_below = conv::KeepsClampedBelow(setup.geometry) ? 1 : 0;
    int32_t* clamped_below = ClampedBelowArray(node_data, channels);
    for (int32_t c = 0; c < channels && data.keeps_clamped_below; ++c)
      clamped_below[c] = conv::ClampedBelow(multipliers[c], shifts[c], data.stage, node.rounding());
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
  params.folded_bias = nullptr;
  params.window = static_cast<int16_t*>(scratch);
  params.clamped_below =
      data.keeps_clamped_below ? ClampedBelowArray(node_data, channels) : nullptr;
  const int32_t* bias = data.has_bias ? node.input(2).data_as<const int32_t>() : nullptr;
  conv::Conv2DInt8Optimized(params, input.data_as<const int8_t>(), filter.data_as<const int8_t>(),
                            bias, output.data_as<int8_t>());
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

// The optimized loops. At each output position the window is gathered once
// into int16 working memory as input - zero point, with 0 for the taps that
// fall into the padding, in the filter's (row, column, channel) order. Each
// output channel is then one contiguous dot product over it, four channels
// at a time so that every window value is loaded once per four channels;
// border positions take the same path as interior ones. The products are
// the reference's terms and their sum fits int32 (plan limits the terms),
// so the order does not change the result: the bytes are identical.
// With kSum, also returns the sum of the gathered values (modulo 2^32; the
// biased loops need it), added as they are written.
template <bool kSum>
inline uint32_t GatherWindow(const WindowInt8Params& p, const int8_t* image, int32_t y0, int32_t x0,
                             int32_t in_channel, int16_t* window) {
  const ConvGeometry& g = p.geometry;
  const int32_t depth = p.filter_depth;
  const int32_t row_terms = g.filter_width * depth;
  const int32_t offset = p.stage.input_offset;
  const ptrdiff_t row_bytes = static_cast<ptrdiff_t>(g.input_width) * g.input_depth;
  uint32_t sum = 0;
  // One group, no dilation across and the row's taps all inside: the row of
  // the window is one run of input bytes.
  const bool runs = depth == g.input_depth && g.dilation_width == 1 && x0 >= 0 &&
                    x0 + g.filter_width <= g.input_width;
  for (int32_t fy = 0; fy < g.filter_height; ++fy, window += row_terms) {
    const int32_t y = y0 + fy * g.dilation_height;
    if (y < 0 || y >= g.input_height) {
      for (int32_t i = 0; i < row_terms; ++i) window[i] = 0;
      continue;
    }
    const int8_t* row = image + y * row_bytes;
    if (runs) {
      const int8_t* in = row + static_cast<ptrdiff_t>(x0) * depth;
      for (int32_t i = 0; i < row_terms; ++i) {
        const int32_t value = in[i] + offset;
        window[i] = static_cast<int16_t>(value);
        if (kSum) sum += static_cast<uint32_t>(value);
      }
      continue;
    }
    for (int32_t fx = 0; fx < g.filter_width; ++fx) {
      int16_t* out = window + fx * depth;
      const int32_t x = x0 + fx * g.dilation_width;
      if (x < 0 || x >= g.input_width) {
        for (int32_t ic = 0; ic < depth; ++ic) out[ic] = 0;
        continue;
      }
      const int8_t* in = row + static_cast<ptrdiff_t>(x) * g.input_depth + in_channel;
      for (int32_t ic = 0; ic < depth; ++ic) {
        const int32_t value = in[ic] + offset;
        out[ic] = static_cast<int16_t>(value);
        if (kSum) sum += static_cast<uint32_t>(value);
      }
    }
  }
  return sum;
}

inline int8_t Int8Output(const WindowInt8Params& p, int32_t acc, const int32_t* bias, int32_t oc) {
  if (bias) acc = fixed_point::WrappingAdd(acc, bias[oc]);
  if (p.clamped_below != nullptr && acc < p.clamped_below[oc])
    return static_cast<int8_t>(p.stage.activation_min);
  return conv::RequantizeToInt8(acc, p.multipliers[oc], p.shifts[oc], p.stage, p.rounding);
}

// Output channels [first, first + count) from the gathered window of
// `terms` values; channel c's filter is filter[c * terms, (c + 1) * terms).
inline void Int8Channels(const WindowInt8Params& p, const int16_t* window, int32_t terms,
                         const int8_t* filter, const int32_t* bias, int32_t first, int32_t count,
                         int8_t* out) {
  const int32_t end = first + count;
  int32_t oc = first;
  for (; oc + 4 <= end; oc += 4) {
    const int8_t* w0 = filter + static_cast<ptrdiff_t>(oc) * terms;
    const int8_t* w1 = w0 + terms;
    const int8_t* w2 = w1 + terms;
    const int8_t* w3 = w2 + terms;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t t = 0; t < terms; ++t) {
      const int32_t v = window[t];
      a0 += w0[t] * v;
      a1 += w1[t] * v;
      a2 += w2[t] * v;
      a3 += w3[t] * v;
    }
    out[oc] = Int8Output(p, a0, bias, oc);
    out[oc + 1] = Int8Output(p, a1, bias, oc + 1);
    out[oc + 2] = Int8Output(p, a2, bias, oc + 2);
    out[oc + 3] = Int8Output(p, a3, bias, oc + 3);
  }
  for (; oc < end; ++oc) {
    const int8_t* w = filter + static_cast<ptrdiff_t>(oc) * terms;
    int32_t acc = 0;
    for (int32_t t = 0; t < terms; ++t) acc += w[t] * window[t];
    out[oc] = Int8Output(p, acc, bias, oc);
  }
}

// The biased form of Int8Channels, for cores whose only byte load is
// unsigned (the lx106: l8ui, then two shifts to sign-extend). A weight byte
// read unsigned and XORed with 0x80 is w + 128 in [0, 255], so
//   sum(w * v) = sum((w + 128) * v) - 128 * sum(v),
// and sum(v) is the window's, shared by every channel. The sums wrap modulo
// 2^32; the true result fits int32 (plan limits the terms), so it comes back
// exactly and the bytes match the signed form. Where each channel's filter
// is 4-byte aligned (aligned filter, terms a multiple of 4) the weights are
// read four at a time: one load and one XOR for four bytes.
inline uint32_t Biased(uint32_t word, int shift) { return (word >> shift) & 0xFFu; }

inline void Int8ChannelsBiased(const WindowInt8Params& p, const int16_t* window,
                               uint32_t window_sum, int32_t terms, const int8_t* filter,
                               const int32_t* bias, int32_t first, int32_t count, int8_t* out) {
  const uint32_t correction = window_sum << 7;
  const uint8_t* weights = reinterpret_cast<const uint8_t*>(filter);
  const int32_t end = first + count;
  int32_t oc = first;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if ((terms & 3) == 0 && (reinterpret_cast<uintptr_t>(filter) & 3u) == 0) {
    for (; oc + 2 <= end; oc += 2) {
      const uint8_t* w0 = weights + static_cast<ptrdiff_t>(oc) * terms;
      const uint8_t* w1 = w0 + terms;
      uint32_t a0 = 0, a1 = 0;
      for (int32_t t = 0; t < terms; t += 4) {
        const int32_t v0 = window[t], v1 = window[t + 1], v2 = window[t + 2], v3 = window[t + 3];
        uint32_t x0, x1;
        memcpy(&x0, __builtin_assume_aligned(w0 + t, 4), 4);
        memcpy(&x1, __builtin_assume_aligned(w1 + t, 4), 4);
        x0 ^= 0x80808080u;
        x1 ^= 0x80808080u;
        a0 += static_cast<uint32_t>(static_cast<int32_t>(Biased(x0, 0)) * v0) +
              static_cast<uint32_t>(static_cast<int32_t>(Biased(x0, 8)) * v1) +
              static_cast<uint32_t>(static_cast<int32_t>(Biased(x0, 16)) * v2) +
              static_cast<uint32_t>(static_cast<int32_t>(x0 >> 24) * v3);
        a1 += static_cast<uint32_t>(static_cast<int32_t>(Biased(x1, 0)) * v0) +
              static_cast<uint32_t>(static_cast<int32_t>(Biased(x1, 8)) * v1) +
              static_cast<uint32_t>(static_cast<int32_t>(Biased(x1, 16)) * v2) +
              static_cast<uint32_t>(static_cast<int32_t>(x1 >> 24) * v3);
      }
      out[oc] = Int8Output(p, static_cast<int32_t>(a0 - correction), bias, oc);
      out[oc + 1] = Int8Output(p, static_cast<int32_t>(a1 - correction), bias, oc + 1);
    }
  }
#endif
  for (; oc + 4 <= end; oc += 4) {
    const uint8_t* w0 = weights + static_cast<ptrdiff_t>(oc) * terms;
    const uint8_t* w1 = w0 + terms;
    const uint8_t* w2 = w1 + terms;
    const uint8_t* w3 = w2 + terms;
    uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t t = 0; t < terms; ++t) {
      const int32_t v = window[t];
      a0 += static_cast<uint32_t>(static_cast<int32_t>(w0[t] ^ 0x80u) * v);
      a1 += static_cast<uint32_t>(static_cast<int32_t>(w1[t] ^ 0x80u) * v);
      a2 += static_cast<uint32_t>(static_cast<int32_t>(w2[t] ^ 0x80u) * v);
      a3 += static_cast<uint32_t>(static_cast<int32_t>(w3[t] ^ 0x80u) * v);
    }
    out[oc] = Int8Output(p, static_cast<int32_t>(a0 - correction), bias, oc);
    out[oc + 1] = Int8Output(p, static_cast<int32_t>(a1 - correction), bias, oc + 1);
    out[oc + 2] = Int8Output(p, static_cast<int32_t>(a2 - correction), bias, oc + 2);
    out[oc + 3] = Int8Output(p, static_cast<int32_t>(a3 - correction), bias, oc + 3);
  }
  for (; oc < end; ++oc) {
    const uint8_t* w = weights + static_cast<ptrdiff_t>(oc) * terms;
    uint32_t acc = 0;
    for (int32_t t = 0; t < terms; ++t)
      acc += static_cast<uint32_t>(static_cast<int32_t>(w[t] ^ 0x80u) * window[t]);
    out[oc] = Int8Output(p, static_cast<int32_t>(acc - correction), bias, oc);
  }
}

// First layers over one input channel (a spectrogram, a grey image) with a
// small window: the generic loops gather 9-12 values per position and then
// spend more on overhead than on the few multiplies of each output. Here the
// loops turn around: one output channel at a time, its FH x FW weights held
// in registers (sizes fixed at compile time), reading each input byte
// unsigned as x + 128 (XOR 0x80), so that
//   acc = sum(w * (x + offset)) = sum(w * (x + 128)) + (offset - 128) sum(w),
// the second term one constant per channel. Exact in int32: at most 12
// terms of |w| <= 128 times x + 128 <= 255, and the constant is within
// 12 x 128 x 256. Only where no window reaches into padding (VALID, or SAME
// sizes that need none) and without dilation; the requantization is the
// other loops'.
template <int kFilterHeight, int kFilterWidth>
PICOML_NOINLINE void SingleChannelLoops(const WindowInt8Params& p, const int8_t* input,
                                        const int8_t* filter, const int32_t* bias, int8_t* output) {
  constexpr int kTerms = kFilterHeight * kFilterWidth;
  const ConvGeometry& g = p.geometry;
  const int32_t channels = g.output_depth;
  const ptrdiff_t image_bytes = static_cast<ptrdiff_t>(g.input_height) * g.input_width;
  const ptrdiff_t output_image =
      static_cast<ptrdiff_t>(g.output_height) * g.output_width * channels;
  const ptrdiff_t row_step = static_cast<ptrdiff_t>(g.stride_height) * g.input_width;
  for (int32_t oc = 0; oc < channels; ++oc) {
    int32_t w[kTerms];
    int32_t sum = 0;
    for (int t = 0; t < kTerms; ++t) {
      w[t] = filter[oc * kTerms + t];
      sum += w[t];
    }
    const int32_t constant = (p.stage.input_offset - 128) * sum;
    // On Xtensa, 0x80 in a register GCC cannot see into: it otherwise turns
    // the byte XOR into an XOR with -128 and a mask (one more instruction
    // per tap). Elsewhere the constant is free.
    uint32_t flip = 0x80u;
#if defined(__XTENSA__) && defined(__GNUC__)
    __asm__("" : "+r"(flip));
#endif
    for (int32_t b = 0; b < g.batches; ++b) {
      const uint8_t* rows = reinterpret_cast<const uint8_t*>(input + b * image_bytes);
      int8_t* out = output + b * output_image + oc;
      for (int32_t oy = 0; oy < g.output_height; ++oy, rows += row_step) {
        const uint8_t* x = rows;
        for (int32_t ox = 0; ox < g.output_width; ++ox, x += g.stride_width, out += channels) {
          int32_t acc = constant;
          const uint8_t* row = x;
          for (int fy = 0; fy < kFilterHeight; ++fy, row += g.input_width)
            for (int fx = 0; fx < kFilterWidth; ++fx)
              acc += w[fy * kFilterWidth + fx] * static_cast<int32_t>(row[fx] ^ flip);
          *out = Int8Output(p, acc, bias, oc);
        }
      }
    }
  }
}

// Whether SingleChannelLoops<FH, FW> takes this convolution.
bool SingleChannelApplies(const WindowInt8Params& p, int32_t filter_height, int32_t filter_width) {
  const ConvGeometry& g = p.geometry;
  return g.input_depth == 1 && p.filter_depth == 1 && g.filter_height == filter_height &&
         g.filter_width == filter_width && g.dilation_height == 1 && g.dilation_width == 1 &&
         g.padding_top == 0 && g.padding_left == 0 &&
         (g.output_height - 1) * g.stride_height + filter_height <= g.input_height &&
         (g.output_width - 1) * g.stride_width + filter_width <= g.input_width;
}

// Each form is its own function (PICOML_NOINLINE): inlined together into the
// dispatcher, their loop nests compete for registers (the M4's signed loops
// lost 20 % that way).
template <conv::Int8Loops kLoops>
PICOML_NOINLINE void Conv2DInt8(const WindowInt8Params& p, const int8_t* input,
                                const int8_t* filter, const int32_t* bias, int8_t* output) {
  const ConvGeometry& g = p.geometry;
  const int32_t groups = g.input_depth / p.filter_depth;
  const int32_t per_group = g.output_depth / groups;
  const int32_t terms = g.filter_height * g.filter_width * p.filter_depth;
  const ptrdiff_t image_bytes =
      static_cast<ptrdiff_t>(g.input_height) * g.input_width * g.input_depth;
  for (int32_t b = 0; b < g.batches; ++b) {
    const int8_t* image = input + b * image_bytes;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t y0 = oy * g.stride_height - g.padding_top;
      for (int32_t ox = 0; ox < g.output_width; ++ox, output += g.output_depth) {
        const int32_t x0 = ox * g.stride_width - g.padding_left;
        for (int32_t group = 0; group < groups; ++group) {
          const int32_t in_channel = group * p.filter_depth;
          if (kLoops == conv::Int8Loops::kSignedWeights) {
            GatherWindow<false>(p, image, y0, x0, in_channel, p.window);
            Int8Channels(p, p.window, terms, filter, bias, group * per_group, per_group, output);
          } else if (kLoops == conv::Int8Loops::kBiasedWeights) {
            const uint32_t sum = GatherWindow<true>(p, image, y0, x0, in_channel, p.window);
            Int8ChannelsBiased(p, p.window, sum, terms, filter, bias, group * per_group, per_group,
                               output);
          } else {
            Int8Position(p, image, filter, bias, y0, x0, in_channel, group * per_group, per_group,
                         output);
          }
        }
      }
    }
  }
}

}  // namespace

namespace conv {

void Conv2DInt8Reference(const WindowInt8Params& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output) {
  Conv2DInt8<Int8Loops::kReference>(params, input, filter, bias, output);
}

bool Conv2DInt8SingleChannel(const WindowInt8Params& params) {
  return SingleChannelApplies(params, 3, 3) || SingleChannelApplies(params, 3, 4);
}

void Conv2DInt8Optimized(const WindowInt8Params& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output, Int8Loops loops) {
  if (SingleChannelApplies(params, 3, 3))
    SingleChannelLoops<3, 3>(params, input, filter, bias, output);
  else if (SingleChannelApplies(params, 3, 4))
    SingleChannelLoops<3, 4>(params, input, filter, bias, output);
  else if (loops == Int8Loops::kBiasedWeights)
    Conv2DInt8<Int8Loops::kBiasedWeights>(params, input, filter, bias, output);
  else
    Conv2DInt8<Int8Loops::kSignedWeights>(params, input, filter, bias, output);
}

}  // namespace conv

const KernelRegistration& Conv2D() {
  static const KernelRegistration registration = {BuiltinOperator::kConv2D, Plan, Prepare, Eval,
                                                  false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml

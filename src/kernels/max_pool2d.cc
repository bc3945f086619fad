// MAX_POOL_2D: int8 and float32, NHWC.
//
// Semantics (LiteRT's reference MaxPool): each output is the largest input in
// the in-bounds part of its window (padding never wins), then clamped to the
// fused activation's range. int8 works on the raw values: input and output
// share their quantization, as LiteRT requires. Float comparisons follow
// std::max (a NaN input never replaces the running maximum).
#include <stdint.h>

#include "kernels/pool_common.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

using pool::Pool2DData;

// Channels innermost: at each output position the running maxima live in the
// output row itself, and each in-bounds tap is one contiguous run of
// `channels` bytes, so no per-element index arithmetic is left in the loop.
void MaxPoolInt8(const Pool2DData& d, const int8_t* input, int8_t* output) {
  const int32_t channels = d.channels;
  const bool clamps = d.activation_min > -128 || d.activation_max < 127;
  for (int32_t b = 0; b < d.batches; ++b) {
    const int8_t* image = input + b * d.input_height * d.input_width * channels;
    for (int32_t out_y = 0; out_y < d.output_height; ++out_y) {
      for (int32_t out_x = 0; out_x < d.output_width; ++out_x, output += channels) {
        int32_t y0, y1, x0, x1;
        pool::WindowBounds(d, out_y, out_x, &y0, &y1, &x0, &x1);
        for (int32_t c = 0; c < channels; ++c) output[c] = -128;
        for (int32_t y = y0; y < y1; ++y) {
          const int8_t* tap = image + (y * d.input_width + x0) * channels;
          for (int32_t x = x0; x < x1; ++x, tap += channels)
            for (int32_t c = 0; c < channels; ++c)
              if (output[c] < tap[c]) output[c] = tap[c];
        }
        if (clamps)
          for (int32_t c = 0; c < channels; ++c)
            output[c] = static_cast<int8_t>(
                fixed_point::Clamp(output[c], d.activation_min, d.activation_max));
      }
    }
  }
}

void MaxPoolFloat(const Pool2DData& d, const float* input, float* output) {
  for (int32_t b = 0; b < d.batches; ++b) {
    for (int32_t out_y = 0; out_y < d.output_height; ++out_y) {
      for (int32_t out_x = 0; out_x < d.output_width; ++out_x) {
        int32_t y0, y1, x0, x1;
        pool::WindowBounds(d, out_y, out_x, &y0, &y1, &x0, &x1);
        float* out = output + ((b * d.output_height + out_y) * d.output_width + out_x) * d.channels;
        for (int32_t c = 0; c < d.channels; ++c) {
          float max = -fixed_point::kFloatMax;  // numeric_limits<float>::lowest()
          for (int32_t y = y0; y < y1; ++y)
            for (int32_t x = x0; x < x1; ++x) {
              const float v =
                  input[((b * d.input_height + y) * d.input_width + x) * d.channels + c];
              if (max < v) max = v;
            }
          out[c] = fixed_point::ClampFloat(max, d.float_activation_min, d.float_activation_max);
        }
      }
    }
  }
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const Pool2DData& d = *static_cast<const Pool2DData*>(node_data);
  if (d.is_float)
    MaxPoolFloat(d, node.input(0).data_as<const float>(), node.output(0).data_as<float>());
  else
    MaxPoolInt8(d, node.input(0).data_as<const int8_t>(), node.output(0).data_as<int8_t>());
  return Status::Ok();
}

}  // namespace

const KernelRegistration& MaxPool2D() {
  static const KernelRegistration registration = {
      BuiltinOperator::kMaxPool2D, pool::PlanPool2DMemory, pool::PreparePool2D, Eval, false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml

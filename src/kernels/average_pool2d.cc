// AVERAGE_POOL_2D: int8 and float32, NHWC.
//
// Semantics (LiteRT's reference AveragePool): each output is the mean of the
// in-bounds part of its window, so at a padded border it divides by the number
// of input elements the window covers, not by the filter area. Then the fused
// activation's clamp.
//  - int8: sum of the raw values (input and output share their quantization,
//    as LiteRT requires), divided by the count rounding half away from zero:
//    (sum + count / 2) / count for sum > 0, (sum - count / 2) / count
//    otherwise, in C++'s truncating division.
//  - float32: sum in window order (rows, then columns), divided by the count.
#include <stdint.h>

#include "kernels/pool_common.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

using pool::Pool2DData;

void AveragePoolInt8(const Pool2DData& d, const int8_t* input, int8_t* output) {
  for (int32_t b = 0; b < d.batches; ++b) {
    for (int32_t out_y = 0; out_y < d.output_height; ++out_y) {
      for (int32_t out_x = 0; out_x < d.output_width; ++out_x) {
        int32_t y0, y1, x0, x1;
        pool::WindowBounds(d, out_y, out_x, &y0, &y1, &x0, &x1);
        const int32_t count = (y1 - y0) * (x1 - x0);
        int8_t* out =
            output + ((b * d.output_height + out_y) * d.output_width + out_x) * d.channels;
        for (int32_t c = 0; c < d.channels; ++c) {
          int32_t sum = 0;
          for (int32_t y = y0; y < y1; ++y)
            for (int32_t x = x0; x < x1; ++x)
              sum += input[((b * d.input_height + y) * d.input_width + x) * d.channels + c];
          // SAME and VALID windows always cover at least one input element.
          int32_t average = 0;
          if (count > 0) average = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          out[c] =
              static_cast<int8_t>(fixed_point::Clamp(average, d.activation_min, d.activation_max));
        }
      }
    }
  }
}

void AveragePoolFloat(const Pool2DData& d, const float* input, float* output) {
  for (int32_t b = 0; b < d.batches; ++b) {
    for (int32_t out_y = 0; out_y < d.output_height; ++out_y) {
      for (int32_t out_x = 0; out_x < d.output_width; ++out_x) {
        int32_t y0, y1, x0, x1;
        pool::WindowBounds(d, out_y, out_x, &y0, &y1, &x0, &x1);
        const float count = static_cast<float>((y1 - y0) * (x1 - x0));
        float* out = output + ((b * d.output_height + out_y) * d.output_width + out_x) * d.channels;
        for (int32_t c = 0; c < d.channels; ++c) {
          float sum = 0.0f;
          for (int32_t y = y0; y < y1; ++y)
            for (int32_t x = x0; x < x1; ++x)
              sum += input[((b * d.input_height + y) * d.input_width + x) * d.channels + c];
          out[c] =
              fixed_point::ClampFloat(sum / count, d.float_activation_min, d.float_activation_max);
        }
      }
    }
  }
}

// int8 sums fit int32 (|x| <= 128) for windows of up to 2^23 input elements.
Status Plan(const NodeContext& node, KernelMemory* memory) {
  PICOML_RETURN_IF_ERROR(pool::PlanPool2DMemory(node, memory));
  Pool2DData d;
  PICOML_RETURN_IF_ERROR(pool::PlanPool2D(node, &d));
  const int64_t rows = d.filter_height < d.input_height ? d.filter_height : d.input_height;
  const int64_t columns = d.filter_width < d.input_width ? d.filter_width : d.input_width;
  if (!d.is_float && rows * columns > (1 << 23))
    return Status::Error(StatusCode::kUnsupported,
                         "int8 AVERAGE_POOL_2D window covers %ld input elements; at most 2^23 "
                         "(8388608) are supported, use a smaller filter",
                         static_cast<long>(rows * columns));
  return Status::Ok();
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const Pool2DData& d = *static_cast<const Pool2DData*>(node_data);
  if (d.is_float)
    AveragePoolFloat(d, node.input(0).data_as<const float>(), node.output(0).data_as<float>());
  else
    AveragePoolInt8(d, node.input(0).data_as<const int8_t>(), node.output(0).data_as<int8_t>());
  return Status::Ok();
}

}  // namespace

const KernelRegistration& AveragePool2D() {
  static const KernelRegistration registration = {BuiltinOperator::kAveragePool2D, Plan,
                                                  pool::PreparePool2D, Eval, false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml

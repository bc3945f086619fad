#include "host/quantization.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace picoml::host {
namespace {

// The converter's kNearZeroTolerance: narrower ranges are widened to it.
constexpr double kNearZeroTolerance = 1.0e-6;
constexpr double kSmallestHalfRange = kNearZeroTolerance / 2;

// Symmetric narrow-range scale for a largest magnitude, as DownCastScale
// computes it: (float(max) - float(min)) / 254 in float.
float SymmetricScale(double max_magnitude) {
  double min = -max_magnitude, max = max_magnitude;
  if (max - min <= kNearZeroTolerance) {
    min = std::min(min, -kSmallestHalfRange);
    max = std::max(max, kSmallestHalfRange);
  }
  return (static_cast<float>(max) - static_cast<float>(min)) / 254.0f;
}

int8_t ClampToNarrowInt8(float rounded) {
  return static_cast<int8_t>(std::clamp(rounded, -127.0f, 127.0f));
}

}  // namespace

void RangeTracker::Update(const float* values, size_t count) {
  if (count == 0) return;
  const auto [lo, hi] = std::minmax_element(values, values + count);
  Update(*lo, *hi);
}

void RangeTracker::Update(float min, float max) {
  if (empty_) {
    min_ = min;
    max_ = max;
    empty_ = false;
    return;
  }
  min_ = std::min(min_, min);
  max_ = std::max(max_, max);
}

void EffectiveRange(double min, double max, double* effective_min, double* effective_max) {
  min = std::min(min, 0.0);
  max = std::max(max, 0.0);
  if (max - min <= kNearZeroTolerance) {
    min = std::min(min, -kSmallestHalfRange);
    max = std::max(max, kSmallestHalfRange);
  }
  *effective_min = min;
  *effective_max = max;
}

AffineQuantization Int8ActivationQuantization(float min, float max) {
  if (!std::isfinite(min) || !std::isfinite(max) || min > max)
    throw std::invalid_argument(
        "calibrated range is not a finite [min, max]: did calibration "
        "see NaN or infinite activations?");
  double lo, hi;
  EffectiveRange(min, max, &lo, &hi);
  AffineQuantization q;
  q.scale = (static_cast<float>(hi) - static_cast<float>(lo)) / 255.0f;
  const float zero_point_from_min = static_cast<float>(-128.0 - lo / static_cast<double>(q.scale));
  if (zero_point_from_min < -128.0f)
    q.zero_point = -128;
  else if (zero_point_from_min > 127.0f)
    q.zero_point = 127;
  else
    q.zero_point = static_cast<int32_t>(std::round(zero_point_from_min));
  return q;
}

QuantizedWeights QuantizeWeightsPerChannel(const std::vector<float>& weights, int channels) {
  if (channels <= 0 || weights.size() % static_cast<size_t>(channels) != 0)
    throw std::invalid_argument("weights do not split into the given number of channels");
  const size_t per_channel = weights.size() / static_cast<size_t>(channels);
  QuantizedWeights out;
  out.values.resize(weights.size());
  out.scales.resize(static_cast<size_t>(channels));
  for (int c = 0; c < channels; ++c) {
    const float* w = weights.data() + static_cast<size_t>(c) * per_channel;
    double magnitude = 0.0;
    for (size_t i = 0; i < per_channel; ++i)
      magnitude = std::max(magnitude, std::fabs(double{w[i]}));
    const float scale = SymmetricScale(magnitude);
    // The converter keeps 1 / scale as a float and multiplies in float.
    const float inverse = static_cast<float>(1.0 / static_cast<double>(scale));
    for (size_t i = 0; i < per_channel; ++i)
      out.values[static_cast<size_t>(c) * per_channel + i] =
          ClampToNarrowInt8(std::round(w[i] * inverse));
    out.scales[static_cast<size_t>(c)] = scale;
  }
  return out;
}

QuantizedWeights QuantizeWeightsPerTensor(const std::vector<float>& weights) {
  // tensor_utils::SymmetricQuantizeFloats: range = max |w|, values
  // round(w * (127 / range)); the stored scale is the 2 * range / 254 above.
  float range = 0.0f;
  for (float w : weights) range = std::max(range, std::fabs(w));
  QuantizedWeights out;
  out.values.assign(weights.size(), 0);
  out.scales = {SymmetricScale(range)};
  if (range == 0.0f) return out;
  const float inverse = 127.0f / range;
  for (size_t i = 0; i < weights.size(); ++i)
    out.values[i] = ClampToNarrowInt8(std::round(weights[i] * inverse));
  return out;
}

QuantizedBias QuantizeBias(const std::vector<float>& bias, float input_scale,
                           const std::vector<float>& weight_scales) {
  if (weight_scales.empty() || (weight_scales.size() != 1 && weight_scales.size() != bias.size()))
    throw std::invalid_argument("bias and weight scales disagree in length");
  QuantizedBias out;
  out.scales.resize(weight_scales.size());
  for (size_t c = 0; c < weight_scales.size(); ++c)
    out.scales[c] = static_cast<float>(double{input_scale} * double{weight_scales[c]});
  out.values.resize(bias.size());
  constexpr double kLimit = std::numeric_limits<int32_t>::max();
  for (size_t i = 0; i < bias.size(); ++i) {
    const float scale = out.scales[out.scales.size() == 1 ? 0 : i];
    const float inverse = scale == 0.0f ? 0.0f : static_cast<float>(1.0 / double{scale});
    const double rounded = std::round(double{bias[i] * inverse});
    out.values[i] = static_cast<int32_t>(std::clamp(rounded, -kLimit, kLimit));
  }
  return out;
}

int8_t QuantizeValue(float value, const AffineQuantization& q) {
  const float rounded = std::round(value / q.scale);
  const float shifted = std::clamp(rounded + static_cast<float>(q.zero_point), -128.0f, 127.0f);
  return static_cast<int8_t>(shifted);
}

float DequantizeValue(int8_t value, const AffineQuantization& q) {
  return q.scale * static_cast<float>(static_cast<int32_t>(value) - q.zero_point);
}

}  // namespace picoml::host

// The arithmetic of full-integer post-training quantization, as the LiteRT
// converter does it (MLIR quantizer with legacy_float_scale, the path
// tf.lite.TFLiteConverter takes with Optimize.DEFAULT and a representative
// dataset). Pure functions over floats: no LibTorch, so tests check them on
// hand-made numbers.
//
// The converter's recipe, step by step:
//  * Calibration keeps the running min and max of every activation over all
//    calibration samples (no averaging). A tensor after a fused ReLU is
//    observed after the ReLU, so its min is 0.
//  * Activations: the range is widened to contain 0, then to at least 1e-6
//    wide; scale = (float(max) - float(min)) / 255 computed in float; the zero
//    point is -128 - min / scale, clamped to [-128, 127] and rounded half away
//    from zero. (The converter first nudges in double, then recomputes both in
//    float, "DownCastScale"; the float recomputation is what lands in the file.)
//  * Weights: int8 symmetric, narrow range [-127, 127], zero point 0; scale =
//    2 * max|w| / 254 in float, per output channel (conv) or per tensor; an
//    all-zero channel gets the 1e-6 minimum range. Values are
//    round(w * float(1 / scale)), clamped to [-127, 127].
//  * Biases: int32, zero point 0, scale = float(input scale * weight scale[c])
//    and values round(b * float(1 / scale)), clamped to +-(2^31 - 1).
#ifndef PICOML_TOOLS_HOST_QUANTIZATION_H_
#define PICOML_TOOLS_HOST_QUANTIZATION_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace picoml::host {

// Running min/max of a tensor over calibration batches.
class RangeTracker {
 public:
  void Update(const float* values, size_t count);
  void Update(float min, float max);
  bool empty() const { return empty_; }
  float min() const { return min_; }
  float max() const { return max_; }

 private:
  bool empty_ = true;
  float min_ = 0.0f;
  float max_ = 0.0f;
};

struct AffineQuantization {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Widens [min, max] as the converter does before quantizing: to contain 0,
// then to be more than 1e-6 wide.
void EffectiveRange(double min, double max, double* effective_min, double* effective_max);

// int8 per-tensor asymmetric parameters for a calibrated range [min, max].
AffineQuantization Int8ActivationQuantization(float min, float max);

// int8 symmetric weights.
struct QuantizedWeights {
  std::vector<int8_t> values;
  std::vector<float> scales;  // one per channel, or one for the tensor
};

// `weights` holds `channels` blocks of `per_channel` values each (the
// quantized dimension is 0: OHWI conv filters, [units, inputs] dense weights).
QuantizedWeights QuantizeWeightsPerChannel(const std::vector<float>& weights, int channels);
QuantizedWeights QuantizeWeightsPerTensor(const std::vector<float>& weights);

// int32 biases for an operator whose input has `input_scale` and whose weights
// have `weight_scales` (one per channel, or one for all channels).
struct QuantizedBias {
  std::vector<int32_t> values;
  std::vector<float> scales;  // one per channel when the weights had several
};
QuantizedBias QuantizeBias(const std::vector<float>& bias, float input_scale,
                           const std::vector<float>& weight_scales);

// real -> int8 with scale and zero point: round half away from zero, clamp
// to [-128, 127] (LiteRT's QUANTIZE reference).
int8_t QuantizeValue(float value, const AffineQuantization& q);
float DequantizeValue(int8_t value, const AffineQuantization& q);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_QUANTIZATION_H_

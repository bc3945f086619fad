// Test oracle and model helpers shared by the CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED tests.
//
// The oracle is written from LiteRT's published arithmetic, not from
// src/kernels: multipliers by repeated halving/doubling instead of frexp,
// requantization as exact int64 floor divisions, accumulators in int64.
#ifndef PICOML_TESTS_KERNELS_CONV_TEST_SUPPORT_H_
#define PICOML_TESTS_KERNELS_CONV_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "host/tflite_builder.h"
#include "picoml/types.h"

namespace picoml::test {

struct OracleMultiplier {
  int64_t multiplier = 0;
  int shift = 0;
};

// real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31), rounded to
// nearest (ties away from zero); too small -> 0; single rounding caps the
// shift at 30.
inline OracleMultiplier OracleQuantize(double real, Rounding rounding) {
  OracleMultiplier result;
  if (real == 0.0) return result;
  int shift = 0;
  double fraction = real;
  while (fraction >= 1.0) {
    fraction /= 2.0;
    ++shift;
  }
  while (fraction < 0.5) {
    fraction *= 2.0;
    --shift;
  }
  int64_t q = std::llround(fraction * 2147483648.0);
  if (q == (int64_t{1} << 31)) {
    q >>= 1;
    ++shift;
  }
  if (shift < -31) return OracleMultiplier{};
  if (rounding == Rounding::kSingle && shift > 30) {
    shift = 30;
    q = (int64_t{1} << 31) - 1;
  }
  result.multiplier = q;
  result.shift = shift;
  return result;
}

inline int64_t FloorDiv(int64_t a, int64_t b) {  // b > 0
  int64_t q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

// acc * multiplier * 2^(shift - 31) with LiteRT's roundings:
//  double: high = floor(x' * m / 2^31 + 1/2) saturated, x' = x * 2^max(shift,0),
//          then divide by 2^max(-shift,0) rounding half away from zero;
//  single: floor(x * m / 2^(31 - shift) + 1/2).
inline int64_t OracleScale(int64_t acc, const OracleMultiplier& m, Rounding rounding) {
  EXPECT_GE(acc, std::numeric_limits<int32_t>::min());
  EXPECT_LE(acc, std::numeric_limits<int32_t>::max());
  if (rounding == Rounding::kSingle) {
    const int64_t den = int64_t{1} << (31 - m.shift);
    return FloorDiv(2 * acc * m.multiplier + den, 2 * den);
  }
  const int left = std::max(m.shift, 0), right = std::max(-m.shift, 0);
  const int64_t shifted = acc * (int64_t{1} << left);
  EXPECT_LE(std::llabs(shifted), int64_t{1} << 31) << "test overflows the left shift";
  int64_t high = FloorDiv(shifted * m.multiplier + (int64_t{1} << 30), int64_t{1} << 31);
  high = std::min<int64_t>(high, std::numeric_limits<int32_t>::max());
  if (right == 0) return high;
  const int64_t half = int64_t{1} << (right - 1);
  return high >= 0 ? (high + half) >> right : -((-high + half) >> right);
}

// LiteRT's CalculateActivationRangeQuantized for int8 (float arithmetic).
inline void OracleActivationRange(Activation activation, float scale, int32_t zero_point,
                                  int32_t* lo, int32_t* hi) {
  *lo = -128;
  *hi = 127;
  auto q = [&](float real) { return zero_point + static_cast<int32_t>(std::round(real / scale)); };
  if (activation == Activation::kRelu || activation == Activation::kRelu6)
    *lo = std::max(*lo, q(0));
  if (activation == Activation::kRelu6) *hi = std::min(*hi, q(6));
  if (activation == Activation::kReluN1To1) {
    *lo = std::max(*lo, q(-1));
    *hi = std::min(*hi, q(1));
  }
}

inline int8_t OracleOutput(int64_t acc, const OracleMultiplier& m, Rounding rounding,
                           int32_t zero_point, int32_t lo, int32_t hi) {
  int64_t v = OracleScale(acc, m, rounding) + zero_point;
  return static_cast<int8_t>(std::clamp<int64_t>(v, lo, hi));
}

// The SAME/VALID window along one dimension, as TensorFlow defines it.
struct OracleWindow {
  int out = 0;
  int pad_before = 0;
};
inline OracleWindow OracleWindowFor(bool same, int in, int filter, int stride, int dilation) {
  const int effective = (filter - 1) * dilation + 1;
  OracleWindow w;
  if (same) {
    w.out = (in + stride - 1) / stride;  // ceil(in / stride)
    const int needed = (w.out - 1) * stride + effective;
    w.pad_before = std::max(0, needed - in) / 2;
  } else {
    w.out = in >= effective ? (in - effective) / stride + 1 : 0;
  }
  return w;
}

// Random helpers.
class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine_); }
  bool Bool() { return Int(0, 1) == 1; }
  float LogUniform(float lo, float hi) {
    const double e = std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(engine_);
    return static_cast<float>(std::exp(e));
  }
  float Uniform(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(engine_);
  }
  std::vector<int8_t> Int8s(size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(Int(-128, 127));
    return v;
  }
  std::vector<float> Floats(size_t n, float lo, float hi) {
    std::vector<float> v(n);
    for (auto& x : v) x = Uniform(lo, hi);
    return v;
  }
  int ZeroPoint() {  // the edges often, anything else otherwise
    switch (Int(0, 3)) {
      case 0:
        return -128;
      case 1:
        return 127;
      default:
        return Int(-128, 127);
    }
  }

 private:
  std::mt19937 engine_;
};

inline host::TensorSpec Int8Tensor(std::vector<int32_t> shape, float scale, int32_t zero_point,
                                   std::vector<int8_t> data = {}) {
  host::TensorSpec t;
  t.type = TensorType::kInt8;
  t.shape = std::move(shape);
  t.scales = {scale};
  t.zero_points = {zero_point};
  t.data = host::ToBytes(data);
  return t;
}

inline host::TensorSpec FloatTensor(std::vector<int32_t> shape, std::vector<float> data = {}) {
  host::TensorSpec t;
  t.type = TensorType::kFloat32;
  t.shape = std::move(shape);
  t.data = host::ToBytes(data);
  return t;
}

inline host::TensorSpec Int32Tensor(std::vector<int32_t> shape, std::vector<int32_t> data) {
  host::TensorSpec t;
  t.type = TensorType::kInt32;
  t.shape = std::move(shape);
  t.data = host::ToBytes(data);
  return t;
}

// A filter with per-channel scales (one scale: per tensor).
inline host::TensorSpec Int8Filter(std::vector<int32_t> shape, std::vector<float> scales,
                                   int32_t quantized_dimension, std::vector<int8_t> data) {
  host::TensorSpec t;
  t.type = TensorType::kInt8;
  t.shape = std::move(shape);
  t.scales = scales;
  t.zero_points.assign(scales.size(), 0);
  t.quantized_dimension = quantized_dimension;
  t.data = host::ToBytes(data);
  return t;
}

}  // namespace picoml::test

#endif  // PICOML_TESTS_KERNELS_CONV_TEST_SUPPORT_H_

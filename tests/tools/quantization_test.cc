// The quantizer's arithmetic against hand-worked figures (LiteRT converter's
// rules: host/quantization.h).
#include "host/quantization.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace picoml::host {
namespace {

struct RangeCase {
  const char* what;
  float min, max;
  float scale;  // worked by hand
  int32_t zero_point;
};

class ActivationRange : public ::testing::TestWithParam<RangeCase> {};

TEST_P(ActivationRange, ScaleAndZeroPoint) {
  const RangeCase& c = GetParam();
  const AffineQuantization q = Int8ActivationQuantization(c.min, c.max);
  EXPECT_FLOAT_EQ(q.scale, c.scale) << c.what;
  EXPECT_EQ(q.zero_point, c.zero_point) << c.what;
}

INSTANTIATE_TEST_SUITE_P(Converter, ActivationRange,
                         ::testing::Values(
                             // Pixels in [0, 1]: 1/255, zero at -128.
                             RangeCase{"input pixels", 0.0f, 1.0f, 1.0f / 255.0f, -128},
                             // After a fused ReLU the minimum is 0: zero point at the bottom.
                             RangeCase{"relu output", 0.0f, 5.1f, 0.02f, -128},
                             // A range above 0 is widened down to 0.
                             RangeCase{"all positive", 2.0f, 6.0f, 6.0f / 255.0f, -128},
                             // A range below 0 is widened up to 0: zero point at the top.
                             RangeCase{"all negative", -6.0f, -2.0f, 6.0f / 255.0f, 127},
                             RangeCase{"negative to zero", -1.0f, 0.0f, 1.0f / 255.0f, 127},
                             // -128 + 0.25 * 255 = -64.25 -> -64.
                             RangeCase{"asymmetric", -0.25f, 0.75f, 1.0f / 255.0f, -64},
                             // -128 + 127.5: the tie rounds away from zero -> -1.
                             RangeCase{"symmetric", -1.0f, 1.0f, 2.0f / 255.0f, -1},
                             // -128 + 0.75 * 255 = 63.25 -> 63.
                             RangeCase{"mostly negative", -0.75f, 0.25f, 1.0f / 255.0f, 63}));

TEST(ActivationRange, EmptyRangeWidenedToTheConvertersMinimum) {
  // [0, 0] becomes [-5e-7, 5e-7]: scale 1e-6 / 255, zero point near the middle.
  const AffineQuantization q = Int8ActivationQuantization(0.0f, 0.0f);
  EXPECT_NEAR(q.scale, 1e-6 / 255.0, 1e-15);
  EXPECT_GE(q.zero_point, -1);
  EXPECT_LE(q.zero_point, 0);
}

TEST(ActivationRange, RejectsNonFiniteRanges) {
  EXPECT_THROW(Int8ActivationQuantization(0.0f, std::numeric_limits<float>::infinity()),
               std::invalid_argument);
  EXPECT_THROW(Int8ActivationQuantization(std::numeric_limits<float>::quiet_NaN(), 1.0f),
               std::invalid_argument);
}

TEST(RangeTracker, KeepsRunningMinAndMaxOverBatches) {
  RangeTracker range;
  EXPECT_TRUE(range.empty());
  const std::vector<float> first = {1.0f, 2.0f, 3.0f};
  const std::vector<float> second = {-1.0f, 0.5f};
  range.Update(first.data(), first.size());
  EXPECT_EQ(range.min(), 1.0f);
  EXPECT_EQ(range.max(), 3.0f);
  range.Update(second.data(), second.size());
  EXPECT_FALSE(range.empty());
  EXPECT_EQ(range.min(), -1.0f);
  EXPECT_EQ(range.max(), 3.0f);
}

TEST(Weights, PerChannelSymmetricWithAnAllZeroChannel) {
  const std::vector<float> w = {
      0.5f,   -1.27f, 0.1f,     // channel 0: max |w| 1.27 -> scale 0.01
      0.0f,   0.0f,   0.0f,     // channel 1: all zero
      0.254f, -0.1f,  0.0635f,  // channel 2: max |w| 0.254 -> scale 0.002
  };
  const QuantizedWeights q = QuantizeWeightsPerChannel(w, 3);
  ASSERT_EQ(q.scales.size(), 3u);
  EXPECT_FLOAT_EQ(q.scales[0], 0.01f);
  // The converter widens an empty range to 1e-6: scale 1e-6 / 254.
  EXPECT_NEAR(q.scales[1], 1e-6 / 254.0, 1e-14);
  EXPECT_FLOAT_EQ(q.scales[2], 0.002f);
  EXPECT_EQ(q.values, (std::vector<int8_t>{50, -127, 10, 0, 0, 0, 127, -50, 32}));
}

TEST(Weights, PerTensorSymmetric) {
  const QuantizedWeights q = QuantizeWeightsPerTensor({1.27f, -0.6f, 0.3f, 0.0f});
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_FLOAT_EQ(q.scales[0], 0.01f);
  EXPECT_EQ(q.values, (std::vector<int8_t>{127, -60, 30, 0}));
}

TEST(Weights, NarrowRangeNeverReachesMinus128) {
  const QuantizedWeights q = QuantizeWeightsPerChannel({-2.0f, 0.5f}, 1);
  EXPECT_EQ(q.values, (std::vector<int8_t>{-127, 32}));  // 31.75 -> 32
}

TEST(Weights, RejectsChannelCountThatDoesNotDivide) {
  EXPECT_THROW(QuantizeWeightsPerChannel({1, 2, 3}, 2), std::invalid_argument);
}

TEST(Bias, ScaleIsInputScaleTimesWeightScale) {
  const QuantizedBias b = QuantizeBias({1.0f, -0.5f}, 0.5f, {0.01f, 0.02f});
  ASSERT_EQ(b.scales.size(), 2u);
  EXPECT_FLOAT_EQ(b.scales[0], 0.005f);
  EXPECT_FLOAT_EQ(b.scales[1], 0.01f);
  EXPECT_EQ(b.values, (std::vector<int32_t>{200, -50}));
}

TEST(Bias, PerTensorWeightScaleAndSaturation) {
  const QuantizedBias b = QuantizeBias({1e10f, -1e10f, 3.0f}, 1.0f, {1.0f});
  ASSERT_EQ(b.scales.size(), 1u);
  EXPECT_EQ(b.values, (std::vector<int32_t>{2147483647, -2147483647, 3}));
}

TEST(Values, QuantizeRoundsHalfAwayAndSaturates) {
  const AffineQuantization q{1.0f / 255.0f, -128};
  EXPECT_EQ(QuantizeValue(0.0f, q), -128);
  EXPECT_EQ(QuantizeValue(1.0f, q), 127);
  EXPECT_EQ(QuantizeValue(2.0f, q), 127);    // saturates high
  EXPECT_EQ(QuantizeValue(-1.0f, q), -128);  // saturates low
  const AffineQuantization half{0.5f, 0};
  EXPECT_EQ(QuantizeValue(0.25f, half), 1);    // 0.5 -> 1
  EXPECT_EQ(QuantizeValue(-0.25f, half), -1);  // -0.5 -> -1
  EXPECT_FLOAT_EQ(DequantizeValue(-128, {1.0f / 256.0f, -128}), 0.0f);
  EXPECT_FLOAT_EQ(DequantizeValue(127, {1.0f / 256.0f, -128}), 255.0f / 256.0f);
}

}  // namespace
}  // namespace picoml::host

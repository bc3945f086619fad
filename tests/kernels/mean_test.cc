// MEAN: float sums and divisions, int8 with equal quantization (truncating
// division), int8 with new quantization (LiteRT's integer requantization,
// both roundings), keep_dims both ways, other axis sets, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "kernels/single_op_model.h"
#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
using host::TensorSpec;
using test::FloatTensor;
using test::Int32Constant;
using test::Int8Tensor;
using test::ModelRunner;

std::vector<uint8_t> MeanModel(TensorSpec in, TensorSpec out, std::vector<int32_t> axes,
                               bool keep_dims) {
  const int32_t n = static_cast<int32_t>(axes.size());
  return test::SingleOpModel(BuiltinOperator::kMean, std::move(in), std::move(out),
                             schema::BuiltinOptionsType::kReducerOptions,
                             {OptionField::Bool(schema::reducer_options::kKeepDims, keep_dims)},
                             {Int32Constant({n}, std::move(axes))});
}

class MeanResolver : public MutableOpResolver<1> {
 public:
  MeanResolver() { EXPECT_TRUE(AddMean().ok()); }
};

// [1, 2, 2, 2] NHWC; channel 0 holds 1, 2, 3, 4.5 and channel 1 -1, 0.5, 7, 8.
const std::vector<float> kImage = {1.0f, -1.0f, 2.0f, 0.5f, 3.0f, 7.0f, 4.5f, 8.0f};

TEST(Mean, FloatHeightWidthKeepDims) {
  MeanResolver resolver;
  ModelRunner run(MeanModel(FloatTensor({1, 2, 2, 2}), FloatTensor({1, 1, 1, 2}), {1, 2}, true),
                  resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<float>(0, kImage);
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<float>(0), (std::vector<float>{2.625f, 3.625f}));
}

TEST(Mean, FloatWidthHeightWithoutKeepDims) {
  MeanResolver resolver;
  ModelRunner run(MeanModel(FloatTensor({1, 2, 2, 2}), FloatTensor({1, 2}), {2, 1}, false),
                  resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<float>(0, kImage);
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<float>(0), (std::vector<float>{2.625f, 3.625f}));
}

// The sum runs in input order, then one float division: 0.1 + 0.2 + 0.3
// added left to right in float is 0.6000000238..., divided by 3.
TEST(Mean, FloatSumOrderAndDivisionMatchLiteRT) {
  MeanResolver resolver;
  ModelRunner run(MeanModel(FloatTensor({1, 3, 1, 1}), FloatTensor({1, 1, 1, 1}), {1, 2}, true),
                  resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<float>(0, {0.1f, 0.2f, 0.3f});
  ASSERT_TRUE(run.Invoke().ok());
  volatile float sum = 0.1f;
  sum = sum + 0.2f;
  sum = sum + 0.3f;
  const float expected = sum / 3.0f;
  EXPECT_EQ(run.Output<float>(0), (std::vector<float>{expected}));
}

TEST(Mean, FloatOtherAxes) {
  MeanResolver resolver;
  const std::vector<float> in = {1, 2, 3, 4, 5, 6};  // [2, 3]
  struct Case {
    std::vector<int32_t> axes;
    bool keep_dims;
    std::vector<int32_t> out_shape;
    std::vector<float> expected;
  };
  const std::vector<Case> cases = {
      {{-1}, false, {2}, {2, 5}},
      {{1}, true, {2, 1}, {2, 5}},
      {{0}, false, {3}, {2.5f, 3.5f, 4.5f}},
      {{0, 1}, false, {}, {3.5f}},
      {{1, -2, 1}, true, {1, 1}, {3.5f}},  // repeats count once
  };
  for (const Case& c : cases) {
    ModelRunner run(MeanModel(FloatTensor({2, 3}), FloatTensor(c.out_shape), c.axes, c.keep_dims),
                    resolver);
    ASSERT_TRUE(run.ok()) << run.error();
    run.SetInput<float>(0, in);
    ASSERT_TRUE(run.Invoke().ok());
    EXPECT_EQ(run.Output<float>(0), c.expected);
  }
}

// Equal input and output quantization: raw sum / count, truncated toward
// zero (no rounding), as LiteRT's Mean<int8_t, int32_t>.
TEST(Mean, Int8SameQuantizationTruncates) {
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    MeanResolver resolver;
    ModelRunner run(MeanModel(Int8Tensor({1, 2, 1, 4}, 0.5f, -128),
                              Int8Tensor({1, 1, 1, 4}, 0.5f, -128), {1, 2}, true),
                    resolver, rounding);
    ASSERT_TRUE(run.ok()) << run.error();
    run.SetInput<int8_t>(0, {3, -3, 127, -128,  //
                             4, -4, 126, -127});
    ASSERT_TRUE(run.Invoke().ok());
    // 7/2, -7/2, 253/2, -255/2.
    EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{3, -3, 126, -127}));
  }
}

// Input scale 1, output scale 0.5, count 4: the multiplier is exactly 1/2
// with shift 0, so the output is sum / 2 from the rounding doubling high
// multiply alone, which rounds ties upward in both modes: -1.5 -> -1.
TEST(Mean, Int8RequantizedTieWithoutRightShift) {
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    MeanResolver resolver;
    ModelRunner run(
        MeanModel(Int8Tensor({1, 2, 2, 3}, 1.0f, 0), Int8Tensor({1, 3}, 0.5f, 0), {1, 2}, false),
        resolver, rounding);
    ASSERT_TRUE(run.ok()) << run.error();
    // Channel sums: -3, 3, 1 -> halves -1.5, 1.5, 0.5.
    run.SetInput<int8_t>(0, {-1, 1, 0,  //
                             -1, 1, 0,  //
                             -1, 0, 1,  //
                             0, 1, 0});
    ASSERT_TRUE(run.Invoke().ok());
    EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{-1, 2, 1}));
  }
}

// Input scale 1, output scale 2, count 2: multiplier 1/2 with shift 0, then
// the count folds in as shift -1, so output = sum / 4. Double rounding rounds
// twice (sum / 2 upward at ties, then / 2 away from zero): 1/4 -> 1/2 -> 1
// and -2/4 -> -1 -> -1. Single rounding rounds once, half upward: 0 and 0.
TEST(Mean, Int8RequantizedDoubleRoundingDiffersFromSingle) {
  struct Case {
    Rounding rounding;
    std::vector<int8_t> expected;
  };
  for (const Case& c : {Case{Rounding::kDouble, {1, -1, 1}}, Case{Rounding::kSingle, {0, 0, 1}}}) {
    MeanResolver resolver;
    ModelRunner run(MeanModel(Int8Tensor({1, 1, 2, 3}, 1.0f, 0), Int8Tensor({1, 1, 1, 3}, 2.0f, 0),
                              {1, 2}, true),
                    resolver, c.rounding);
    ASSERT_TRUE(run.ok()) << run.error();
    // Channel sums 1, -2, 3: real outputs 0.25, -0.5, 0.75.
    run.SetInput<int8_t>(0, {1, -1, 1,  //
                             0, -1, 2});
    ASSERT_TRUE(run.Invoke().ok());
    EXPECT_EQ(run.Output<int8_t>(0), c.expected);
  }
}

// Global average pooling as the converter writes it: MEAN over {1, 2} with
// new quantization. Expected values from a double-precision oracle, checked
// only where the rounding is unambiguous (both roundings agree there).
TEST(Mean, Int8GlobalAveragePoolMatchesRealArithmetic) {
  const float in_scale = 0.0473f, out_scale = 0.0211f;
  const int in_zp = -17, out_zp = 9;
  std::mt19937 random(7);
  std::vector<int8_t> in(1 * 5 * 5 * 16);
  for (auto& v : in) v = static_cast<int8_t>(static_cast<int>(random() % 256) - 128);
  for (int c = 0; c < 3; ++c) {  // saturating channels
    for (int i = 0; i < 25; ++i) in[i * 16 + c] = c == 0 ? 127 : (c == 1 ? -128 : in_zp);
  }
  for (bool keep_dims : {true, false}) {
    for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
      MeanResolver resolver;
      ModelRunner run(MeanModel(Int8Tensor({1, 5, 5, 16}, in_scale, in_zp),
                                Int8Tensor(keep_dims ? std::vector<int32_t>{1, 1, 1, 16}
                                                     : std::vector<int32_t>{1, 16},
                                           out_scale, out_zp),
                                {1, 2}, keep_dims),
                      resolver, rounding);
      ASSERT_TRUE(run.ok()) << run.error();
      run.SetInput<int8_t>(0, in);
      ASSERT_TRUE(run.Invoke().ok());
      const std::vector<int8_t> out = run.Output<int8_t>(0);
      int checked = 0;
      for (int c = 0; c < 16; ++c) {
        double sum = 0;
        for (int i = 0; i < 25; ++i) sum += in[i * 16 + c] - in_zp;
        const double real = static_cast<double>(in_scale) * sum / 25.0 / out_scale;
        const double fraction = real - std::floor(real);
        if (std::fabs(fraction - 0.5) < 0.01) continue;
        const double q = std::clamp(std::round(real) + out_zp, -128.0, 127.0);
        EXPECT_EQ(out[c], static_cast<int8_t>(q)) << "channel " << c;
        ++checked;
      }
      EXPECT_GE(checked, 14);
      EXPECT_EQ(out[0], 127);   // (127 + 17) * 0.0473 / 0.0211 + 9 saturates
      EXPECT_EQ(out[1], -128);  // (-128 + 17) * ... saturates
      EXPECT_EQ(out[2], out_zp);
    }
  }
}

TEST(Mean, Int8AllAxesOfARank3Tensor) {
  MeanResolver resolver;
  ModelRunner run(
      MeanModel(Int8Tensor({2, 2, 2}, 0.25f, 3), Int8Tensor({}, 0.5f, -5), {0, 1, 2}, false),
      resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  // Real values (q - 3) / 4: sum of (q - 3) = 64 -> mean 8 -> real 2 -> 2 / 0.5 - 5 = -1.
  run.SetInput<int8_t>(0, {3, 11, 19, 27, -5, 3, 11, 19});
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{-1}));
}

TEST(Mean, AbsentOptionsMeanKeepDimsFalse) {
  MeanResolver resolver;
  ModelRunner run(
      test::SingleOpModel(BuiltinOperator::kMean, FloatTensor({2, 2}), FloatTensor({2}),
                          schema::BuiltinOptionsType::kNone, {}, {Int32Constant({1}, {1})}),
      resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<float>(0, {1, 2, 3, 5});
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<float>(0), (std::vector<float>{1.5f, 4.0f}));
}

TEST(Mean, PlanRefusesBadNodes) {
  MeanResolver resolver;
  ModelRunner axis(MeanModel(FloatTensor({1, 2, 2, 1}), FloatTensor({1, 1}), {4}, false), resolver);
  EXPECT_EQ(axis.code(), StatusCode::kInvalidModel) << axis.error();
  EXPECT_NE(axis.error().find("axis 4"), std::string::npos) << axis.error();

  ModelRunner shape(MeanModel(FloatTensor({1, 2, 2, 3}), FloatTensor({1, 1, 1, 3}), {1, 2}, false),
                    resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
  EXPECT_NE(shape.error().find("axes {1,2}"), std::string::npos) << shape.error();

  host::TfliteBuilder b;  // axes as a graph input, not a constant
  const int in = b.AddTensor(FloatTensor({2, 2}));
  TensorSpec axes_spec;
  axes_spec.type = TensorType::kInt32;
  axes_spec.shape = {1};
  const int axes = b.AddTensor(axes_spec);
  const int out = b.AddTensor(FloatTensor({2}));
  b.AddOperator({BuiltinOperator::kMean, 1, {in, axes}, {out}});
  b.SetInputs({in, axes});
  b.SetOutputs({out});
  ModelRunner dynamic(b.Build(), resolver);
  EXPECT_EQ(dynamic.code(), StatusCode::kUnsupported) << dynamic.error();
  EXPECT_NE(dynamic.error().find("constant"), std::string::npos) << dynamic.error();

  ModelRunner mixed(MeanModel(Int8Tensor({1, 2, 2, 1}, 1, 0), FloatTensor({1, 1}), {1, 2}, false),
                    resolver);
  EXPECT_EQ(mixed.code(), StatusCode::kInvalidModel) << mixed.error();

  ModelRunner wrong_options(
      test::SingleOpModel(BuiltinOperator::kMean, FloatTensor({2, 2}), FloatTensor({2}),
                          schema::BuiltinOptionsType::kSoftmaxOptions,
                          {OptionField::Float(schema::softmax_options::kBeta, 1.0f)},
                          {Int32Constant({1}, {1})}),
      resolver);
  EXPECT_EQ(wrong_options.code(), StatusCode::kInvalidModel) << wrong_options.error();
}

}  // namespace
}  // namespace picoml

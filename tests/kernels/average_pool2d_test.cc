// AVERAGE_POOL_2D: LiteRT's rounding of int8 averages, divisors at padded
// borders (in-bounds count, not filter area), activations, float, errors.
#include <gtest/gtest.h>

#include "kernels/single_op_model.h"
#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
using host::TensorSpec;
using test::FloatTensor;
using test::Int8Tensor;
using test::ModelRunner;
namespace pool2d = schema::pool2d_options;

struct Window {
  Padding padding;
  int stride_h, stride_w, filter_h, filter_w;
  Activation activation = Activation::kNone;
};

std::vector<uint8_t> AveragePoolModel(TensorSpec in, TensorSpec out, const Window& w) {
  return test::SingleOpModel(
      BuiltinOperator::kAveragePool2D, std::move(in), std::move(out),
      schema::BuiltinOptionsType::kPool2DOptions,
      {OptionField::Int8(pool2d::kPadding, static_cast<int>(w.padding)),
       OptionField::Int32(pool2d::kStrideW, w.stride_w),
       OptionField::Int32(pool2d::kStrideH, w.stride_h),
       OptionField::Int32(pool2d::kFilterWidth, w.filter_w),
       OptionField::Int32(pool2d::kFilterHeight, w.filter_h),
       OptionField::Int8(pool2d::kFusedActivation, static_cast<int>(w.activation))});
}

class AveragePoolResolver : public MutableOpResolver<1> {
 public:
  AveragePoolResolver() { EXPECT_TRUE(AddAveragePool2D().ok()); }
};

// Halves round away from zero; quarters to nearest; extremes stay in range.
TEST(AveragePool2D, Int8RoundsHalfAwayFromZero) {
  AveragePoolResolver resolver;
  ModelRunner pairs(
      AveragePoolModel(Int8Tensor({1, 1, 8, 1}, 0.1f, -128), Int8Tensor({1, 1, 4, 1}, 0.1f, -128),
                       {Padding::kValid, 1, 2, 1, 2}),
      resolver);
  ASSERT_TRUE(pairs.ok()) << pairs.error();
  pairs.SetInput<int8_t>(0, {2, 3, -2, -3, 127, 126, -128, -127});
  ASSERT_TRUE(pairs.Invoke().ok());
  EXPECT_EQ(pairs.Output<int8_t>(0), (std::vector<int8_t>{3, -3, 127, -128}));

  ModelRunner quads(
      AveragePoolModel(Int8Tensor({1, 1, 16, 1}, 0.1f, 127), Int8Tensor({1, 1, 4, 1}, 0.1f, 127),
                       {Padding::kValid, 1, 4, 1, 4}),
      resolver);
  ASSERT_TRUE(quads.ok()) << quads.error();
  quads.SetInput<int8_t>(0, {1, 1, 1, 2, 1, 2, 2, 2, -1, -1, -1, -2, -1, -2, -2, -2});
  ASSERT_TRUE(quads.Invoke().ok());
  // 1.25, 1.75, -1.25, -1.75.
  EXPECT_EQ(quads.Output<int8_t>(0), (std::vector<int8_t>{1, 2, -1, -2}));
}

// 4x4 values 1..16, SAME 3x3 stride 2: windows rows {0..2, 2..3} x cols
// {0..2, 2..3}; divisors 9, 6, 6, 4.
TEST(AveragePool2D, PaddedBorderDividesByInBoundsCount) {
  AveragePoolResolver resolver;
  std::vector<int8_t> in8(16);
  std::vector<float> in_float(16);
  for (int i = 0; i < 16; ++i) {
    in8[i] = static_cast<int8_t>(i + 1);
    in_float[i] = static_cast<float>(i + 1);
  }
  ModelRunner int8(
      AveragePoolModel(Int8Tensor({1, 4, 4, 1}, 1.0f, 0), Int8Tensor({1, 2, 2, 1}, 1.0f, 0),
                       {Padding::kSame, 2, 2, 3, 3}),
      resolver);
  ASSERT_TRUE(int8.ok()) << int8.error();
  int8.SetInput<int8_t>(0, in8);
  ASSERT_TRUE(int8.Invoke().ok());
  // 54/9, 45/6, 72/6, 54/4.
  EXPECT_EQ(int8.Output<int8_t>(0), (std::vector<int8_t>{6, 8, 12, 14}));

  ModelRunner fp(AveragePoolModel(FloatTensor({1, 4, 4, 1}), FloatTensor({1, 2, 2, 1}),
                                  {Padding::kSame, 2, 2, 3, 3}),
                 resolver);
  ASSERT_TRUE(fp.ok()) << fp.error();
  fp.SetInput<float>(0, in_float);
  ASSERT_TRUE(fp.Invoke().ok());
  EXPECT_EQ(fp.Output<float>(0), (std::vector<float>{6.0f, 7.5f, 12.0f, 13.5f}));
}

// 5x5, SAME 3x3 stride 2: one padding row/column on every side. Raw values
// 5 * row + col + 1 - 100; zero point -128 (pooling works on raw values).
TEST(AveragePool2D, Int8PaddingOnEveryBorder) {
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    AveragePoolResolver resolver;
    ModelRunner run(
        AveragePoolModel(Int8Tensor({1, 5, 5, 1}, 0.1f, -128), Int8Tensor({1, 3, 3, 1}, 0.1f, -128),
                         {Padding::kSame, 2, 2, 3, 3}),
        resolver, rounding);
    ASSERT_TRUE(run.ok()) << run.error();
    std::vector<int8_t> in(25);
    for (int i = 0; i < 25; ++i) in[i] = static_cast<int8_t>(i + 1 - 100);
    run.SetInput<int8_t>(0, in);
    ASSERT_TRUE(run.Invoke().ok());
    // Sums -384/4, -567/6, -372/4, -531/6, -783/9, -513/6, -324/4, -477/6,
    // -312/4, each rounded half away from zero.
    EXPECT_EQ(run.Output<int8_t>(0),
              (std::vector<int8_t>{-96, -95, -93, -89, -87, -86, -81, -80, -78}));
  }
}

TEST(AveragePool2D, FloatPaddingOnEveryBorderAndRelu6) {
  AveragePoolResolver resolver;
  ModelRunner run(AveragePoolModel(FloatTensor({1, 5, 5, 1}), FloatTensor({1, 3, 3, 1}),
                                   {Padding::kSame, 2, 2, 3, 3, Activation::kRelu6}),
                  resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  std::vector<float> in(25);
  for (int i = 0; i < 25; ++i) in[i] = static_cast<float>(i + 1) - 12.0f;
  run.SetInput<float>(0, in);
  ASSERT_TRUE(run.Invoke().ok());
  // Unclamped: 4, 5.5, 7, 11.5, 13, 14.5, 19, 20.5, 22 minus 12.
  EXPECT_EQ(run.Output<float>(0),
            (std::vector<float>{0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 2.5f, 6.0f, 6.0f, 6.0f}));
}

TEST(AveragePool2D, Int8ReluWithZeroPointAbove) {
  // Zero point 10, scale 0.5: RELU keeps raw values >= 10.
  AveragePoolResolver resolver;
  ModelRunner run(
      AveragePoolModel(Int8Tensor({1, 2, 2, 2}, 0.5f, 10), Int8Tensor({1, 1, 1, 2}, 0.5f, 10),
                       {Padding::kValid, 2, 2, 2, 2, Activation::kRelu}),
      resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<int8_t>(0, {0, 100, 4, 100, 8, 101, 12, 101});
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{10, 101}));  // 6 -> 10, 100.5 -> 101
}

TEST(AveragePool2D, PlanRefusesBadNodes) {
  AveragePoolResolver resolver;
  ModelRunner rescale(
      AveragePoolModel(Int8Tensor({1, 2, 2, 1}, 0.5f, 0), Int8Tensor({1, 1, 1, 1}, 0.5f, 3),
                       {Padding::kValid, 2, 2, 2, 2}),
      resolver);
  EXPECT_EQ(rescale.code(), StatusCode::kUnsupported) << rescale.error();
  ModelRunner relu1(AveragePoolModel(FloatTensor({1, 2, 2, 1}), FloatTensor({1, 1, 1, 1}),
                                     {Padding::kValid, 2, 2, 2, 2, Activation::kReluN1To1}),
                    resolver);
  EXPECT_EQ(relu1.code(), StatusCode::kUnsupported) << relu1.error();
  EXPECT_NE(relu1.error().find("RELU6"), std::string::npos) << relu1.error();
  ModelRunner stride(AveragePoolModel(FloatTensor({1, 2, 2, 1}), FloatTensor({1, 1, 1, 1}),
                                      {Padding::kValid, 2, -1, 2, 2}),
                     resolver);
  EXPECT_EQ(stride.code(), StatusCode::kInvalidModel) << stride.error();
  ModelRunner shape(AveragePoolModel(FloatTensor({1, 5, 5, 1}), FloatTensor({1, 2, 2, 1}),
                                     {Padding::kSame, 2, 2, 3, 3}),
                    resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
  EXPECT_NE(shape.error().find("[1, 3, 3, 1]"), std::string::npos) << shape.error();
  ModelRunner int16(
      test::SingleOpModel(
          BuiltinOperator::kAveragePool2D,
          [] {
            TensorSpec t = Int8Tensor({1, 2, 2, 1}, 1, 0);
            t.type = TensorType::kInt16;
            return t;
          }(),
          [] {
            TensorSpec t = Int8Tensor({1, 1, 1, 1}, 1, 0);
            t.type = TensorType::kInt16;
            return t;
          }(),
          schema::BuiltinOptionsType::kPool2DOptions,
          {OptionField::Int32(pool2d::kStrideW, 1), OptionField::Int32(pool2d::kStrideH, 1),
           OptionField::Int32(pool2d::kFilterWidth, 2),
           OptionField::Int32(pool2d::kFilterHeight, 2), OptionField::Int8(pool2d::kPadding, 1)}),
      resolver);
  EXPECT_EQ(int16.code(), StatusCode::kUnsupported) << int16.error();
  EXPECT_NE(int16.error().find("INT16"), std::string::npos) << int16.error();
}

}  // namespace
}  // namespace picoml

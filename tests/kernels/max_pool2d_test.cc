// MAX_POOL_2D: hand-computed windows, padding at every border, activations,
// float, and the errors plan reports.
#include <gtest/gtest.h>

#include <numeric>

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

std::vector<uint8_t> MaxPoolModel(TensorSpec in, TensorSpec out, const Window& w) {
  return test::SingleOpModel(
      BuiltinOperator::kMaxPool2D, std::move(in), std::move(out),
      schema::BuiltinOptionsType::kPool2DOptions,
      {OptionField::Int8(pool2d::kPadding, static_cast<int>(w.padding)),
       OptionField::Int32(pool2d::kStrideW, w.stride_w),
       OptionField::Int32(pool2d::kStrideH, w.stride_h),
       OptionField::Int32(pool2d::kFilterWidth, w.filter_w),
       OptionField::Int32(pool2d::kFilterHeight, w.filter_h),
       OptionField::Int8(pool2d::kFusedActivation, static_cast<int>(w.activation))});
}

class MaxPoolResolver : public MutableOpResolver<1> {
 public:
  MaxPoolResolver() { EXPECT_TRUE(AddMaxPool2D().ok()); }
};

TEST(MaxPool2D, Int8Valid2x2Stride2) {
  MaxPoolResolver resolver;
  ModelRunner run(MaxPoolModel(Int8Tensor({1, 4, 4, 1}, 0.5f, 0), Int8Tensor({1, 2, 2, 1}, 0.5f, 0),
                               {Padding::kValid, 2, 2, 2, 2}),
                  resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<int8_t>(0, {1, 5, -3, 2,         //
                           7, 0, 4, 4,          //
                           -128, -100, 127, 3,  //
                           -90, -120, 0, 0});
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{7, 4, -90, 127}));
}

// 5x5 input, all negative (value -(5 * row + col + 1)), SAME 3x3 stride 2:
// output 3x3, one row/column of padding on every side. Padding must never
// win, so every output is the in-bounds element nearest the top-left.
TEST(MaxPool2D, Int8SamePaddingAtEveryBorderNeverWins) {
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    MaxPoolResolver resolver;
    ModelRunner run(MaxPoolModel(Int8Tensor({1, 5, 5, 1}, 1.0f, 0),
                                 Int8Tensor({1, 3, 3, 1}, 1.0f, 0), {Padding::kSame, 2, 2, 3, 3}),
                    resolver, rounding);
    ASSERT_TRUE(run.ok()) << run.error();
    std::vector<int8_t> in(25);
    for (int i = 0; i < 25; ++i) in[i] = static_cast<int8_t>(-(i + 1));
    run.SetInput<int8_t>(0, in);
    ASSERT_TRUE(run.Invoke().ok());
    // Windows start at rows/cols -1, 1, 3.
    EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{-1, -2, -4, -6, -7, -9, -16, -17, -19}));
  }
}

// Even size, SAME 3x3 stride 2 on 4x4: the single padding row/column goes
// after the input (bottom, right). Channel 0 holds 4 * row + col + 1, so each window's
// maximum is its bottom-right in-bounds element.
TEST(MaxPool2D, Int8SameOddTotalPaddingGoesAfter) {
  MaxPoolResolver resolver;
  ModelRunner run(MaxPoolModel(Int8Tensor({1, 4, 4, 2}, 1.0f, 0), Int8Tensor({1, 2, 2, 2}, 1.0f, 0),
                               {Padding::kSame, 2, 2, 3, 3}),
                  resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  std::vector<int8_t> in(32);
  for (int i = 0; i < 16; ++i) {
    in[2 * i] = static_cast<int8_t>(i + 1);         // channel 0: 1..16
    in[2 * i + 1] = static_cast<int8_t>(-(i + 1));  // channel 1: -1..-16
  }
  run.SetInput<int8_t>(0, in);
  ASSERT_TRUE(run.Invoke().ok());
  // Windows: rows {0..2, 2..3} x cols {0..2, 2..3}.
  EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{11, -1, 12, -3, 15, -9, 16, -11}));
}

TEST(MaxPool2D, Int8ActivationClampsInTheQuantizedDomain) {
  // Zero point -128, scale 0.25: RELU6 keeps [-128, -128 + 24].
  MaxPoolResolver resolver;
  ModelRunner run(
      MaxPoolModel(Int8Tensor({1, 1, 4, 1}, 0.25f, -128), Int8Tensor({1, 1, 2, 1}, 0.25f, -128),
                   {Padding::kValid, 1, 2, 1, 2, Activation::kRelu6}),
      resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<int8_t>(0, {-128, -110, 127, 0});
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{-110, -104}));

  // Zero point 127: RELU's lower bound is 127, so everything saturates there.
  ModelRunner relu(
      MaxPoolModel(Int8Tensor({1, 1, 4, 1}, 1.0f, 127), Int8Tensor({1, 1, 2, 1}, 1.0f, 127),
                   {Padding::kValid, 1, 2, 1, 2, Activation::kRelu}),
      resolver);
  ASSERT_TRUE(relu.ok()) << relu.error();
  relu.SetInput<int8_t>(0, {-128, -1, 5, 126});
  ASSERT_TRUE(relu.Invoke().ok());
  EXPECT_EQ(relu.Output<int8_t>(0), (std::vector<int8_t>{127, 127}));
}

TEST(MaxPool2D, FloatSameStride1WithRelu) {
  MaxPoolResolver resolver;
  ModelRunner run(MaxPoolModel(FloatTensor({1, 2, 3, 1}), FloatTensor({1, 2, 3, 1}),
                               {Padding::kSame, 1, 1, 2, 2, Activation::kRelu}),
                  resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  // 2x2 windows, padding after: bottom row and right column see fewer taps.
  run.SetInput<float>(0, {-1.5f, -2.0f, -0.25f,  //
                          -3.0f, 2.5f, -7.0f});
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<float>(0), (std::vector<float>{2.5f, 2.5f, 0.0f, 2.5f, 2.5f, 0.0f}));
}

TEST(MaxPool2D, FloatNegativeValuesWithoutActivation) {
  MaxPoolResolver resolver;
  ModelRunner run(MaxPoolModel(FloatTensor({2, 1, 3, 1}), FloatTensor({2, 1, 2, 1}),
                               {Padding::kSame, 1, 2, 1, 2}),
                  resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<float>(0, {-5.0f, -6.0f, -1e30f, 1.0f, 2.0f, 3.0f});
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<float>(0), (std::vector<float>{-5.0f, -1e30f, 2.0f, 3.0f}));
}

struct ErrorCase {
  const char* name;
  TensorSpec in, out;
  Window window;
  StatusCode code;
  const char* message_part;
};

TEST(MaxPool2D, PlanRefusesBadNodes) {
  const std::vector<ErrorCase> cases = {
      {"zero stride",
       Int8Tensor({1, 4, 4, 1}, 1, 0),
       Int8Tensor({1, 2, 2, 1}, 1, 0),
       {Padding::kValid, 0, 2, 2, 2},
       StatusCode::kInvalidModel,
       "strides"},
      {"zero filter",
       Int8Tensor({1, 4, 4, 1}, 1, 0),
       Int8Tensor({1, 2, 2, 1}, 1, 0),
       {Padding::kValid, 2, 2, 0, 2},
       StatusCode::kInvalidModel,
       "filter size"},
      {"tanh",
       Int8Tensor({1, 4, 4, 1}, 1, 0),
       Int8Tensor({1, 2, 2, 1}, 1, 0),
       {Padding::kValid, 2, 2, 2, 2, Activation::kTanh},
       StatusCode::kUnsupported,
       "TANH"},
      {"wrong output shape",
       Int8Tensor({1, 4, 4, 1}, 1, 0),
       Int8Tensor({1, 3, 3, 1}, 1, 0),
       {Padding::kValid, 2, 2, 2, 2},
       StatusCode::kInvalidModel,
       "[1, 2, 2, 1]"},
      {"filter larger than input",
       Int8Tensor({1, 2, 2, 1}, 1, 0),
       Int8Tensor({1, 1, 1, 1}, 1, 0),
       {Padding::kValid, 1, 1, 3, 3},
       StatusCode::kInvalidModel,
       "does not fit"},
      {"rescaling output",
       Int8Tensor({1, 4, 4, 1}, 1, 0),
       Int8Tensor({1, 2, 2, 1}, 0.5f, 0),
       {Padding::kValid, 2, 2, 2, 2},
       StatusCode::kUnsupported,
       "scale and zero point"},
      {"type mismatch",
       Int8Tensor({1, 4, 4, 1}, 1, 0),
       FloatTensor({1, 2, 2, 1}),
       {Padding::kValid, 2, 2, 2, 2},
       StatusCode::kInvalidModel,
       "FLOAT32"},
      {"rank 3",
       Int8Tensor({4, 4, 1}, 1, 0),
       Int8Tensor({2, 2, 1}, 1, 0),
       {Padding::kValid, 2, 2, 2, 2},
       StatusCode::kInvalidModel,
       "4-D"},
  };
  for (const ErrorCase& c : cases) {
    MaxPoolResolver resolver;
    ModelRunner run(MaxPoolModel(c.in, c.out, c.window), resolver);
    EXPECT_EQ(run.code(), c.code) << c.name << ": " << run.error();
    EXPECT_NE(run.error().find(c.message_part), std::string::npos) << c.name << ": " << run.error();
  }
}

TEST(MaxPool2D, PlanRefusesMissingOptionsAndPerChannelQuantization) {
  MaxPoolResolver resolver;
  ModelRunner no_options(
      test::SingleOpModel(BuiltinOperator::kMaxPool2D, Int8Tensor({1, 2, 2, 1}, 1, 0),
                          Int8Tensor({1, 1, 1, 1}, 1, 0), schema::BuiltinOptionsType::kNone, {}),
      resolver);
  EXPECT_EQ(no_options.code(), StatusCode::kInvalidModel) << no_options.error();
  EXPECT_NE(no_options.error().find("Pool2DOptions"), std::string::npos) << no_options.error();

  TensorSpec per_channel = Int8Tensor({1, 2, 2, 2}, 1, 0);
  per_channel.scales = {1.0f, 2.0f};
  per_channel.zero_points = {0, 0};
  per_channel.quantized_dimension = 3;
  ModelRunner run(
      MaxPoolModel(per_channel, Int8Tensor({1, 1, 1, 2}, 1, 0), {Padding::kValid, 2, 2, 2, 2}),
      resolver);
  EXPECT_EQ(run.code(), StatusCode::kUnsupported) << run.error();
  EXPECT_NE(run.error().find("per tensor"), std::string::npos) << run.error();
}

}  // namespace
}  // namespace picoml

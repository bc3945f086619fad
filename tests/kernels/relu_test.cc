// RELU and RELU6: float32, and int8 as TFLM computes them (RELU requantizes
// from the input to the output scale; RELU6 clamps in the input's domain).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/model_runner.h"

namespace picoml {
namespace {

using host::TensorSpec;
using host::TfliteBuilder;

TensorSpec Int8(std::vector<int32_t> shape, float scale, int64_t zero_point) {
  TensorSpec t;
  t.type = TensorType::kInt8;
  t.shape = std::move(shape);
  t.scales = {scale};
  t.zero_points = {zero_point};
  return t;
}

TensorSpec Float(std::vector<int32_t> shape) {
  TensorSpec t;
  t.type = TensorType::kFloat32;
  t.shape = std::move(shape);
  return t;
}

std::vector<uint8_t> Model(BuiltinOperator op, TensorSpec in, TensorSpec out) {
  TfliteBuilder b;
  const int i = b.AddTensor(std::move(in));
  const int o = b.AddTensor(std::move(out));
  b.AddOperator({op, 1, {i}, {o}});
  b.SetInputs({i});
  b.SetOutputs({o});
  return b.Build();
}

struct Resolver : MutableOpResolver<2> {
  Resolver() {
    EXPECT_TRUE(AddRelu().ok());
    EXPECT_TRUE(AddRelu6().ok());
  }
};

template <typename T>
std::vector<T> RunOp(const std::vector<uint8_t>& model, const std::vector<T>& input,
                     Rounding rounding = Rounding::kDouble) {
  Resolver resolver;
  test::ModelRunner run(model, resolver, rounding);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<T>(0, input);
  EXPECT_TRUE(run.Invoke().ok());
  return run.Output<T>(0);
}

TEST(ReluFloat, ClampsBelowZeroAndSix) {
  const std::vector<float> in = {-2.5f, -0.0f, 0.5f, 5.9f, 6.0f, 7.5f, NAN};
  auto out = RunOp<float>(Model(BuiltinOperator::kRelu, Float({7}), Float({7})), in);
  EXPECT_EQ(std::vector<float>(out.begin(), out.end() - 1),
            (std::vector<float>{0, 0, 0.5f, 5.9f, 6, 7.5f}));
  EXPECT_TRUE(std::isnan(out.back()));
  out = RunOp<float>(Model(BuiltinOperator::kRelu6, Float({7}), Float({7})), in);
  EXPECT_EQ(std::vector<float>(out.begin(), out.end() - 1),
            (std::vector<float>{0, 0, 0.5f, 5.9f, 6, 6}));
  EXPECT_TRUE(std::isnan(out.back()));
}

TEST(ReluInt8, SameQuantizationClampsAtTheZeroPoint) {
  // Multiplier 1.0 (Q31 2^30, shift 1): values pass unchanged above zp.
  for (int zp : {-128, -5, 127}) {
    const auto model = Model(BuiltinOperator::kRelu, Int8({5}, 0.1f, zp), Int8({5}, 0.1f, zp));
    const std::vector<int8_t> in = {-128, -6, -5, 0, 127};
    std::vector<int8_t> expected;
    for (int8_t v : in) expected.push_back(static_cast<int8_t>(std::max<int>(v, zp)));
    EXPECT_EQ(RunOp<int8_t>(model, in), expected) << "zero point " << zp;
  }
}

TEST(ReluInt8, RequantizesToTheOutputScale) {
  // input scale 0.1 zp 10, output scale 0.2 zp -20: q = -20 + (x - 10) / 2,
  // rounded; then clamped to [-20, 127].
  // x = 10 -> -20; 13: 1.5 -> 2 -> -18; 15: 2.5 -> 3 -> -17 (positive ties
  // round up in both modes); 127: 58.5 -> 59 -> 39; -100 -> clamped to -20.
  const auto model = Model(BuiltinOperator::kRelu, Int8({5}, 0.1f, 10), Int8({5}, 0.2f, -20));
  EXPECT_EQ(RunOp<int8_t>(model, {10, 13, 15, 127, -100}),
            (std::vector<int8_t>{-20, -18, -17, 39, -20}));
  // Multiplier 0.375 (Q31 0.75, shift -1): x = 1 gives 0.375, which double
  // rounding (0.75 -> 1, then 1 / 2 -> 1) and single rounding (0) disagree on.
  const auto tie = Model(BuiltinOperator::kRelu, Int8({3}, 0.375f, 0), Int8({3}, 1.0f, 0));
  EXPECT_EQ(RunOp<int8_t>(tie, {1, 3, 4}, Rounding::kDouble), (std::vector<int8_t>{1, 1, 2}));
  EXPECT_EQ(RunOp<int8_t>(tie, {1, 3, 4}, Rounding::kSingle), (std::vector<int8_t>{0, 1, 2}));
  // Upscaling saturates at 127: scale 1 -> 0.01 is a multiplier of 100.
  const auto up = Model(BuiltinOperator::kRelu, Int8({3}, 1.0f, 0), Int8({3}, 0.01f, 0));
  EXPECT_EQ(RunOp<int8_t>(up, {1, 2, -1}), (std::vector<int8_t>{100, 127, 0}));
}

TEST(Relu6Int8, ClampsToZeroAndSixInTheInputQuantization) {
  // scale 0.05, zp -100: 0.0 -> -100, 6.0 -> round(120) - 100 = 20.
  const auto model = Model(BuiltinOperator::kRelu6, Int8({6}, 0.05f, -100), Int8({6}, 0.05f, -100));
  EXPECT_EQ(RunOp<int8_t>(model, {-128, -101, -100, 0, 20, 127}),
            (std::vector<int8_t>{-100, -100, -100, 0, 20, 20}));
  // 6.0 beyond the int8 range: six clamps to 127. zp 127: everything is 127.
  const auto wide = Model(BuiltinOperator::kRelu6, Int8({3}, 0.01f, 0), Int8({3}, 0.01f, 0));
  EXPECT_EQ(RunOp<int8_t>(wide, {-128, 5, 127}), (std::vector<int8_t>{0, 5, 127}));
  const auto top = Model(BuiltinOperator::kRelu6, Int8({2}, 0.1f, 127), Int8({2}, 0.1f, 127));
  EXPECT_EQ(RunOp<int8_t>(top, {-128, 127}), (std::vector<int8_t>{127, 127}));
  const auto bottom = Model(BuiltinOperator::kRelu6, Int8({3}, 0.1f, -128), Int8({3}, 0.1f, -128));
  EXPECT_EQ(RunOp<int8_t>(bottom, {-128, -68, 0}), (std::vector<int8_t>{-128, -68, -68}));
}

TEST(ReluErrors, Refusals) {
  Resolver resolver;
  test::ModelRunner shape(Model(BuiltinOperator::kRelu, Float({4}), Float({2, 2})), resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
  test::ModelRunner type(Model(BuiltinOperator::kRelu6, Int8({4}, 1, 0), Float({4})), resolver);
  EXPECT_EQ(type.code(), StatusCode::kInvalidModel) << type.error();
  TensorSpec i32 = Float({4});
  i32.type = TensorType::kInt32;
  test::ModelRunner unsupported(Model(BuiltinOperator::kRelu, i32, i32), resolver);
  EXPECT_EQ(unsupported.code(), StatusCode::kUnsupported) << unsupported.error();
}

}  // namespace
}  // namespace picoml

// Hostile single-op models that used to reach undefined behaviour in the
// kernels: each must now be refused in plan with a message, or run with
// defined results. Values worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/fixed_point.h"
#include "kernels/fixed_point_exp.h"
#include "single_op_model.h"
#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
using host::TensorSpec;
using test::Int8Tensor;
using test::SingleOpModel;

Status PlanStatus(const std::vector<uint8_t>& model) {
  AllOpsResolver resolver;
  test::ModelRunner run(model, resolver);
  if (run.ok()) return Status::Ok();
  return Status::Error(StatusCode::kInvalidModel, "%s", run.error().c_str());
}

void ExpectRefused(const std::vector<uint8_t>& model, const char* fragment) {
  AllOpsResolver resolver;
  test::ModelRunner run(model, resolver);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().find(fragment), std::string::npos) << run.error();
}

std::vector<uint8_t> BinaryModel(BuiltinOperator code, schema::BuiltinOptionsType type,
                                 TensorSpec a, TensorSpec b, TensorSpec out) {
  host::TfliteBuilder builder;
  const int ia = builder.AddTensor(std::move(a));
  const int ib = builder.AddTensor(std::move(b));
  const int io = builder.AddTensor(std::move(out));
  builder.AddOperator({code, 1, {ia, ib}, {io}, type, {}});
  builder.SetInputs({ia, ib});
  builder.SetOutputs({io});
  return builder.Build();
}

// Input scale 1, output scale 1e-10: a real multiplier of 1e10 >= 2^31 would
// need a left shift of 34.
TEST(HostileModel, HugeRequantizationScaleIsRefused) {
  ExpectRefused(
      BinaryModel(BuiltinOperator::kMul, schema::BuiltinOptionsType::kMulOptions,
                  Int8Tensor({4}, 1.0f, 0), Int8Tensor({4}, 1.0f, 0), Int8Tensor({4}, 1e-10f, 0)),
      "2^30");
  ExpectRefused(SingleOpModel(BuiltinOperator::kQuantize, Int8Tensor({4}, 1.0f, 0),
                              Int8Tensor({4}, 1e-10f, 0), schema::BuiltinOptionsType::kNone, {}),
                "2^30");
  ExpectRefused(SingleOpModel(BuiltinOperator::kRelu, Int8Tensor({4}, 1.0f, 0),
                              Int8Tensor({4}, 1e-10f, 0), schema::BuiltinOptionsType::kNone, {}),
                "2^30");
  // Just below the limit still plans.
  EXPECT_TRUE(
      PlanStatus(SingleOpModel(BuiltinOperator::kQuantize, Int8Tensor({4}, 1.0f, 0),
                               Int8Tensor({4}, 1e-9f, 0), schema::BuiltinOptionsType::kNone, {}))
          .ok());
}

TEST(HostileModel, AddAndMulZeroPointOutsideInt8IsRefused) {
  for (BuiltinOperator code : {BuiltinOperator::kAdd, BuiltinOperator::kMul}) {
    const auto type = code == BuiltinOperator::kAdd ? schema::BuiltinOptionsType::kAddOptions
                                                    : schema::BuiltinOptionsType::kMulOptions;
    ExpectRefused(BinaryModel(code, type, Int8Tensor({2}, 0.5f, -2147483648ll),
                              Int8Tensor({2}, 0.5f, 0), Int8Tensor({2}, 1.0f, 0)),
                  "outside [-128, 127]");
    ExpectRefused(BinaryModel(code, type, Int8Tensor({2}, 0.5f, 0), Int8Tensor({2}, 0.5f, 0),
                              Int8Tensor({2}, 1.0f, 4096)),
                  "outside [-128, 127]");
  }
}

TEST(HostileModel, Int8SoftmaxDepthLimit) {
  const auto model = [](int32_t depth) {
    return SingleOpModel(BuiltinOperator::kSoftmax, Int8Tensor({1, depth}, 0.1f, 0),
                         Int8Tensor({1, depth}, 1.0f / 256.0f, -128),
                         schema::BuiltinOptionsType::kSoftmaxOptions,
                         {OptionField::Float(schema::softmax_options::kBeta, 1.0f)});
  };
  ExpectRefused(model(4096), "at most 4095");
  // 4095 equal logits: each gets 1/4095 of 256 -> rounds to 0, stored -128.
  AllOpsResolver resolver;
  test::ModelRunner run(model(4095), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<int8_t>(0, std::vector<int8_t>(4095, 5));
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), std::vector<int8_t>(4095, -128));
}

TEST(HostileModel, PadWithPaddingNearInt64MaxIsRefused) {
  TensorSpec paddings;
  paddings.type = TensorType::kInt64;
  paddings.shape = {1, 2};
  const int64_t huge = std::numeric_limits<int64_t>::max() - 1;
  paddings.data = host::ToBytes(std::vector<int64_t>{huge, huge});
  ExpectRefused(
      SingleOpModel(BuiltinOperator::kPad, Int8Tensor({2}, 1.0f, 0), Int8Tensor({4}, 1.0f, 0),
                    schema::BuiltinOptionsType::kNone, {}, {paddings}),
      "padding");
}

TEST(HostileModel, MeanAndAveragePoolTermLimits) {
  TensorSpec axis;
  axis.type = TensorType::kInt32;
  axis.shape = {1};
  axis.data = host::ToBytes(std::vector<int32_t>{1});
  // Reducing 2^23 + 1 elements into one output is refused before any arena.
  ExpectRefused(
      SingleOpModel(BuiltinOperator::kMean, Int8Tensor({1, (1 << 23) + 1}, 1.0f, 0),
                    Int8Tensor({1}, 1.0f, 0), schema::BuiltinOptionsType::kNone, {}, {axis}),
      "2^23");
}

// The fixed-point helpers behind the fixes, on their own.
TEST(HostileModel, ActivationRangeWithTinyScaleIsClamped) {
  int32_t lo = 0, hi = 0;
  fixed_point::ActivationRangeInt8(Activation::kRelu6, 1e-40f, 3, &lo, &hi);
  EXPECT_EQ(lo, 3);
  EXPECT_EQ(hi, 127);
  fixed_point::ActivationRangeInt8(Activation::kReluN1To1, 1e-30f, 0, &lo, &hi);
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, 127);
}

TEST(HostileModel, QuantizeFloatToInt8) {
  EXPECT_EQ(fixed_point::QuantizeFloatToInt8(std::nanf(""), 0.5f, -7), -7);
  EXPECT_EQ(fixed_point::QuantizeFloatToInt8(1.25f, 0.5f, 0), 3);    // 2.5 -> 3 (away from 0)
  EXPECT_EQ(fixed_point::QuantizeFloatToInt8(-1.25f, 0.5f, 0), -3);  // -2.5 -> -3
  EXPECT_EQ(fixed_point::QuantizeFloatToInt8(1e30f, 1e-30f, 0), 127);
  EXPECT_EQ(fixed_point::QuantizeFloatToInt8(-INFINITY, 1.0f, 0), -128);
  EXPECT_EQ(fixed_point::QuantizeFloatToInt8(100.0f, 1.0f, 100), 127);
}

TEST(HostileModel, ReciprocalOfNonPositiveIsDefined) {
  int bits = 0;
  const int32_t r0 = fixed_point::Reciprocal(0, 12, &bits);
  int bits1 = 0;
  EXPECT_EQ(r0, fixed_point::Reciprocal(1, 12, &bits1));
  EXPECT_EQ(bits, bits1);
}

TEST(HostileModel, WrappingAdd) {
  EXPECT_EQ(fixed_point::WrappingAdd(2147483647, 1), -2147483647 - 1);
  EXPECT_EQ(fixed_point::WrappingAdd(-5, 3), -2);
}

}  // namespace
}  // namespace picoml

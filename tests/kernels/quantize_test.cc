// QUANTIZE: float -> int8 rounding (half away from zero) and saturation,
// int8 -> int8 requantization under both roundings, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernels/single_op_model.h"
#include "support/model_runner.h"

namespace picoml {
namespace {

using host::TensorSpec;
using test::FloatTensor;
using test::Int8Tensor;
using test::ModelRunner;

std::vector<uint8_t> QuantizeModel(TensorSpec in, TensorSpec out) {
  return test::SingleOpModel(BuiltinOperator::kQuantize, std::move(in), std::move(out),
                             schema::BuiltinOptionsType::kNone, {});
}

class QuantizeResolver : public MutableOpResolver<1> {
 public:
  QuantizeResolver() { EXPECT_TRUE(AddQuantize().ok()); }
};

std::vector<int8_t> FromFloat(float scale, int zero_point, const std::vector<float>& in) {
  QuantizeResolver resolver;
  const int32_t n = static_cast<int32_t>(in.size());
  ModelRunner run(QuantizeModel(FloatTensor({n}), Int8Tensor({n}, scale, zero_point)), resolver);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<float>(0, in);
  EXPECT_TRUE(run.Invoke().ok());
  return run.Output<int8_t>(0);
}

TEST(Quantize, FloatRoundsHalfAwayFromZero) {
  EXPECT_EQ(FromFloat(0.5f, 0, {0.25f, -0.25f, 0.75f, -0.75f, 0.2f, -0.3f, 0.0f, -0.0f}),
            (std::vector<int8_t>{1, -1, 2, -2, 0, -1, 0, 0}));
  // -6.125 / 0.05f is a tie in float: -122.5 -> -123, then the zero point.
  EXPECT_EQ(FromFloat(0.05f, -3, {-6.125f}), (std::vector<int8_t>{-126}));
}

TEST(Quantize, FloatSaturatesAndHandlesZeroPointExtremes) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(FromFloat(0.5f, 0, {1000.0f, -1000.0f, 1e30f, -1e30f, inf, -inf, 63.5f, 63.75f}),
            (std::vector<int8_t>{127, -128, 127, -128, 127, -128, 127, 127}));
  EXPECT_EQ(FromFloat(0.5f, 127, {0.0f, -1.0f, 1.0f, -127.5f, -128.0f}),
            (std::vector<int8_t>{127, 125, 127, -128, -128}));
  EXPECT_EQ(FromFloat(0.5f, -128, {0.0f, 1.0f, -1.0f, 127.5f, 200.0f}),
            (std::vector<int8_t>{-128, -126, -128, 127, 127}));
  EXPECT_EQ(FromFloat(0.5f, 7, {std::nanf("")}), (std::vector<int8_t>{7}));
}

// Input scale 0.5, output scale 2: multiplier 1/4 (2^30 with shift -1).
// Double rounding rounds twice (the high multiply ties upward, then the
// shift ties away from zero); single rounding once, ties upward.
TEST(Quantize, Int8RequantizeUnderBothRoundings) {
  struct Case {
    Rounding rounding;
    std::vector<int8_t> expected;
  };
  // Real outputs: 0.25, -0.5, 0.5, 0.75, -0.75, 31.75, -32.
  const std::vector<int8_t> in = {1, -2, 2, 3, -3, 127, -128};
  for (const Case& c : {Case{Rounding::kDouble, {1, -1, 1, 1, -1, 32, -32}},
                        Case{Rounding::kSingle, {0, 0, 1, 1, -1, 32, -32}}}) {
    QuantizeResolver resolver;
    ModelRunner run(QuantizeModel(Int8Tensor({7}, 0.5f, 0), Int8Tensor({7}, 2.0f, 0)), resolver,
                    c.rounding);
    ASSERT_TRUE(run.ok()) << run.error();
    run.SetInput<int8_t>(0, in);
    ASSERT_TRUE(run.Invoke().ok());
    EXPECT_EQ(run.Output<int8_t>(0), c.expected);
  }
}

TEST(Quantize, Int8RequantizeZeroPointShiftsSaturate) {
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    QuantizeResolver resolver;
    // Same scale: only the zero point moves, from 127 to -100.
    ModelRunner run(QuantizeModel(Int8Tensor({4}, 0.1f, 127), Int8Tensor({4}, 0.1f, -100)),
                    resolver, rounding);
    ASSERT_TRUE(run.ok()) << run.error();
    run.SetInput<int8_t>(0, {127, 100, 0, -128});
    ASSERT_TRUE(run.Invoke().ok());
    EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{-100, -127, -128, -128}));

    ModelRunner up(QuantizeModel(Int8Tensor({3}, 0.1f, -128), Int8Tensor({3}, 0.1f, 127)), resolver,
                   rounding);
    ASSERT_TRUE(up.ok()) << up.error();
    up.SetInput<int8_t>(0, {-128, -127, 0});
    ASSERT_TRUE(up.Invoke().ok());
    EXPECT_EQ(up.Output<int8_t>(0), (std::vector<int8_t>{127, 127, 127}));
  }
}

TEST(Quantize, PlanRefusesBadNodes) {
  QuantizeResolver resolver;
  ModelRunner float_out(QuantizeModel(FloatTensor({4}), FloatTensor({4})), resolver);
  EXPECT_EQ(float_out.code(), StatusCode::kUnsupported) << float_out.error();
  EXPECT_NE(float_out.error().find("FLOAT32 -> INT8"), std::string::npos) << float_out.error();
  TensorSpec per_channel = Int8Tensor({1, 2}, 1, 0);
  per_channel.scales = {1.0f, 2.0f};
  per_channel.zero_points = {0, 0};
  per_channel.quantized_dimension = 1;
  ModelRunner channels(QuantizeModel(FloatTensor({1, 2}), per_channel), resolver);
  EXPECT_EQ(channels.code(), StatusCode::kUnsupported) << channels.error();
  ModelRunner unquantized(QuantizeModel(FloatTensor({4}),
                                        [] {
                                          TensorSpec t = Int8Tensor({4}, 1, 0);
                                          t.scales.clear();
                                          t.zero_points.clear();
                                          return t;
                                        }()),
                          resolver);
  EXPECT_EQ(unquantized.code(), StatusCode::kUnsupported) << unquantized.error();
  ModelRunner shape(QuantizeModel(FloatTensor({4}), Int8Tensor({2, 2}, 1, 0)), resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
}

}  // namespace
}  // namespace picoml

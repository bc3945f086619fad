// LOGISTIC: int8 results LiteRT itself computed, the input radius, the
// midpoint, a double-precision oracle, float, and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/single_op_model.h"
#include "support/model_runner.h"

namespace picoml {
namespace {

using host::TensorSpec;
using test::FloatTensor;
using test::Int8Tensor;
using test::ModelRunner;

std::vector<uint8_t> LogisticModel(TensorSpec in, TensorSpec out) {
  return test::SingleOpModel(BuiltinOperator::kLogistic, std::move(in), std::move(out),
                             schema::BuiltinOptionsType::kNone, {});
}

class LogisticResolver : public MutableOpResolver<1> {
 public:
  LogisticResolver() { EXPECT_TRUE(AddLogistic().ok()); }
};

std::vector<int8_t> RunInt8(float scale, int zero_point, const std::vector<int8_t>& in,
                            Rounding rounding) {
  LogisticResolver resolver;
  const int32_t n = static_cast<int32_t>(in.size());
  ModelRunner run(
      LogisticModel(Int8Tensor({n}, scale, zero_point), Int8Tensor({n}, 1.0f / 256, -128)),
      resolver, rounding);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<int8_t>(0, in);
  EXPECT_TRUE(run.Invoke().ok());
  return run.Output<int8_t>(0);
}

std::vector<int8_t> Range(int from, int to) {
  std::vector<int8_t> v;
  for (int i = from; i <= to; ++i) v.push_back(static_cast<int8_t>(i));
  return v;
}

// LiteRT 2.5.3 (../shared/tools/litert-oracle), scale 0.03, zero point -40,
// inputs -128 .. -65.
TEST(Logistic, Int8MatchesLiteRTSingleRounding) {
  EXPECT_EQ(RunInt8(0.03f, -40, Range(-128, -65), Rounding::kSingle),
            (std::vector<int8_t>{-111, -110, -110, -109, -109, -108, -108, -107, -107, -106, -106,
                                 -105, -104, -104, -103, -102, -102, -101, -100, -99,  -99,  -98,
                                 -97,  -96,  -95,  -94,  -94,  -93,  -92,  -91,  -90,  -89,  -88,
                                 -87,  -86,  -85,  -84,  -82,  -81,  -80,  -79,  -78,  -77,  -75,
                                 -74,  -73,  -71,  -70,  -69,  -67,  -66,  -65,  -63,  -62,  -60,
                                 -59,  -57,  -56,  -54,  -52,  -51,  -49,  -48,  -46}));
}

// Scale 0.1: input_left_shift 24, radius floor(15 * 2^27 / 2^24) = 120. At
// and beyond the radius the output saturates without any arithmetic; just
// inside it, real arithmetic saturates too.
TEST(Logistic, Int8RadiusAndMidpoint) {
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    EXPECT_EQ(RunInt8(0.1f, 0, {-128, -120, -119, 0, 119, 120, 127}, rounding),
              (std::vector<int8_t>{-128, -128, -128, 0, 127, 127, 127}));
    // Zero points at both ends: the input equal to the zero point is 0.5.
    EXPECT_EQ(RunInt8(0.05f, 127, {127, -128}, rounding), (std::vector<int8_t>{0, -128}));
    EXPECT_EQ(RunInt8(0.05f, -128, {-128, 127}, rounding), (std::vector<int8_t>{0, 127}));
  }
}

TEST(Logistic, Int8AgreesWithRealArithmetic) {
  const float scale = 0.0371f;
  const int zero_point = 11;
  const std::vector<int8_t> in = Range(-128, 127);
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    const std::vector<int8_t> out = RunInt8(scale, zero_point, in, rounding);
    ASSERT_EQ(out.size(), 256u);
    int checked = 0;
    for (int i = 0; i < 256; ++i) {
      const double y = 256.0 / (1.0 + std::exp(-scale * (in[i] - zero_point)));
      if (std::fabs(y - std::floor(y) - 0.5) < 0.02) continue;
      EXPECT_EQ(out[i], static_cast<int8_t>(std::min(127.0, std::round(y) - 128))) << i;
      ++checked;
    }
    EXPECT_GE(checked, 220);
  }
}

TEST(Logistic, Float) {
  LogisticResolver resolver;
  ModelRunner run(LogisticModel(FloatTensor({2, 3}), FloatTensor({2, 3})), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<float>(0, {0.0f, 2.0f, -2.0f, 17.0f, -10.0f, -9.0f});
  ASSERT_TRUE(run.Invoke().ok());
  // Above 16.619... the result is exactly 1; below -9 it is exp(x).
  EXPECT_EQ(run.Output<float>(0),
            (std::vector<float>{0.5f, 1.0f / (1.0f + expf(-2.0f)), 1.0f / (1.0f + expf(2.0f)), 1.0f,
                                expf(-10.0f), 1.0f / (1.0f + expf(9.0f))}));
}

TEST(Logistic, PlanRefusesBadNodes) {
  LogisticResolver resolver;
  ModelRunner zero_point(LogisticModel(Int8Tensor({4}, 0.1f, 0), Int8Tensor({4}, 1.0f / 256, 0)),
                         resolver);
  EXPECT_EQ(zero_point.code(), StatusCode::kUnsupported) << zero_point.error();
  EXPECT_NE(zero_point.error().find("-128"), std::string::npos) << zero_point.error();
  ModelRunner scale(LogisticModel(Int8Tensor({4}, 0.1f, 0), Int8Tensor({4}, 1.0f / 128, -128)),
                    resolver);
  EXPECT_EQ(scale.code(), StatusCode::kUnsupported) << scale.error();
  ModelRunner types(LogisticModel(Int8Tensor({4}, 0.1f, 0), FloatTensor({4})), resolver);
  EXPECT_EQ(types.code(), StatusCode::kInvalidModel) << types.error();
  ModelRunner shape(LogisticModel(FloatTensor({4}), FloatTensor({1, 4})), resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
}

}  // namespace
}  // namespace picoml

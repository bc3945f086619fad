// SOFTMAX: int8 results LiteRT itself computed (single rounding), uniform
// rows, beta at both extremes, a double-precision oracle where rounding is
// unambiguous, float, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernels/single_op_model.h"
#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
using host::TensorSpec;
using test::FloatTensor;
using test::Int8Tensor;
using test::ModelRunner;

std::vector<uint8_t> SoftmaxModel(TensorSpec in, TensorSpec out, float beta) {
  return test::SingleOpModel(BuiltinOperator::kSoftmax, std::move(in), std::move(out),
                             schema::BuiltinOptionsType::kSoftmaxOptions,
                             {OptionField::Float(schema::softmax_options::kBeta, beta)});
}

std::vector<uint8_t> Int8Softmax(std::vector<int32_t> shape, float scale, int zero_point,
                                 float beta) {
  return SoftmaxModel(Int8Tensor(shape, scale, zero_point), Int8Tensor(shape, 1.0f / 256, -128),
                      beta);
}

class SoftmaxResolver : public MutableOpResolver<1> {
 public:
  SoftmaxResolver() { EXPECT_TRUE(AddSoftmax().ok()); }
};

std::vector<int8_t> RunSoftmax(const std::vector<uint8_t>& model, const std::vector<int8_t>& input,
                               Rounding rounding) {
  SoftmaxResolver resolver;
  ModelRunner run(model, resolver, rounding);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<int8_t>(0, input);
  EXPECT_TRUE(run.Invoke().ok());
  return run.Output<int8_t>(0);
}

// Outputs of LiteRT 2.5.3 (../shared/tools/litert-oracle) on the same
// single-operator models; LiteRT rounds once, like TFLITE_SINGLE_ROUNDING.
TEST(Softmax, Int8MatchesLiteRTSingleRounding) {
  EXPECT_EQ(
      RunSoftmax(Int8Softmax({1, 12}, 0.1524f, 26, 1.0f),
                 {25, 63, -48, -37, -47, 55, -115, -52, 33, -57, -46, -104}, Rounding::kSingle),
      (std::vector<int8_t>{-127, 68, -128, -128, -128, -70, -128, -128, -126, -128, -128, -128}));
  EXPECT_EQ(RunSoftmax(Int8Softmax({6, 9}, 0.05f, -128, 5.0f),
                       {25,  63,   -48, -37, -47, 55,  -115, -52, 33,   -57, -46, -104, -19, -36,
                        48,  125,  32,  -83, 108, -3,  4,    -94, 12,   1,   -54, -91,  117, 103,
                        84,  -47,  -37, 24,  120, 17,  -61,  -58, 43,   -14, 114, 64,   -3,  -49,
                        -32, -105, 27,  -58, -39, -21, 10,   57,  -101, -84, 117, 14},
                       Rounding::kSingle),
            (std::vector<int8_t>{-128, 97,   -128, -128, -128, -98,  -128, -128, -128, -128, -128,
                                 -128, -128, -128, -128, 127,  -128, -128, -104, -128, -128, -128,
                                 -128, -128, -128, -128, 104,  -124, -128, -128, -128, -128, 124,
                                 -128, -128, -128, -128, -128, 127,  -128, -128, -128, -128, -128,
                                 -128, -128, -128, -128, -128, -128, -128, -128, 127,  -128}));
}

// A row of n equal values: 256 / n - 128, rounded.
TEST(Softmax, UniformRows) {
  struct Case {
    int n;
    int8_t expected;
  };
  for (const Case& c : {Case{1, 127}, Case{2, 0}, Case{4, -64}, Case{7, -91}, Case{256, -127}}) {
    for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
      const std::vector<int8_t> out = RunSoftmax(
          Int8Softmax({2, c.n}, 0.1f, 0, 1.0f),
          [&] {
            std::vector<int8_t> in(2 * c.n, -128);
            for (int i = c.n; i < 2 * c.n; ++i) in[i] = 127;
            return in;
          }(),
          rounding);
      EXPECT_EQ(out, std::vector<int8_t>(2 * c.n, c.expected)) << "n = " << c.n;
    }
  }
}

TEST(Softmax, DominantElementSaturates) {
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    // Scale 1: differences below -15 are cut (diff_min), the maximum alone
    // gives 256 - 128, clamped to 127.
    EXPECT_EQ(RunSoftmax(Int8Softmax({3}, 1.0f, 0, 1.0f), {127, -128, 100}, rounding),
              (std::vector<int8_t>{127, -128, -128}));
  }
}

TEST(Softmax, ExtremeBeta) {
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    // A huge beta caps the multiplier: any value below the maximum vanishes,
    // and two maxima share the probability.
    EXPECT_EQ(RunSoftmax(Int8Softmax({4}, 0.1f, 0, 1e6f), {5, 5, 4, -128}, rounding),
              (std::vector<int8_t>{0, 0, -128, -128}));
    // A tiny beta flattens the row.
    EXPECT_EQ(RunSoftmax(Int8Softmax({4}, 0.1f, 0, 1e-6f), {-128, 0, 50, 127}, rounding),
              (std::vector<int8_t>{-64, -64, -64, -64}));
  }
}

// Double-precision softmax; compared where 256 * p is not within 0.05 of a
// rounding boundary, so both roundings must give round(256 * p) - 128.
TEST(Softmax, Int8AgreesWithRealArithmetic) {
  std::mt19937 random(5);
  const float scale = 0.0625f, beta = 1.0f;
  std::vector<int8_t> in(16 * 10);
  for (auto& v : in) v = static_cast<int8_t>(static_cast<int>(random() % 96) - 40);
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    const std::vector<int8_t> out =
        RunSoftmax(Int8Softmax({4, 4, 10}, scale, -3, beta), in, rounding);
    ASSERT_EQ(out.size(), in.size());
    int checked = 0;
    for (int row = 0; row < 16; ++row) {
      int max = -128;
      for (int c = 0; c < 10; ++c) max = std::max<int>(max, in[row * 10 + c]);
      double sum = 0;
      for (int c = 0; c < 10; ++c) sum += std::exp(beta * scale * (in[row * 10 + c] - max));
      for (int c = 0; c < 10; ++c) {
        const double y = 256.0 * std::exp(beta * scale * (in[row * 10 + c] - max)) / sum;
        if (std::fabs(y - std::floor(y) - 0.5) < 0.05) continue;
        const double expected = std::min(127.0, std::round(y) - 128);
        EXPECT_EQ(out[row * 10 + c], static_cast<int8_t>(expected)) << row << ", " << c;
        ++checked;
      }
    }
    EXPECT_GE(checked, 140);
  }
}

TEST(Softmax, FloatLastDimension) {
  SoftmaxResolver resolver;
  ModelRunner run(SoftmaxModel(FloatTensor({2, 1, 2}), FloatTensor({2, 1, 2}), 2.0f), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  const float half_log3 = static_cast<float>(std::log(3.0) / 2);
  run.SetInput<float>(0, {1.5f, 1.5f, 0.0f, half_log3});
  ASSERT_TRUE(run.Invoke().ok());
  const std::vector<float> out = run.Output<float>(0);
  EXPECT_EQ(out[0], 0.5f);
  EXPECT_EQ(out[1], 0.5f);
  EXPECT_NEAR(out[2], 0.25f, 1e-7);
  EXPECT_NEAR(out[3], 0.75f, 1e-7);
}

TEST(Softmax, PlanRefusesBadNodes) {
  SoftmaxResolver resolver;
  struct Case {
    const char* name;
    std::vector<uint8_t> model;
    StatusCode code;
    const char* message_part;
  };
  const std::vector<Case> cases = {
      {"output zero point",
       SoftmaxModel(Int8Tensor({4}, 0.1f, 0), Int8Tensor({4}, 1.0f / 256, -127), 1.0f),
       StatusCode::kUnsupported, "1/256"},
      {"output scale",
       SoftmaxModel(Int8Tensor({4}, 0.1f, 0), Int8Tensor({4}, 1.0f / 255, -128), 1.0f),
       StatusCode::kUnsupported, "1/256"},
      {"int8 to float", SoftmaxModel(Int8Tensor({4}, 0.1f, 0), FloatTensor({4}), 1.0f),
       StatusCode::kUnsupported, "FLOAT32"},
      {"shape", SoftmaxModel(FloatTensor({4}), FloatTensor({2, 2}), 1.0f),
       StatusCode::kInvalidModel, "shape"},
      {"rank 0", SoftmaxModel(FloatTensor({}), FloatTensor({}), 1.0f), StatusCode::kInvalidModel,
       "rank"},
      {"beta 0", Int8Softmax({4}, 0.1f, 0, 0.0f), StatusCode::kUnsupported, "beta"},
      {"no options",
       test::SingleOpModel(BuiltinOperator::kSoftmax, FloatTensor({4}), FloatTensor({4}),
                           schema::BuiltinOptionsType::kNone, {}),
       StatusCode::kInvalidModel, "SoftmaxOptions"},
  };
  for (const Case& c : cases) {
    ModelRunner run(c.model, resolver);
    EXPECT_EQ(run.code(), c.code) << c.name << ": " << run.error();
    EXPECT_NE(run.error().find(c.message_part), std::string::npos) << c.name << ": " << run.error();
  }
}

}  // namespace
}  // namespace picoml

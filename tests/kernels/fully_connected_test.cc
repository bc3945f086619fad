// FULLY_CONNECTED: hand-computed cases, random cases against an oracle
// written from LiteRT's semantics, reference vs optimized int8 loops, float,
// keep_num_dims and plan's errors.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "kernels/conv_common.h"
#include "kernels/conv_test_support.h"
#include "kernels/fixed_point.h"
#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
using host::TensorSpec;
using host::TfliteBuilder;
using test::ModelRunner;
namespace opt = schema::fully_connected_options;
namespace conv = kernels::conv;

struct FcModel {
  TensorSpec input, weights, output;
  std::optional<TensorSpec> bias;
  int activation = 0;
  bool keep_num_dims = false;
  bool with_options = true;

  std::vector<uint8_t> Build() const {
    TfliteBuilder b;
    const int in = b.AddTensor(input);
    const int w = b.AddTensor(weights);
    std::vector<int32_t> inputs = {in, w};
    inputs.push_back(bias ? b.AddTensor(*bias) : -1);
    const int out = b.AddTensor(output);
    host::OperatorSpec op;
    op.code = BuiltinOperator::kFullyConnected;
    op.inputs = inputs;
    op.outputs = {out};
    if (with_options) {
      op.options_type = schema::BuiltinOptionsType::kFullyConnectedOptions;
      op.options = {OptionField::Int8(opt::kFusedActivation, activation),
                    OptionField::Bool(opt::kKeepNumDims, keep_num_dims)};
    }
    b.AddOperator(op);
    b.SetInputs({in});
    b.SetOutputs({out});
    return b.Build();
  }
};

template <typename T>
std::vector<T> RunFc(const FcModel& m, const std::vector<T>& input,
                     Rounding rounding = Rounding::kDouble) {
  MutableOpResolver<1> resolver;
  EXPECT_TRUE(resolver.AddFullyConnected().ok());
  ModelRunner run(m.Build(), resolver, rounding);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<T>(0, input);
  EXPECT_TRUE(run.ok()) << run.error();
  const Status status = run.Invoke();
  EXPECT_TRUE(status.ok()) << status.message();
  return run.Output<T>(0);
}

Status PlanError(const FcModel& m) {
  MutableOpResolver<1> resolver;
  EXPECT_TRUE(resolver.AddFullyConnected().ok());
  ModelRunner run(m.Build(), resolver);
  if (run.ok()) return Status::Ok();
  return Status::Error(run.code(), "%s", run.error().c_str());
}

TEST(FullyConnectedTest, HandComputedWithZeroPointsAndBias) {
  // input zero point -128: stored -127, -126, -125 are real 1, 2, 3.
  // weights [[1, 2, 3], [-1, 0, 1]], bias [4, -2]: 14 + 4 = 18, 2 - 2 = 0.
  // Output zero point 127: 18 -> 145 -> 127 (saturates), 0 -> 127.
  FcModel m;
  m.input = test::Int8Tensor({1, 3}, 1.0f, -128);
  m.weights = test::Int8Filter({2, 3}, {1.0f}, 0, {1, 2, 3, -1, 0, 1});
  m.bias = test::Int32Tensor({2}, {4, -2});
  m.bias->scales = {1.0f};  // input scale x weights scale
  m.bias->zero_points = {0};
  m.output = test::Int8Tensor({1, 2}, 1.0f, 127);
  EXPECT_EQ(RunFc<int8_t>(m, {-127, -126, -125}), (std::vector<int8_t>{127, 127}));
  m.output = test::Int8Tensor({1, 2}, 1.0f, -100);
  EXPECT_EQ(RunFc<int8_t>(m, {-127, -126, -125}), (std::vector<int8_t>{-82, -100}));
  m.output = test::Int8Tensor({1, 2}, 0.1f, 0);  // 180 -> 127
  EXPECT_EQ(RunFc<int8_t>(m, {-127, -126, -125}), (std::vector<int8_t>{127, 0}));
}

TEST(FullyConnectedTest, WeightZeroPointIsAppliedPerTensor) {
  // LiteRT keeps a per-tensor weights offset for FULLY_CONNECTED:
  // (w - 2) * x with w = [3, 4], x = [5, 7] -> 5 + 14 = 19.
  FcModel m;
  m.input = test::Int8Tensor({1, 2}, 1.0f, 0);
  m.weights = test::Int8Tensor({1, 2}, 1.0f, 2, {3, 4});
  m.output = test::Int8Tensor({1, 1}, 1.0f, 0);
  EXPECT_EQ(RunFc<int8_t>(m, {5, 7}), (std::vector<int8_t>{19}));
}

TEST(FullyConnectedTest, RoundingsDifferAndActivations) {
  // Multiplier 0.25 (output scale 4). acc 13 -> 3.25: double 4, single 3.
  FcModel m;
  m.input = test::Int8Tensor({2, 1}, 1.0f, 0);  // batch 2
  m.weights = test::Int8Filter({1, 1}, {1.0f}, 0, {1});
  m.output = test::Int8Tensor({2, 1}, 4.0f, 0);
  EXPECT_EQ(RunFc<int8_t>(m, {13, -13}, Rounding::kDouble), (std::vector<int8_t>{4, -3}));
  EXPECT_EQ(RunFc<int8_t>(m, {13, -13}, Rounding::kSingle), (std::vector<int8_t>{3, -3}));
  m.activation = static_cast<int>(Activation::kRelu);
  EXPECT_EQ(RunFc<int8_t>(m, {13, -13}, Rounding::kDouble), (std::vector<int8_t>{4, 0}));
  m.output = test::Int8Tensor({2, 1}, 0.5f, 0);  // RELU6 ceiling 12
  m.activation = static_cast<int>(Activation::kRelu6);
  EXPECT_EQ(RunFc<int8_t>(m, {13, 3}), (std::vector<int8_t>{12, 6}));
}

TEST(FullyConnectedTest, InputFlattenedAndKeepNumDims) {
  // Input [2, 2, 2] read as [4, 2] (input depth 2); weights [[1, 1], [1, -1]].
  FcModel m;
  m.input = test::Int8Tensor({2, 2, 2}, 1.0f, 0);
  m.weights = test::Int8Filter({2, 2}, {1.0f}, 0, {1, 1, 1, -1});
  m.output = test::Int8Tensor({4, 2}, 1.0f, 0);
  const std::vector<int8_t> in = {1, 2, 3, 4, 5, 6, 7, 9};
  const std::vector<int8_t> expected = {3, -1, 7, -1, 11, -1, 16, -2};
  EXPECT_EQ(RunFc<int8_t>(m, in), expected);
  m.keep_num_dims = true;
  m.output = test::Int8Tensor({2, 2, 2}, 1.0f, 0);
  EXPECT_EQ(RunFc<int8_t>(m, in), expected);
  m.output = test::Int8Tensor({4, 2}, 1.0f, 0);  // keep_num_dims wants [2, 2, 2]
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
}

TEST(FullyConnectedTest, PerChannelWeights) {
  // Scales 1e-4 and 1e-1 per unit; input scale 1, output scale 0.01:
  // multipliers 0.01 and 10. acc 300 -> 3; acc 2 -> 20.
  FcModel m;
  m.input = test::Int8Tensor({1, 2}, 1.0f, 0);
  m.weights = test::Int8Filter({2, 2}, {1e-4f, 1e-1f}, 0, {100, 50, 1, 0});
  m.output = test::Int8Tensor({1, 2}, 0.01f, 0);
  EXPECT_EQ(RunFc<int8_t>(m, {2, 2}), (std::vector<int8_t>{3, 20}));
}

TEST(FullyConnectedTest, FloatHandComputed) {
  FcModel m;
  m.input = test::FloatTensor({1, 3});
  m.weights = test::FloatTensor({2, 3}, {1, 2, 3, -1, 0.5f, 0});
  m.bias = test::FloatTensor({2}, {0.5f, -0.25f});
  m.output = test::FloatTensor({1, 2});
  EXPECT_EQ(RunFc<float>(m, {1, 2, 4}), (std::vector<float>{17.5f, -0.25f}));
  m.activation = static_cast<int>(Activation::kRelu6);
  EXPECT_EQ(RunFc<float>(m, {1, 2, 4}), (std::vector<float>{6.0f, 0.0f}));
  m.bias.reset();
  m.activation = 0;
  EXPECT_EQ(RunFc<float>(m, {1, 2, 4}), (std::vector<float>{17.0f, 0.0f}));
}

// Per-tensor multiplier as LiteRT computes it: the scale product in float.
double PerTensorReal(float input_scale, float weights_scale, float output_scale) {
  const float product = input_scale * weights_scale;
  return double(product) / double(output_scale);
}

TEST(FullyConnectedTest, RandomCasesMatchOracle) {
  test::Random r(1234);
  for (int iteration = 0; iteration < 300; ++iteration) {
    const int batches = r.Int(1, 3), depth = r.Int(1, 40), units = r.Int(1, 12);
    const bool per_channel = r.Bool();
    const bool has_bias = r.Int(0, 3) != 0;
    const int input_zp = r.ZeroPoint();
    const float input_scale = r.LogUniform(0.005f, 0.1f);
    std::vector<float> scales;
    for (int u = 0; u < (per_channel ? units : 1); ++u)
      scales.push_back(r.LogUniform(1e-4f, 1e-1f));
    const auto input = r.Int8s(static_cast<size_t>(batches * depth));
    const auto weights = r.Int8s(static_cast<size_t>(units * depth));
    std::vector<int32_t> bias;
    for (int u = 0; u < units; ++u) bias.push_back(r.Int(-20000, 20000));
    std::vector<int64_t> acc;
    for (int b = 0; b < batches; ++b)
      for (int u = 0; u < units; ++u) {
        int64_t sum = has_bias ? bias[u] : 0;
        for (int d = 0; d < depth; ++d)
          sum += int64_t{weights[u * depth + d]} * (input[b * depth + d] - input_zp);
        acc.push_back(sum);
      }
    double largest = 1e-9;
    for (size_t i = 0; i < acc.size(); ++i)
      largest = std::max(largest, std::fabs(acc[i] * double(input_scale) *
                                            scales[scales.size() == 1 ? 0 : i % units]));
    const float output_scale = static_cast<float>(std::max(largest / 150.0, 1e-6));
    const int output_zp = r.ZeroPoint();
    const Rounding rounding = r.Bool() ? Rounding::kDouble : Rounding::kSingle;
    const Activation activation = static_cast<Activation>(std::vector<int>{0, 1, 3}[r.Int(0, 2)]);

    FcModel m;
    m.input = test::Int8Tensor({batches, depth}, input_scale, input_zp);
    m.weights = test::Int8Filter({units, depth}, scales, 0, weights);
    if (has_bias) {
      m.bias = test::Int32Tensor({units}, bias);
      m.bias->scales = {input_scale * scales[0]};  // LiteRT checks this when per tensor
      m.bias->zero_points = {0};
    }
    m.output = test::Int8Tensor({batches, units}, output_scale, output_zp);
    m.activation = static_cast<int>(activation);
    int32_t lo, hi;
    test::OracleActivationRange(activation, output_scale, output_zp, &lo, &hi);
    std::vector<int8_t> expected;
    for (size_t i = 0; i < acc.size(); ++i) {
      const double real = scales.size() == 1 ? PerTensorReal(input_scale, scales[0], output_scale)
                                             : double(input_scale) * double(scales[i % units]) /
                                                   double(output_scale);
      expected.push_back(test::OracleOutput(acc[i], test::OracleQuantize(real, rounding), rounding,
                                            output_zp, lo, hi));
    }
    ASSERT_EQ(RunFc<int8_t>(m, input, rounding), expected)
        << "iteration " << iteration << ": " << batches << "x" << depth << " -> " << units
        << (per_channel ? " per channel" : " per tensor");
  }
}

TEST(FullyConnectedTest, OptimizedMatchesReference) {
  test::Random r(8);
  for (int iteration = 0; iteration < 300; ++iteration) {
    conv::FullyConnectedInt8Params p = {};
    p.batches = r.Int(1, 3);
    p.input_depth = r.Int(1, 70);
    p.units = r.Int(1, 20);
    p.per_channel = r.Bool() ? 1 : 0;
    p.stage.input_offset = -r.ZeroPoint();
    p.stage.output_zero_point = r.ZeroPoint();
    p.stage.activation_min = r.Int(-128, 0);
    p.stage.activation_max = r.Int(0, 127);
    p.rounding = r.Bool() ? Rounding::kDouble : Rounding::kSingle;
    const auto input = r.Int8s(static_cast<size_t>(p.batches * p.input_depth));
    const auto weights = r.Int8s(static_cast<size_t>(p.units * p.input_depth));
    std::vector<int32_t> bias, multipliers;
    std::vector<int8_t> shifts;
    const bool has_bias = r.Bool();
    for (int u = 0; u < p.units; ++u) {
      bias.push_back(r.Int(-20000, 20000));
      int32_t m = 0;
      int shift = 0;
      fixed_point::QuantizeMultiplier(r.LogUniform(1e-4f, 1e-2f), &m, &shift, p.rounding);
      multipliers.push_back(m);
      shifts.push_back(static_cast<int8_t>(shift));
    }
    // The optimized kernel's working memory, filled with junk it must
    // overwrite; or none, for its term-by-term variant.
    std::vector<int16_t> shifted_input(static_cast<size_t>(p.input_depth), 12345);
    p.multipliers = multipliers.data();
    p.shifts = shifts.data();
    p.shifted_input = iteration % 2 ? shifted_input.data() : nullptr;
    std::vector<int8_t> reference(static_cast<size_t>(p.batches * p.units));
    std::vector<int8_t> optimized(reference.size(), 55);
    const int32_t* b = has_bias ? bias.data() : nullptr;
    conv::FullyConnectedInt8Reference(p, input.data(), weights.data(), b, reference.data());
    conv::FullyConnectedInt8Optimized(p, input.data(), weights.data(), b, optimized.data());
    ASSERT_EQ(reference, optimized) << "iteration " << iteration;
  }
}

// ---- Errors ----

FcModel SmallValid() {
  FcModel m;
  m.input = test::Int8Tensor({1, 3}, 1.0f, 0);
  m.weights = test::Int8Filter({2, 3}, {1.0f}, 0, {1, 2, 3, 4, 5, 6});
  m.output = test::Int8Tensor({1, 2}, 1.0f, 0);
  return m;
}

TEST(FullyConnectedTest, Errors) {
  EXPECT_TRUE(PlanError(SmallValid()).ok());
  FcModel m = SmallValid();
  m.with_options = false;  // all defaults: fine
  EXPECT_TRUE(PlanError(m).ok());
  m = SmallValid();
  m.output = test::Int8Tensor({1, 3}, 1.0f, 0);
  Status s = PlanError(m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(std::string(s.message()).find("[1, 2]"), std::string::npos) << s.message();
  m = SmallValid();
  m.input = test::Int8Tensor({1, 4}, 1.0f, 0);  // 4 % 3 != 0
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  for (TensorType type : {TensorType::kInt16, TensorType::kUInt8}) {
    m = SmallValid();
    m.input.type = m.output.type = type;
    s = PlanError(m);
    EXPECT_EQ(s.code(), StatusCode::kUnsupported);
    EXPECT_NE(std::string(s.message()).find(TensorTypeName(type)), std::string::npos)
        << s.message();
  }
  m = SmallValid();
  m.activation = static_cast<int>(Activation::kTanh);
  s = PlanError(m);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(s.message()).find("TANH"), std::string::npos) << s.message();
  m = SmallValid();
  m.input = test::FloatTensor({1, 3});
  m.output = test::FloatTensor({1, 2});
  s = PlanError(m);  // hybrid
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(s.message()).find("hybrid"), std::string::npos) << s.message();
  m = SmallValid();
  m.bias = test::Int32Tensor({2}, {1, 2});
  m.bias->scales = {0.5f};  // input x weights scale is 1: LiteRT refuses
  m.bias->zero_points = {0};
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.bias = test::Int32Tensor({3}, {1, 2, 3});
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace picoml

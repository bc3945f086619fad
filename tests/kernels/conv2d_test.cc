// CONV_2D: hand-computed cases, random cases against a naive oracle written
// from LiteRT's semantics (tests/kernels/conv_test_support.h), reference vs
// optimized int8 loops, float, and the errors plan must report.
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
namespace opt = schema::conv2d_options;
namespace conv = kernels::conv;

struct ConvModel {
  TensorSpec input, filter, output;
  std::optional<TensorSpec> bias;
  bool bias_as_minus_one = false;  // inputs {0, 1, -1} instead of {0, 1}
  Padding padding = Padding::kValid;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int activation = 0;
  bool with_options = true;
  schema::BuiltinOptionsType options_type = schema::BuiltinOptionsType::kConv2DOptions;

  std::vector<uint8_t> Build() const {
    TfliteBuilder b;
    const int in = b.AddTensor(input);
    const int w = b.AddTensor(filter);
    std::vector<int32_t> inputs = {in, w};
    if (bias)
      inputs.push_back(b.AddTensor(*bias));
    else if (bias_as_minus_one)
      inputs.push_back(-1);
    const int out = b.AddTensor(output);
    host::OperatorSpec op;
    op.code = BuiltinOperator::kConv2D;
    op.inputs = inputs;
    op.outputs = {out};
    if (with_options) {
      op.options_type = options_type;
      op.options = {OptionField::Int8(opt::kPadding, static_cast<int>(padding)),
                    OptionField::Int32(opt::kStrideW, stride_w),
                    OptionField::Int32(opt::kStrideH, stride_h),
                    OptionField::Int8(opt::kFusedActivation, activation),
                    OptionField::Int32(opt::kDilationW, dilation_w),
                    OptionField::Int32(opt::kDilationH, dilation_h)};
    }
    b.AddOperator(op);
    b.SetInputs({in});
    b.SetOutputs({out});
    return b.Build();
  }
};

template <typename T>
std::vector<T> RunConv(const ConvModel& m, const std::vector<T>& input,
                       Rounding rounding = Rounding::kDouble) {
  MutableOpResolver<1> resolver;
  EXPECT_TRUE(resolver.AddConv2D().ok());
  ModelRunner run(m.Build(), resolver, rounding);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<T>(0, input);
  EXPECT_TRUE(run.ok()) << run.error();
  const Status status = run.Invoke();
  EXPECT_TRUE(status.ok()) << status.message();
  return run.Output<T>(0);
}

Status PlanError(const ConvModel& m) {
  MutableOpResolver<1> resolver;
  EXPECT_TRUE(resolver.AddConv2D().ok());
  ModelRunner run(m.Build(), resolver);
  if (run.ok()) return Status::Ok();
  return Status::Error(run.code(), "%s", run.error().c_str());
}

std::vector<int8_t> Iota8(int n, int first) {
  std::vector<int8_t> v(n);
  for (int i = 0; i < n; ++i) v[i] = static_cast<int8_t>(first + i);
  return v;
}

// Unit scales everywhere: the int8 result is the integer sum itself.
ConvModel UnitModel(std::vector<int32_t> in, std::vector<int32_t> filter_shape,
                    std::vector<int8_t> filter, std::vector<int32_t> out, int input_zp = 0,
                    int output_zp = 0) {
  ConvModel m;
  m.input = test::Int8Tensor(in, 1.0f, input_zp);
  m.filter = test::Int8Filter(filter_shape, {1.0f}, 0, filter);
  m.output = test::Int8Tensor(out, 1.0f, output_zp);
  return m;
}

TEST(Conv2DTest, ValidHandComputed) {
  // 3x3 input 1..9, 2x2 filter of ones: window sums.
  ConvModel m = UnitModel({1, 3, 3, 1}, {1, 2, 2, 1}, {1, 1, 1, 1}, {1, 2, 2, 1});
  EXPECT_EQ(RunConv<int8_t>(m, Iota8(9, 1)), (std::vector<int8_t>{12, 16, 24, 28}));
}

TEST(Conv2DTest, SameEvenKernelPadsBottomRightAndSkipsPaddingWithZeroPointMinus128) {
  // Real values 1..9 stored with zero point -128. SAME with a 2x2 kernel
  // needs one pixel of padding, all on the bottom/right; padded taps add
  // nothing (not the zero point).
  ConvModel m = UnitModel({1, 3, 3, 1}, {1, 2, 2, 1}, {1, 1, 1, 1}, {1, 3, 3, 1}, -128);
  m.padding = Padding::kSame;
  EXPECT_EQ(RunConv<int8_t>(m, Iota8(9, -127)),
            (std::vector<int8_t>{12, 16, 9, 24, 28, 15, 15, 17, 9}));
}

TEST(Conv2DTest, SameOddKernelStride2WithOutputZeroPoint127) {
  // 4x4 input 1..16, 3x3 filter of -1, stride 2: total padding 1 (bottom
  // and right). Sums 54, 45, 72, 54 negated, plus output zero point 127.
  ConvModel m =
      UnitModel({1, 4, 4, 1}, {1, 3, 3, 1}, std::vector<int8_t>(9, -1), {1, 2, 2, 1}, 0, 127);
  m.padding = Padding::kSame;
  m.stride_h = m.stride_w = 2;
  EXPECT_EQ(RunConv<int8_t>(m, Iota8(16, 1)), (std::vector<int8_t>{73, 82, 55, 73}));
}

TEST(Conv2DTest, SameThreeByThreeStride1PadsEveryBorder) {
  // 3x3 input of -1, 3x3 filter of ones, SAME: each output is minus the
  // number of taps inside the image: corners 4, edges 6, centre 9.
  ConvModel m = UnitModel({1, 3, 3, 1}, {1, 3, 3, 1}, std::vector<int8_t>(9, 1), {1, 3, 3, 1}, 127);
  m.padding = Padding::kSame;
  // Input zero point 127: real value -1 is stored as 126.
  EXPECT_EQ(RunConv<int8_t>(m, std::vector<int8_t>(9, 126)),
            (std::vector<int8_t>{-4, -6, -4, -6, -9, -6, -4, -6, -4}));
}

TEST(Conv2DTest, Dilation2) {
  // 5x5 input 0..24, 2x2 ones dilated by 2 (3x3 window), VALID: out[y][x] =
  // in[y][x] + in[y][x+2] + in[y+2][x] + in[y+2][x+2] = 20y + 4x + 24.
  ConvModel m = UnitModel({1, 5, 5, 1}, {1, 2, 2, 1}, {1, 1, 1, 1}, {1, 3, 3, 1});
  m.dilation_h = m.dilation_w = 2;
  EXPECT_EQ(RunConv<int8_t>(m, Iota8(25, 0)),
            (std::vector<int8_t>{24, 28, 32, 44, 48, 52, 64, 68, 72}));
}

TEST(Conv2DTest, SaturatesAndAppliesBias) {
  // 1x1 conv, 2 input channels, 3 output channels; output scale 0.25 makes
  // every sum 4x larger.
  ConvModel m;
  m.input = test::Int8Tensor({1, 1, 2, 2}, 1.0f, 0);
  m.filter = test::Int8Filter({3, 1, 1, 2}, {1.0f}, 0, {1, 1, -1, -1, 1, 0});
  m.bias = test::Int32Tensor({3}, {0, 0, 5});
  m.output = test::Int8Tensor({1, 1, 2, 3}, 0.25f, 0);
  // pixel 0: (20, 10): sums 30, -30, 20+5 -> 120, -120, 100
  // pixel 1: (100, -100): 0, 0, 105 -> 0, 0, 420 -> 127
  EXPECT_EQ(RunConv<int8_t>(m, {20, 10, 100, -100}),
            (std::vector<int8_t>{120, -120, 100, 0, 0, 127}));
  // Large negative: pixel (-100, -100): -200 * 4 = -800 -> -128.
  EXPECT_EQ(RunConv<int8_t>(m, {-100, -100, 0, 0})[0], -128);
}

TEST(Conv2DTest, ReluAndRelu6Clamp) {
  // Output scale 0.5, zero point -20: RELU floor at -20, RELU6 ceiling at
  // -20 + 12 = -8. Sums -10, 2, 10 -> -40, -16, 0 before the clamp.
  ConvModel m;
  m.input = test::Int8Tensor({1, 1, 1, 1}, 1.0f, 0);
  m.filter = test::Int8Filter({3, 1, 1, 1}, {1.0f}, 0, {-5, 1, 5});
  m.output = test::Int8Tensor({1, 1, 1, 3}, 0.5f, -20);
  m.activation = static_cast<int>(Activation::kNone);
  EXPECT_EQ(RunConv<int8_t>(m, {2}), (std::vector<int8_t>{-40, -16, 0}));
  m.activation = static_cast<int>(Activation::kRelu);
  EXPECT_EQ(RunConv<int8_t>(m, {2}), (std::vector<int8_t>{-20, -16, 0}));
  m.activation = static_cast<int>(Activation::kRelu6);
  EXPECT_EQ(RunConv<int8_t>(m, {2}), (std::vector<int8_t>{-20, -16, -8}));
  m.activation = static_cast<int>(Activation::kReluN1To1);  // [-22, -18]
  EXPECT_EQ(RunConv<int8_t>(m, {2}), (std::vector<int8_t>{-22, -18, -18}));
}

TEST(Conv2DTest, RoundingsDiffer) {
  // Effective scale 1 * 1 / 4 = 0.25 (multiplier 2^30, shift -1). acc 5:
  // double rounding 2.5 -> 3 -> 1.5 -> 2; single rounding 1.25 -> 1.
  // acc 13: 3.25 -> double 4, single 3. acc -5: both -1.
  ConvModel m;
  m.input = test::Int8Tensor({1, 1, 3, 1}, 1.0f, 0);
  m.filter = test::Int8Filter({1, 1, 1, 1}, {1.0f}, 0, {1});
  m.output = test::Int8Tensor({1, 1, 3, 1}, 4.0f, 0);
  EXPECT_EQ(RunConv<int8_t>(m, {5, 13, -5}, Rounding::kDouble), (std::vector<int8_t>{2, 4, -1}));
  EXPECT_EQ(RunConv<int8_t>(m, {5, 13, -5}, Rounding::kSingle), (std::vector<int8_t>{1, 3, -1}));
}

TEST(Conv2DTest, MissingBiasBothForms) {
  ConvModel m = UnitModel({1, 1, 1, 2}, {1, 1, 1, 2}, {3, -2}, {1, 1, 1, 1});
  EXPECT_EQ(RunConv<int8_t>(m, {10, 5}), (std::vector<int8_t>{20}));
  m.bias_as_minus_one = true;
  EXPECT_EQ(RunConv<int8_t>(m, {10, 5}), (std::vector<int8_t>{20}));
}

TEST(Conv2DTest, PerChannelScalesOrdersOfMagnitudeApart) {
  // Filter scales 1e-4 and 1e-1, input scale 0.5, output scale 0.01:
  // effective 0.005 and 5. acc = 100 * 1 -> 0.5 -> 1 (double: away) and 500.
  ConvModel m;
  m.input = test::Int8Tensor({1, 1, 1, 1}, 0.5f, 0);
  m.filter = test::Int8Filter({2, 1, 1, 1}, {1e-4f, 1e-1f}, 0, {100, 1});
  m.output = test::Int8Tensor({1, 1, 1, 2}, 0.01f, 0);
  // channel 0: 100 * 1 * 0.005 = 0.5 -> 1; channel 1: 1 * 5 = 5.
  const auto out = RunConv<int8_t>(m, {1});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], 5);
  EXPECT_TRUE(out[0] == 0 || out[0] == 1);     // 0.5 within float error of the scales
  EXPECT_EQ(RunConv<int8_t>(m, {20})[0], 10);  // 100 * 20 * 0.005
}

TEST(Conv2DTest, GroupedConvolution) {
  // Input depth 4, filter depth 2: two groups, one filter each.
  ConvModel m = UnitModel({1, 1, 1, 4}, {2, 1, 1, 2}, {1, 2, 3, 4}, {1, 1, 1, 2});
  // group 0 reads channels 0,1: 1*1 + 2*2 = 5; group 1 reads 2,3: 3*3 + 4*4 = 25.
  EXPECT_EQ(RunConv<int8_t>(m, {1, 2, 3, 4}), (std::vector<int8_t>{5, 25}));
}

TEST(Conv2DTest, FloatHandComputed) {
  ConvModel m;
  m.input = test::FloatTensor({1, 3, 3, 1});
  m.filter = test::FloatTensor({2, 2, 2, 1}, {1, 1, 1, 1, 0.5f, 0, 0, -0.5f});
  m.bias = test::FloatTensor({2}, {0.25f, -1.0f});
  m.output = test::FloatTensor({1, 3, 3, 2});
  m.padding = Padding::kSame;
  const std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  // channel 0: window sums (SAME, 2x2) + 0.25; channel 1: 0.5*a - 0.5*d - 1.
  const std::vector<float> expected = {
      12.25f, -3.0f, 16.25f, -3.0f, 9.25f,  0.5f,   // row 0 (x=2: d is padding)
      24.25f, -3.0f, 28.25f, -3.0f, 15.25f, 2.0f,   // row 1
      15.25f, 2.5f,  17.25f, 3.0f,  9.25f,  3.5f};  // row 2 (d is padding)
  EXPECT_EQ(RunConv<float>(m, in), expected);
  m.activation = static_cast<int>(Activation::kRelu6);
  std::vector<float> clamped = expected;
  for (float& v : clamped) v = std::min(std::max(v, 0.0f), 6.0f);
  EXPECT_EQ(RunConv<float>(m, in), clamped);
}

// ---- Random cases against the oracle ----

struct RandomConv {
  int batches, in_h, in_w, in_c, out_c, filter_h, filter_w, filter_depth;
  int stride_h, stride_w, dilation_h, dilation_w;
  bool same, has_bias;
  Activation activation;
  int input_zp;
  float input_scale;
  std::vector<float> filter_scales;
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias;
  test::OracleWindow wy, wx;
};

RandomConv MakeRandomConv(test::Random& r) {
  for (;;) {
    RandomConv c;
    c.batches = r.Int(1, 2);
    c.in_h = r.Int(1, 9);
    c.in_w = r.Int(1, 9);
    const int groups = r.Int(0, 4) == 0 ? r.Int(2, 3) : 1;
    c.filter_depth = r.Int(1, 5);
    c.in_c = c.filter_depth * groups;
    c.out_c = groups * r.Int(1, 4);
    c.filter_h = r.Int(1, 4);
    c.filter_w = r.Int(1, 4);
    c.stride_h = r.Int(1, 3);
    c.stride_w = r.Int(1, 3);
    c.dilation_h = r.Int(1, 2);
    c.dilation_w = r.Int(1, 2);
    c.same = r.Bool();
    c.wy = test::OracleWindowFor(c.same, c.in_h, c.filter_h, c.stride_h, c.dilation_h);
    c.wx = test::OracleWindowFor(c.same, c.in_w, c.filter_w, c.stride_w, c.dilation_w);
    if (c.wy.out < 1 || c.wx.out < 1) continue;
    c.has_bias = r.Int(0, 3) != 0;
    c.activation = static_cast<Activation>(std::vector<int>{0, 1, 3}[r.Int(0, 2)]);
    c.input_zp = r.ZeroPoint();
    c.input_scale = r.LogUniform(0.005f, 0.1f);
    for (int i = 0; i < c.out_c; ++i) c.filter_scales.push_back(r.LogUniform(1e-4f, 1e-1f));
    if (r.Int(0, 4) == 0) c.filter_scales.resize(1);  // per tensor
    c.input = r.Int8s(static_cast<size_t>(c.batches * c.in_h * c.in_w * c.in_c));
    c.filter = r.Int8s(static_cast<size_t>(c.out_c * c.filter_h * c.filter_w * c.filter_depth));
    for (int i = 0; i < c.out_c; ++i) c.bias.push_back(r.Int(-20000, 20000));
    return c;
  }
}

// Naive 7-loop convolution in int64: [b][y][x][oc].
std::vector<int64_t> OracleAccumulators(const RandomConv& c) {
  std::vector<int64_t> acc;
  const int per_group = c.out_c / (c.in_c / c.filter_depth);
  for (int b = 0; b < c.batches; ++b)
    for (int oy = 0; oy < c.wy.out; ++oy)
      for (int ox = 0; ox < c.wx.out; ++ox)
        for (int oc = 0; oc < c.out_c; ++oc) {
          int64_t sum = c.has_bias ? c.bias[oc] : 0;
          for (int fy = 0; fy < c.filter_h; ++fy)
            for (int fx = 0; fx < c.filter_w; ++fx)
              for (int k = 0; k < c.filter_depth; ++k) {
                const int iy = oy * c.stride_h - c.wy.pad_before + fy * c.dilation_h;
                const int ix = ox * c.stride_w - c.wx.pad_before + fx * c.dilation_w;
                if (iy < 0 || ix < 0 || iy >= c.in_h || ix >= c.in_w) continue;
                const int ic = (oc / per_group) * c.filter_depth + k;
                const int64_t x = c.input[((b * c.in_h + iy) * c.in_w + ix) * c.in_c + ic];
                const int64_t w =
                    c.filter[((oc * c.filter_h + fy) * c.filter_w + fx) * c.filter_depth + k];
                sum += w * (x - c.input_zp);
              }
          acc.push_back(sum);
        }
  return acc;
}

TEST(Conv2DTest, RandomCasesMatchOracle) {
  test::Random r(20240611);
  for (int iteration = 0; iteration < 300; ++iteration) {
    const RandomConv c = MakeRandomConv(r);
    const std::vector<int64_t> acc = OracleAccumulators(c);
    // Output scale chosen so that the largest channel output lands near 150
    // (some saturation), with a random zero point.
    double largest = 1e-9;
    for (size_t i = 0; i < acc.size(); ++i) {
      const float fs = c.filter_scales[c.filter_scales.size() == 1 ? 0 : i % c.out_c];
      largest = std::max(largest, std::fabs(acc[i] * double(c.input_scale) * fs));
    }
    const float output_scale = static_cast<float>(std::max(largest / 150.0, 1e-6));
    const int output_zp = r.ZeroPoint();
    const Rounding rounding = r.Bool() ? Rounding::kDouble : Rounding::kSingle;

    ConvModel m;
    m.input = test::Int8Tensor({c.batches, c.in_h, c.in_w, c.in_c}, c.input_scale, c.input_zp);
    m.filter = test::Int8Filter({c.out_c, c.filter_h, c.filter_w, c.filter_depth}, c.filter_scales,
                                0, c.filter);
    if (c.has_bias) m.bias = test::Int32Tensor({c.out_c}, c.bias);
    m.output = test::Int8Tensor({c.batches, c.wy.out, c.wx.out, c.out_c}, output_scale, output_zp);
    m.padding = c.same ? Padding::kSame : Padding::kValid;
    m.stride_h = c.stride_h;
    m.stride_w = c.stride_w;
    m.dilation_h = c.dilation_h;
    m.dilation_w = c.dilation_w;
    m.activation = static_cast<int>(c.activation);

    int32_t lo, hi;
    test::OracleActivationRange(c.activation, output_scale, output_zp, &lo, &hi);
    std::vector<int8_t> expected;
    for (size_t i = 0; i < acc.size(); ++i) {
      const float fs = c.filter_scales[c.filter_scales.size() == 1 ? 0 : i % c.out_c];
      const double real = double(c.input_scale) * double(fs) / double(output_scale);
      expected.push_back(test::OracleOutput(acc[i], test::OracleQuantize(real, rounding), rounding,
                                            output_zp, lo, hi));
    }
    ASSERT_EQ(RunConv<int8_t>(m, c.input, rounding), expected)
        << "iteration " << iteration << ": in " << c.batches << "x" << c.in_h << "x" << c.in_w
        << "x" << c.in_c << " filter " << c.out_c << "x" << c.filter_h << "x" << c.filter_w << "x"
        << c.filter_depth << " stride " << c.stride_h << "," << c.stride_w << " dilation "
        << c.dilation_h << "," << c.dilation_w << (c.same ? " SAME" : " VALID");
  }
}

TEST(Conv2DTest, RandomFloatCasesMatchDoubleOracle) {
  test::Random r(77);
  for (int iteration = 0; iteration < 100; ++iteration) {
    RandomConv c = MakeRandomConv(r);
    const std::vector<float> input =
        r.Floats(static_cast<size_t>(c.batches * c.in_h * c.in_w * c.in_c), -2, 2);
    const std::vector<float> filter =
        r.Floats(static_cast<size_t>(c.out_c * c.filter_h * c.filter_w * c.filter_depth), -1, 1);
    const std::vector<float> bias = r.Floats(static_cast<size_t>(c.out_c), -1, 1);
    ConvModel m;
    m.input = test::FloatTensor({c.batches, c.in_h, c.in_w, c.in_c});
    m.filter = test::FloatTensor({c.out_c, c.filter_h, c.filter_w, c.filter_depth}, filter);
    if (c.has_bias) m.bias = test::FloatTensor({c.out_c}, bias);
    m.output = test::FloatTensor({c.batches, c.wy.out, c.wx.out, c.out_c});
    m.padding = c.same ? Padding::kSame : Padding::kValid;
    m.stride_h = c.stride_h;
    m.stride_w = c.stride_w;
    m.dilation_h = c.dilation_h;
    m.dilation_w = c.dilation_w;
    m.activation = static_cast<int>(c.activation);
    const std::vector<float> out = RunConv<float>(m, input);
    ASSERT_EQ(out.size(), static_cast<size_t>(c.batches * c.wy.out * c.wx.out * c.out_c));
    const int per_group = c.out_c / (c.in_c / c.filter_depth);
    size_t i = 0;
    for (int b = 0; b < c.batches; ++b)
      for (int oy = 0; oy < c.wy.out; ++oy)
        for (int ox = 0; ox < c.wx.out; ++ox)
          for (int oc = 0; oc < c.out_c; ++oc, ++i) {
            double sum = c.has_bias ? bias[oc] : 0.0;
            for (int fy = 0; fy < c.filter_h; ++fy)
              for (int fx = 0; fx < c.filter_w; ++fx)
                for (int k = 0; k < c.filter_depth; ++k) {
                  const int iy = oy * c.stride_h - c.wy.pad_before + fy * c.dilation_h;
                  const int ix = ox * c.stride_w - c.wx.pad_before + fx * c.dilation_w;
                  if (iy < 0 || ix < 0 || iy >= c.in_h || ix >= c.in_w) continue;
                  const int ic = (oc / per_group) * c.filter_depth + k;
                  sum += double(input[((b * c.in_h + iy) * c.in_w + ix) * c.in_c + ic]) *
                         filter[((oc * c.filter_h + fy) * c.filter_w + fx) * c.filter_depth + k];
                }
            if (c.activation != Activation::kNone) sum = std::max(sum, 0.0);
            if (c.activation == Activation::kRelu6) sum = std::min(sum, 6.0);
            ASSERT_NEAR(out[i], sum, 1e-4) << "iteration " << iteration << " element " << i;
          }
  }
}

// ---- Reference vs optimized int8 loops ----

TEST(Conv2DTest, OptimizedMatchesReferenceOnRandomShapes) {
  test::Random r(99);
  for (int iteration = 0; iteration < 400; ++iteration) {
    const RandomConv c = MakeRandomConv(r);
    conv::WindowInt8Params p = {};
    p.geometry = {c.batches,  c.in_h,       c.in_w,       c.in_c,          c.filter_h,
                  c.filter_w, c.wy.out,     c.wx.out,     c.out_c,         c.stride_h,
                  c.stride_w, c.dilation_h, c.dilation_w, c.wy.pad_before, c.wx.pad_before};
    p.filter_depth = c.filter_depth;
    p.stage.input_offset = -c.input_zp;
    p.stage.output_zero_point = r.ZeroPoint();
    p.stage.activation_min = r.Int(-128, 0);
    p.stage.activation_max = r.Int(0, 127);
    p.rounding = r.Bool() ? Rounding::kDouble : Rounding::kSingle;
    std::vector<int32_t> multipliers(c.out_c);
    std::vector<int8_t> shifts(c.out_c);
    // Working memory for the gathered window, junk until the kernel fills it.
    std::vector<int16_t> window(
        conv::Conv2DInt8ScratchBytes(c.filter_h, c.filter_w, c.filter_depth) / 2, 0x5a5a);
    for (int oc = 0; oc < c.out_c; ++oc) {
      int shift = 0;
      fixed_point::QuantizeMultiplier(r.LogUniform(1e-5f, 1e-2f), &multipliers[oc], &shift,
                                      p.rounding);
      shifts[oc] = static_cast<int8_t>(shift);
    }
    p.multipliers = multipliers.data();
    p.shifts = shifts.data();
    p.window = window.data();
    const size_t out_size = static_cast<size_t>(c.batches * c.wy.out * c.wx.out * c.out_c);
    std::vector<int8_t> reference(out_size), optimized(out_size, 55);
    const int32_t* bias = c.has_bias ? c.bias.data() : nullptr;
    conv::Conv2DInt8Reference(p, c.input.data(), c.filter.data(), bias, reference.data());
    // Both forms of the loops, each on the filter as allocated (aligned) and
    // one byte off (the biased form's word loads then give way to bytes),
    // with and without skipping the requantization of clamped outputs.
    std::vector<int8_t> shifted(c.filter.size() + 1);
    std::copy(c.filter.begin(), c.filter.end(), shifted.begin() + 1);
    std::vector<int32_t> clamped_below(c.out_c);
    for (int oc = 0; oc < c.out_c; ++oc)
      clamped_below[oc] = conv::ClampedBelow(multipliers[oc], shifts[oc], p.stage, p.rounding);
    for (conv::Int8Loops loops : {conv::Int8Loops::kSignedWeights, conv::Int8Loops::kBiasedWeights})
      for (const int8_t* filter : {c.filter.data(), static_cast<const int8_t*>(shifted.data() + 1)})
        for (const int32_t* skip : {static_cast<const int32_t*>(nullptr),
                                    static_cast<const int32_t*>(clamped_below.data())}) {
          p.clamped_below = skip;
          std::fill(optimized.begin(), optimized.end(), 55);
          conv::Conv2DInt8Optimized(p, c.input.data(), filter, bias, optimized.data(), loops);
          ASSERT_EQ(reference, optimized)
              << "iteration " << iteration << ", loops " << static_cast<int>(loops)
              << (filter == c.filter.data() ? ", filter aligned" : ", filter one byte off")
              << (skip ? ", clamped outputs skipped" : "");
        }
  }
}

// First layers over one input channel with a 3x3 or 3x4 window and no
// padding take their own loops (weights in registers, one output channel at
// a time): against the reference on random sizes, strides, zero points and
// values, including all-extreme inputs and weights; SAME sizes that need
// padding, dilation or other windows stay on the general loops.
TEST(Conv2DTest, SingleInputChannelLoopsMatchReference) {
  test::Random r(31);
  int taken = 0, declined = 0;
  for (int iteration = 0; iteration < 600; ++iteration) {
    const int filter_h = 3, filter_w = r.Bool() ? 3 : 4;
    const int batches = r.Int(1, 2), in_h = r.Int(3, 24), in_w = r.Int(4, 24);
    const int out_c = r.Int(1, 9), stride_h = r.Int(1, 3), stride_w = r.Int(1, 4);
    const int dilation = r.Int(0, 5) == 0 ? 2 : 1;
    const bool same = r.Int(0, 3) == 0;
    const test::OracleWindow wy = test::OracleWindowFor(same, in_h, filter_h, stride_h, dilation);
    const test::OracleWindow wx = test::OracleWindowFor(same, in_w, filter_w, stride_w, dilation);
    if (wy.out < 1 || wx.out < 1) continue;
    const int extremes = r.Int(0, 5);  // 0: every input and weight at an end of int8
    std::vector<int8_t> input = r.Int8s(static_cast<size_t>(batches * in_h * in_w));
    std::vector<int8_t> filter = r.Int8s(static_cast<size_t>(out_c * filter_h * filter_w));
    if (extremes == 0) {
      const int8_t x = r.Bool() ? 127 : -128, w = r.Bool() ? 127 : -128;
      std::fill(input.begin(), input.end(), x);
      std::fill(filter.begin(), filter.end(), w);
    }
    std::vector<int32_t> bias(out_c);
    for (int32_t& b : bias) b = r.Int(-20000, 20000);
    conv::WindowInt8Params p = {};
    p.geometry = {batches,  in_h,          in_w,         1,        filter_h, filter_w,
                  wy.out,   wx.out,        out_c,        stride_h, stride_w, dilation,
                  dilation, wy.pad_before, wx.pad_before};
    p.filter_depth = 1;
    p.stage.input_offset = -r.ZeroPoint();
    p.stage.output_zero_point = r.ZeroPoint();
    p.stage.activation_min = r.Int(-128, 0);
    p.stage.activation_max = r.Int(0, 127);
    p.rounding = r.Bool() ? Rounding::kDouble : Rounding::kSingle;
    std::vector<int32_t> multipliers(out_c), clamped_below(out_c);
    std::vector<int8_t> shifts(out_c);
    std::vector<int16_t> window(conv::Conv2DInt8ScratchBytes(filter_h, filter_w, 1) / 2);
    for (int oc = 0; oc < out_c; ++oc) {
      int shift = 0;
      fixed_point::QuantizeMultiplier(r.LogUniform(1e-5f, 1e-2f), &multipliers[oc], &shift,
                                      p.rounding);
      shifts[oc] = static_cast<int8_t>(shift);
      clamped_below[oc] = conv::ClampedBelow(multipliers[oc], shift, p.stage, p.rounding);
    }
    p.multipliers = multipliers.data();
    p.shifts = shifts.data();
    p.window = window.data();
    const bool padded = wy.pad_before > 0 || wx.pad_before > 0 ||
                        (wy.out - 1) * stride_h + (filter_h - 1) * dilation + 1 > in_h ||
                        (wx.out - 1) * stride_w + (filter_w - 1) * dilation + 1 > in_w;
    const bool expected_taken = !padded && dilation == 1;
    ASSERT_EQ(conv::Conv2DInt8SingleChannel(p), expected_taken) << iteration;
    (expected_taken ? taken : declined)++;
    const size_t out_size = static_cast<size_t>(batches * wy.out * wx.out * out_c);
    std::vector<int8_t> reference(out_size), optimized(out_size);
    conv::Conv2DInt8Reference(p, input.data(), filter.data(), bias.data(), reference.data());
    for (const int32_t* skip : {static_cast<const int32_t*>(nullptr),
                                static_cast<const int32_t*>(clamped_below.data())}) {
      p.clamped_below = skip;
      std::fill(optimized.begin(), optimized.end(), 55);
      conv::Conv2DInt8Optimized(p, input.data(), filter.data(), bias.data(), optimized.data());
      ASSERT_EQ(reference, optimized) << "iteration " << iteration << (skip ? ", skipping" : "");
    }
  }
  EXPECT_GT(taken, 300);
  EXPECT_GT(declined, 50);
}

// ---- Skipping the requantization of clamped outputs ----

// ClampedBelow against the requantization itself: just below the threshold
// the output is the activation minimum, at it the output is above it, and
// sampled accumulators below it all clamp. Random multipliers, shifts (<= 0,
// and > 0 where skipping is off), zero points, ranges and both roundings.
TEST(Conv2DTest, ClampedBelowIsWhereTheOutputLeavesTheMinimum) {
  test::Random r(7);
  int thresholds_inside = 0;
  for (int i = 0; i < 3000; ++i) {
    conv::OutputStage stage = {};
    stage.output_zero_point = r.ZeroPoint();
    stage.activation_min = r.Bool() ? -128 : r.Int(-128, 0);
    stage.activation_max = r.Int(stage.activation_min, 127);
    const Rounding rounding = r.Bool() ? Rounding::kDouble : Rounding::kSingle;
    int32_t multiplier = 0;
    int shift = 0;
    fixed_point::QuantizeMultiplier(r.LogUniform(1e-7f, r.Int(0, 9) == 0 ? 4.0f : 0.9f),
                                    &multiplier, &shift, rounding);
    const auto output = [&](int32_t acc) {
      return conv::RequantizeToInt8(acc, multiplier, shift, stage, rounding);
    };
    const int32_t t = conv::ClampedBelow(multiplier, shift, stage, rounding);
    if (shift > 0) {
      EXPECT_EQ(t, fixed_point::kInt32Min) << i;  // never skip
      continue;
    }
    if (t > fixed_point::kInt32Min) {
      ASSERT_EQ(output(t - 1), stage.activation_min) << i;
    }
    if (t < fixed_point::kInt32Max && stage.activation_max > stage.activation_min) {
      ASSERT_GT(output(t), stage.activation_min) << i;
    }
    if (t > -(1 << 24) && t < (1 << 24)) ++thresholds_inside;
    // Accumulators below the threshold, near and far.
    for (int64_t k = 1; k <= 64; ++k) {
      const int64_t acc = static_cast<int64_t>(t) - k * k * k * 23;
      if (acc < fixed_point::kInt32Min) break;
      ASSERT_EQ(output(static_cast<int32_t>(acc)), stage.activation_min) << i << " " << k;
    }
  }
  EXPECT_GT(thresholds_inside, 1000);  // the cases reach thresholds accumulators meet
}

// ---- Errors ----

ConvModel SmallValid() { return UnitModel({1, 3, 3, 1}, {1, 2, 2, 1}, {1, 1, 1, 1}, {1, 2, 2, 1}); }

TEST(Conv2DTest, WrongOutputShapeIsInvalidModel) {
  ConvModel m = SmallValid();
  m.output = test::Int8Tensor({1, 3, 3, 1}, 1.0f, 0);  // SAME's shape, VALID options
  const Status s = PlanError(m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(std::string(s.message()).find("output shape must be [1, 2, 2, 1]"), std::string::npos)
      << s.message();
  m.output = test::Int8Tensor({1, 2, 2, 2}, 1.0f, 0);  // wrong channel count
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
}

TEST(Conv2DTest, UnsupportedTypesNameTheType) {
  for (TensorType type : {TensorType::kInt16, TensorType::kUInt8}) {
    ConvModel m = SmallValid();
    m.input.type = type;
    m.output.type = type;
    const Status s = PlanError(m);
    EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.message();
    EXPECT_NE(std::string(s.message()).find(TensorTypeName(type)), std::string::npos)
        << s.message();
    EXPECT_NE(std::string(s.message()).find("CONV_2D"), std::string::npos) << s.message();
  }
  ConvModel hybrid;
  hybrid.input = test::FloatTensor({1, 3, 3, 1});
  hybrid.filter = test::Int8Filter({1, 2, 2, 1}, {1.0f}, 0, {1, 1, 1, 1});
  hybrid.output = test::FloatTensor({1, 2, 2, 1});
  EXPECT_EQ(PlanError(hybrid).code(), StatusCode::kUnsupported);
}

TEST(Conv2DTest, TanhActivationIsUnsupported) {
  ConvModel m = SmallValid();
  m.activation = static_cast<int>(Activation::kTanh);
  const Status s = PlanError(m);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(s.message()).find("TANH"), std::string::npos) << s.message();
  m.activation = 17;
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
}

TEST(Conv2DTest, BadOptionsAreInvalidModel) {
  ConvModel m = SmallValid();
  m.stride_w = 0;
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.dilation_h = 0;
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.padding = static_cast<Padding>(5);
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.with_options = false;
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.options_type = schema::BuiltinOptionsType::kPool2DOptions;
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  EXPECT_TRUE(PlanError(SmallValid()).ok());
}

TEST(Conv2DTest, BadQuantizationAndBiasAreRefused) {
  ConvModel m = SmallValid();
  m.filter = test::Int8Filter({1, 2, 2, 1}, {0.5f, 0.5f}, 0, {1, 1, 1, 1});  // 2 scales, 1 ch
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.bias = test::Int32Tensor({2}, {1, 2});  // one channel
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.bias = test::FloatTensor({1}, {1.0f});  // float bias on int8
  EXPECT_EQ(PlanError(m).code(), StatusCode::kUnsupported);
  m = SmallValid();
  m.filter = test::Int8Tensor({1, 2, 2, 1}, 1.0f, 3, {1, 1, 1, 1});  // asymmetric filter
  EXPECT_EQ(PlanError(m).code(), StatusCode::kUnsupported);
  m = SmallValid();
  m.output = test::Int8Tensor({1, 2, 2, 1}, 0.0f, 0);
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.output = test::Int8Tensor({1, 2, 2, 1}, 1e-12f, 0);  // 6 / 1e-12 does not fit int32
  m.activation = static_cast<int>(Activation::kRelu6);
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m.activation = static_cast<int>(Activation::kRelu);  // multiplier 1e12: refused too
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m.output = test::Int8Tensor({1, 2, 2, 1}, 1e-8f, 0);  // multiplier 1e8 < 2^30: fine
  EXPECT_TRUE(PlanError(m).ok());
  m = SmallValid();
  m.filter = test::Int8Filter({1, 4, 4, 1}, {1.0f}, 0, std::vector<int8_t>(16, 1));  // > input
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace picoml

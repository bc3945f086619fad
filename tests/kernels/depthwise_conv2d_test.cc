// DEPTHWISE_CONV_2D: hand-computed cases, random cases against a naive
// oracle, reference vs optimized int8 loops, float, and plan's errors.
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
namespace opt = schema::depthwise_conv2d_options;
namespace conv = kernels::conv;

struct DepthwiseModel {
  TensorSpec input, filter, output;
  std::optional<TensorSpec> bias;
  Padding padding = Padding::kValid;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int depth_multiplier = 1;
  int activation = 0;

  std::vector<uint8_t> Build() const {
    TfliteBuilder b;
    const int in = b.AddTensor(input);
    const int w = b.AddTensor(filter);
    std::vector<int32_t> inputs = {in, w};
    if (bias) inputs.push_back(b.AddTensor(*bias));
    const int out = b.AddTensor(output);
    host::OperatorSpec op;
    op.code = BuiltinOperator::kDepthwiseConv2D;
    op.inputs = inputs;
    op.outputs = {out};
    op.options_type = schema::BuiltinOptionsType::kDepthwiseConv2DOptions;
    op.options = {OptionField::Int8(opt::kPadding, static_cast<int>(padding)),
                  OptionField::Int32(opt::kStrideW, stride_w),
                  OptionField::Int32(opt::kStrideH, stride_h),
                  OptionField::Int32(opt::kDepthMultiplier, depth_multiplier),
                  OptionField::Int8(opt::kFusedActivation, activation),
                  OptionField::Int32(opt::kDilationW, dilation_w),
                  OptionField::Int32(opt::kDilationH, dilation_h)};
    b.AddOperator(op);
    b.SetInputs({in});
    b.SetOutputs({out});
    return b.Build();
  }
};

template <typename T>
std::vector<T> RunDepthwise(const DepthwiseModel& m, const std::vector<T>& input,
                            Rounding rounding = Rounding::kDouble) {
  MutableOpResolver<1> resolver;
  EXPECT_TRUE(resolver.AddDepthwiseConv2D().ok());
  ModelRunner run(m.Build(), resolver, rounding);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<T>(0, input);
  EXPECT_TRUE(run.ok()) << run.error();
  const Status status = run.Invoke();
  EXPECT_TRUE(status.ok()) << status.message();
  return run.Output<T>(0);
}

Status PlanError(const DepthwiseModel& m) {
  MutableOpResolver<1> resolver;
  EXPECT_TRUE(resolver.AddDepthwiseConv2D().ok());
  ModelRunner run(m.Build(), resolver);
  if (run.ok()) return Status::Ok();
  return Status::Error(run.code(), "%s", run.error().c_str());
}

TEST(DepthwiseConv2DTest, MultiplierTwoHandComputed) {
  // 2x2 input, 2 channels (a = 1..4, b = 10..40), multiplier 2, 2x2 filter
  // VALID: one output position, 4 channels: a*1, a*(-1), b*1, b*2 summed.
  DepthwiseModel m;
  m.input = test::Int8Tensor({1, 2, 2, 2}, 1.0f, 0);
  m.filter = test::Int8Filter({1, 2, 2, 4}, {1.0f}, 3,
                              {1, -1, 1, 2, 1, -1, 1, 2, 1, -1, 1, 2, 1, -1, 1, 2});
  m.output = test::Int8Tensor({1, 1, 1, 4}, 1.0f, 0);
  m.depth_multiplier = 2;
  // a: 1+2+3+4 = 10; b: 1+2+3+4 = 10 (stored as 1..4 too, with scale 1).
  EXPECT_EQ(RunDepthwise<int8_t>(m, {1, 1, 2, 2, 3, 3, 4, 4}),
            (std::vector<int8_t>{10, -10, 10, 20}));
}

TEST(DepthwiseConv2DTest, SamePaddingStride2ZeroPointsAtEdges) {
  // 1 channel, 3x3 input of real 1 stored with zero point -128 (-127), 3x3
  // filter of ones, SAME stride 2: out 2x2, total padding 2 -> 1 each side.
  // Taps inside: (0,0): rows 0-1, cols 0-1 = 4; (0,1): rows 0-1, cols 1-2 = 4;
  // likewise 4 and 4. Output zero point 127 with filter -1: 127 - 4 = 123.
  DepthwiseModel m;
  m.input = test::Int8Tensor({1, 3, 3, 1}, 1.0f, -128);
  m.filter = test::Int8Filter({1, 3, 3, 1}, {1.0f}, 3, std::vector<int8_t>(9, -1));
  m.output = test::Int8Tensor({1, 2, 2, 1}, 1.0f, 127);
  m.padding = Padding::kSame;
  m.stride_h = m.stride_w = 2;
  EXPECT_EQ(RunDepthwise<int8_t>(m, std::vector<int8_t>(9, -127)),
            (std::vector<int8_t>{123, 123, 123, 123}));
}

TEST(DepthwiseConv2DTest, PerChannelScalesBiasAndRoundings) {
  // Two channels, 1x1 filter [1, 1]; filter scales 0.25 and 1e-4 (per
  // channel); input scale 1, output scale 1 -> multipliers 0.25 and 1e-4.
  // Channel 0 acc = 5 + bias 8 = 13 -> 3.25: double 4, single 3.
  DepthwiseModel m;
  m.input = test::Int8Tensor({1, 1, 1, 2}, 1.0f, 0);
  m.filter = test::Int8Filter({1, 1, 1, 2}, {0.25f, 1e-4f}, 3, {1, 100});
  m.bias = test::Int32Tensor({2}, {8, 0});
  m.output = test::Int8Tensor({1, 1, 1, 2}, 1.0f, 0);
  EXPECT_EQ(RunDepthwise<int8_t>(m, {5, 100}, Rounding::kDouble),
            (std::vector<int8_t>{4, 1}));  // 100 * 100 * 1e-4 = 1
  EXPECT_EQ(RunDepthwise<int8_t>(m, {5, 100}, Rounding::kSingle), (std::vector<int8_t>{3, 1}));
}

TEST(DepthwiseConv2DTest, FloatWithRelu6AndNoBias) {
  DepthwiseModel m;
  m.input = test::FloatTensor({1, 1, 2, 2});
  m.filter = test::FloatTensor({1, 1, 1, 6}, {1, 2, 3, 0.5f, -1, 10});
  m.output = test::FloatTensor({1, 1, 2, 6});
  m.depth_multiplier = 3;
  m.activation = static_cast<int>(Activation::kRelu6);
  // pixel (1, 2): 1, 2, 3, 1, -2 -> 0, 20 -> 6; pixel (4, -1): 4, 8 -> 6, 12 -> 6, ...
  EXPECT_EQ(RunDepthwise<float>(m, {1, 2, 4, -1}),
            (std::vector<float>{1, 2, 3, 1, 0, 6, 4, 6, 6, 0, 1, 0}));
}

// ---- Random cases ----

struct RandomDepthwise {
  int batches, in_h, in_w, in_c, multiplier, filter_h, filter_w;
  int stride_h, stride_w, dilation_h, dilation_w;
  bool same, has_bias;
  Activation activation;
  int input_zp;
  float input_scale;
  std::vector<float> filter_scales;
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias;
  test::OracleWindow wy, wx;
  int out_c() const { return in_c * multiplier; }
};

RandomDepthwise MakeRandom(test::Random& r, int max_channels) {
  for (;;) {
    RandomDepthwise c;
    c.batches = r.Int(1, 2);
    c.in_h = r.Int(1, 9);
    c.in_w = r.Int(1, 9);
    c.multiplier = std::vector<int>{1, 1, 2, 3}[r.Int(0, 3)];
    c.in_c = r.Int(1, max_channels);
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
    for (int i = 0; i < c.out_c(); ++i) c.filter_scales.push_back(r.LogUniform(1e-4f, 1e-1f));
    if (r.Int(0, 4) == 0) c.filter_scales.resize(1);
    c.input = r.Int8s(static_cast<size_t>(c.batches * c.in_h * c.in_w * c.in_c));
    c.filter = r.Int8s(static_cast<size_t>(c.filter_h * c.filter_w * c.out_c()));
    for (int i = 0; i < c.out_c(); ++i) c.bias.push_back(r.Int(-5000, 5000));
    return c;
  }
}

std::vector<int64_t> OracleAccumulators(const RandomDepthwise& c) {
  std::vector<int64_t> acc;
  for (int b = 0; b < c.batches; ++b)
    for (int oy = 0; oy < c.wy.out; ++oy)
      for (int ox = 0; ox < c.wx.out; ++ox)
        for (int oc = 0; oc < c.out_c(); ++oc) {
          const int ic = oc / c.multiplier;
          int64_t sum = c.has_bias ? c.bias[oc] : 0;
          for (int fy = 0; fy < c.filter_h; ++fy)
            for (int fx = 0; fx < c.filter_w; ++fx) {
              const int iy = oy * c.stride_h - c.wy.pad_before + fy * c.dilation_h;
              const int ix = ox * c.stride_w - c.wx.pad_before + fx * c.dilation_w;
              if (iy < 0 || ix < 0 || iy >= c.in_h || ix >= c.in_w) continue;
              const int64_t x = c.input[((b * c.in_h + iy) * c.in_w + ix) * c.in_c + ic];
              const int64_t w = c.filter[(fy * c.filter_w + fx) * c.out_c() + oc];
              sum += w * (x - c.input_zp);
            }
          acc.push_back(sum);
        }
  return acc;
}

TEST(DepthwiseConv2DTest, RandomCasesMatchOracle) {
  test::Random r(4242);
  for (int iteration = 0; iteration < 300; ++iteration) {
    const RandomDepthwise c = MakeRandom(r, 6);
    const std::vector<int64_t> acc = OracleAccumulators(c);
    double largest = 1e-9;
    for (size_t i = 0; i < acc.size(); ++i) {
      const float fs = c.filter_scales[c.filter_scales.size() == 1 ? 0 : i % c.out_c()];
      largest = std::max(largest, std::fabs(acc[i] * double(c.input_scale) * fs));
    }
    const float output_scale = static_cast<float>(std::max(largest / 150.0, 1e-6));
    const int output_zp = r.ZeroPoint();
    const Rounding rounding = r.Bool() ? Rounding::kDouble : Rounding::kSingle;
    DepthwiseModel m;
    m.input = test::Int8Tensor({c.batches, c.in_h, c.in_w, c.in_c}, c.input_scale, c.input_zp);
    m.filter =
        test::Int8Filter({1, c.filter_h, c.filter_w, c.out_c()}, c.filter_scales, 3, c.filter);
    if (c.has_bias) m.bias = test::Int32Tensor({c.out_c()}, c.bias);
    m.output =
        test::Int8Tensor({c.batches, c.wy.out, c.wx.out, c.out_c()}, output_scale, output_zp);
    m.padding = c.same ? Padding::kSame : Padding::kValid;
    m.stride_h = c.stride_h;
    m.stride_w = c.stride_w;
    m.dilation_h = c.dilation_h;
    m.dilation_w = c.dilation_w;
    m.depth_multiplier = r.Bool() ? c.multiplier : 0;  // 0: inferred
    m.activation = static_cast<int>(c.activation);
    int32_t lo, hi;
    test::OracleActivationRange(c.activation, output_scale, output_zp, &lo, &hi);
    std::vector<int8_t> expected;
    for (size_t i = 0; i < acc.size(); ++i) {
      const float fs = c.filter_scales[c.filter_scales.size() == 1 ? 0 : i % c.out_c()];
      const double real = double(c.input_scale) * double(fs) / double(output_scale);
      expected.push_back(test::OracleOutput(acc[i], test::OracleQuantize(real, rounding), rounding,
                                            output_zp, lo, hi));
    }
    ASSERT_EQ(RunDepthwise<int8_t>(m, c.input, rounding), expected)
        << "iteration " << iteration << ": in " << c.batches << "x" << c.in_h << "x" << c.in_w
        << "x" << c.in_c << " multiplier " << c.multiplier << " filter " << c.filter_h << "x"
        << c.filter_w << " stride " << c.stride_h << "," << c.stride_w << " dilation "
        << c.dilation_h << "," << c.dilation_w << (c.same ? " SAME" : " VALID");
  }
}

TEST(DepthwiseConv2DTest, RandomFloatCasesMatchDoubleOracle) {
  test::Random r(5);
  for (int iteration = 0; iteration < 100; ++iteration) {
    const RandomDepthwise c = MakeRandom(r, 6);
    const auto input = r.Floats(c.input.size(), -2, 2);
    const auto filter = r.Floats(c.filter.size(), -1, 1);
    const auto bias = r.Floats(static_cast<size_t>(c.out_c()), -1, 1);
    DepthwiseModel m;
    m.input = test::FloatTensor({c.batches, c.in_h, c.in_w, c.in_c});
    m.filter = test::FloatTensor({1, c.filter_h, c.filter_w, c.out_c()}, filter);
    if (c.has_bias) m.bias = test::FloatTensor({c.out_c()}, bias);
    m.output = test::FloatTensor({c.batches, c.wy.out, c.wx.out, c.out_c()});
    m.padding = c.same ? Padding::kSame : Padding::kValid;
    m.stride_h = c.stride_h;
    m.stride_w = c.stride_w;
    m.dilation_h = c.dilation_h;
    m.dilation_w = c.dilation_w;
    m.depth_multiplier = c.multiplier;
    m.activation = static_cast<int>(c.activation);
    const auto out = RunDepthwise<float>(m, input);
    size_t i = 0;
    for (int b = 0; b < c.batches; ++b)
      for (int oy = 0; oy < c.wy.out; ++oy)
        for (int ox = 0; ox < c.wx.out; ++ox)
          for (int oc = 0; oc < c.out_c(); ++oc, ++i) {
            double sum = c.has_bias ? bias[oc] : 0.0;
            for (int fy = 0; fy < c.filter_h; ++fy)
              for (int fx = 0; fx < c.filter_w; ++fx) {
                const int iy = oy * c.stride_h - c.wy.pad_before + fy * c.dilation_h;
                const int ix = ox * c.stride_w - c.wx.pad_before + fx * c.dilation_w;
                if (iy < 0 || ix < 0 || iy >= c.in_h || ix >= c.in_w) continue;
                sum +=
                    double(input[((b * c.in_h + iy) * c.in_w + ix) * c.in_c + oc / c.multiplier]) *
                    filter[(fy * c.filter_w + fx) * c.out_c() + oc];
              }
            if (c.activation != Activation::kNone) sum = std::max(sum, 0.0);
            if (c.activation == Activation::kRelu6) sum = std::min(sum, 6.0);
            ASSERT_LT(i, out.size());
            ASSERT_NEAR(out[i], sum, 1e-4) << "iteration " << iteration;
          }
  }
}

TEST(DepthwiseConv2DTest, OptimizedMatchesReferenceOnRandomShapes) {
  // Channel counts up to 70 cross the optimized loop's 32-channel blocks.
  test::Random r(31337);
  for (int iteration = 0; iteration < 400; ++iteration) {
    const RandomDepthwise c = MakeRandom(r, iteration % 2 ? 70 : 6);
    conv::WindowInt8Params p = {};
    p.geometry = {c.batches,  c.in_h,       c.in_w,       c.in_c,          c.filter_h,
                  c.filter_w, c.wy.out,     c.wx.out,     c.out_c(),       c.stride_h,
                  c.stride_w, c.dilation_h, c.dilation_w, c.wy.pad_before, c.wx.pad_before};
    p.filter_depth = c.multiplier;
    p.stage.input_offset = -c.input_zp;
    p.stage.output_zero_point = r.ZeroPoint();
    p.stage.activation_min = r.Int(-128, 0);
    p.stage.activation_max = r.Int(0, 127);
    p.rounding = r.Bool() ? Rounding::kDouble : Rounding::kSingle;
    const int channels = c.out_c();
    std::vector<int32_t> multipliers(channels);
    std::vector<int8_t> shifts(channels);
    // Working memory for the folded bias, junk until the fold fills it.
    std::vector<int32_t> folded(channels, 0x5a5a5a5a);
    for (int oc = 0; oc < channels; ++oc) {
      int shift = 0;
      fixed_point::QuantizeMultiplier(r.LogUniform(1e-4f, 1e-1f), &multipliers[oc], &shift,
                                      p.rounding);
      shifts[oc] = static_cast<int8_t>(shift);
    }
    p.multipliers = multipliers.data();
    p.shifts = shifts.data();
    p.folded_bias = folded.data();
    const size_t out_size = static_cast<size_t>(c.batches * c.wy.out * c.wx.out * channels);
    std::vector<int8_t> reference(out_size), optimized(out_size, 55);
    const int32_t* bias = c.has_bias ? c.bias.data() : nullptr;
    conv::DepthwiseConv2DInt8Reference(p, c.input.data(), c.filter.data(), bias, reference.data());
    conv::FoldDepthwiseConv2DBias(p, c.filter.data(), bias);
    conv::DepthwiseConv2DInt8Optimized(p, c.input.data(), c.filter.data(), bias, optimized.data());
    ASSERT_EQ(reference, optimized) << "iteration " << iteration << " channels " << channels;
  }
}

// ---- Errors ----

DepthwiseModel SmallValid() {
  DepthwiseModel m;
  m.input = test::Int8Tensor({1, 3, 3, 2}, 1.0f, 0);
  m.filter = test::Int8Filter({1, 2, 2, 4}, {1.0f}, 3, std::vector<int8_t>(16, 1));
  m.output = test::Int8Tensor({1, 2, 2, 4}, 1.0f, 0);
  m.depth_multiplier = 2;
  return m;
}

TEST(DepthwiseConv2DTest, Errors) {
  EXPECT_TRUE(PlanError(SmallValid()).ok());
  DepthwiseModel m = SmallValid();
  m.depth_multiplier = 3;  // filter says 2
  Status s = PlanError(m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(std::string(s.message()).find("depth_multiplier"), std::string::npos) << s.message();
  m = SmallValid();
  m.output = test::Int8Tensor({1, 2, 2, 2}, 1.0f, 0);
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.filter = test::Int8Filter({1, 2, 2, 3}, {1.0f}, 3, std::vector<int8_t>(12, 1));  // 3 % 2
  m.output = test::Int8Tensor({1, 2, 2, 3}, 1.0f, 0);
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);
  m = SmallValid();
  m.filter = test::Int8Filter({1, 2, 2, 4}, {1.0f, 1.0f, 1.0f, 1.0f}, 0,
                              std::vector<int8_t>(16, 1));    // per channel along dim 0
  EXPECT_EQ(PlanError(m).code(), StatusCode::kInvalidModel);  // dim 0 has 1 entry, not 4
  m = SmallValid();
  m.input.type = m.output.type = TensorType::kInt16;
  s = PlanError(m);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(s.message()).find("INT16"), std::string::npos) << s.message();
  m = SmallValid();
  m.activation = static_cast<int>(Activation::kSignBit);
  s = PlanError(m);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(s.message()).find("SIGN_BIT"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace picoml

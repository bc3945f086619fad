// ADD kernel: int8 against hand-worked values and a double-precision oracle
// (asserted exactly where the real result is not near a rounding tie),
// broadcasting, fused activations, float32, errors; and, when the LiteRT
// oracle is installed, byte equality with LiteRT in single-rounding mode.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
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

// input 0 + input 1 -> output; `constant2` makes input 1 a constant.
std::vector<uint8_t> AddModel(TensorSpec a, TensorSpec b, TensorSpec out,
                              Activation activation = Activation::kNone) {
  TfliteBuilder builder;
  const int ia = builder.AddTensor(std::move(a));
  const bool b_constant = !b.data.empty();
  const int ib = builder.AddTensor(std::move(b));
  const int io = builder.AddTensor(std::move(out));
  builder.AddOperator(
      {BuiltinOperator::kAdd,
       1,
       {ia, ib},
       {io},
       schema::BuiltinOptionsType::kAddOptions,
       {OptionField::Int8(schema::add_options::kFusedActivation, static_cast<int>(activation))}});
  if (b_constant)
    builder.SetInputs({ia});
  else
    builder.SetInputs({ia, ib});
  builder.SetOutputs({io});
  return builder.Build();
}

struct Resolver : MutableOpResolver<1> {
  Resolver() { EXPECT_TRUE(AddAdd().ok()); }
};

template <typename T>
std::vector<T> RunAdd(const std::vector<uint8_t>& model, const std::vector<T>& a,
                      const std::vector<T>& b, Rounding rounding = Rounding::kDouble) {
  Resolver resolver;
  test::ModelRunner run(model, resolver, rounding);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<T>(0, a);
  if (!b.empty()) run.SetInput<T>(1, b);
  const Status status = run.Invoke();
  EXPECT_TRUE(status.ok()) << status.message();
  return run.Output<T>(0);
}

int8_t Clamp8(double v) { return static_cast<int8_t>(std::min(127.0, std::max(-128.0, v))); }

TEST(AddInt8, HandWorkedSameScale) {
  // Scales 0.5 everywhere, zero points 0: output = x1 + x2 exactly.
  const auto model = AddModel(Int8({4}, 0.5f, 0), Int8({4}, 0.5f, 0), Int8({4}, 0.5f, 0));
  EXPECT_EQ(RunAdd<int8_t>(model, {1, -3, 100, -100}, {2, 5, 100, -100}),
            (std::vector<int8_t>{3, 2, 127, -128}));
}

TEST(AddInt8, DifferentInputScalesAndZeroPoints) {
  // real = 0.1 * (x1 - 10) + 0.4 * (x2 + 5); output scale 0.2, zero point -3.
  const auto model = AddModel(Int8({5}, 0.1f, 10), Int8({5}, 0.4f, -5), Int8({5}, 0.2f, -3));
  // x1=10,x2=-5: 0 -> -3. x1=30,x2=-5: 2.0 -> 10-3=7. x1=10,x2=0: 2.0 -> 7.
  // x1=-30,x2=-10: -4-2=-6 -> -30-3=-33. x1=127,x2=127: 11.7+52.8=64.5 -> 322.5 -> 127.
  EXPECT_EQ(RunAdd<int8_t>(model, {10, 30, 10, -30, 127}, {-5, -5, 0, -10, 127}),
            (std::vector<int8_t>{-3, 7, 7, -33, 127}));
}

TEST(AddInt8, ZeroPointsAtBothEnds) {
  // Input zero points -128 and 127 (all-negative and all-positive ranges).
  const auto model = AddModel(Int8({5}, 1.0f, -128), Int8({5}, 1.0f, 127), Int8({5}, 1.0f, 127));
  // real = (x1 + 128) + (x2 - 127); q = real + 127.
  // (-100 + 128) + (0 - 127) = -99 -> 28; (-100 + 128) + (100 - 127) = 1 -> 128 -> 127.
  EXPECT_EQ(RunAdd<int8_t>(model, {-128, -128, -100, -100, 127}, {127, -128, 0, 100, 127}),
            (std::vector<int8_t>{127, -128, 28, 127, 127}));
  const auto low = AddModel(Int8({3}, 1.0f, 0), Int8({3}, 1.0f, 0), Int8({3}, 1.0f, -128));
  EXPECT_EQ(RunAdd<int8_t>(low, {0, 50, -10}, {0, 60, 5}), (std::vector<int8_t>{-128, -18, -128}));
}

TEST(AddInt8, FusedActivationsClampInTheQuantizedDomain) {
  // Output scale 0.1, zero point -20: 0.0 -> -20, 6.0 -> 40, -1 -> -30, 1 -> -10.
  const std::vector<int8_t> a = {-50, -10, 10, 30, 100};  // real a = 0.1 * x
  const std::vector<int8_t> b = {0, 0, 0, 0, 0};
  auto model = [](Activation act) {
    return AddModel(Int8({5}, 0.1f, 0), Int8({5}, 0.1f, 0), Int8({5}, 0.1f, -20), act);
  };
  EXPECT_EQ(RunAdd<int8_t>(model(Activation::kNone), a, b),
            (std::vector<int8_t>{-70, -30, -10, 10, 80}));
  EXPECT_EQ(RunAdd<int8_t>(model(Activation::kRelu), a, b),
            (std::vector<int8_t>{-20, -20, -10, 10, 80}));
  EXPECT_EQ(RunAdd<int8_t>(model(Activation::kRelu6), a, b),
            (std::vector<int8_t>{-20, -20, -10, 10, 40}));
  EXPECT_EQ(RunAdd<int8_t>(model(Activation::kReluN1To1), a, b),
            (std::vector<int8_t>{-30, -30, -10, -10, -10}));
}

// Real-valued oracle: where the exact result is at least 0.02 from a rounding
// tie, LiteRT's integer recipe (error well below 0.001 here) must give the
// same integer, in both rounding modes.
void CheckAgainstOracle(const std::vector<int32_t>& shape_a, const std::vector<int32_t>& shape_b,
                        const std::vector<int32_t>& shape_out, float sa, int za, float sb, int zb,
                        float so, int zo, uint32_t seed) {
  std::mt19937 rng(seed);
  auto count = [](const std::vector<int32_t>& s) {
    int64_t n = 1;
    for (int32_t d : s) n *= d;
    return n;
  };
  std::vector<int8_t> a(count(shape_a)), b(count(shape_b));
  for (auto& v : a) v = static_cast<int8_t>(rng() % 256);
  for (auto& v : b) v = static_cast<int8_t>(rng() % 256);
  const auto model =
      AddModel(Int8(shape_a, sa, za), Int8(shape_b, sb, zb), Int8(shape_out, so, zo));
  // Broadcast indices by hand, 4-D, aligned at the end.
  std::vector<int32_t> ea(4, 1), eb(4, 1), eo(4, 1);
  std::copy(shape_a.begin(), shape_a.end(), ea.end() - shape_a.size());
  std::copy(shape_b.begin(), shape_b.end(), eb.end() - shape_b.size());
  std::copy(shape_out.begin(), shape_out.end(), eo.end() - shape_out.size());
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    const auto out = RunAdd<int8_t>(model, a, b, rounding);
    ASSERT_EQ(static_cast<int64_t>(out.size()), count(shape_out));
    int exact = 0, o = 0;
    for (int n = 0; n < eo[0]; ++n)
      for (int h = 0; h < eo[1]; ++h)
        for (int w = 0; w < eo[2]; ++w)
          for (int c = 0; c < eo[3]; ++c, ++o) {
            auto at = [&](const std::vector<int32_t>& e) {
              return (((n % e[0]) * e[1] + h % e[1]) * e[2] + w % e[2]) * e[3] + c % e[3];
            };
            const double real = sa * (a[at(ea)] - za) + sb * (b[at(eb)] - zb);
            const double q = real / so + zo;
            const double frac = q - std::floor(q);
            if (std::abs(frac - 0.5) < 0.02) {
              EXPECT_NEAR(out[o], std::min(127.0, std::max(-128.0, q)), 1.0);
              continue;
            }
            ++exact;
            EXPECT_EQ(out[o], Clamp8(std::round(q))) << "element " << o << " real " << real;
          }
    EXPECT_GT(exact, count(shape_out) * 8 / 10);
  }
}

TEST(AddInt8, MatchesRealArithmeticSameShape) {
  CheckAgainstOracle({2, 3, 4, 5}, {2, 3, 4, 5}, {2, 3, 4, 5}, 0.0237f, 3, 0.0411f, -7, 0.0553f,
                     -11, 1);
}

TEST(AddInt8, MatchesRealArithmeticChannelBroadcast) {
  CheckAgainstOracle({1, 1, 1, 6}, {2, 3, 4, 6}, {2, 3, 4, 6}, 0.05f, -128, 0.02f, 127, 0.07f, 5,
                     2);
}

TEST(AddInt8, MatchesRealArithmeticTwoWayBroadcast) {
  // [N,1,W,1] + [1,H,1,C]: both inputs broadcast.
  CheckAgainstOracle({2, 1, 5, 1}, {1, 3, 1, 4}, {2, 3, 5, 4}, 0.1f, 0, 0.013f, -20, 0.09f, 10, 3);
}

TEST(AddInt8, MatchesRealArithmeticScalarAndLowerRank) {
  CheckAgainstOracle({3, 4, 5}, {1}, {3, 4, 5}, 0.031f, 1, 0.37f, 0, 0.043f, 0, 4);
  CheckAgainstOracle({}, {2, 7}, {2, 7}, 0.21f, -5, 0.011f, 9, 0.061f, -1, 5);
}

TEST(AddInt8, BroadcastPathEqualsSameShapePath) {
  // [1,1,1,C] + [N,H,W,C] must give exactly what the tiled same-shape add gives.
  const int N = 2, H = 3, W = 3, C = 4;
  std::mt19937 rng(7);
  std::vector<int8_t> small(C), big(N * H * W * C), tiled(N * H * W * C);
  for (auto& v : small) v = static_cast<int8_t>(rng() % 256);
  for (auto& v : big) v = static_cast<int8_t>(rng() % 256);
  for (size_t i = 0; i < tiled.size(); ++i) tiled[i] = small[i % C];
  for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    const auto broadcast =
        RunAdd<int8_t>(AddModel(Int8({1, 1, 1, C}, 0.031f, 4), Int8({N, H, W, C}, 0.017f, -9),
                                Int8({N, H, W, C}, 0.043f, 2)),
                       small, big, rounding);
    const auto same =
        RunAdd<int8_t>(AddModel(Int8({N, H, W, C}, 0.031f, 4), Int8({N, H, W, C}, 0.017f, -9),
                                Int8({N, H, W, C}, 0.043f, 2)),
                       tiled, big, rounding);
    EXPECT_EQ(broadcast, same);
  }
}

TEST(AddFloat, ElementwiseAndBroadcast) {
  EXPECT_EQ(RunAdd<float>(AddModel(Float({2, 2}), Float({2, 2}), Float({2, 2})), {1, 2, 3, 4},
                          {0.5f, -2, 10, -8}),
            (std::vector<float>{1.5f, 0, 13, -4}));
  EXPECT_EQ(RunAdd<float>(AddModel(Float({2, 1, 3}), Float({2, 1}), Float({2, 2, 3})),
                          {1, 2, 3, 10, 20, 30}, {100, 200}),
            (std::vector<float>{101, 102, 103, 201, 202, 203, 110, 120, 130, 210, 220, 230}));
}

TEST(AddFloat, ActivationsAndSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float max = std::numeric_limits<float>::max();
  auto out = RunAdd<float>(AddModel(Float({5}), Float({5}), Float({5}), Activation::kRelu6),
                           {-3, 2, 5, 7, 0}, {1, 1, 0.5f, 0, 0});
  EXPECT_EQ(out, (std::vector<float>{0, 3, 5.5f, 6, 0}));
  // No activation still clamps to the finite range, as LiteRT does; NaN passes.
  out = RunAdd<float>(AddModel(Float({4}), Float({4}), Float({4})), {inf, -inf, max, 1},
                      {0, 0, max, std::nanf("")});
  EXPECT_EQ(out[0], max);
  EXPECT_EQ(out[1], -max);
  EXPECT_EQ(out[2], max);
  EXPECT_TRUE(std::isnan(out[3]));
}

Status PlanError(const std::vector<uint8_t>& model) {
  Resolver resolver;
  test::ModelRunner run(model, resolver);
  EXPECT_FALSE(run.ok());
  return Status::Error(run.code(), "%s", run.error().c_str());
}

TEST(AddErrors, ShapesAndTypes) {
  Status s = PlanError(AddModel(Int8({2, 3}, 1, 0), Int8({4, 3}, 1, 0), Int8({4, 3}, 1, 0)));
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(std::string(s.message()).find("broadcast"), std::string::npos) << s.message();
  s = PlanError(AddModel(Int8({2, 3}, 1, 0), Int8({3}, 1, 0), Int8({3, 2}, 1, 0)));
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  s = PlanError(AddModel(Int8({3}, 1, 0), Float({3}), Float({3})));
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  TensorSpec i32 = Float({3});
  i32.type = TensorType::kInt32;
  s = PlanError(AddModel(i32, i32, i32));
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
}

TEST(AddErrors, QuantizationAndOptions) {
  TensorSpec per_channel = Int8({1, 2}, 1, 0);
  per_channel.scales = {1, 2};
  per_channel.zero_points = {0, 0};
  per_channel.quantized_dimension = 1;
  Status s = PlanError(AddModel(per_channel, Int8({1, 2}, 1, 0), Int8({1, 2}, 1, 0)));
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(s.message()).find("per tensor"), std::string::npos) << s.message();
  // 2 * max input scale / (2^20 * output scale) must stay below 1.
  s = PlanError(AddModel(Int8({2}, 1, 0), Int8({2}, 1, 0), Int8({2}, 1e-6f, 0)));
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  s = PlanError(AddModel(Int8({2}, 1, 0), Int8({2}, 1, 0), Int8({2}, 1, 0), Activation::kTanh));
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(s.message()).find("activation"), std::string::npos) << s.message();
}

// --- LiteRT cross-check (skipped when the oracle is not installed) ---------

std::string OracleScript() {
  return std::string(PICOML_SHARED_DIR) + "/tools/litert-oracle/run.mjs";
}

bool OracleInstalled() {
  const char* home = std::getenv("LITERT_ORACLE_HOME");
  std::string dir =
      home ? home
           : std::string(std::getenv("HOME") ? std::getenv("HOME") : "") + "/.cache/litert-oracle";
  return std::filesystem::exists(dir + "/node_modules/@litertjs/core") &&
         std::filesystem::exists(OracleScript()) &&
         std::system("node --version > /dev/null 2>&1") == 0;
}

// Runs `model` (one int8 input) through LiteRT; returns output 0's bytes.
std::vector<int8_t> RunOracle(const std::vector<uint8_t>& model, const std::vector<int8_t>& input,
                              const std::string& tag) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string base =
      (dir / ("picoml_oracle_" + tag + "_" + std::to_string(::getpid()))).string();
  std::ofstream(base + ".tflite", std::ios::binary)
      .write(reinterpret_cast<const char*>(model.data()), model.size());
  std::ofstream(base + ".in", std::ios::binary)
      .write(reinterpret_cast<const char*>(input.data()), input.size());
  const std::string command = "node '" + OracleScript() + "' '" + base + ".tflite' '" + base +
                              ".in' '" + base + ".out' > /dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(base + ".out", std::ios::binary);
  std::vector<int8_t> out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* ext : {".tflite", ".in", ".out"}) std::filesystem::remove(base + ext);
  return out;
}

TEST(AddLiteRT, SingleRoundingMatchesLiteRTWithBroadcast) {
  if (!OracleInstalled())
    GTEST_SKIP() << "LiteRT oracle not installed (../shared/tools/litert-oracle/setup.sh)";
  struct Case {
    std::vector<int32_t> a, b, out;
    float sa, sb, so;
    int za, zb, zo;
    Activation act;
  };
  const std::vector<Case> cases = {
      {{1, 4, 4, 8},
       {1, 1, 1, 8},
       {1, 4, 4, 8},
       0.0237f,
       0.0411f,
       0.0553f,
       3,
       -7,
       -11,
       Activation::kNone},
      {{2, 1, 5, 1},
       {1, 3, 1, 4},
       {2, 3, 5, 4},
       0.1f,
       0.013f,
       0.09f,
       0,
       -20,
       10,
       Activation::kNone},
      {{1, 3, 3, 16},
       {1, 3, 3, 16},
       {1, 3, 3, 16},
       0.05f,
       0.02f,
       0.07f,
       -128,
       127,
       5,
       Activation::kRelu},
      {{4, 6}, {6}, {4, 6}, 0.5f, 0.003f, 0.02f, 1, 0, -128, Activation::kRelu6},
  };
  int index = 0;
  for (const Case& c : cases) {
    std::mt19937 rng(100 + index);
    int64_t na = 1, nb = 1;
    for (int32_t d : c.a) na *= d;
    for (int32_t d : c.b) nb *= d;
    std::vector<int8_t> a(na), b(nb);
    for (auto& v : a) v = static_cast<int8_t>(rng() % 256);
    for (auto& v : b) v = static_cast<int8_t>(rng() % 256);
    TensorSpec constant = Int8(c.b, c.sb, c.zb);
    constant.data = host::ToBytes(b);
    const auto model = AddModel(Int8(c.a, c.sa, c.za), constant, Int8(c.out, c.so, c.zo), c.act);
    const auto expected = RunOracle(model, a, "add" + std::to_string(index));
    EXPECT_EQ(RunAdd<int8_t>(model, a, std::vector<int8_t>{}, Rounding::kSingle), expected)
        << "case " << index;
    ++index;
  }
}

}  // namespace
}  // namespace picoml

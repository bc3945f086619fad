// MUL kernel: hand-worked int8 values in both rounding modes, broadcasting,
// saturation, activations, float32, errors, and a LiteRT cross-check in
// single-rounding mode when the oracle is installed.
#include <gtest/gtest.h>

#include <cmath>
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

std::vector<uint8_t> MulModel(TensorSpec a, TensorSpec b, TensorSpec out,
                              Activation activation = Activation::kNone) {
  TfliteBuilder builder;
  const int ia = builder.AddTensor(std::move(a));
  const bool b_constant = !b.data.empty();
  const int ib = builder.AddTensor(std::move(b));
  const int io = builder.AddTensor(std::move(out));
  builder.AddOperator(
      {BuiltinOperator::kMul,
       1,
       {ia, ib},
       {io},
       schema::BuiltinOptionsType::kMulOptions,
       {OptionField::Int8(schema::mul_options::kFusedActivation, static_cast<int>(activation))}});
  builder.SetInputs(b_constant ? std::vector<int32_t>{ia} : std::vector<int32_t>{ia, ib});
  builder.SetOutputs({io});
  return builder.Build();
}

struct Resolver : MutableOpResolver<1> {
  Resolver() { EXPECT_TRUE(AddMul().ok()); }
};

template <typename T>
std::vector<T> RunMul(const std::vector<uint8_t>& model, const std::vector<T>& a,
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

TEST(MulInt8, RoundingModesDifferAtTies) {
  // Real multiplier 0.5 * 0.75 / 1 = 0.375 = 0.75 * 2^-1: Q31 0.75, shift -1.
  // Double rounding rounds p * 0.75 half away from zero, then halves rounding
  // half away from zero; single rounding rounds p * 0.375 once, half up.
  // p:        1     -1    2     3     4     -4
  // double:   1     -1    1     1     2     -2
  // single:   0      0    1     1     2     -1
  const auto model = MulModel(Int8({6}, 0.5f, 0), Int8({6}, 0.75f, 0), Int8({6}, 1.0f, 0));
  const std::vector<int8_t> a = {1, -1, 2, 3, 4, -4}, b = {1, 1, 1, 1, 1, 1};
  EXPECT_EQ(RunMul<int8_t>(model, a, b, Rounding::kDouble),
            (std::vector<int8_t>{1, -1, 1, 1, 2, -2}));
  EXPECT_EQ(RunMul<int8_t>(model, a, b, Rounding::kSingle),
            (std::vector<int8_t>{0, 0, 1, 1, 2, -1}));
}

TEST(MulInt8, ZeroPointsAndSaturation) {
  // real = (x1 + 128) * 1/16 * (x2 - 127) * 1/16, output scale 1/8, zp 127:
  // q = 127 + (x1 + 128) * (x2 - 127) / 32.
  const auto model =
      MulModel(Int8({4}, 0.0625f, -128), Int8({4}, 0.0625f, 127), Int8({4}, 0.125f, 127));
  // (0)*(..)=0 -> 127; 32*(-1)/32 = -1 -> 126; 64*(-64)/32 = -128 -> -1;
  // 255 * -255 / 32 = -2032 -> -128.
  EXPECT_EQ(RunMul<int8_t>(model, {-128, -96, -64, 127}, {0, 126, 63, -128}),
            (std::vector<int8_t>{127, 126, -1, -128}));
  // Multiplier above one (shift > 0): q = -128 + 4 * x1 * x2.
  const auto big = MulModel(Int8({3}, 1.0f, 0), Int8({3}, 1.0f, 0), Int8({3}, 0.25f, -128));
  EXPECT_EQ(RunMul<int8_t>(big, {2, 8, -1}, {3, 10, 1}), (std::vector<int8_t>{-104, 127, -128}));
}

TEST(MulInt8, BroadcastNW1TimesH1C) {
  // [1,1,2,1] * [1,2,1,3] -> [1,2,2,3]; unit scales, zero points 0.
  const auto model =
      MulModel(Int8({1, 1, 2, 1}, 1, 0), Int8({1, 2, 1, 3}, 1, 0), Int8({1, 2, 2, 3}, 1, 0));
  EXPECT_EQ(RunMul<int8_t>(model, {2, -3}, {1, 2, 3, 10, 20, 30}),
            (std::vector<int8_t>{2, 4, 6, -3, -6, -9, 20, 40, 60, -30, -60, -90}));
  // Scalar (rank 0) times a vector, fused RELU (zero point 5).
  const auto scalar = MulModel(Int8({}, 1, 0), Int8({4}, 1, 0), Int8({4}, 1, 5), Activation::kRelu);
  EXPECT_EQ(RunMul<int8_t>(scalar, {-2}, {1, -1, 10, -100}), (std::vector<int8_t>{5, 7, 5, 127}));
}

TEST(MulInt8, BroadcastEqualsTiledSameShape) {
  std::mt19937 rng(11);
  std::vector<int8_t> small(5), big(3 * 4 * 5), tiled(3 * 4 * 5);
  for (auto& v : small) v = static_cast<int8_t>(rng() % 256);
  for (auto& v : big) v = static_cast<int8_t>(rng() % 256);
  for (size_t i = 0; i < tiled.size(); ++i) tiled[i] = small[i % 5];
  for (Rounding r : {Rounding::kDouble, Rounding::kSingle}) {
    EXPECT_EQ(RunMul<int8_t>(MulModel(Int8({5}, 0.02f, 3), Int8({3, 4, 5}, 0.03f, -2),
                                      Int8({3, 4, 5}, 0.0041f, 1)),
                             small, big, r),
              RunMul<int8_t>(MulModel(Int8({3, 4, 5}, 0.02f, 3), Int8({3, 4, 5}, 0.03f, -2),
                                      Int8({3, 4, 5}, 0.0041f, 1)),
                             tiled, big, r));
  }
}

TEST(MulFloat, ValuesActivationsAndOverflow) {
  const float max = std::numeric_limits<float>::max();
  EXPECT_EQ(
      RunMul<float>(MulModel(Float({2, 2}), Float({2}), Float({2, 2})), {1, 2, 3, 4}, {10, -1}),
      (std::vector<float>{10, -2, 30, -4}));
  EXPECT_EQ(RunMul<float>(MulModel(Float({4}), Float({4}), Float({4}), Activation::kReluN1To1),
                          {0.5f, 3, -3, 0.25f}, {1, 1, 1, -2}),
            (std::vector<float>{0.5f, 1, -1, -0.5f}));
  EXPECT_EQ(
      RunMul<float>(MulModel(Float({2}), Float({2}), Float({2})), {1e30f, -1e30f}, {1e30f, 1e30f}),
      (std::vector<float>{max, -max}));
}

TEST(MulErrors, Refusals) {
  Resolver resolver;
  test::ModelRunner bad_shape(MulModel(Int8({2, 3}, 1, 0), Int8({2}, 1, 0), Int8({2, 3}, 1, 0)),
                              resolver);
  EXPECT_EQ(bad_shape.code(), StatusCode::kInvalidModel) << bad_shape.error();
  TensorSpec unquantized = Int8({2}, 1, 0);
  unquantized.scales.clear();
  unquantized.zero_points.clear();
  test::ModelRunner no_quant(MulModel(unquantized, Int8({2}, 1, 0), Int8({2}, 1, 0)), resolver);
  EXPECT_EQ(no_quant.code(), StatusCode::kUnsupported) << no_quant.error();
  test::ModelRunner tanh(MulModel(Float({2}), Float({2}), Float({2}), Activation::kTanh), resolver);
  EXPECT_EQ(tanh.code(), StatusCode::kUnsupported) << tanh.error();
}

// --- LiteRT cross-check (skipped when the oracle is not installed) ---------

std::string OracleScript() {
  return std::string(PICOML_SHARED_DIR) + "/tools/litert-oracle/run.mjs";
}

bool OracleInstalled() {
  const char* home = std::getenv("LITERT_ORACLE_HOME");
  const char* user_home = std::getenv("HOME");
  const std::string dir =
      home ? home : std::string(user_home ? user_home : "") + "/.cache/litert-oracle";
  return std::filesystem::exists(dir + "/node_modules/@litertjs/core") &&
         std::filesystem::exists(OracleScript()) &&
         std::system("node --version > /dev/null 2>&1") == 0;
}

std::vector<int8_t> RunOracle(const std::vector<uint8_t>& model, const std::vector<int8_t>& input,
                              const std::string& tag) {
  const std::string base = (std::filesystem::temp_directory_path() /
                            ("picoml_oracle_" + tag + "_" + std::to_string(::getpid())))
                               .string();
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

// Index into an input of `shape` for output element `i` of `out` (4-D at most).
size_t BroadcastIndex(const std::vector<int32_t>& shape, const std::vector<int32_t>& out,
                      size_t i) {
  std::vector<int32_t> e(4, 1), o(4, 1);
  std::copy(shape.begin(), shape.end(), e.end() - shape.size());
  std::copy(out.begin(), out.end(), o.end() - out.size());
  size_t coordinate[4];
  for (int d = 3; d >= 0; --d) {
    coordinate[d] = i % o[d];
    i /= o[d];
  }
  size_t index = 0;
  for (int d = 0; d < 4; ++d) index = index * e[d] + coordinate[d] % e[d];
  return index;
}

TEST(MulLiteRT, SingleRoundingMatchesLiteRTWithBroadcast) {
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
       0.0053f,
       3,
       -7,
       -11,
       Activation::kNone},
      {{2, 1, 5, 1},
       {1, 3, 1, 4},
       {2, 3, 5, 4},
       0.1f,
       0.013f,
       0.009f,
       0,
       -20,
       10,
       Activation::kNone},
      {{1, 3, 3, 16},
       {1, 3, 3, 16},
       {1, 3, 3, 16},
       0.05f,
       0.02f,
       0.007f,
       -128,
       127,
       5,
       Activation::kRelu},
      {{4, 6}, {6}, {4, 6}, 0.5f, 0.3f, 0.2f, 1, 0, -128, Activation::kRelu6},
      {{3, 5}, {1}, {3, 5}, 0.5f, 0.75f, 1.0f, 0, 0, 0, Activation::kNone},
  };
  int index = 0, oracle_ties = 0, compared = 0;
  for (const Case& c : cases) {
    std::mt19937 rng(200 + index);
    int64_t na = 1, nb = 1;
    for (int32_t d : c.a) na *= d;
    for (int32_t d : c.b) nb *= d;
    std::vector<int8_t> a(na), b(nb);
    for (auto& v : a) v = static_cast<int8_t>(rng() % 256);
    for (auto& v : b) v = static_cast<int8_t>(rng() % 256);
    if (index == 4) b = {1};  // ties of the 0.375 multiplier, where the roundings differ
    TensorSpec constant = Int8(c.b, c.sb, c.zb);
    constant.data = host::ToBytes(b);
    const auto model = MulModel(Int8(c.a, c.sa, c.za), constant, Int8(c.out, c.so, c.zo), c.act);
    const auto expected = RunOracle(model, a, "mul" + std::to_string(index));
    const auto actual = RunMul<int8_t>(model, a, std::vector<int8_t>{}, Rounding::kSingle);
    ASSERT_EQ(actual.size(), expected.size()) << "case " << index;
    // LiteRT's XNNPACK MUL rounds exact ties to even (float requantization);
    // TFLM's reference rounds them up. Elsewhere the bytes must be equal.
    int ties = 0;
    for (size_t i = 0; i < actual.size(); ++i) {
      const double p = static_cast<double>(a[BroadcastIndex(c.a, c.out, i)] - c.za) *
                       (b[BroadcastIndex(c.b, c.out, i)] - c.zb);
      const double q = p * c.sa * c.sb / c.so + c.zo;
      const bool tie = std::abs(q - std::floor(q) - 0.5) < 1e-4 && q > -128.5 && q < 127.5;
      if (actual[i] == expected[i]) continue;
      EXPECT_TRUE(tie && std::abs(actual[i] - expected[i]) == 1)
          << "case " << index << " element " << i << ": " << int(actual[i]) << " vs LiteRT "
          << int(expected[i]);
      ++ties;
    }
    oracle_ties += ties;
    compared += static_cast<int>(actual.size());
    ++index;
  }
  std::printf("MUL vs LiteRT: %d elements, %d differ, all at exact ties\n", compared, oracle_ties);
  EXPECT_LT(oracle_ties, compared / 10);
}

}  // namespace
}  // namespace picoml

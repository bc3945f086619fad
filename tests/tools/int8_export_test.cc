// Export -> load -> run: a tiny CNN with hand-set weights, written as a
// full-int8 .tflite by host/int8_export, loaded by picoml::Model and run by the
// interpreter with every kernel, against a float reference written here.
// The same file also goes through LiteRT (../shared/tools/litert-oracle) when
// it is set up, which must load it and give picoml's single-rounding bytes.
#include "host/int8_export.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/quantization.h"
#include "picoml/io.h"
#include "picoml/op_resolver.h"
#include "support/model_runner.h"

namespace picoml::host {
namespace {

namespace fs = std::filesystem;
using Kind = Int8ExportLayer::Kind;

constexpr int kSize = 6;  // 6x6x1 input

// Deterministic values in [lo, hi).
std::vector<float> Pseudorandom(size_t n, uint32_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = lo + (hi - lo) * static_cast<float>(seed >> 8) / 16777216.0f;
  }
  return v;
}

// The network: conv 2x3x3 ReLU (VALID) -> max pool 2 -> mean -> dense 3 -> softmax.
Int8ExportGraph TinyNetwork() {
  Int8ExportGraph g;
  g.height = g.width = kSize;
  g.channels = 1;
  Int8ExportLayer conv;
  conv.kind = Kind::kConv2D;
  conv.name = "conv2d";
  conv.filters = 2;
  conv.relu = true;
  conv.weights = Pseudorandom(2 * 3 * 3, 1, -1.0f, 1.0f);  // OHWI
  conv.bias = {0.1f, -0.05f};
  Int8ExportLayer pool;
  pool.kind = Kind::kMaxPool2D;
  pool.name = "max_pooling2d";
  Int8ExportLayer mean;
  mean.kind = Kind::kMean;
  mean.name = "global_average_pooling2d";
  Int8ExportLayer dense;
  dense.kind = Kind::kFullyConnected;
  dense.name = "dense";
  dense.filters = 3;
  dense.weights = Pseudorandom(3 * 2, 2, -2.0f, 2.0f);  // [units, inputs]
  dense.bias = {0.2f, 0.0f, -0.3f};
  Int8ExportLayer softmax;
  softmax.kind = Kind::kSoftmax;
  softmax.name = "softmax";
  g.layers = {conv, pool, mean, dense, softmax};
  return g;
}

// Float forward pass; `outputs` receives each layer's output.
std::vector<float> ReferenceForward(const Int8ExportGraph& g, const std::vector<float>& image,
                                    std::vector<std::vector<float>>* outputs) {
  const Int8ExportLayer& conv = g.layers[0];
  const int oh = kSize - 2, ow = kSize - 2;
  std::vector<float> c(static_cast<size_t>(oh * ow * 2));
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x)
      for (int o = 0; o < 2; ++o) {
        float acc = conv.bias[o];
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx)
            acc += conv.weights[(o * 3 + ky) * 3 + kx] * image[(y + ky) * kSize + (x + kx)];
        c[(y * ow + x) * 2 + o] = std::max(acc, 0.0f);
      }
  std::vector<float> p(2 * 2 * 2);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 2; ++x)
      for (int o = 0; o < 2; ++o) {
        float m = -1e30f;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx)
            m = std::max(m, c[((2 * y + dy) * ow + 2 * x + dx) * 2 + o]);
        p[(y * 2 + x) * 2 + o] = m;
      }
  std::vector<float> mean(2, 0.0f);
  for (int i = 0; i < 4; ++i)
    for (int o = 0; o < 2; ++o) mean[o] += p[i * 2 + o] / 4.0f;
  const Int8ExportLayer& dense = g.layers[3];
  std::vector<float> logits(3);
  for (int u = 0; u < 3; ++u) {
    logits[u] = dense.bias[u];
    for (int i = 0; i < 2; ++i) logits[u] += dense.weights[u * 2 + i] * mean[i];
  }
  const float top = *std::max_element(logits.begin(), logits.end());
  std::vector<float> probabilities(3);
  float sum = 0.0f;
  const float beta = g.layers[4].beta;
  for (int u = 0; u < 3; ++u) sum += probabilities[u] = std::exp(beta * (logits[u] - top));
  for (float& v : probabilities) v /= sum;
  if (outputs) *outputs = {c, p, mean, logits, probabilities};
  return probabilities;
}

std::vector<std::vector<float>> Images(int count) {
  std::vector<std::vector<float>> images;
  for (int i = 0; i < count; ++i)
    images.push_back(Pseudorandom(kSize * kSize, 100 + i, 0.0f, 1.0f));
  images[0][0] = 0.0f;  // the calibrated input range is exactly [0, 1]
  images[0][1] = 1.0f;
  return images;
}

// Calibrates the graph's ranges on `images` with the float reference.
Int8ExportGraph Calibrated(const std::vector<std::vector<float>>& images) {
  Int8ExportGraph g = TinyNetwork();
  std::vector<RangeTracker> ranges(g.layers.size());
  RangeTracker input;
  for (const auto& image : images) {
    input.Update(image.data(), image.size());
    std::vector<std::vector<float>> outputs;
    ReferenceForward(g, image, &outputs);
    for (size_t i = 0; i < outputs.size(); ++i)
      ranges[i].Update(outputs[i].data(), outputs[i].size());
  }
  g.input_min = input.min();
  g.input_max = input.max();
  for (size_t i = 0; i < g.layers.size(); ++i) {
    g.layers[i].output_min = ranges[i].min();
    g.layers[i].output_max = ranges[i].max();
  }
  return g;
}

TEST(Int8Export, WritesTheConvertersOperatorsAndQuantization) {
  const std::vector<uint8_t> bytes = ExportInt8Model(Calibrated(Images(8)));
  Model model;
  const Status status = Model::Create(bytes.data(), bytes.size(), &model);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(model.operator_count(), 5u);
  const BuiltinOperator codes[] = {BuiltinOperator::kConv2D, BuiltinOperator::kMaxPool2D,
                                   BuiltinOperator::kMean, BuiltinOperator::kFullyConnected,
                                   BuiltinOperator::kSoftmax};
  const int32_t versions[] = {3, 2, 2, 4, 2};
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(model.op(i).code, codes[i]) << "node " << i;
    EXPECT_EQ(model.op(i).version, versions[i]) << "node " << i;
  }
  // Conv: fused ReLU, weights per channel along dimension 0, int32 bias.
  const Operator conv = model.op(0);
  EXPECT_EQ(conv.options.Scalar<int8_t>(schema::conv2d_options::kFusedActivation), 1);
  const Tensor weights = model.tensor(static_cast<uint32_t>(conv.input(1)));
  EXPECT_EQ(weights.type, TensorType::kInt8);
  EXPECT_EQ(weights.quantization.count(), 2u);
  EXPECT_EQ(weights.quantization.quantized_dimension(), 0);
  EXPECT_EQ(weights.quantization.zero_point(0), 0);
  const Tensor bias = model.tensor(static_cast<uint32_t>(conv.input(2)));
  EXPECT_EQ(bias.type, TensorType::kInt32);
  const Tensor input = model.tensor(static_cast<uint32_t>(model.input_tensor(0)));
  EXPECT_EQ(input.type, TensorType::kInt8);
  EXPECT_FLOAT_EQ(input.quantization.scale(0), 1.0f / 255.0f);
  EXPECT_EQ(input.quantization.zero_point(0), -128);
  EXPECT_FLOAT_EQ(bias.quantization.scale(1),
                  input.quantization.scale(0) * weights.quantization.scale(1));
  // The conv output follows a ReLU: its zero point is the bottom of int8.
  EXPECT_EQ(model.tensor(static_cast<uint32_t>(conv.output(0))).quantization.zero_point(0), -128);
  // Max pooling keeps the scale of its input.
  EXPECT_EQ(model.tensor(static_cast<uint32_t>(model.op(1).output(0))).quantization.scale(0),
            model.tensor(static_cast<uint32_t>(conv.output(0))).quantization.scale(0));
  // MEAN over axes {1, 2} without keeping them.
  const Tensor axes = model.tensor(static_cast<uint32_t>(model.op(2).input(1)));
  EXPECT_EQ(axes.type, TensorType::kInt32);
  EXPECT_EQ(axes.data_as<const int32_t>()[0], 1);
  EXPECT_EQ(axes.data_as<const int32_t>()[1], 2);
  EXPECT_EQ(model.tensor(static_cast<uint32_t>(model.op(2).output(0))).shape.rank, 2);
  const Tensor output = model.tensor(static_cast<uint32_t>(model.output_tensor(0)));
  EXPECT_EQ(output.type, TensorType::kInt8);
  EXPECT_FLOAT_EQ(output.quantization.scale(0), 1.0f / 256.0f);
  EXPECT_EQ(output.quantization.zero_point(0), -128);
}

TEST(Int8Export, PerTensorDenseWeightsOnRequest) {
  Int8ExportGraph g = Calibrated(Images(4));
  g.dense_per_channel = false;
  const std::vector<uint8_t> bytes = ExportInt8Model(g);
  Model model;
  ASSERT_TRUE(Model::Create(bytes.data(), bytes.size(), &model).ok());
  const Tensor weights = model.tensor(static_cast<uint32_t>(model.op(3).input(1)));
  EXPECT_EQ(weights.quantization.count(), 1u);
  g.dense_per_channel = true;
  const std::vector<uint8_t> per_channel = ExportInt8Model(g);
  ASSERT_TRUE(Model::Create(per_channel.data(), per_channel.size(), &model).ok());
  EXPECT_EQ(model.tensor(static_cast<uint32_t>(model.op(3).input(1))).quantization.count(), 3u);
}

TEST(Int8Export, RejectsInconsistentLayers) {
  Int8ExportGraph g = Calibrated(Images(2));
  g.layers[0].weights.pop_back();
  EXPECT_THROW(ExportInt8Model(g), std::invalid_argument);
  g = Calibrated(Images(2));
  g.layers.erase(g.layers.begin() + 2);  // dense straight on a 4-D tensor
  EXPECT_THROW(ExportInt8Model(g), std::invalid_argument);
}

// Runs the exported model in picoml on `image`; returns the int8 output.
std::vector<int8_t> RunPicoml(const std::vector<uint8_t>& bytes, const std::vector<float>& image,
                              Rounding rounding, std::vector<int8_t>* quantized_input = nullptr) {
  const AllOpsResolver resolver;
  test::ModelRunner run(bytes, resolver, rounding);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  const Tensor input = run.interpreter().input(0);
  EXPECT_TRUE(QuantizeInto(input, image.data(), image.size()).ok());
  if (quantized_input)
    quantized_input->assign(input.data_as<int8_t>(), input.data_as<int8_t>() + input.bytes);
  const Status status = run.Invoke();
  EXPECT_TRUE(status.ok()) << status.message();
  return run.Output<int8_t>(0);
}

TEST(Int8Export, RoundTripMatchesFloatWithinQuantizationError) {
  const std::vector<std::vector<float>> images = Images(16);
  const Int8ExportGraph g = Calibrated(images);
  const std::vector<uint8_t> bytes = ExportInt8Model(g);
  for (const Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
    for (size_t i = 0; i < images.size(); ++i) {
      const std::vector<float> expected = ReferenceForward(g, images[i], nullptr);
      const std::vector<int8_t> q = RunPicoml(bytes, images[i], rounding);
      ASSERT_EQ(q.size(), 3u);
      for (int u = 0; u < 3; ++u) {
        const float got = (q[u] + 128) / 256.0f;
        // Softmax output steps are 1/256; a few steps of error from the
        // activations before it.
        EXPECT_NEAR(got, expected[u], 4.0 / 256.0) << "image " << i << " class " << u;
      }
    }
  }
}

// A softmax beta below 1 is written to SoftmaxOptions and the runtime applies
// it: the scores are those of softmax(beta * logits).
TEST(Int8Export, SoftmaxBetaIsWrittenAndApplied) {
  const std::vector<std::vector<float>> images = Images(8);
  Int8ExportGraph g = Calibrated(images);
  g.layers[4].beta = 0.25f;
  const std::vector<uint8_t> bytes = ExportInt8Model(g);
  Model model;
  ASSERT_TRUE(Model::Create(bytes.data(), bytes.size(), &model).ok());
  EXPECT_FLOAT_EQ(model.op(4).options.Scalar<float>(schema::softmax_options::kBeta, 1.0f), 0.25f);
  for (size_t i = 0; i < images.size(); ++i) {
    const std::vector<float> expected = ReferenceForward(g, images[i], nullptr);
    const std::vector<int8_t> q = RunPicoml(bytes, images[i], Rounding::kDouble);
    ASSERT_EQ(q.size(), 3u);
    for (int u = 0; u < 3; ++u)
      EXPECT_NEAR((q[u] + 128) / 256.0f, expected[u], 4.0 / 256.0)
          << "image " << i << " class " << u;
  }
}

// Changing the stored beta of a finished file is the same as exporting with
// it: byte for byte.
TEST(Int8Export, SettingSoftmaxBetaEqualsExportingWithIt) {
  Int8ExportGraph g = Calibrated(Images(8));
  const std::vector<uint8_t> plain = ExportInt8Model(g);
  g.layers[4].beta = 0.25f;
  const std::vector<uint8_t> tempered = ExportInt8Model(g);
  ASSERT_NE(plain, tempered);
  EXPECT_EQ(WithSoftmaxBeta(plain, 0.25f), tempered);
  EXPECT_EQ(WithSoftmaxBeta(tempered, 1.0f), plain);
  EXPECT_THROW(WithSoftmaxBeta(plain, 0.0f), std::invalid_argument);
  EXPECT_THROW(WithSoftmaxBeta(std::vector<uint8_t>(plain.begin(), plain.begin() + 40), 0.5f),
               std::invalid_argument);
  g.layers.pop_back();  // no SOFTMAX
  try {
    WithSoftmaxBeta(ExportInt8Model(g), 0.5f);
    ADD_FAILURE() << "a model without SOFTMAX was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("0 SOFTMAX"), std::string::npos) << e.what();
  }
}

TEST(Int8Export, LiteRtOracleComputesTheSameBytes) {
  const fs::path oracle = fs::path(PICOML_SHARED_DIR) / "tools/litert-oracle/run.mjs";
  const char* home = std::getenv("HOME");
  const fs::path installed =
      std::getenv("LITERT_ORACLE_HOME")
          ? fs::path(std::getenv("LITERT_ORACLE_HOME"))
          : fs::path(home ? home : "/nonexistent") / ".cache/litert-oracle/node_modules";
  if (!fs::exists(oracle) || !fs::exists(installed) ||
      std::system("node --version >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "LiteRT oracle not set up (run ../shared/tools/litert-oracle/setup.sh)";
  const std::vector<std::vector<float>> images = Images(16);
  const std::vector<uint8_t> bytes = ExportInt8Model(Calibrated(images));
  const fs::path dir = fs::temp_directory_path() / "picoml_int8_export_test";
  fs::create_directories(dir);
  const fs::path model = dir / "tiny.tflite", in = dir / "in.bin", out = dir / "out.bin";
  std::ofstream(model, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  for (size_t i = 0; i < 4; ++i) {
    std::vector<int8_t> input;
    const std::vector<int8_t> picoml = RunPicoml(bytes, images[i], Rounding::kSingle, &input);
    std::ofstream(in, std::ios::binary)
        .write(reinterpret_cast<const char*>(input.data()),
               static_cast<std::streamsize>(input.size()));
    const std::string command = "node '" + oracle.string() + "' '" + model.string() + "' '" +
                                in.string() + "' '" + out.string() + "' >/dev/null";
    const int status = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "LiteRT refused the model";
    std::ifstream result(out, std::ios::binary);
    const std::vector<char> litert((std::istreambuf_iterator<char>(result)),
                                   std::istreambuf_iterator<char>());
    ASSERT_EQ(litert.size(), picoml.size());
    for (size_t k = 0; k < picoml.size(); ++k)
      EXPECT_EQ(static_cast<int8_t>(litert[k]), picoml[k]) << "image " << i << " class " << k;
  }
}

}  // namespace
}  // namespace picoml::host

// `picoml predict` as a user meets it: PNG and PGM digits the test writes,
// RGB converted to gray, and clear errors (exit 1) for a wrong size, a
// corrupt PNG and a model that is not int8. Runs the built executable.
#include <gtest/gtest.h>

#include <boost/gil.hpp>
#include <boost/gil/extension/io/png.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "host/image.h"
#include "host/int8_export.h"
#include "host/model_file.h"
#include "host/tflite_builder.h"
#include "picoml/io.h"
#include "picoml/op_resolver.h"
#include "support/model_runner.h"
#include "support/run_command.h"
#include "support/test_dir.h"

namespace picoml::host {
namespace {

namespace fs = std::filesystem;

using Result = test::CommandResult;

fs::path Dir() { return test::OwnTestDir("picoml_predict_test"); }

Result Picoml(const std::string& args) {
  return test::RunCommand((fs::path(PICOML_BINARY_DIR) / "tools/picoml").string() + " " + args,
                          (Dir() / "stderr.txt").string());
}

// 5x4 grayscale input (width 5, height 4) -> conv 3 filters 2x2 ReLU -> mean
// -> dense 10 -> softmax: ten "digits".
std::vector<uint8_t> DigitModel() {
  Int8ExportGraph g;
  g.height = 4;
  g.width = 5;
  g.channels = 1;
  Int8ExportLayer conv;
  conv.kind = Int8ExportLayer::Kind::kConv2D;
  conv.name = "conv2d";
  conv.filters = 3;
  conv.kernel_h = conv.kernel_w = 2;
  conv.relu = true;
  conv.weights = {1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 1.0f};
  conv.bias = {0.0f, 0.0f, 0.0f};
  conv.output_max = 2.0f;
  Int8ExportLayer mean;
  mean.kind = Int8ExportLayer::Kind::kMean;
  mean.name = "global_average_pooling2d";
  mean.output_max = 2.0f;
  Int8ExportLayer dense;
  dense.kind = Int8ExportLayer::Kind::kFullyConnected;
  dense.name = "dense";
  dense.filters = 10;
  for (int u = 0; u < 10; ++u)
    for (int i = 0; i < 3; ++i)
      dense.weights.push_back(static_cast<float>((u * 7 + i * 3) % 5) - 2.0f);
  dense.bias.assign(10, 0.0f);
  dense.output_min = -8.0f;
  dense.output_max = 8.0f;
  Int8ExportLayer softmax;
  softmax.kind = Int8ExportLayer::Kind::kSoftmax;
  softmax.name = "softmax";
  g.layers = {conv, mean, dense, softmax};
  return ExportInt8Model(g);
}

GrayImage Pattern(int width, int height) {
  GrayImage image;
  image.width = width;
  image.height = height;
  for (int i = 0; i < width * height; ++i)
    image.pixels.push_back(static_cast<uint8_t>((i * 53) % 256));
  return image;
}

// The digit the runtime gives for `image`, computed in-process.
int ExpectedDigit(const std::vector<uint8_t>& model, const GrayImage& image) {
  const AllOpsResolver resolver;
  test::ModelRunner run(model, resolver);
  EXPECT_TRUE(run.ok()) << run.error();
  std::vector<float> x;
  for (uint8_t p : image.pixels) x.push_back(p / 255.0f);
  EXPECT_TRUE(QuantizeInto(run.interpreter().input(0), x.data(), x.size()).ok());
  EXPECT_TRUE(run.Invoke().ok());
  std::vector<float> y(10);
  EXPECT_TRUE(DequantizeFrom(run.interpreter().output(0), y.data(), y.size()).ok());
  return ArgMax(y.data(), y.size());
}

class Predict : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fs::path(PICOML_BINARY_DIR) / "tools/picoml"))
      GTEST_SKIP() << "tools/picoml is not built";
    model_ = DigitModel();
    model_path_ = (Dir() / "digits.tflite").string();
    WriteFileAtomically(model_path_, model_.data(), model_.size());
  }
  std::vector<uint8_t> model_;
  std::string model_path_;
};

TEST_F(Predict, PngAndPgmGiveTheRuntimesDigit) {
  const GrayImage image = Pattern(5, 4);
  const std::string png = (Dir() / "digit.png").string();
  const std::string pgm = (Dir() / "digit.pgm").string();
  WriteGrayImage(png, image);
  WriteGrayImage(pgm, image);
  const int expected = ExpectedDigit(model_, image);
  for (const std::string& path : {png, pgm}) {
    const Result r = Picoml("predict " + model_path_ + " " + path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\nDigit: " + std::to_string(expected) + "\n"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  9: "), std::string::npos) << "ten probabilities: " << r.out;
  }
  const Result json = Picoml("predict --json " + model_path_ + " " + png + " " + pgm);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["digit"], expected);
  EXPECT_EQ(j[1]["digit"], expected);
  ASSERT_EQ(j[0]["probabilities"].size(), 10u);
  double sum = 0;
  for (double p : j[0]["probabilities"]) sum += p;
  EXPECT_NEAR(sum, 1.0, 0.05);
}

TEST_F(Predict, RgbPngIsConvertedByLuminance) {
  // Gray written as R = G = B: luminance gives the same gray back.
  const GrayImage gray = Pattern(5, 4);
  boost::gil::rgb8_image_t rgb(5, 4);
  auto view = boost::gil::view(rgb);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) {
      const uint8_t v = gray.pixels[y * 5 + x];
      view(x, y) = boost::gil::rgb8_pixel_t(v, v, v);
    }
  const std::string path = (Dir() / "rgb.png").string();
  boost::gil::write_view(path, boost::gil::const_view(rgb), boost::gil::png_tag());
  const GrayImage read = ReadGrayImage(path);
  EXPECT_EQ(read.pixels, gray.pixels);
  EXPECT_FALSE(read.conversion.empty());
  const Result r = Picoml("predict " + model_path_ + " " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Digit: " + std::to_string(ExpectedDigit(model_, gray))), std::string::npos);
}

TEST_F(Predict, WrongSizeSaysTheExpectedSize) {
  const std::string path = (Dir() / "big.png").string();
  WriteGrayImage(path, Pattern(28, 28));
  const Result r = Picoml("predict " + model_path_ + " " + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("28x28"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expects 5x4"), std::string::npos) << r.err;
}

TEST_F(Predict, CorruptImagesAreRefused) {
  const std::string png = (Dir() / "corrupt.png").string();
  const GrayImage image = Pattern(5, 4);
  WriteGrayImage(png, image);
  std::vector<uint8_t> bytes = ReadFile(png);
  bytes.resize(bytes.size() / 2);  // truncated
  for (size_t i = 40; i < bytes.size(); ++i) bytes[i] ^= 0x5a;
  WriteFileAtomically(png, bytes.data(), bytes.size());
  Result r = Picoml("predict " + model_path_ + " " + png);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("corrupt.png"), std::string::npos) << r.err;

  const std::string pgm = (Dir() / "corrupt.pgm").string();
  const std::string text = "P5\n5 4\n255\nab";  // 2 of 20 pixels
  WriteFileAtomically(pgm, text.data(), text.size());
  r = Picoml("predict " + model_path_ + " " + pgm);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("corrupt.pgm"), std::string::npos) << r.err;

  const std::string other = (Dir() / "notes.txt").string();
  WriteFileAtomically(other, "hello", 5);
  r = Picoml("predict " + model_path_ + " " + other);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("neither a PNG nor a PGM"), std::string::npos) << r.err;
}

TEST_F(Predict, FloatModelIsRefused) {
  // float32 [1, 4, 5, 1] -> RESHAPE -> float32 [1, 20].
  TfliteBuilder b;
  TensorSpec in;
  in.type = TensorType::kFloat32;
  in.shape = {1, 4, 5, 1};
  TensorSpec out = in;
  out.shape = {1, 20};
  TensorSpec shape;
  shape.type = TensorType::kInt32;
  shape.shape = {2};
  shape.data = ToBytes(std::vector<int32_t>{1, 20});
  const int i = b.AddTensor(in), s = b.AddTensor(shape), o = b.AddTensor(out);
  b.AddOperator({BuiltinOperator::kReshape, 1, {i, s}, {o}});
  b.SetInputs({i});
  b.SetOutputs({o});
  const std::vector<uint8_t> model = b.Build();
  const std::string model_path = (Dir() / "float.tflite").string();
  WriteFileAtomically(model_path, model.data(), model.size());
  const std::string png = (Dir() / "digit_f.png").string();
  WriteGrayImage(png, Pattern(5, 4));
  const Result r = Picoml("predict " + model_path + " " + png);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not INT8"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace picoml::host

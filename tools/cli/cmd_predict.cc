// picoml predict MODEL IMAGE... [--json]
// Classifies images with an int8 model: each image (8-bit grayscale PNG or
// PGM, the size of the model's input; RGB is converted to gray) is scaled to
// [0, 1], quantized with the input tensor's scale and zero point, run, and the
// output dequantized: ten probabilities and "Digit: N".
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "host/image.h"
#include "host/model_file.h"
#include "picoml/io.h"
#include "picoml/op_resolver.h"

namespace picoml::cli {
namespace {

struct PredictOptions {
  std::string model;
  std::vector<std::string> images;
  bool json = false;
};

void CheckInt8(const Tensor& tensor, const char* what) {
  if (tensor.type != TensorType::kInt8)
    throw CommandError(fmt::format(
        "the model's {} is {}, not INT8: predict runs full-int8 models (picoml quantize writes "
        "one)",
        what, TensorTypeName(tensor.type)));
}

// The input's height, width and channels (NHWC with batch 1, or [1, H, W]).
void InputSize(const Tensor& input, int* height, int* width) {
  const Shape& s = input.shape;
  if (s.rank == 4 && s.dims[0] == 1 && s.dims[3] == 1) {
    *height = s.dims[1];
    *width = s.dims[2];
  } else if (s.rank == 3 && s.dims[0] == 1) {
    *height = s.dims[1];
    *width = s.dims[2];
  } else {
    throw CommandError("the model's input is not one grayscale image ([1, H, W, 1])");
  }
}

void Predict(const PredictOptions& options) {
  host::ModelFile file(options.model);
  const AllOpsResolver resolver;
  host::HostInterpreter host(file.model(), resolver);
  Interpreter& interpreter = host.interpreter();
  const Tensor input = interpreter.input(0);
  CheckInt8(input, "input");
  CheckInt8(interpreter.output(0), "output");
  int height, width;
  InputSize(input, &height, &width);

  nlohmann::json results = nlohmann::json::array();
  for (const std::string& path : options.images) {
    const host::GrayImage image = host::ReadGrayImage(path);
    if (image.width != width || image.height != height)
      throw CommandError(
          fmt::format("image '{}' is {}x{}; the model expects {}x{} (width x "
                      "height) 8-bit grayscale",
                      path, image.width, image.height, width, height));
    std::vector<float> values(image.pixels.size());
    for (size_t i = 0; i < values.size(); ++i) values[i] = image.pixels[i] / 255.0f;
    Status status = QuantizeInto(interpreter.input(0), values.data(), values.size());
    if (!status.ok()) throw CommandError(fmt::format("input: {}", status.message()));
    status = interpreter.Invoke();
    if (!status.ok()) throw CommandError(status.message());
    const Tensor output = interpreter.output(0);
    std::vector<float> probabilities(static_cast<size_t>(output.ElementCount()));
    status = DequantizeFrom(output, probabilities.data(), probabilities.size());
    if (!status.ok()) throw CommandError(fmt::format("output: {}", status.message()));
    const int best = ArgMax(probabilities.data(), probabilities.size());

    if (options.json) {
      nlohmann::json j;
      j["image"] = path;
      j["probabilities"] = probabilities;
      j["digit"] = best;
      if (!image.conversion.empty()) j["conversion"] = image.conversion;
      results.push_back(j);
      continue;
    }
    if (options.images.size() > 1) fmt::print("{}\n", path);
    if (!image.conversion.empty()) fmt::print("  ({})\n", image.conversion);
    for (size_t i = 0; i < probabilities.size(); ++i)
      fmt::print("  {}: {:.4f}\n", i, probabilities[i]);
    fmt::print("Digit: {}\n", best);
  }
  if (options.json) std::cout << results.dump() << "\n";
}

}  // namespace

void AddPredictCommand(CLI::App& app) {
  auto options = std::make_shared<PredictOptions>();
  CLI::App* predict = app.add_subcommand(
      "predict", "Classify 8-bit grayscale images (PNG, PGM) with an int8 model");
  predict->add_option("model", options->model, "the int8 .tflite model")->required();
  predict->add_option("images", options->images, "PNG or PGM images, the model's input size")
      ->required();
  predict->add_flag("--json", options->json,
                    "print a JSON array: image, probabilities, digit per image");
  predict->callback([options] { Predict(*options); });
}

}  // namespace picoml::cli

// MNIST on picoml: the model compiled in (`picoml embed`), an arena sized by
// the figure embed wrote, exactly the kernels the model uses.
//
//   mnist_example DIGIT.png|DIGIT.pgm|DIGIT.raw
//
// A raw file is 784 bytes, one 28x28 8-bit image, row-major, 0 = background.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <vector>

#include "host/image.h"
#include "model_data.h"
#include "picoml/interpreter.h"
#include "picoml/io.h"
#include "picoml/model.h"
#include "picoml/op_resolver.h"

namespace {

constexpr int kSide = 28;

// As a microcontroller would hold it: static, 16-byte aligned, the size the
// runtime planned for this model.
alignas(16) uint8_t g_arena[g_model_arena_bytes];

bool Fail(const char* what, const picoml::Status& status) {
  std::fprintf(stderr, "mnist_example: %s: %s\n", what, status.message());
  return false;
}

// 784 pixels from a raw file, or from a PNG/PGM through Boost.GIL.
bool ReadDigit(const char* path, std::vector<uint8_t>* pixels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "mnist_example: cannot open '%s'\n", path);
    return false;
  }
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  const bool png = bytes.size() >= 4 && bytes[0] == 0x89 && bytes[1] == 'P';
  const bool pnm = bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '6';
  if (bytes.size() == kSide * kSide && !png && !pnm) {
    *pixels = bytes;
    return true;
  }
  try {
    const picoml::host::GrayImage image = picoml::host::ReadGrayImage(path);
    if (image.width != kSide || image.height != kSide) {
      std::fprintf(stderr, "mnist_example: '%s' is %dx%d; the model takes 28x28 grayscale\n", path,
                   image.width, image.height);
      return false;
    }
    *pixels = image.pixels;
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnist_example: %s\n", e.what());
    return false;
  }
}

bool Classify(const char* path) {
  std::vector<uint8_t> pixels;
  if (!ReadDigit(path, &pixels)) return false;

  picoml::Model model;
  picoml::Status status = picoml::Model::Create(g_model, g_model_len, &model);
  if (!status.ok()) return Fail("model", status);

  // Exactly the operators `picoml quantize` writes for this network (its
  // input and output are int8, so no QUANTIZE/DEQUANTIZE nodes).
  picoml::MutableOpResolver<5> resolver;
  if (!(status = resolver.AddConv2D()).ok() || !(status = resolver.AddMaxPool2D()).ok() ||
      !(status = resolver.AddMean()).ok() || !(status = resolver.AddFullyConnected()).ok() ||
      !(status = resolver.AddSoftmax()).ok())
    return Fail("op resolver", status);

  picoml::Interpreter interpreter;
  status = picoml::Interpreter::Create(model, resolver, g_arena, sizeof(g_arena), &interpreter);
  if (!status.ok()) return Fail("interpreter", status);
  const picoml::ArenaPlan& plan = interpreter.arena_plan();
  std::printf("Arena: the runtime needs %zu bytes (%zu persistent + %zu activations); given %zu\n",
              plan.needed_bytes, plan.persistent_bytes, plan.activation_bytes, sizeof(g_arena));

  float image[kSide * kSide];
  for (int i = 0; i < kSide * kSide; ++i) image[i] = pixels[i] / 255.0f;
  if (!(status = picoml::QuantizeInto(interpreter.input(0), image, kSide * kSide)).ok())
    return Fail("input", status);
  if (!(status = interpreter.Invoke()).ok()) return Fail("invoke", status);
  float probabilities[10];
  if (!(status = picoml::DequantizeFrom(interpreter.output(0), probabilities, 10)).ok())
    return Fail("output", status);
  for (int d = 0; d < 10; ++d) std::printf("  %d: %.4f\n", d, probabilities[d]);
  std::printf("Digit: %d\n", picoml::ArgMax(probabilities, 10));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIGIT.png|DIGIT.pgm|DIGIT.raw (28x28, 8-bit gray)\n", argv[0]);
    return 2;
  }
  return Classify(argv[1]) ? 0 : 1;
}

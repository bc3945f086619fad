// The conformance models that use FULLY_CONNECTED alone (hello_world_int8,
// ad01_int8) must reproduce TFLM's bytes exactly: out_X.bin with double
// rounding, out_X.single.bin with single rounding. The full data-driven
// conformance runner lives in tests/conformance; this is the kernel's own
// quick check.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "picoml/interpreter.h"
#include "picoml/model.h"
#include "picoml/op_resolver.h"

namespace picoml {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {});
}

void CheckModel(const std::string& name) {
  const fs::path root = fs::path(PICOML_SHARED_DIR) / "conformance";
  if (!fs::exists(root / "models" / (name + ".tflite")))
    GTEST_SKIP() << "conformance corpus not found at " << root.string()
                 << " (it is expected beside the checkout as ../shared)";
  const std::vector<uint8_t> bytes = ReadFile(root / "models" / (name + ".tflite"));
  Model model;
  Status status = Model::Create(bytes.data(), bytes.size(), &model);
  ASSERT_TRUE(status.ok()) << status.message();
  MutableOpResolver<1> resolver;
  ASSERT_TRUE(resolver.AddFullyConnected().ok());
  int cases = 0;
  for (const char* letter : {"A", "B", "C"}) {
    const fs::path dir = root / "cases" / name;
    const std::vector<uint8_t> input = ReadFile(dir / (std::string("in_") + letter + ".bin"));
    for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle}) {
      const std::string expected_name =
          std::string("out_") + letter + (rounding == Rounding::kSingle ? ".single.bin" : ".bin");
      const std::vector<uint8_t> expected = ReadFile(dir / expected_name);
      ASSERT_FALSE(expected.empty()) << expected_name;
      std::vector<uint8_t> arena(64 * 1024 + 16);
      uint8_t* aligned =
          arena.data() + ((16 - reinterpret_cast<uintptr_t>(arena.data()) % 16) % 16);
      Interpreter interpreter;
      InterpreterOptions options;
      options.rounding = rounding;
      status = Interpreter::Create(model, resolver, aligned, 64 * 1024, &interpreter, options);
      ASSERT_TRUE(status.ok()) << status.message();
      ASSERT_EQ(interpreter.input(0).bytes, input.size());
      std::copy(input.begin(), input.end(), static_cast<uint8_t*>(interpreter.input(0).data));
      status = interpreter.Invoke();
      ASSERT_TRUE(status.ok()) << status.message();
      const Tensor out = interpreter.output(0);
      const std::vector<uint8_t> actual(static_cast<uint8_t*>(out.data),
                                        static_cast<uint8_t*>(out.data) + out.bytes);
      int differing = 0;
      for (size_t i = 0; i < actual.size() && i < expected.size(); ++i)
        differing += actual[i] != expected[i];
      EXPECT_EQ(actual, expected) << name << " " << expected_name << ": " << differing << " of "
                                  << expected.size() << " bytes differ";
      ++cases;
    }
  }
  EXPECT_EQ(cases, 6);
}

TEST(FullyConnectedCorpusTest, HelloWorldInt8) { CheckModel("hello_world_int8"); }
TEST(FullyConnectedCorpusTest, Ad01Int8) { CheckModel("ad01_int8"); }

}  // namespace
}  // namespace picoml

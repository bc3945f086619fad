// `picoml embed` output compiles with the system compiler, keeps the bytes,
// is 16-byte aligned and states the arena the runtime plans.
#include "host/embed.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>

#include "host/int8_export.h"
#include "host/model_file.h"
#include "picoml/op_resolver.h"
#include "support/test_dir.h"

namespace picoml::host {
namespace {

namespace fs = std::filesystem;

// A small full-int8 model: conv 1 filter 2x2 -> mean -> dense 2 -> softmax.
std::vector<uint8_t> SmallModel() {
  Int8ExportGraph g;
  g.height = g.width = 4;
  g.channels = 1;
  Int8ExportLayer conv;
  conv.kind = Int8ExportLayer::Kind::kConv2D;
  conv.name = "conv2d";
  conv.filters = 1;
  conv.kernel_h = conv.kernel_w = 2;
  conv.relu = true;
  conv.weights = {0.5f, -0.25f, 0.75f, 1.0f};
  conv.bias = {0.1f};
  conv.output_max = 2.0f;
  Int8ExportLayer mean;
  mean.kind = Int8ExportLayer::Kind::kMean;
  mean.name = "global_average_pooling2d";
  mean.output_max = 2.0f;
  Int8ExportLayer dense;
  dense.kind = Int8ExportLayer::Kind::kFullyConnected;
  dense.name = "dense";
  dense.filters = 2;
  dense.weights = {1.0f, -1.0f};
  dense.bias = {0.0f, 0.5f};
  dense.output_min = -2.0f;
  dense.output_max = 2.5f;
  Int8ExportLayer softmax;
  softmax.kind = Int8ExportLayer::Kind::kSoftmax;
  softmax.name = "softmax";
  g.layers = {conv, mean, dense, softmax};
  return ExportInt8Model(g);
}

fs::path TestDir() { return test::OwnTestDir("picoml_embed_test"); }

int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Embed, SourceLooksLikeXxdButConstAndAligned) {
  EmbedOptions options;
  options.name = "g_tiny";
  options.header_include = "tiny.h";
  options.arena_bytes = 1234;
  options.persistent_bytes = 96;
  options.activation_bytes = 1152;
  const std::string source = EmbedSource({0x00, 0xff, 0x10}, options);
  EXPECT_NE(source.find("#include \"tiny.h\""), std::string::npos);
  EXPECT_NE(source.find("alignas(16) const unsigned char g_tiny[] = {"), std::string::npos);
  EXPECT_NE(source.find("0x00, 0xff, 0x10,"), std::string::npos);
  EXPECT_NE(source.find("const unsigned int g_tiny_len = 3;"), std::string::npos);
  const std::string header = EmbedHeader({0x00, 0xff, 0x10}, options);
  EXPECT_NE(header.find("extern const unsigned char g_tiny[];"), std::string::npos);
  EXPECT_NE(header.find("constexpr unsigned int g_tiny_arena_bytes = 1234;"), std::string::npos);
  EXPECT_NE(header.find("constexpr unsigned int g_tiny_persistent_bytes = 96;"), std::string::npos);
  EXPECT_NE(header.find("constexpr unsigned int g_tiny_activation_bytes = 1152;"),
            std::string::npos);
  EXPECT_NE(header.find("#ifndef G_TINY_DATA_H_"), std::string::npos);
}

TEST(Embed, RefusesNamesThatAreNotIdentifiers) {
  EXPECT_TRUE(IsCIdentifier("g_model"));
  EXPECT_TRUE(IsCIdentifier("_m2"));
  EXPECT_FALSE(IsCIdentifier(""));
  EXPECT_FALSE(IsCIdentifier("2model"));
  EXPECT_FALSE(IsCIdentifier("my-model"));
  const fs::path dir = TestDir();
  const std::vector<uint8_t> model = SmallModel();
  WriteFileAtomically((dir / "m.tflite").string(), model.data(), model.size());
  EXPECT_THROW(EmbedModelFile((dir / "m.tflite").string(), (dir / "x.cc").string(),
                              (dir / "x.h").string(), "bad name"),
               Error);
  EXPECT_FALSE(fs::exists(dir / "x.cc"));
}

TEST(Embed, RefusesFilesThatAreNotModels) {
  const fs::path dir = TestDir();
  const std::string junk = "not a model at all";
  WriteFileAtomically((dir / "junk.tflite").string(), junk.data(), junk.size());
  EXPECT_THROW(EmbedModelFile((dir / "junk.tflite").string(), (dir / "junk.cc").string(),
                              (dir / "junk.h").string(), "g_model"),
               Error);
  EXPECT_FALSE(fs::exists(dir / "junk.cc"));
  EXPECT_FALSE(fs::exists(dir / "junk.h"));
}

TEST(Embed, OutputCompilesAndHoldsTheModel) {
  const fs::path dir = TestDir();
  const std::vector<uint8_t> model = SmallModel();
  WriteFileAtomically((dir / "model.tflite").string(), model.data(), model.size());
  const size_t arena =
      EmbedModelFile((dir / "model.tflite").string(), (dir / "model_data.cc").string(),
                     (dir / "model_data.h").string(), "g_model");
  // The arena is what the runtime plans, computed here independently.
  ArenaPlan plan;
  {
    ModelFile file((dir / "model.tflite").string());
    const AllOpsResolver resolver;
    plan = PlanArena(file.model(), resolver);
    EXPECT_EQ(arena, plan.needed_bytes);
  }
  const unsigned long sum = std::accumulate(model.begin(), model.end(), 0ul);
  std::ofstream(dir / "main.cc")
      << "#include <cstdint>\n#include <cstdio>\n#include \"model_data.h\"\n"
         "int main() {\n"
         "  if (g_model_len != "
      << model.size()
      << "u) return 2;\n"
         "  if (reinterpret_cast<std::uintptr_t>(g_model) % 16 != 0) return 3;\n"
         "  unsigned long sum = 0;\n"
         "  for (unsigned i = 0; i < g_model_len; ++i) sum += g_model[i];\n"
         "  if (sum != "
      << sum
      << "ul) return 4;\n"
         "  if (g_model[4] != 'T' || g_model[7] != '3') return 5;\n"
         "  static_assert(g_model_arena_bytes == "
      << arena
      << "u, \"arena\");\n"
         "  static_assert(g_model_persistent_bytes == "
      << plan.persistent_bytes
      << "u, \"persistent\");\n"
         "  static_assert(g_model_activation_bytes == "
      << std::max(plan.activation_bytes, plan.planner_bytes)
      << "u, \"activations\");\n"
         "  return 0;\n}\n";
  const std::string exe = (dir / "embedded").string();
  ASSERT_EQ(Shell("c++ -std=c++17 -Wall -Wextra -Werror -I'" + dir.string() + "' '" +
                  (dir / "main.cc").string() + "' '" + (dir / "model_data.cc").string() + "' -o '" +
                  exe + "'"),
            0);
  EXPECT_EQ(Shell("'" + exe + "'"), 0);
  EXPECT_FALSE(fs::exists(dir / "model_data.cc.tmp"));
}

}  // namespace
}  // namespace picoml::host

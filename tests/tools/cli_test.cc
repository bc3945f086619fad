// The picoml command line as a user meets it: exit codes, one-line errors,
// the JSON it prints. Runs the built executable.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "host/tflite_builder.h"
#include "support/run_command.h"
#include "support/test_dir.h"

namespace picoml {
namespace {

namespace fs = std::filesystem;

using Result = test::CommandResult;

fs::path TestDir() { return test::OwnTestDir("picoml_cli_test"); }

Result Picoml(const std::string& args) {
  return test::RunCommand(std::string(PICOML_BINARY_DIR) + "/tools/picoml " + args,
                          (TestDir() / "stderr.txt").string());
}

fs::path Temp(const std::string& name) { return TestDir() / name; }

void Write(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// int8 [1,4] -> RESHAPE -> int8 [4]: the smallest model with a real kernel.
fs::path ReshapeModel() {
  host::TfliteBuilder b;
  host::TensorSpec in;
  in.shape = {1, 4};
  in.scales = {0.5f};
  in.zero_points = {-3};
  host::TensorSpec out = in;
  out.shape = {4};
  const int i = b.AddTensor(in), o = b.AddTensor(out);
  b.AddOperator({BuiltinOperator::kReshape, 1, {i}, {o}});
  b.SetInputs({i});
  b.SetOutputs({o});
  const fs::path path = Temp("reshape.tflite");
  Write(path, b.Build());
  return path;
}

bool OneLine(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

TEST(Cli, RunWritesOutputAndJson) {
  const fs::path model = ReshapeModel();
  Write(Temp("in.bin"), {1, 2, 0xff, 0x80});
  const Result r = Picoml("run " + model.string() + " --input " + Temp("in.bin").string() +
                          " --output " + Temp("out.bin").string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["arena_bytes"].get<int>(), 0);
  EXPECT_EQ(j["input"]["type"], "INT8");
  EXPECT_EQ(j["output"]["shape"], nlohmann::json::array({4}));
  EXPECT_FLOAT_EQ(j["output"]["scale"].get<float>(), 0.5f);
  EXPECT_EQ(j["output"]["zero_point"], -3);
  EXPECT_EQ(j["output"]["values"], nlohmann::json::array({1, 2, -1, -128}));
  std::ifstream out(Temp("out.bin"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, std::string("\x01\x02\xff\x80", 4));
}

TEST(Cli, WrongInputSizeIsAOneLineError) {
  const fs::path model = ReshapeModel();
  Write(Temp("short.bin"), {1, 2, 3});
  const Result r = Picoml("run " + model.string() + " --input " + Temp("short.bin").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_NE(r.err.find("has 3 bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("needs exactly 4"), std::string::npos) << r.err;
}

TEST(Cli, NotAModelIsAOneLineError) {
  Write(Temp("junk.tflite"), std::vector<uint8_t>(64, 0x41));
  Write(Temp("in.bin"), {0});
  const Result r =
      Picoml("run " + Temp("junk.tflite").string() + " --input " + Temp("in.bin").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_NE(r.err.find("TFL3"), std::string::npos) << r.err;
}

TEST(Cli, MissingFileIsAOneLineError) {
  const Result r = Picoml("inspect " + Temp("does_not_exist.tflite").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
}

TEST(Cli, TruncatedModelsNeverCrash) {
  const fs::path model = ReshapeModel();
  std::ifstream in(model, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  Write(Temp("in.bin"), {0, 0, 0, 0});
  for (size_t length = 0; length < bytes.size(); length += 7) {
    Write(Temp("cut.tflite"), std::vector<uint8_t>(bytes.begin(), bytes.begin() + length));
    const Result r =
        Picoml("run " + Temp("cut.tflite").string() + " --input " + Temp("in.bin").string());
    EXPECT_EQ(r.exit_code, 1) << "length " << length << ": " << r.err;  // an error, not a signal
    EXPECT_TRUE(OneLine(r.err)) << r.err;
  }
}

TEST(Cli, ListenReportsTheSpokenWord) {
  const fs::path corpus = fs::path(PICOML_SHARED_DIR) / "conformance";
  if (!fs::exists(corpus / "audio" / "yes_1000ms.wav"))
    GTEST_SKIP() << "conformance corpus not found at " << corpus;
  const std::string model = (corpus / "models" / "micro_speech_quantized.tflite").string();
  for (const std::string clip : {"yes", "no"}) {
    const std::string wav = (corpus / "audio" / (clip + "_1000ms.wav")).string();
    const Result r =
        Picoml("listen " + model + " " + wav + " --labels silence,unknown,yes,no --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["events"].size(), 1u) << r.out;
    EXPECT_EQ(j["events"][0]["name"], clip);
    EXPECT_EQ(j["events"][0]["time_ms"], 990);
  }
  // Audio at the wrong rate is refused with the command that fixes it.
  const fs::path slow = Temp("8k.wav");
  std::vector<uint8_t> wav = {'R', 'I', 'F',  'F',  44, 0, 0, 0, 'W', 'A', 'V', 'E',  'f',
                              'm', 't', ' ',  16,   0,  0, 0, 1, 0,   1,   0,   0x40, 0x1f,
                              0,   0,   0x80, 0x3e, 0,  0, 2, 0, 16,  0,   'd', 'a',  't',
                              'a', 8,   0,    0,    0,  1, 0, 2, 0,   3,   0,   4,    0};
  Write(slow, wav);
  const Result bad = Picoml("listen " + model + " " + slow.string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(OneLine(bad.err)) << bad.err;
  EXPECT_NE(bad.err.find("16000"), std::string::npos) << bad.err;
}

TEST(Cli, InspectJsonHasArenaAndMacs) {
  const fs::path model = ReshapeModel();
  const Result r = Picoml("inspect " + model.string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["macs"], 0);
  EXPECT_GT(j["arena_bytes"].get<int>(), 0);
  EXPECT_EQ(j["nodes"][0]["operator"], "RESHAPE");
}

}  // namespace
}  // namespace picoml

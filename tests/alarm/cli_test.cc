// picoml-alarm as a user runs it: the built executable on a small background
// library of noise and a small model, checking exit codes, the files each
// subcommand writes and the errors it gives. The detection figures
// themselves are tested on the library code (evaluate_test.cc); here the
// question is whether the commands carry them to disk.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "host/model_file.h"
#include "host/tflite_builder.h"
#include "host/wav.h"
#include "support/run_command.h"
#include "support/test_dir.h"

namespace picoml::alarm {
namespace {

namespace fs = std::filesystem;

using Result = test::CommandResult;

// Each test works in a folder of its own (ctest runs tests in parallel),
// removed afterwards unless the test failed.
class AlarmCli : public testing::Test {
 protected:
  void SetUp() override { dir_ = test::OwnTestDir("picoml_alarm_cli"); }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs picoml-alarm in `dir` (so that bare file names land there).
Result Alarm(const fs::path& dir, const std::string& args) {
  return test::RunCommand(
      "cd '" + dir.string() + "' && " + PICOML_BINARY_DIR + "/tools/alarm/picoml-alarm " + args,
      (dir / "stderr.txt").string());
}

// backgrounds/{train,val,test}/noise.wav: 5 s of white noise each, a
// different sequence per split.
fs::path NoiseBackgrounds(const fs::path& dir) {
  const fs::path root = dir / "backgrounds";
  uint32_t x = 12345;
  for (const char* split : {"train", "val", "test"}) {
    fs::create_directories(root / split);
    std::vector<int16_t> samples(5 * 16000);
    for (int16_t& s : samples) {
      x = x * 1664525u + 1013904223u;
      s = static_cast<int16_t>(static_cast<int32_t>(x >> 16) / 16 - 2048);
    }
    host::WriteWav((root / split / "noise.wav").string(), samples);
  }
  return root;
}

// The alarm models' shape, 200 frames x 40 features, into a FULLY_CONNECTED
// layer with two outputs: "background" 0 and "alarm" rising with the sum of
// the features, so louder audio scores higher. Enough for the commands to
// run the stream classifier end to end; it detects nothing in particular.
fs::path LoudnessModel(const fs::path& dir) {
  constexpr int kInputs = 200 * 40;
  host::TfliteBuilder b;
  host::TensorSpec input;
  input.shape = {1, kInputs};
  input.scales = {1.0f / 64};
  input.zero_points = {-128};
  host::TensorSpec weights;
  weights.shape = {2, kInputs};
  // 8000 features at their middle (128 above the zero point) sum to 0.5.
  weights.scales = {0.5f * 64 / (kInputs * 128)};
  weights.zero_points = {0};
  std::vector<int8_t> w(2 * kInputs, 0);
  for (int i = kInputs; i < 2 * kInputs; ++i) w[i] = 1;
  weights.data = host::ToBytes(w);
  host::TensorSpec output;
  output.shape = {1, 2};
  output.scales = {1.0f / 256};  // scores in [0, 1), as a softmax's
  output.zero_points = {-128};
  const int in = b.AddTensor(input), wt = b.AddTensor(weights), out = b.AddTensor(output);
  host::OperatorSpec fc;
  fc.code = BuiltinOperator::kFullyConnected;
  fc.inputs = {in, wt, -1};
  fc.outputs = {out};
  fc.options_type = schema::BuiltinOptionsType::kFullyConnectedOptions;
  fc.options = {host::OptionField::Int8(schema::fully_connected_options::kFusedActivation, 0)};
  b.AddOperator(fc);
  b.SetInputs({in});
  b.SetOutputs({out});
  const std::vector<uint8_t> bytes = b.Build();
  const fs::path path = dir / "loudness.tflite";
  host::WriteFileAtomically(path.string(), bytes.data(), bytes.size());
  return path;
}

// Output files given as bare names land in the working folder (they once
// failed after the whole run, creating the folder ''), and the files hold
// what the next command reads: tune's thresholds feed eval.
TEST_F(AlarmCli, TuneThenEvalWriteBareFileNames) {
  const fs::path& dir = dir_;
  const std::string common = "--backgrounds '" + NoiseBackgrounds(dir).string() + "' ";
  const std::string model = LoudnessModel(dir).string();

  const Result tune = Alarm(dir, common + "tune --model '" + model +
                                     "' --out t.json --traces tr.json --clips-per-snr 1 "
                                     "--hours 0.01 --false-alarms-per-day 0.5 --gate 0.25");
  ASSERT_EQ(tune.exit_code, 0) << tune.err;
  const auto thresholds = nlohmann::json::parse(ReadText(dir / "t.json"));
  EXPECT_EQ(thresholds["models"], nlohmann::json::array({"loudness.tflite"}));
  EXPECT_EQ(thresholds["split"], "val");
  EXPECT_GE(thresholds["cnn_threshold"].get<double>(), 0.0);
  EXPECT_LE(thresholds["cnn_threshold"].get<double>(), 1.0);
  EXPECT_GE(thresholds["cnn_average_inferences"].get<int>(), 1);
  // The rate tuned to, and what it allows in the hours tuned on.
  EXPECT_DOUBLE_EQ(thresholds["false_alarms_per_day"].get<double>(), 0.5);
  EXPECT_EQ(thresholds["false_alarm_budget"].get<int>(), 0);
  // The ensemble gate tuned with, which eval and the device builds then use.
  EXPECT_DOUBLE_EQ(thresholds["ensemble_gate"].get<double>(), 0.25);
  // The margin under the chosen threshold: two lower thresholds, each with
  // its false-alarm count (-1 where the grid ends).
  ASSERT_EQ(thresholds["cnn_false_alarms_below"].size(), 2u);
  for (const auto& row : thresholds["cnn_false_alarms_below"]) {
    EXPECT_LT(row["threshold"].get<double>(), thresholds["cnn_threshold"].get<double>());
    EXPECT_GE(row["false_alarms"].get<int>(), -1);
  }
  EXPECT_NE(tune.out.find("false alarms just below"), std::string::npos) << tune.out;
  const auto traces = nlohmann::json::parse(ReadText(dir / "tr.json"));
  EXPECT_EQ(traces["clips"].size(), 5u);  // one per SNR, +20 to -5 dB
  EXPECT_FALSE(traces["background"]["scores"].empty());
  EXPECT_DOUBLE_EQ(traces["background"]["hours"].get<double>(), 0.01);
  // The chosen setting per SNR, in the file and on the screen.
  ASSERT_EQ(thresholds["cnn_tune_per_snr"].size(), 5u);
  for (const auto& row : thresholds["cnn_tune_per_snr"]) {
    EXPECT_EQ(row["clips"].get<int>(), 1);
    EXPECT_LE(row["detected_within_5s"].get<int>(), row["detected"].get<int>());
  }
  EXPECT_NE(tune.out.find(">= 0 dB"), std::string::npos) << tune.out;

  // The traces replayed without audio or models choose the same setting and
  // keep what the traces do not hold (models, gate, Goertzel's threshold).
  // The base's criterion (0.5 per day) applies without being given again.
  const Result replay = Alarm(dir, "tune --replay tr.json --base t.json --out r.json");
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  const auto replayed = nlohmann::json::parse(ReadText(dir / "r.json"));
  for (const char* key : {"cnn_threshold", "cnn_average_inferences", "cnn_tune_per_snr", "models",
                          "ensemble_gate", "goertzel_threshold", "grid", "false_alarm_budget"})
    EXPECT_EQ(replayed[key], thresholds[key]) << key;
  EXPECT_EQ(replayed["replayed_from"], nlohmann::json::array({"tr.json"}));
  EXPECT_DOUBLE_EQ(replayed["false_alarms_per_day"].get<double>(), 0.5);
  const Result margin = Alarm(dir,
                              "tune --replay tr.json --base t.json --out m.json "
                              "--margin-below 0.05 --margin-false-alarms-per-day 1");
  ASSERT_EQ(margin.exit_code, 0) << margin.err;
  const auto with_margin = nlohmann::json::parse(ReadText(dir / "m.json"));
  EXPECT_DOUBLE_EQ(with_margin["margin_below"].get<double>(), 0.05);
  EXPECT_EQ(with_margin["margin_false_alarm_budget"].get<int>(), 0);  // 0.01 h at 1 per day
  EXPECT_NE(margin.out.find("at most 0 at 0.05 under the threshold"), std::string::npos)
      << margin.out;
  // m.json's margin applies to a replay from it, and --margin-below 0 drops
  // it, budget and all.
  ASSERT_EQ(Alarm(dir, "tune --replay tr.json --base m.json --out m2.json").exit_code, 0);
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(ReadText(dir / "m2.json"))["margin_below"].get<double>(),
                   0.05);
  ASSERT_EQ(
      Alarm(dir, "tune --replay tr.json --base m.json --out m0.json --margin-below 0").exit_code,
      0);
  const auto no_margin = nlohmann::json::parse(ReadText(dir / "m0.json"));
  EXPECT_DOUBLE_EQ(no_margin["margin_below"].get<double>(), 0.0);
  EXPECT_FALSE(no_margin.contains("margin_false_alarm_budget"));
  // --base alone, a replay of background only, a base that is not a
  // thresholds file: each refused with what to do.
  EXPECT_NE(Alarm(dir, "tune --base t.json --out x.json").exit_code, 0);
  std::ofstream(dir / "list.json") << "[1, 2]";
  const Result bad_base = Alarm(dir, "tune --replay tr.json --base list.json");
  EXPECT_EQ(bad_base.exit_code, 1);
  EXPECT_NE(bad_base.err.find("list.json: not a thresholds file"), std::string::npos)
      << bad_base.err;
  std::ofstream(dir / "bad.json") << R"({"alarm_seconds": 10, "clips": []})";
  const Result bad_traces = Alarm(dir, "tune --replay bad.json --base t.json");
  EXPECT_EQ(bad_traces.exit_code, 1);
  EXPECT_NE(bad_traces.err.find("bad.json: traces: the file has no \"background\""),
            std::string::npos)
      << bad_traces.err;
  const Result no_base = Alarm(dir, "tune --replay tr.json --out x.json");
  EXPECT_EQ(no_base.exit_code, 1);
  EXPECT_NE(no_base.err.find("--replay needs --base"), std::string::npos) << no_base.err;
  EXPECT_FALSE(fs::exists(dir / "x.json"));
  // What the traces hold cannot be set again; without --out nothing is
  // written (not even the default out/alarm/thresholds.json).
  const Result hours = Alarm(dir, "tune --replay tr.json --base t.json --hours 24");
  EXPECT_NE(hours.exit_code, 0);
  EXPECT_NE(hours.err.find("--hours"), std::string::npos) << hours.err;
  const Result print_only = Alarm(dir, "tune --replay tr.json --base t.json");
  EXPECT_EQ(print_only.exit_code, 0) << print_only.err;
  EXPECT_NE(print_only.out.find(">= 0 dB"), std::string::npos) << print_only.out;
  EXPECT_FALSE(fs::exists(dir / "out"));

  const Result eval = Alarm(dir, common + "eval --model '" + model +
                                     "' --thresholds t.json --out res --clips-per-snr 1 "
                                     "--hours 0.01");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const auto results = nlohmann::json::parse(ReadText(dir / "res.json"));
  EXPECT_DOUBLE_EQ(results["cnn_threshold"].get<double>(),
                   static_cast<double>(static_cast<float>(thresholds["cnn_threshold"])));
  EXPECT_EQ(results["cnn_average_inferences"], thresholds["cnn_average_inferences"]);
  EXPECT_DOUBLE_EQ(results["ensemble_gate"].get<double>(), 0.25);
  EXPECT_FALSE(results["results"].empty());
  EXPECT_FALSE(ReadText(dir / "res.md").empty());
  EXPECT_NE(eval.out.find("SNR"), std::string::npos) << eval.out;  // the table, printed too
  for (const auto& entry : fs::directory_iterator(dir))
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();  // atomic writes cleaned up
}

// An output folder that cannot be made fails before any audio is made, with
// the path in a one-line error, not after the run.
TEST_F(AlarmCli, AnOutputThatCannotBeWrittenFailsBeforeTheRun) {
  const fs::path& dir = dir_;
  const std::string common = "--backgrounds '" + NoiseBackgrounds(dir).string() + "' ";
  const std::string model = LoudnessModel(dir).string();
  std::ofstream(dir / "file") << "a file, not a folder";
  for (const std::string& command :
       {"tune --model '" + model + "' --out file/sub/t.json --clips-per-snr 1 --hours 0.01",
        "tune --model '" + model +
            "' --out t.json --traces file/sub/tr.json --clips-per-snr 1 "
            "--hours 0.01",
        "eval --model '" + model + "' --out file/sub/res --clips-per-snr 1 --hours 0.01"}) {
    const Result r = Alarm(dir, common + command);
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
    EXPECT_NE(r.err.find("picoml-alarm: error:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("file/sub"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("traced"), std::string::npos) << "the run started: " << r.err;
    EXPECT_EQ(r.out, "") << "the run started";
  }
  EXPECT_FALSE(fs::exists(dir / "t.json"));
}

// Missing inputs are named, with what to do.
TEST_F(AlarmCli, MissingInputsSayWhatToRunFirst) {
  const fs::path& dir = dir_;
  const Result no_backgrounds = Alarm(
      dir, "--backgrounds '" + (dir / "none").string() + "' tune --model x.tflite --out t.json");
  EXPECT_EQ(no_backgrounds.exit_code, 1);
  EXPECT_NE(no_backgrounds.err.find("make-alarm-backgrounds.sh"), std::string::npos)
      << no_backgrounds.err;
  const std::string common = "--backgrounds '" + NoiseBackgrounds(dir).string() + "' ";
  const Result no_thresholds =
      Alarm(dir, common + "eval --model '" + LoudnessModel(dir).string() +
                     "' --thresholds missing.json --out res --clips-per-snr 1 --hours 0.01");
  EXPECT_EQ(no_thresholds.exit_code, 1);
  EXPECT_NE(no_thresholds.err.find("missing.json"), std::string::npos) << no_thresholds.err;
  EXPECT_NE(no_thresholds.err.find("picoml-alarm tune"), std::string::npos) << no_thresholds.err;
}

// generate writes WAV files that read back as 16 kHz mono clips of the
// lengths it announces.
TEST_F(AlarmCli, GenerateWritesReadableClips) {
  const fs::path& dir = dir_;
  const std::string common = "--backgrounds '" + NoiseBackgrounds(dir).string() + "' ";
  const Result r = Alarm(dir, common + "generate --out clips --count 2 --snr 10 --split test");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const host::WavAudio t3 = host::ReadWav((dir / "clips" / "alarm-T3-0.wav").string());
  const host::WavAudio t4 = host::ReadWav((dir / "clips" / "alarm-T4-1.wav").string());
  const host::WavAudio quiet = host::ReadWav((dir / "clips" / "background.wav").string());
  // Onset 3-6 s, then 10 s of alarm.
  EXPECT_GE(t3.samples.size(), 13u * 16000u);
  EXPECT_LE(t3.samples.size(), 16u * 16000u);
  EXPECT_GE(t4.samples.size(), 13u * 16000u);
  EXPECT_EQ(quiet.samples.size(), 20u * 16000u);
  EXPECT_TRUE(t3.notes.empty());  // 16-bit mono as written
  EXPECT_NE(r.out.find("alarm-T3-0.wav: T3"), std::string::npos) << r.out;
}

#ifdef PICOML_ALARM_TRAINING_BUILT
// Every network a tiny training run can make, with its multiply-accumulates
// counted by hand from its layers (output positions x filters x terms each).
struct NetworkCase {
  const char* name;
  int64_t macs;
};

const NetworkCase kNetworkCases[] = {
    // 99x19x8 x 9 + 24x4x16 x 72 + 11x32 x 144 + 32 x 352 + 2 x 32
    {"compact", 135432 + 110592 + 50688 + 11264 + 64},
    // 99x10x8 x 12 + 45x24 x 200 + 22x32 x 72 + 10x32 x 96 + 32 x 320 + 64
    {"temporal", 95040 + 216000 + 50688 + 30720 + 10240 + 64},
    // 99x10x8 x 12 + 95x16 x 200 + 47x32 x 48 + 23x32 x 96 + 11x32 x 96 + 32 x 352 + 64
    {"fine", 95040 + 304000 + 72192 + 70656 + 33792 + 11264 + 64},
    // 99x16 x 120 + 48x24 x 80 + 23x32 x 72 + 11x32 x 96 + 32 x 352 + 64
    {"band", 190080 + 92160 + 52992 + 33792 + 11264 + 64},
};

void PrintTo(const NetworkCase& network, std::ostream* os) { *os << network.name; }

class AlarmCliTrain : public AlarmCli, public testing::WithParamInterface<NetworkCase> {};

// A tiny training run writes a model of the network asked for and its
// record, and the model runs in the tools that read it.
TEST_P(AlarmCliTrain, WritesAModelThatTuneRuns) {
  const NetworkCase& network = GetParam();
  const fs::path& dir = dir_;
  const std::string common = "--backgrounds '" + NoiseBackgrounds(dir).string() + "' ";
  const Result train =
      Alarm(dir, common +
                     "train --out m --clips 8 --validation-clips 4 --epochs 1 --mining-clips 0 "
                     "--threads 1 --seed 3 --network " +
                     network.name);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const auto record = nlohmann::json::parse(ReadText(dir / "m" / "train.json"));
  EXPECT_EQ(record["network"], network.name);
  EXPECT_EQ(record["model_bytes"].get<uintmax_t>(), fs::file_size(dir / "m" / "model.tflite"));
  const Result inspect =
      test::RunCommand(std::string(PICOML_BINARY_DIR) + "/tools/picoml inspect '" +
                           (dir / "m" / "model.tflite").string() + "' --json",
                       (dir / "inspect.txt").string());
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(nlohmann::json::parse(inspect.out)["macs"].get<int64_t>(), network.macs);
  const Result tune = Alarm(
      dir, common + "tune --model m/model.tflite --out t.json --clips-per-snr 1 --hours 0.01");
  ASSERT_EQ(tune.exit_code, 0) << tune.err;
  EXPECT_TRUE(fs::exists(dir / "t.json"));
}

// --extra-backgrounds adds another library's train/ to the training
// backgrounds (train.json counts the files), and names a library that has
// none when asked for one.
TEST_F(AlarmCli, TrainsOnExtraBackgrounds) {
  const fs::path& dir = dir_;
  const std::string common = "--backgrounds '" + NoiseBackgrounds(dir).string() + "' ";
  const fs::path extra = dir / "extra";
  fs::create_directories(extra / "train");
  for (const char* name : {"hum.wav", "tone.wav"})
    host::WriteWav((extra / "train" / name).string(), std::vector<int16_t>(3 * 16000, 500));
  const std::string train_args =
      "train --clips 8 --validation-clips 4 --epochs 1 --mining-clips 0 --threads 1 --seed 3 ";
  const Result train =
      Alarm(dir, common + train_args + "--out m --extra-backgrounds '" + extra.string() + "'");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const auto record = nlohmann::json::parse(ReadText(dir / "m" / "train.json"));
  EXPECT_EQ(record["background_files"].get<int>(), 3);
  EXPECT_DOUBLE_EQ(record["background_seconds"].get<double>(), 5.0 + 3.0 + 3.0);

  const Result missing = Alarm(
      dir, common + train_args + "--out m2 --extra-backgrounds '" + (dir / "none").string() + "'");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find((dir / "none" / "train").string()), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir / "m2" / "model.tflite"));
}

INSTANTIATE_TEST_SUITE_P(Networks, AlarmCliTrain, testing::ValuesIn(kNetworkCases),
                         [](const testing::TestParamInfo<NetworkCase>& info) {
                           return std::string(info.param.name);
                         });
#endif

}  // namespace
}  // namespace picoml::alarm

// The micro_speech example end to end with picoml: WAV -> AudioFrontend ->
// micro_speech_quantized.tflite on picoml's interpreter -> the exact int8
// scores and labels of expected.json; and the same through StreamClassifier.
#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audio/audio_test_data.h"
#include "host/model_file.h"
#include "host/wav.h"
#include "picoml/audio_frontend.h"
#include "picoml/audio_stream.h"
#include "picoml/op_resolver.h"

namespace picoml {
namespace {

nlohmann::json Expected() {
  const std::vector<uint8_t> bytes = test::ReadBytes(test::AudioDir() / "expected.json");
  return nlohmann::json::parse(bytes.begin(), bytes.end());
}

// The four operators the speech model uses, and no others.
struct SpeechResolver : MutableOpResolver<4> {
  SpeechResolver() {
    (void)AddReshape();
    (void)AddFullyConnected();
    (void)AddDepthwiseConv2D();
    (void)AddSoftmax();
  }
};

std::vector<int16_t> Clip(const std::string& name) {
  return host::ReadWav((test::AudioDir() / (name + ".wav")).string()).samples;
}

class SpeechClip : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!test::HaveConformanceAudio())
      GTEST_SKIP() << "no conformance audio at " << test::AudioDir();
  }
};

TEST_P(SpeechClip, ScoresAndLabelMatchTheReference) {
  const std::string clip = GetParam();
  const nlohmann::json expected = Expected();
  const nlohmann::json& reference = expected["clips"][clip];
  const std::vector<int16_t> samples = Clip(clip);

  static AudioFrontendState state;
  AudioFrontend frontend;
  ASSERT_TRUE(AudioFrontend::Create(AudioFrontendConfig(), &state, &frontend).ok());
  std::vector<int8_t> features;
  ASSERT_TRUE(frontend
                  .Push(
                      samples.data(), samples.size(),
                      [](const int8_t* frame, int channels, void* user) {
                        auto* out = static_cast<std::vector<int8_t>*>(user);
                        out->insert(out->end(), frame, frame + channels);
                      },
                      &features)
                  .ok());
  ASSERT_EQ(features.size(), 49u * 40u);

  host::ModelFile model(test::ModelPath("micro_speech_quantized.tflite").string());
  SpeechResolver resolver;
  host::HostInterpreter host(model.model(), resolver);
  Interpreter& interpreter = host.interpreter();
  ASSERT_EQ(interpreter.input(0).bytes, features.size());
  memcpy(interpreter.input(0).data, features.data(), features.size());
  const Status status = interpreter.Invoke();
  ASSERT_TRUE(status.ok()) << status.message();

  const Tensor output = interpreter.output(0);
  ASSERT_EQ(output.bytes, 4u);
  std::vector<int> scores(output.data_as<int8_t>(), output.data_as<int8_t>() + 4);
  EXPECT_EQ(scores, reference["scores"].get<std::vector<int>>());
  const int best =
      static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
  EXPECT_EQ(expected["labels"][best].get<std::string>(), reference["label"].get<std::string>());
}

// The stream classifier, run once per clip (49 frames, stride 1, no
// smoothing), must see exactly the scores of the one-shot run.
TEST_P(SpeechClip, StreamClassifierSeesTheSameScores) {
  const std::string clip = GetParam();
  const nlohmann::json expected = Expected();
  const std::vector<int> reference = expected["clips"][clip]["scores"].get<std::vector<int>>();
  const std::vector<int16_t> samples = Clip(clip);

  host::ModelFile model(test::ModelPath("micro_speech_quantized.tflite").string());
  SpeechResolver resolver;
  host::HostInterpreter host(model.model(), resolver);
  static AudioFrontendState state;
  AudioFrontend frontend;
  ASSERT_TRUE(AudioFrontend::Create(AudioFrontendConfig(), &state, &frontend).ok());
  std::vector<int8_t> ring(StreamClassifier::RingBytes(host.interpreter()));
  ASSERT_EQ(ring.size(), 1960u);
  StreamClassifierConfig config;
  config.stride_frames = 1;
  config.average_inferences = 1;
  StreamClassifier classifier;
  ASSERT_TRUE(StreamClassifier::Create(config, &frontend, &host.interpreter(), ring.data(),
                                       ring.size(), &classifier)
                  .ok());
  EXPECT_EQ(classifier.window_frames(), 49);

  struct Seen {
    std::vector<std::vector<float>> scores;
    std::vector<uint32_t> times;
  } seen;
  StreamListener listener;
  listener.user = &seen;
  listener.on_inference = [](const StreamInference& inference, void* user) {
    auto* s = static_cast<Seen*>(user);
    s->scores.emplace_back(inference.scores, inference.scores + inference.label_count);
    s->times.push_back(inference.time_ms);
  };
  // Odd block sizes on purpose.
  for (size_t at = 0; at < samples.size(); at += 333)
    ASSERT_TRUE(
        classifier.Push(samples.data() + at, std::min<size_t>(333, samples.size() - at), listener)
            .ok());
  ASSERT_EQ(seen.scores.size(), 1u);
  EXPECT_EQ(seen.times[0], 990u);
  // The output is softmax int8: scale 1/256, zero point -128.
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(seen.scores[0][i], (reference[i] + 128) / 256.0f);
}

INSTANTIATE_TEST_SUITE_P(Clips, SpeechClip,
                         ::testing::Values("yes_1000ms", "no_1000ms", "silence_1000ms",
                                           "noise_1000ms"),
                         [](const auto& info) { return info.param; });

// The speech model on picoml's interpreter, a default front end and a ring of
// the model's size: what the StreamClassifier tests start from.
class StreamClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::HaveConformanceAudio())
      GTEST_SKIP() << "no conformance audio at " << test::AudioDir();
    model_ = std::make_unique<host::ModelFile>(
        test::ModelPath("micro_speech_quantized.tflite").string());
    host_ = std::make_unique<host::HostInterpreter>(model_->model(), resolver_);
    ASSERT_TRUE(AudioFrontend::Create(AudioFrontendConfig(), &state_, &frontend_).ok());
    ring_.resize(StreamClassifier::RingBytes(interpreter()));
  }

  Interpreter& interpreter() { return host_->interpreter(); }
  Status Create(const StreamClassifierConfig& config, StreamClassifier* classifier) {
    return StreamClassifier::Create(config, &frontend_, &interpreter(), ring_.data(), ring_.size(),
                                    classifier);
  }
  // The named clips one after the other.
  static std::vector<int16_t> Stream(std::initializer_list<const char*> clips) {
    std::vector<int16_t> stream;
    for (const char* name : clips) {
      const std::vector<int16_t> clip = Clip(name);
      stream.insert(stream.end(), clip.begin(), clip.end());
    }
    return stream;
  }

  SpeechResolver resolver_;
  std::unique_ptr<host::ModelFile> model_;
  std::unique_ptr<host::HostInterpreter> host_;
  AudioFrontendState state_;
  AudioFrontend frontend_;
  std::vector<int8_t> ring_;
};

// "yes", then silence: one "yes" event, within the yes clip's second; none
// for the background labels, which are ignored.
TEST_F(StreamClassifierTest, ReportsYesOnceInAStream) {
  const std::vector<int16_t> stream = Stream({"silence_1000ms", "yes_1000ms", "silence_1000ms"});
  StreamClassifierConfig config;
  config.stride_frames = 2;
  config.average_inferences = 3;
  config.threshold = 0.7f;
  config.suppression_ms = 1500;
  config.ignored_labels = 0x3;  // silence, unknown
  StreamClassifier classifier;
  ASSERT_TRUE(Create(config, &classifier).ok());
  std::vector<StreamEvent> events;
  StreamListener listener;
  listener.user = &events;
  listener.on_event = [](const StreamEvent& event, void* user) {
    static_cast<std::vector<StreamEvent>*>(user)->push_back(event);
  };
  ASSERT_TRUE(classifier.Push(stream.data(), stream.size(), listener).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].label, 2);  // yes
  EXPECT_GE(events[0].score, 0.7f);
  EXPECT_GT(events[0].time_ms, 1000u);
  EXPECT_LE(events[0].time_ms, 2990u);
}

TEST_F(StreamClassifierTest, WarmupFramesDelayTheFirstRunAndKeepTheClock) {
  const std::vector<int16_t> stream = Stream({"silence_1000ms", "yes_1000ms"});
  std::vector<uint32_t> times;
  StreamListener listener;
  listener.user = &times;
  listener.on_inference = [](const StreamInference& inference, void* user) {
    static_cast<std::vector<uint32_t>*>(user)->push_back(inference.time_ms);
  };
  for (int warmup : {0, 25}) {
    StreamClassifierConfig config;
    config.stride_frames = 10;
    config.warmup_frames = warmup;
    StreamClassifier classifier;
    ASSERT_TRUE(Create(config, &classifier).ok());
    times.clear();
    ASSERT_TRUE(classifier.Push(stream.data(), stream.size(), listener).ok());
    ASSERT_FALSE(times.empty());
    // Frame f (0-based) ends at 30 + 20 f ms; the model's window is 49 frames.
    EXPECT_EQ(times.front(), static_cast<uint32_t>(30 + 20 * (warmup + 48))) << warmup;
    EXPECT_EQ(times.back() - times.front(), 200u * (times.size() - 1)) << warmup;
  }
  StreamClassifierConfig bad;
  bad.warmup_frames = -1;
  StreamClassifier classifier;
  const Status status = Create(bad, &classifier);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("warmup_frames"), std::string::npos);
}

TEST_F(StreamClassifierTest, RefusesAModelThatIsNotFeatureFrames) {
  AudioFrontendState state;
  AudioFrontend frontend;
  AudioFrontendConfig frontend_config;
  frontend_config.filter_bank.num_channels = 39;  // 1960 is not a multiple of 39
  ASSERT_TRUE(AudioFrontend::Create(frontend_config, &state, &frontend).ok());
  std::vector<int8_t> ring(4096);
  StreamClassifier classifier;
  const Status status = StreamClassifier::Create(
      StreamClassifierConfig(), &frontend, &interpreter(), ring.data(), ring.size(), &classifier);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("1960"), std::string::npos) << status.message();

  StreamClassifierConfig config;
  config.average_inferences = 0;
  EXPECT_FALSE(Create(config, &classifier).ok());
  EXPECT_FALSE(StreamClassifier::Create(StreamClassifierConfig(), &frontend_, &interpreter(),
                                        ring.data(), 100, &classifier)
                   .ok());
}

// Every run's scores (all labels) and how many models ran, in order.
struct Runs {
  std::vector<std::vector<float>> scores;
  std::vector<int> models_run;
  static StreamListener Listener(Runs* runs) {
    StreamListener listener;
    listener.user = runs;
    listener.on_inference = [](const StreamInference& inference, void* user) {
      auto* r = static_cast<Runs*>(user);
      r->scores.emplace_back(inference.scores, inference.scores + inference.label_count);
      r->models_run.push_back(inference.models_run);
    };
    return listener;
  }
};

// Two interpreters of the same model make an ensemble whose mean is that
// model's scores, bit for bit; with a gate no score reaches, the second
// never runs and counts 0 (half the scores); with a reachable gate it runs
// exactly on the runs whose reportable scores reach it.
TEST_F(StreamClassifierTest, EnsembleAveragesItsModelsAndTheGateScreens) {
  const std::vector<int16_t> stream = Stream({"silence_1000ms", "yes_1000ms", "no_1000ms"});
  StreamClassifierConfig config;
  config.stride_frames = 3;
  config.average_inferences = 1;
  config.ignored_labels = 0x3;  // silence, unknown
  Runs single;
  {
    StreamClassifier classifier;
    ASSERT_TRUE(Create(config, &classifier).ok());
    ASSERT_TRUE(classifier.Push(stream.data(), stream.size(), Runs::Listener(&single)).ok());
    EXPECT_EQ(classifier.model_count(), 1);
    EXPECT_EQ(classifier.second_opinion_count(), 0u);
  }
  ASSERT_GT(single.scores.size(), 10u);

  host::HostInterpreter second(model_->model(), resolver_);
  Interpreter* const models[2] = {&interpreter(), &second.interpreter()};
  auto run_ensemble = [&](float gate, Runs* runs, uint32_t* second_runs) {
    StreamClassifierConfig c = config;
    c.ensemble_gate = gate;
    StreamClassifier classifier;
    ASSERT_TRUE(
        StreamClassifier::Create(c, &frontend_, models, 2, ring_.data(), ring_.size(), &classifier)
            .ok());
    EXPECT_EQ(classifier.model_count(), 2);
    ASSERT_TRUE(classifier.Push(stream.data(), stream.size(), Runs::Listener(runs)).ok());
    *second_runs = classifier.second_opinion_count();
  };

  Runs always;
  uint32_t second_runs = 0;
  run_ensemble(0.0f, &always, &second_runs);
  EXPECT_EQ(always.scores, single.scores);
  EXPECT_EQ(second_runs, single.scores.size());
  for (int m : always.models_run) EXPECT_EQ(m, 2);

  Runs never;
  run_ensemble(2.0f, &never, &second_runs);
  EXPECT_EQ(second_runs, 0u);
  ASSERT_EQ(never.scores.size(), single.scores.size());
  for (size_t r = 0; r < single.scores.size(); ++r) {
    EXPECT_EQ(never.models_run[r], 1);
    for (size_t i = 0; i < single.scores[r].size(); ++i)
      EXPECT_EQ(never.scores[r][i], single.scores[r][i] / 2.0f);
  }

  const float gate = 0.5f;
  Runs gated;
  run_ensemble(gate, &gated, &second_runs);
  ASSERT_EQ(gated.scores.size(), single.scores.size());
  uint32_t expected_runs = 0;
  for (size_t r = 0; r < single.scores.size(); ++r) {
    const bool reaches = single.scores[r][2] >= gate || single.scores[r][3] >= gate;  // yes, no
    expected_runs += reaches ? 1 : 0;
    EXPECT_EQ(gated.models_run[r], reaches ? 2 : 1) << r;
    EXPECT_EQ(gated.scores[r], reaches ? always.scores[r] : never.scores[r]) << r;
  }
  EXPECT_GT(expected_runs, 0u);
  EXPECT_LT(expected_runs, single.scores.size());
  EXPECT_EQ(second_runs, expected_runs);
}

TEST_F(StreamClassifierTest, RefusesAnEnsembleWhoseModelsDiffer) {
  // The keyword model takes 49 frames of 10 channels and gives 12 scores; on
  // a 10-channel front end the speech model's 1960 inputs are 196 frames.
  host::ModelFile kws(test::ModelPath("kws_ref_model.tflite").string());
  AllOpsResolver all;
  host::HostInterpreter other(kws.model(), all);
  AudioFrontendState state;
  AudioFrontend frontend;
  AudioFrontendConfig frontend_config;
  frontend_config.filter_bank.num_channels = 10;
  ASSERT_TRUE(AudioFrontend::Create(frontend_config, &state, &frontend).ok());
  Interpreter* const models[2] = {&interpreter(), &other.interpreter()};
  StreamClassifier classifier;
  Status status = StreamClassifier::Create(StreamClassifierConfig(), &frontend, models, 2,
                                           ring_.data(), ring_.size(), &classifier);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("same window"), std::string::npos)
      << status.message();

  status = StreamClassifier::Create(StreamClassifierConfig(), &frontend_, models, 0, ring_.data(),
                                    ring_.size(), &classifier);
  EXPECT_NE(std::string(status.message()).find("1 to 4"), std::string::npos) << status.message();
  StreamClassifierConfig negative;
  negative.ensemble_gate = -0.5f;
  status = StreamClassifier::Create(negative, &frontend_, models, 1, ring_.data(), ring_.size(),
                                    &classifier);
  EXPECT_NE(std::string(status.message()).find("ensemble_gate"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace picoml

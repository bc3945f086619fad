// The alarm's front-end configuration (alarm_config::FrontendConfig): LiteRT
// Micro's defaults unless the noise estimate is slowed down, and what the
// slowdown is for: an alarm tone keeps more of its level in the features.
#include "alarm_config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "alarm/features.h"
#include "alarm/generator.h"
#include "picoml/audio_frontend.h"

namespace picoml::alarm {
namespace {

TEST(AlarmFrontendConfig, DefaultIsTheSpeechFrontEnd) {
  // The shipped models were trained on these features.
  EXPECT_EQ(alarm_config::kNoiseSlowdown, 1);
  const AudioFrontendConfig alarm = alarm_config::FrontendConfig();
  const AudioFrontendConfig speech;
  EXPECT_EQ(alarm.smoothing, speech.smoothing);
  EXPECT_EQ(alarm.one_minus_smoothing, speech.one_minus_smoothing);
  EXPECT_EQ(alarm.alternate_smoothing, speech.alternate_smoothing);
  EXPECT_EQ(alarm.alternate_one_minus_smoothing, speech.alternate_one_minus_smoothing);
  EXPECT_EQ(alarm.min_signal_remaining, speech.min_signal_remaining);
  EXPECT_EQ(alarm.pcan_enabled, speech.pcan_enabled);
}

TEST(AlarmFrontendConfig, SlowdownDividesTheSmoothingAndKeepsItsComplement) {
  const AudioFrontendConfig slow = alarm_config::FrontendConfig(10);
  EXPECT_EQ(slow.smoothing, 40);  // 409 / 10: 0.0024 per frame
  EXPECT_EQ(slow.one_minus_smoothing, 16384 - 40);
  EXPECT_EQ(slow.alternate_smoothing, 98);  // 983 / 10
  EXPECT_EQ(slow.alternate_one_minus_smoothing, 16384 - 98);
  AudioFrontendState state;
  AudioFrontend frontend;
  EXPECT_TRUE(AudioFrontend::Create(slow, &state, &frontend).ok());
}

// The mean feature of a 3.1 kHz tone's strongest channel over the last
// 0.2 s of a 0.5 s beep (a T3 beep), after 3 s of faint noise.
double ToneChannelLevel(const AudioFrontendConfig& config) {
  Rng rng(3);
  std::vector<int16_t> samples;
  for (int i = 0; i < 3 * kSampleRate; ++i)
    samples.push_back(static_cast<int16_t>(rng.Uniform(-30.0, 30.0)));
  for (int i = 0; i < kSampleRate / 2; ++i)
    samples.push_back(
        static_cast<int16_t>(rng.Uniform(-30.0, 30.0) +
                             3000.0 * std::sin(2 * 3.14159265358979 * 3100.0 * i / kSampleRate)));
  const std::vector<int8_t> features = ComputeFeatures(samples, config);
  const int frames = static_cast<int>(features.size()) / kChannels;
  int best = 0;
  for (int c = 0; c < kChannels; ++c)
    if (features[(frames - 1) * kChannels + c] > features[(frames - 1) * kChannels + best])
      best = c;
  double sum = 0;
  for (int f = frames - 10; f < frames; ++f) sum += features[f * kChannels + best];
  return sum / 10;
}

TEST(AlarmFrontendConfig, ASlowerNoiseEstimateSubtractsLessOfABeep) {
  const double speech = ToneChannelLevel(alarm_config::FrontendConfig(1));
  const double slow = ToneChannelLevel(alarm_config::FrontendConfig(10));
  EXPECT_GT(slow, speech + 10) << "speech front end " << speech << ", slowed down " << slow;
}

std::vector<int16_t> Noise(int seconds, uint64_t seed) {
  Rng rng(seed);
  std::vector<int16_t> samples;
  for (int i = 0; i < seconds * kSampleRate; ++i)
    samples.push_back(static_cast<int16_t>(rng.Uniform(-2000.0, 2000.0)));
  return samples;
}

// Mean feature over channels and frames [begin, begin + 10).
double MeanLevel(const std::vector<int8_t>& features, int begin) {
  double sum = 0;
  for (int i = begin * kChannels; i < (begin + 10) * kChannels; ++i) sum += features[i];
  return sum / (10 * kChannels);
}

TEST(AlarmFrontendConfig, SettlingStartsTheNoiseEstimateOnTheBackground) {
  // With a slow estimate, 2 s after a reset the features of steady noise are
  // still far above where a long-running stream has them; after 30 s of
  // settling on the clip's first second they are where the stream is.
  const AudioFrontendConfig slow = alarm_config::FrontendConfig(10);
  const std::vector<int16_t> clip = Noise(3, 5);
  const double running = MeanLevel(ComputeFeatures(Noise(60, 6), slow), 2900);
  const double reset = MeanLevel(ComputeFeatures(clip, slow), 100);
  const double settled = MeanLevel(ComputeSettledFeatures(clip, kSampleRate, 30.0, slow), 100);
  EXPECT_GT(reset, running + 10) << "a reset front end should not have settled in 2 s";
  EXPECT_NEAR(settled, running, 2.0) << "reset " << reset;
}

TEST(AlarmFrontendConfig, SettlingKeepsTheFrameTiming) {
  const std::vector<int16_t> clip = Noise(2, 7);
  const std::vector<int8_t> fresh = ComputeFeatures(clip);
  EXPECT_EQ(ComputeSettledFeatures(clip, kSampleRate, 0.0), fresh);
  const std::vector<int8_t> settled = ComputeSettledFeatures(clip, kSampleRate, 5.0);
  EXPECT_EQ(settled.size(), fresh.size());
  EXPECT_NE(settled, fresh);
  EXPECT_THROW(ComputeSettledFeatures(clip, 479, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace picoml::alarm

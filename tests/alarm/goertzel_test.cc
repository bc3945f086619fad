// The Goertzel baseline on pure tones and clean patterns, and the feature
// frames the CNN sees.
#include "alarm/goertzel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "alarm/features.h"
#include "alarm/generator.h"

namespace picoml::alarm {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> Sine(double frequency, double amplitude, int n) {
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i)
    x[i] = static_cast<float>(amplitude * std::sin(2 * kPi * frequency * i / 16000.0));
  return x;
}

TEST(Goertzel, PureToneAtTheBinGivesHalfNAmplitudeSquared) {
  // 3100 Hz over 320 samples: 62 whole periods.
  const std::vector<float> x = Sine(3100.0, 0.5, 320);
  const double expected = std::pow(0.5 * 320 / 2, 2);
  EXPECT_NEAR(GoertzelPower(x.data(), x.size(), 3100.0, 16000.0), expected, 0.01 * expected);
  // 1 kHz away: nothing (20 whole periods of difference).
  EXPECT_LT(GoertzelPower(x.data(), x.size(), 2100.0, 16000.0), 1e-6 * expected);
}

TEST(Goertzel, BlockRatioSeparatesTonesFromNoise) {
  GoertzelDetector detector;
  for (double f : {2800.0, 3100.0, 3400.0, 470.0, 520.0, 570.0}) {
    const std::vector<float> x = Sine(f, 0.3, 320);
    EXPECT_GT(detector.BlockRatio(x.data()), 0.7) << f;
  }
  for (double f : {1000.0, 2000.0, 4500.0, 6000.0}) {
    const std::vector<float> x = Sine(f, 0.3, 320);
    EXPECT_LT(detector.BlockRatio(x.data()), 0.05) << f;
  }
  std::vector<float> noise(320);
  uint32_t s = 1;
  for (float& v : noise) {
    s = s * 1664525u + 1013904223u;
    v = (static_cast<float>(s >> 8) / 16777216.0f - 0.5f);
  }
  EXPECT_LT(detector.BlockRatio(noise.data()), 0.2);
}

std::vector<int16_t> DryAlarm(Pattern pattern, double onset, double seconds) {
  AlarmParams p;
  p.pattern = pattern;
  p.onset_s = onset;
  Rng rng(1);
  return ToInt16(SynthesizeAlarm(p, static_cast<int64_t>(seconds * kSampleRate), rng), 0.3);
}

TEST(Goertzel, DetectsCleanT3AfterTheThirdBeep) {
  GoertzelDetector detector;
  const std::vector<int16_t> x = DryAlarm(Pattern::kT3, 1.0, 6.0);
  const std::vector<GoertzelEvent> events = detector.Push(x.data(), x.size());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].t4);
  // Third beep ends at 1.0 + 2.5 s; seen when the next block is off.
  EXPECT_NEAR(events[0].time_s, 3.5, 0.05);
}

TEST(Goertzel, DetectsCleanT4) {
  GoertzelDetector detector;
  const std::vector<int16_t> x = DryAlarm(Pattern::kT4, 0.5, 3.0);
  const std::vector<GoertzelEvent> events = detector.Push(x.data(), x.size());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].t4);
  EXPECT_NEAR(events[0].time_s, 0.5 + 0.5, 0.05);  // end of the third beep
}

TEST(Goertzel, ContinuousToneAndSilenceAreNotAlarms) {
  GoertzelDetector detector;
  const std::vector<float> tone = Sine(3100.0, 0.3, 10 * kSampleRate);
  std::vector<int16_t> x = ToInt16(tone, 1.0);
  EXPECT_TRUE(detector.Push(x.data(), x.size()).empty());
  std::vector<int16_t> silence(5 * kSampleRate, 0);
  EXPECT_TRUE(detector.Push(silence.data(), silence.size()).empty());
}

TEST(AlarmFeatures, OneSecondGivesFortyNineFramesOfFortyChannels) {
  std::vector<int16_t> x(kSampleRate);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int16_t>(3000 * std::sin(0.9 * i));
  const std::vector<int8_t> f = ComputeFeatures(x);
  EXPECT_EQ(f.size(), 49u * 40u);  // (16000 - 480) / 320 + 1 frames
}

TEST(AlarmFeatures, WindowsAreLabelledByWholeBeeps) {
  // 8 s of T3 from 0.5 s: every window after the 2 s warm-up holds a whole
  // beep (the longest beep-free stretch is 1.5 s), or is skipped as partial.
  Clip clip;
  AlarmParams p;
  p.onset_s = 0.5;
  Rng rng(3);
  clip.samples = ToInt16(SynthesizeAlarm(p, 8 * kSampleRate, rng), 0.3);
  clip.beeps = BeepIntervals(p, 8 * kSampleRate);
  clip.has_alarm = true;
  WindowSet set;
  AddWindows(clip, 5, set);
  ASSERT_GT(set.count(), 0);
  for (int64_t l : set.labels) EXPECT_EQ(l, 1);
  EXPECT_EQ(set.features.size(), static_cast<size_t>(set.count()) * kWindowFrames * kChannels);
  Clip quiet;
  quiet.samples.assign(8 * kSampleRate, 0);
  WindowSet none;
  AddWindows(quiet, 5, none);
  ASSERT_GT(none.count(), 0);
  for (int64_t l : none.labels) EXPECT_EQ(l, 0);
}

}  // namespace
}  // namespace picoml::alarm

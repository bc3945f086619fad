// The Goertzel baseline on pure tones and clean patterns, and the feature
// frames the CNN sees.
#include "alarm/goertzel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "alarm/alarm_test_util.h"
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

struct LabelCase {
  Pattern pattern;
  double begin_s, end_s;
  WindowLabel expected;
};
void PrintTo(const LabelCase& c, std::ostream* os) {
  *os << PatternName(c.pattern) << " window " << c.begin_s << "-" << c.end_s << " s";
}

class AlarmWindowLabel : public ::testing::TestWithParam<LabelCase> {};

// T3 from 1 s: groups of beeps at 1.0-3.5 s, 5.0-7.5 s, 9.0-11.5 s.
// T4 from 0.5 s: beeps at 0.5, 0.7, 0.9, 1.1 s (0.1 s each), again from 6.2 s.
TEST_P(AlarmWindowLabel, WholeGroupsAreAlarmsAndFirstBeepsAreNot) {
  const LabelCase c = GetParam();
  Clip clip;
  clip.has_alarm = true;
  clip.params.pattern = c.pattern;
  clip.params.onset_s = c.pattern == Pattern::kT3 ? 1.0 : 0.5;
  clip.beeps = BeepIntervals(clip.params, 12 * kSampleRate);
  auto at = [](double s) { return static_cast<int64_t>(s * kSampleRate); };
  EXPECT_EQ(LabelWindow(clip, at(c.begin_s), at(c.end_s)), c.expected)
      << c.begin_s << " s to " << c.end_s << " s";
}

INSTANTIATE_TEST_SUITE_P(
    Alarm, AlarmWindowLabel,
    ::testing::Values(LabelCase{Pattern::kT3, 0.0, 0.9, WindowLabel::kBackground},
                      LabelCase{Pattern::kT3, 0.5, 2.7, WindowLabel::kBackground},
                      LabelCase{Pattern::kT3, 0.5, 3.4, WindowLabel::kBackground},
                      LabelCase{Pattern::kT3, 0.5, 4.5, WindowLabel::kAlarm},
                      LabelCase{Pattern::kT3, 1.2, 5.2, WindowLabel::kAmbiguous},
                      LabelCase{Pattern::kT3, 2.0, 6.0, WindowLabel::kAmbiguous},
                      LabelCase{Pattern::kT3, 3.6, 4.9, WindowLabel::kBackground},
                      LabelCase{Pattern::kT3, 4.0, 8.0, WindowLabel::kAlarm},
                      LabelCase{Pattern::kT3, 2.9, 7.6, WindowLabel::kAlarm},
                      LabelCase{Pattern::kT4, 0.4, 1.25, WindowLabel::kAlarm},
                      LabelCase{Pattern::kT4, 0.4, 1.0, WindowLabel::kBackground},
                      LabelCase{Pattern::kT4, 0.75, 2.0, WindowLabel::kAmbiguous},
                      LabelCase{Pattern::kT4, 1.5, 5.5, WindowLabel::kBackground},
                      LabelCase{Pattern::kT4, 5.0, 9.0, WindowLabel::kAlarm}),
    [](const ::testing::TestParamInfo<LabelCase>& info) {  // e.g. T3_from05_to27 (tenths of s)
      const LabelCase& c = info.param;
      return std::string(PatternName(c.pattern)) + "_from" +
             std::to_string(std::lround(c.begin_s * 10)) + "_to" +
             std::to_string(std::lround(c.end_s * 10));
    });

TEST(AlarmFeatures, BackgroundClipGivesOnlyBackgroundWindowsOfTheModelsSize) {
  Clip quiet;
  quiet.samples.assign(10 * kSampleRate, 0);
  WindowSet none;
  AddWindows(quiet, 5, none);
  ASSERT_GT(none.count(), 0);
  for (int64_t l : none.labels) EXPECT_EQ(l, 0);
  EXPECT_EQ(none.features.size(), static_cast<size_t>(none.count()) * kWindowFrames * kChannels);
}

TEST(AlarmFeatures, AlarmClipGivesAlarmWindows) {
  Clip clip;
  AlarmParams p;
  p.onset_s = 4.5;  // windows end from 6 s on: the first ones hear only 1-2 beeps
  Rng rng(3);
  clip.samples = ToInt16(SynthesizeAlarm(p, 12 * kSampleRate, rng), 0.3);
  clip.beeps = BeepIntervals(p, 12 * kSampleRate);
  clip.params = p;
  clip.has_alarm = true;
  WindowSet set;
  AddWindows(clip, 5, set);
  int64_t alarms = 0;
  for (int64_t l : set.labels) alarms += l;
  EXPECT_GT(alarms, 0);
  EXPECT_LT(alarms, set.count());  // the first beeps, before the group is whole
}

TEST(AlarmFeatures, WindowSetIsTheSameOnAnyNumberOfThreads) {
  const BackgroundLibrary backgrounds = test::NoiseLibrary(7);
  DatasetOptions options = test::SmallDataset(7);
  const WindowSet one = MakeWindowSet(backgrounds, options);
  options.threads = 3;
  const WindowSet three = MakeWindowSet(backgrounds, options);
  ASSERT_GT(one.count(), 0);
  int64_t alarms = 0;
  for (int64_t l : one.labels) alarms += l;
  EXPECT_GT(alarms, 0);  // half the clips carry an alarm: the set is not all background
  EXPECT_EQ(one.labels, three.labels);
  EXPECT_TRUE(one.features == three.features);
  options.seed = 2;
  EXPECT_FALSE(MakeWindowSet(backgrounds, options).features == one.features);
}

TEST(AlarmFeatures, SettlingChangesTheFeaturesNotTheWindows) {
  const BackgroundLibrary backgrounds = test::NoiseLibrary(7);
  DatasetOptions options = test::SmallDataset(7);
  const WindowSet fresh = MakeWindowSet(backgrounds, options);
  options.settle_s = 10.0;
  const WindowSet settled = MakeWindowSet(backgrounds, options);
  ASSERT_GT(fresh.count(), 0);
  EXPECT_EQ(settled.labels, fresh.labels);
  EXPECT_EQ(settled.features.size(), fresh.features.size());
  EXPECT_FALSE(settled.features == fresh.features);
}

TEST(AlarmFeatures, DecoyClipsAreHeardButLabelledBackground) {
  std::vector<std::vector<float>> files(1, std::vector<float>(3 * kSampleRate, 0.0f));
  const BackgroundLibrary silence = BackgroundLibrary::FromSamples(files);
  DatasetOptions options = test::SmallDataset(4);
  options.alarm_fraction = 0.0;
  options.decoy_fraction = 1.0;
  const WindowSet decoys = MakeWindowSet(silence, options);
  options.decoy_fraction = 0.0;
  const WindowSet quiet = MakeWindowSet(silence, options);
  ASSERT_GT(decoys.count(), 0);
  ASSERT_EQ(decoys.count(), quiet.count());
  for (int64_t l : decoys.labels) EXPECT_EQ(l, 0);
  // The decoys are in the audio: the features differ from the silent clips'.
  EXPECT_FALSE(decoys.features == quiet.features);
}

}  // namespace
}  // namespace picoml::alarm

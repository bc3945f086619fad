// The alarm generator: determinism, pattern timing measured independently
// (envelope thresholding), SNR mixing, the room's decay.
#include "alarm/generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "alarm/alarm_test_util.h"
#include "host/wav.h"
#include "support/test_dir.h"

namespace picoml::alarm {
namespace {

constexpr double kPi = 3.14159265358979323846;

using test::NoiseLibrary;

// Runs of "sounding" found by thresholding a 5 ms moving RMS at half the peak
// RMS: (start s, duration s) of each.
std::vector<std::pair<double, double>> MeasureBeeps(const std::vector<float>& x) {
  const int w = kSampleRate / 200;
  std::vector<double> rms(x.size(), 0.0);
  double sum = 0.0, peak = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    sum += x[i] * x[i];
    if (i >= static_cast<size_t>(w)) sum -= x[i - w] * x[i - w];
    rms[i] = std::sqrt(std::max(0.0, sum) / w);
    peak = std::max(peak, rms[i]);
  }
  std::vector<std::pair<double, double>> runs;
  bool on = false;
  size_t start = 0;
  for (size_t i = 0; i <= x.size(); ++i) {
    const bool now = i < x.size() && rms[i] > 0.5 * peak;
    if (now && !on) start = i;
    if (!now && on)
      runs.push_back({start / double(kSampleRate), (i - start) / double(kSampleRate)});
    on = now;
  }
  return runs;
}

// A library over two folders holds each folder's files, sorted by name within
// it, the first folder's first; files under 0.1 s are left out as with one.
TEST(AlarmBackgrounds, LoadsSeveralFoldersInOrder) {
  namespace fs = std::filesystem;
  const fs::path dir = picoml::test::OwnTestDir("picoml_alarm_backgrounds");
  fs::create_directories(dir / "main");
  fs::create_directories(dir / "extra");
  host::WriteWav((dir / "main" / "b.wav").string(), std::vector<int16_t>(kSampleRate, 100));
  host::WriteWav((dir / "main" / "a.wav").string(), std::vector<int16_t>(kSampleRate / 2, 200));
  host::WriteWav((dir / "main" / "click.wav").string(), std::vector<int16_t>(kSampleRate / 20, 1));
  host::WriteWav((dir / "extra" / "a.wav").string(), std::vector<int16_t>(2 * kSampleRate, 300));
  const BackgroundLibrary library =
      BackgroundLibrary::Load({(dir / "main").string(), (dir / "extra").string()});
  EXPECT_EQ(library.names(), (std::vector<std::string>{"a.wav", "b.wav", "a.wav"}));
  EXPECT_DOUBLE_EQ(library.seconds(), 0.5 + 1.0 + 2.0);
  EXPECT_EQ(BackgroundLibrary::Load((dir / "main").string()).file_count(), 2u);
  fs::remove_all(dir);
}

// A folder without .wav files (a library not built yet, a mistyped name) is
// an error naming it and the script that builds libraries, even when another
// folder has files.
TEST(AlarmBackgrounds, AnEmptyFolderIsAnError) {
  namespace fs = std::filesystem;
  const fs::path dir = picoml::test::OwnTestDir("picoml_alarm_backgrounds");
  fs::create_directories(dir / "main");
  host::WriteWav((dir / "main" / "a.wav").string(), std::vector<int16_t>(kSampleRate, 100));
  const std::string missing = (dir / "not-built").string();
  try {
    BackgroundLibrary::Load({(dir / "main").string(), missing});
    ADD_FAILURE() << "no error for " << missing;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("make-alarm-backgrounds.sh"), std::string::npos)
        << e.what();
  }
  fs::remove_all(dir);
}

TEST(AlarmGenerator, SameSeedSameSamples) {
  const BackgroundLibrary library = NoiseLibrary(7);
  for (int pattern = 0; pattern < 2; ++pattern) {
    Rng a(1234), b(1234), c(1235);
    AlarmParams pa = RandomAlarm(a, pattern ? Pattern::kT4 : Pattern::kT3);
    AlarmParams pb = RandomAlarm(b, pattern ? Pattern::kT4 : Pattern::kT3);
    AlarmParams pc = RandomAlarm(c, pattern ? Pattern::kT4 : Pattern::kT3);
    pa.onset_s = pb.onset_s = pc.onset_s = 0.5;
    const Clip ca = MakeClip(library, 4 * kSampleRate, &pa, 5.0, -20.0, a);
    const Clip cb = MakeClip(library, 4 * kSampleRate, &pb, 5.0, -20.0, b);
    const Clip cc = MakeClip(library, 4 * kSampleRate, &pc, 5.0, -20.0, c);
    EXPECT_EQ(ca.samples, cb.samples);
    EXPECT_NE(ca.samples, cc.samples);
  }
}

TEST(AlarmGenerator, DecoysAreOutsideTheStandardsTiming) {
  Rng rng(11);
  int short_ones = 0, long_ones = 0;
  for (int i = 0; i < 500; ++i) {
    const AlarmParams p = RandomDecoy(rng);
    // Alarms vary by +-10 %; a decoy is at least 20 % off that.
    EXPECT_TRUE(p.timing_scale <= 0.72 || p.timing_scale >= 1.5) << p.timing_scale;
    EXPECT_GE(p.timing_scale, 0.45);
    EXPECT_LE(p.timing_scale, 2.6);
    (p.timing_scale < 1.0 ? short_ones : long_ones)++;
  }
  EXPECT_GT(short_ones, 100);
  EXPECT_GT(long_ones, 200);
}

TEST(AlarmGenerator, RandomAlarmStaysInRanges) {
  Rng rng(99);
  for (int i = 0; i < 500; ++i) {
    const AlarmParams p = RandomAlarm(rng, Pattern::kT3);
    const double nominal = p.tone == Tone::kPiezo ? 3100.0 : 520.0;
    EXPECT_GE(p.frequency_hz, 0.9 * nominal);
    EXPECT_LE(p.frequency_hz, 1.1 * nominal);
    EXPECT_GE(p.timing_scale, 0.9);
    EXPECT_LE(p.timing_scale, 1.1);
    EXPECT_GE(p.rt60_s, 0.2);
    EXPECT_LE(p.rt60_s, 0.8);
  }
}

// The 520 Hz share follows its argument, and the default is the share the
// earlier recipes' clips were drawn with (the same draws, so the same clips).
TEST(AlarmGenerator, LowToneFractionSetsTheShareOfSquareSounders) {
  for (const double share : {0.0, 0.4, 1.0}) {
    Rng rng(7);
    int square = 0;
    const int n = 2000;
    for (int i = 0; i < n; ++i) {
      square += RandomAlarm(rng, Pattern::kT4, share).tone == Tone::kSquare520;
    }
    EXPECT_NEAR(static_cast<double>(square) / n, share, 0.03) << "share " << share;
  }
  Rng a(3), b(3);
  for (int i = 0; i < 100; ++i) {
    const AlarmParams p = RandomAlarm(a, Pattern::kT3);
    const AlarmParams q = RandomAlarm(b, Pattern::kT3, 0.25);
    EXPECT_EQ(p.tone, q.tone);
    EXPECT_EQ(p.frequency_hz, q.frequency_hz);
    EXPECT_EQ(p.rt60_s, q.rt60_s);
  }
}

TEST(AlarmGenerator, RandomPatternDrawsT4AtTheAskedShare) {
  for (const double share : {0.0, 0.6, 1.0}) {
    Rng rng(11);
    int t4 = 0;
    const int n = 2000;
    for (int i = 0; i < n; ++i) t4 += RandomPattern(rng, share) == Pattern::kT4;
    EXPECT_NEAR(static_cast<double>(t4) / n, share, 0.03) << "share " << share;
  }
  // The default is the fair coin the test and validation splits were drawn
  // with before RandomPattern existed: same draws, same clips.
  Rng a(5), b(5);
  for (int i = 0; i < 200; ++i) {
    const Pattern coin = b.Chance(0.5) ? Pattern::kT3 : Pattern::kT4;
    EXPECT_EQ(RandomPattern(a), coin) << "draw " << i;
  }
}

struct TimingCase {
  Pattern pattern;
  Tone tone;
  double scale;
  int beeps;
  double beep_s, gap_s, quiet_s;
};
void PrintTo(const TimingCase& c, std::ostream* os) {
  *os << PatternName(c.pattern) << (c.tone == Tone::kPiezo ? " piezo" : " square 520 Hz")
      << ", timing x" << c.scale;
}

class PatternTiming : public ::testing::TestWithParam<TimingCase> {};

TEST_P(PatternTiming, MeasuredEnvelopeMatchesTheStandard) {
  const TimingCase t = GetParam();
  AlarmParams p;
  p.pattern = t.pattern;
  p.tone = t.tone;
  p.frequency_hz = t.tone == Tone::kPiezo ? 3100.0 : 520.0;
  p.timing_scale = t.scale;
  p.onset_s = 0.25;
  Rng rng(1);
  const std::vector<float> x = SynthesizeAlarm(p, 12 * kSampleRate, rng);
  const auto runs = MeasureBeeps(x);
  ASSERT_GE(runs.size(), static_cast<size_t>(2 * t.beeps));
  const double tol = 0.012;  // the 5 ms ramps and the 5 ms RMS window
  EXPECT_NEAR(runs[0].first, 0.25, tol);
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].first + t.beep_s * t.scale > 12.0) break;  // cut at the clip's end
    EXPECT_NEAR(runs[i].second, t.beep_s * t.scale, tol) << "beep " << i;
    if (i + 1 < runs.size()) {
      const double gap = runs[i + 1].first - runs[i].first - runs[i].second;
      const bool last_of_group = (i + 1) % t.beeps == 0;
      EXPECT_NEAR(gap, (last_of_group ? t.quiet_s : t.gap_s) * t.scale, tol) << "after beep " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Alarm, PatternTiming,
    ::testing::Values(TimingCase{Pattern::kT3, Tone::kPiezo, 1.0, 3, 0.5, 0.5, 1.5},
                      TimingCase{Pattern::kT3, Tone::kSquare520, 1.1, 3, 0.5, 0.5, 1.5},
                      TimingCase{Pattern::kT4, Tone::kPiezo, 1.0, 4, 0.1, 0.1, 5.0},
                      TimingCase{Pattern::kT4, Tone::kPiezo, 0.9, 4, 0.1, 0.1, 5.0}),
    [](const ::testing::TestParamInfo<TimingCase>& info) {  // e.g. T3_square520_timing110
      const TimingCase& c = info.param;
      return std::string(PatternName(c.pattern)) +
             (c.tone == Tone::kPiezo ? "_piezo" : "_square520") + "_timing" +
             std::to_string(std::lround(c.scale * 100));
    });

TEST(AlarmGenerator, PiezoToneIsAtItsFrequency) {
  AlarmParams p;
  p.frequency_hz = 3000.0;
  Rng rng(1);
  const std::vector<float> x = SynthesizeAlarm(p, kSampleRate, rng);
  // Zero crossings over the middle of the first beep: 2 per period.
  int crossings = 0;
  for (int i = 1000; i < 7000; ++i) crossings += (x[i - 1] < 0) != (x[i] < 0);
  EXPECT_NEAR(crossings, 2 * 3000.0 * 6000 / kSampleRate, 2);
}

class SnrMixing : public ::testing::TestWithParam<double> {};

TEST_P(SnrMixing, PowerRatioIsTheRequestedSnr) {
  const double snr = GetParam();
  const BackgroundLibrary library = NoiseLibrary(3);
  Rng rng(5);
  const int64_t length = 6 * kSampleRate;
  const std::vector<float> background = library.Make(length, rng);
  AlarmParams p;
  p.onset_s = 1.3;
  p.rt60_s = 0.5;
  const std::vector<float> alarm = SynthesizeAlarm(p, length, rng);
  const std::vector<Interval> beeps = BeepIntervals(p, length);
  std::vector<float> mix = background;
  MixAtSnr(mix, alarm, beeps, snr);
  // Independently: the added signal during beeps vs the background from the
  // first beep on.
  double signal = 0, noise = 0;
  int64_t signal_n = 0, noise_n = 0;
  for (const Interval& b : beeps)
    for (int64_t i = b.begin; i < b.end; ++i, ++signal_n) {
      const double s = static_cast<double>(mix[i]) - background[i];
      signal += s * s;
    }
  for (int64_t i = beeps.front().begin; i < length; ++i, ++noise_n)
    noise += static_cast<double>(background[i]) * background[i];
  const double measured = 10 * std::log10((signal / signal_n) / (noise / noise_n));
  EXPECT_NEAR(measured, snr, 0.1);
}

INSTANTIATE_TEST_SUITE_P(Alarm, SnrMixing, ::testing::Values(20.0, 10.0, 0.0, -5.0));

TEST(AlarmGenerator, RoomDecaysSixtyDecibelsOverRt60) {
  Rng rng(11);
  const double rt60 = 0.5;
  const std::vector<float> h = RoomImpulseResponse(rt60, 1.0, rng);
  EXPECT_EQ(h[0], 1.0f);
  // Energy in 50 ms windows at 0.1 s and 0.4 s: 0.3 s apart = 36 dB.
  auto energy = [&h](double t) {
    double e = 0;
    for (int i = static_cast<int>(t * kSampleRate); i < static_cast<int>((t + 0.05) * kSampleRate);
         ++i)
      e += h[i] * h[i];
    return e;
  };
  EXPECT_NEAR(10 * std::log10(energy(0.1) / energy(0.4)), 60.0 * 0.3 / rt60, 3.0);
  double reverb = 0;
  for (size_t i = 1; i < h.size(); ++i) reverb += h[i] * h[i];
  EXPECT_NEAR(reverb, 1.0, 1e-3);  // reverb_ratio 1: as much as the direct path
}

TEST(AlarmGenerator, ConvolutionMatchesDirectSum) {
  std::vector<float> x(300), k(37);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37 * i) + (i % 7 == 0);
  for (size_t i = 0; i < k.size(); ++i) k[i] = std::cos(1.1 * i) / (1 + i);
  const std::vector<float> y = Convolve(x, k);
  ASSERT_EQ(y.size(), x.size());
  for (size_t n = 0; n < x.size(); ++n) {
    double s = 0;
    for (size_t j = 0; j < k.size() && j <= n; ++j) s += double(k[j]) * x[n - j];
    EXPECT_NEAR(y[n], s, 1e-4) << n;
  }
}

TEST(AlarmGenerator, ClipLevelAndSaturation) {
  const BackgroundLibrary library = NoiseLibrary(9);
  Rng rng(2);
  const Clip quiet = MakeClip(library, kSampleRate, nullptr, 0, -30.0, rng);
  double sum = 0;
  for (int16_t s : quiet.samples) sum += double(s) * s;
  EXPECT_NEAR(10 * std::log10(sum / quiet.samples.size() / (32768.0 * 32768.0)), -30.0, 0.1);
  const Clip loud = MakeClip(library, kSampleRate, nullptr, 0, +6.0, rng);
  int clipped = 0;
  for (int16_t s : loud.samples) clipped += s == 32767 || s == -32768;
  EXPECT_GT(clipped, 0);  // saturated, not wrapped
  (void)kPi;
}

// Speed augmentation: a 1 kHz tone played at 1.2 is a 1.2 kHz tone, read
// 1.2 times as fast; Make() with a spread varies the speed per segment, and
// with none it is what it always was, random draws included.
TEST(AlarmGenerator, PlayingAtASpeedScalesFrequencyAndDuration) {
  std::vector<float> tone(kSampleRate);
  for (size_t i = 0; i < tone.size(); ++i)
    tone[i] = static_cast<float>(std::sin(2.0 * M_PI * 1000.0 * i / kSampleRate));
  for (const double speed : {0.87, 1.0, 1.2}) {
    std::vector<float> out(8000, 0.0f);
    AddAtSpeed(tone, 100, speed, 0.5, out.data(), static_cast<int64_t>(out.size()));
    int crossings = 0;
    for (size_t i = 1; i < out.size(); ++i) crossings += (out[i - 1] < 0.0f) != (out[i] < 0.0f);
    // Two crossings per period over 0.5 s.
    EXPECT_NEAR(crossings / 2.0 / 0.5, 1000.0 * speed, 3.0) << "speed " << speed;
    double peak = 0.0;
    for (float v : out) peak = std::max(peak, std::fabs(static_cast<double>(v)));
    EXPECT_NEAR(peak, 0.5, 0.01);
  }
}

TEST(AlarmGenerator, SpeedSpreadChangesBackgroundsOnlyWhenSet) {
  BackgroundLibrary plain = NoiseLibrary(3);
  BackgroundLibrary spread = NoiseLibrary(3);
  Rng a(9), b(9), c(9);
  const std::vector<float> before = plain.Make(5 * kSampleRate, a);
  spread.set_speed_spread(0.15);
  std::vector<BackgroundSegment> segments;
  const std::vector<float> faster = spread.Make(5 * kSampleRate, b, &segments);
  EXPECT_NE(before, faster);
  ASSERT_FALSE(segments.empty());
  for (const BackgroundSegment& s : segments) EXPECT_LE(s.end, 5 * kSampleRate);
  spread.set_speed_spread(0.0);
  EXPECT_EQ(spread.Make(5 * kSampleRate, c), before);
}

// A decoy sounding with the alarm (training augmentation). Dry signals draw
// nothing from the Rng, so a clip made with the overlay and one made without
// it from the same seed share their background (and alarm); each clip is
// scaled to its level, so the two differ by a factor `k` wherever the decoy
// is silent, and B / k - A is the decoy.
struct OverlayPair {
  std::vector<double> a, b;  // without, with the overlay
  std::vector<Interval> decoy_beeps;
  double k = 0.0;
};

OverlayPair MakeOverlayPair(const AlarmParams* alarm, const Overlay& overlay, int64_t length,
                            Clip* with = nullptr) {
  const BackgroundLibrary library = NoiseLibrary(21);
  Rng ra(77), rb(77);
  const Clip a = MakeClip(library, length, alarm, 10.0, -20.0, ra);
  const Clip b = MakeClip(library, length, alarm, 10.0, -20.0, rb, overlay);
  OverlayPair pair;
  pair.a.assign(a.samples.begin(), a.samples.end());
  pair.b.assign(b.samples.begin(), b.samples.end());
  pair.decoy_beeps = BeepIntervals(overlay.params, length);
  std::vector<bool> decoy(static_cast<size_t>(length), false);
  for (const Interval& beep : pair.decoy_beeps)
    for (int64_t i = beep.begin; i < beep.end; ++i) decoy[i] = true;
  double ab = 0.0, aa = 0.0;
  for (int64_t i = 0; i < length; ++i)
    if (!decoy[i]) ab += pair.a[i] * pair.b[i], aa += pair.a[i] * pair.a[i];
  pair.k = ab / aa;
  if (with) *with = b;
  return pair;
}

AlarmParams DryDecoy() {
  AlarmParams decoy;
  decoy.pattern = Pattern::kT4;
  decoy.timing_scale = 2.0;  // 0.2 s beeps
  decoy.frequency_hz = 2000.0;
  decoy.onset_s = 0.2;
  return decoy;
}

TEST(AlarmGenerator, OverlayIsMixedAtItsSnrOverTheBackground) {
  const int64_t length = 6 * kSampleRate;
  for (const double snr : {0.0, -6.0}) {
    const OverlayPair p = MakeOverlayPair(nullptr, Overlay{DryDecoy(), snr}, length);
    double signal = 0.0, noise = 0.0;
    int64_t signal_n = 0, noise_n = 0;
    for (const Interval& beep : p.decoy_beeps)
      for (int64_t i = beep.begin; i < beep.end; ++i, ++signal_n) {
        const double d = p.b[i] / p.k - p.a[i];
        signal += d * d;
      }
    for (int64_t i = p.decoy_beeps.front().begin; i < length; ++i, ++noise_n)
      noise += p.a[i] * p.a[i];
    EXPECT_NEAR(10 * std::log10((signal / signal_n) / (noise / noise_n)), snr, 0.2);
  }
}

TEST(AlarmGenerator, OverlayLeavesTheAlarmAndItsLabelsAlone) {
  const int64_t length = 6 * kSampleRate;
  AlarmParams alarm;  // T3 at 3.1 kHz, dry
  alarm.onset_s = 1.0;
  Clip with;
  const OverlayPair p = MakeOverlayPair(&alarm, Overlay{DryDecoy(), 0.0}, length, &with);
  EXPECT_TRUE(with.has_alarm);
  const std::vector<Interval> expected = BeepIntervals(alarm, length);
  ASSERT_EQ(with.beeps.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(with.beeps[i].begin, expected[i].begin);
    EXPECT_EQ(with.beeps[i].end, expected[i].end);
  }
  // Where the decoy is silent, background and alarm are in the same ratio
  // as without it (the alarm's gain is set against the background alone):
  // only int16 rounding tells the clips apart.
  std::vector<bool> decoy(static_cast<size_t>(length), false);
  for (const Interval& beep : p.decoy_beeps)
    for (int64_t i = beep.begin; i < beep.end; ++i) decoy[i] = true;
  double residual = 0.0, power = 0.0, in_decoy = 0.0;
  for (int64_t i = 0; i < length; ++i) {
    const double d = p.b[i] / p.k - p.a[i];
    (decoy[i] ? in_decoy : residual) += d * d;
    if (!decoy[i]) power += p.a[i] * p.a[i];
  }
  EXPECT_LT(residual / power, 1e-5);
  EXPECT_GT(in_decoy, 1000 * residual);  // and the decoy is there
}

}  // namespace
}  // namespace picoml::alarm

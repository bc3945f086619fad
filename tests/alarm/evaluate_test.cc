// Tuning replays recorded score traces instead of re-running the model for
// every setting, so EventsFromTrace must decide exactly as StreamClassifier
// does on the device.
#include "alarm/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "alarm/detector.h"
#include "alarm/features.h"
#include "alarm/generator.h"
#include "audio/audio_test_data.h"
#include "host/wav.h"

namespace picoml::alarm {
namespace {

// Scores 0.2, 0.9, 1.0, 1.0, 0.1, 1.0 at 0-5 s. Means of the last two: 0.2
// (one score so far), 0.55, 0.95, 1.0, 0.55, 0.55; of the last three: 0.2,
// 0.55, 0.7, 0.967, 0.7, 0.7.
TEST(EventsFromTrace, AveragesTheLastScoresThenSuppresses) {
  const std::vector<double> times = {0, 1, 2, 3, 4, 5};
  const std::vector<float> scores = {0.2f, 0.9f, 1.0f, 1.0f, 0.1f, 1.0f};
  using Events = std::vector<double>;
  EXPECT_EQ(EventsFromTrace(times, scores, 1, 0.9, 5.0), (Events{1}));
  EXPECT_EQ(EventsFromTrace(times, scores, 1, 0.9, 2.0), (Events{1, 3, 5}));
  EXPECT_EQ(EventsFromTrace(times, scores, 2, 0.9, 5.0), (Events{2}));
  EXPECT_EQ(EventsFromTrace(times, scores, 2, 0.9, 0.5), (Events{2, 3}));
  EXPECT_EQ(EventsFromTrace(times, scores, 3, 0.9, 0.5), (Events{3}));
  EXPECT_EQ(EventsFromTrace(times, scores, 3, 0.99, 0.5), (Events{}));
  EXPECT_EQ(EventsFromTrace(times, scores, 1, 0.2, 0.5), (Events{0, 1, 2, 3, 5}));
}

// A real stream: the speech model's last label ("no") as the score, the
// other labels ignored, so the classifier's events are exactly the times its
// averaged "no" score reaches the threshold. Replaying the recorded trace
// must give the same events for every averaging length tuning tries (1-6).
TEST(EventsFromTrace, ReplaysWhatTheStreamClassifierDecided) {
  if (!test::HaveConformanceAudio()) GTEST_SKIP() << "no conformance audio at " << test::AudioDir();
  std::vector<int16_t> stream;
  for (const char* name : {"silence_1000ms", "no_1000ms", "noise_1000ms", "no_1000ms", "yes_1000ms",
                           "no_1000ms", "silence_1000ms"}) {
    const std::vector<int16_t> clip =
        host::ReadWav((test::AudioDir() / (std::string(name) + ".wav")).string()).samples;
    stream.insert(stream.end(), clip.begin(), clip.end());
  }
  // Also for an ensemble (the model twice, the second gated): the trace holds
  // the ensemble's scores, as the classifier averaged them.
  const std::string model = test::ModelPath("micro_speech_quantized.tflite").string();
  int total_events = 0;
  for (int copies : {1, 2}) {
    for (int average : {1, 2, 3, 4, 5, 6}) {
      StreamClassifierConfig config;
      config.stride_frames = 3;
      config.average_inferences = average;
      config.threshold = 0.6f;
      config.suppression_ms = 600;
      config.ignored_labels = 0x7;  // silence, unknown, yes: only "no" decides
      config.ensemble_gate = copies > 1 ? 0.4f : 0.0f;
      CnnDetector detector(std::vector<std::string>(copies, model), config);
      detector.record = true;
      const std::vector<double> events = detector.Push(stream.data(), stream.size());
      ASSERT_FALSE(detector.trace_scores.empty());
      EXPECT_EQ(EventsFromTrace(detector.trace_times, detector.trace_scores, average,
                                config.threshold, config.suppression_ms / 1000.0),
                events)
          << "average " << average << ", " << copies << " models";
      total_events += static_cast<int>(events.size());
    }
  }
  EXPECT_GT(total_events, 0) << "the stream never reached the threshold: the test checks nothing";
}

// A 4 s window (kWindowFrames) ending at t: which segments it overlaps.
TEST(SourcesBefore, NamesTheFilesPlayingInTheWindowBeforeAFalseAlarm) {
  ASSERT_EQ(kWindowFrames * kFrameSamples, 4 * kSampleRate);
  const BackgroundLibrary library =
      BackgroundLibrary::FromSamples({{0.0f}, {0.0f}, {0.0f}});  // memory-0, -1, -2
  const int64_t s = kSampleRate;
  Clip previous, clip;
  previous.samples.resize(60 * s);
  previous.background = {{2, 0, 50 * s, 59 * s}, {0, 1, 0, 60 * s}};
  clip.samples.resize(60 * s);
  clip.background = {{0, 0, 0, 5 * s}, {1, 0, 6 * s, 20 * s}, {2, 1, 30 * s, 40 * s}};
  // [6 s, 10 s): only memory-1.
  EXPECT_EQ(SourcesBefore(library, clip, previous, 10.0), std::vector<std::string>{"memory-1"});
  // [4.5 s, 8.5 s): the end of memory-0, the start of memory-1.
  EXPECT_EQ(SourcesBefore(library, clip, previous, 8.5),
            (std::vector<std::string>{"memory-0", "memory-1"}));
  // [-3 s, 1 s): memory-0 here; in the clip before, memory-0 in the quiet
  // layer to its end, memory-2 up to 1 s before its end.
  EXPECT_EQ(SourcesBefore(library, clip, previous, 1.0),
            (std::vector<std::string>{"memory-0", "memory-0 (quiet)", "memory-2"}));
  // [-0.5 s, 3.5 s) reaches back past memory-2's end: not listed.
  EXPECT_EQ(SourcesBefore(library, clip, previous, 3.5),
            (std::vector<std::string>{"memory-0", "memory-0 (quiet)"}));
  // [31 s, 35 s): the quiet layer only.
  EXPECT_EQ(SourcesBefore(library, clip, previous, 35.0),
            std::vector<std::string>{"memory-2 (quiet)"});
}

// The traces name each clip's alarm, SNR and background files, so that late
// or missed alarms can be studied from the trace alone. The clips are made
// again here from the same seed and compared.
TEST(TuneTraces, NameEachClipsAlarmSnrAndBackgrounds) {
  if (!test::HaveConformanceAudio()) GTEST_SKIP() << "no conformance audio at " << test::AudioDir();
  Rng noise(5);
  std::vector<std::vector<float>> files(4, std::vector<float>(kSampleRate));
  for (auto& file : files)
    for (float& v : file) v = static_cast<float>(noise.Uniform(-0.3, 0.3));
  const BackgroundLibrary library = BackgroundLibrary::FromSamples(files);
  EvalOptions options;
  options.clips_per_snr = 2;
  options.background_hours = 1.0 / 60;
  CnnDetector detector({test::ModelPath("micro_speech_quantized.tflite").string()},
                       StreamClassifierConfig());
  const TuneResult result = Tune(library, &detector, options, nullptr);
  const nlohmann::json& clips = result.cnn_traces.at("clips");
  ASSERT_EQ(clips.size(), options.snrs.size() * options.clips_per_snr);
  Rng rng(options.seed);
  size_t i = 0;
  for (double snr : options.snrs) {
    for (int k = 0; k < options.clips_per_snr; ++k, ++i) {
      const AlarmCase c = MakeAlarmCase(library, snr, options.alarm_seconds, rng);
      const nlohmann::json& t = clips[i];
      EXPECT_EQ(t.at("snr_db").get<double>(), snr);
      EXPECT_EQ(t.at("onset_s").get<double>(), c.onset_s);
      EXPECT_EQ(t.at("alarm").at("pattern").get<std::string>(), PatternName(c.alarm.pattern));
      EXPECT_EQ(t.at("alarm").at("frequency_hz").get<double>(), c.alarm.frequency_hz);
      EXPECT_EQ(t.at("alarm").at("timing_scale").get<double>(), c.alarm.timing_scale);
      std::set<std::string> names;
      for (const BackgroundSegment& s : c.clip.background) names.insert(SourceName(library, s));
      ASSERT_FALSE(names.empty());
      EXPECT_EQ(t.at("background").get<std::set<std::string>>(), names);
      EXPECT_FALSE(t.at("scores").empty());
    }
  }
  // Replaying the traces as written (through JSON text, as tune --replay
  // reads them) chooses what the run chose.
  const CnnTuneResult replay = TuneCnn(
      CnnTracesFromJson(nlohmann::json::parse(result.cnn_traces.dump())), CriterionOf(options));
  EXPECT_EQ(replay.chosen.threshold, result.cnn.chosen.threshold);
  EXPECT_EQ(replay.chosen.average, result.cnn.chosen.average);
  EXPECT_EQ(replay.chosen.false_alarms, result.cnn.chosen.false_alarms);
  EXPECT_EQ(replay.chosen.recall, result.cnn.chosen.recall);
  ASSERT_EQ(replay.grid.size(), result.cnn.grid.size());
  for (size_t g = 0; g < replay.grid.size(); ++g)
    EXPECT_EQ(replay.grid[g].false_alarms, result.cnn.grid[g].false_alarms) << g;
  ASSERT_EQ(replay.per_snr.size(), options.snrs.size());
  for (size_t k = 0; k < options.snrs.size(); ++k) {
    EXPECT_EQ(replay.per_snr[k].snr_db, options.snrs[k]);  // highest first, as listed
    EXPECT_EQ(replay.per_snr[k].clips, options.clips_per_snr);
  }
}

// The budget scales with the hours tuned on and rounds down: the goal's
// rate allows none below a day, half of it one in 72 h.
TEST(FalseAlarmBudget, ScalesWithHoursAndRoundsDown) {
  EXPECT_EQ(FalseAlarmBudget(1.0, 72.0), 3);
  EXPECT_EQ(FalseAlarmBudget(1.0, 24.0), 1);
  EXPECT_EQ(FalseAlarmBudget(1.0, 23.5), 0);
  EXPECT_EQ(FalseAlarmBudget(0.5, 72.0), 1);
  EXPECT_EQ(FalseAlarmBudget(0.5, 48.0), 1);
  EXPECT_EQ(FalseAlarmBudget(0.5, 24.0), 0);
  EXPECT_EQ(FalseAlarmBudget(0.0, 72.0), 0);
  EXPECT_EQ(FalseAlarmBudget(1.0 / 3.0, 72.0), 1);  // 1 - 1e-16 is still 1
}

// A stricter budget moves the choice to a quieter setting; within a budget
// the most prompt detections win, then recall, then the earlier setting.
TEST(ChooseSetting, BestWithinTheBudget) {
  // {threshold, average, recall, recall within 5 s, false alarms}
  const std::vector<TunePoint> points = {
      TunePoint{0.50, 3, 0.99, 0.96, 3},  // 0
      TunePoint{0.70, 3, 0.99, 0.95, 1},  // 1
      TunePoint{0.90, 3, 0.97, 0.93, 0},  // 2
      TunePoint{0.50, 1, 1.00, 0.98, 5},  // 3: the most prompt, too noisy
      TunePoint{0.80, 1, 0.99, 0.96, 2},  // 4: as prompt as 0, later in the list
      TunePoint{0.85, 1, 1.00, 0.95, 1},  // 5: as prompt as 1, better recall
  };
  EXPECT_EQ(ChooseSetting(points, 5), 3u);
  EXPECT_EQ(ChooseSetting(points, 3), 0u);  // 4 ties with 0 and comes later
  EXPECT_EQ(ChooseSetting(points, 2), 4u);  // 0 is over by one
  EXPECT_EQ(ChooseSetting(points, 1), 5u);
  EXPECT_EQ(ChooseSetting(points, 0), 2u);
}

// The margin under a chosen setting: false alarms at the same averaging and
// a lower threshold, or -1 when the grid has no such setting.
TEST(FalseAlarmsBelow, SameAveragingLowerThreshold) {
  const std::vector<TunePoint> points = {
      TunePoint{0.74, 1, 1.00, 0.97, 7},
      TunePoint{0.78, 1, 0.99, 0.96, 4},
      TunePoint{0.80, 1, 0.99, 0.95, 1},
      TunePoint{0.78, 2, 0.99, 0.95, 2},
  };
  EXPECT_EQ(FalseAlarmsBelow(points, points[2], 0.02), 4);
  EXPECT_EQ(FalseAlarmsBelow(points, points[2], 0.06), 7);
  EXPECT_EQ(FalseAlarmsBelow(points, points[2], 0.10), -1);
  EXPECT_EQ(FalseAlarmsBelow(points, TunePoint{0.80, 2, 0.9, 0.9, 0}, 0.02), 2);
}

// When no setting is within the budget the quietest wins, but not one that
// is quiet only because it detects almost nothing.
TEST(ChooseSetting, FewestFalseAlarmsWhenNoneIsQuietEnough) {
  const std::vector<TunePoint> points = {
      TunePoint{0.50, 2, 0.98, 0.95, 9}, TunePoint{0.80, 2, 0.96, 0.90, 4},
      TunePoint{0.99, 2, 0.40, 0.30, 0},  // below half the best recall
  };
  EXPECT_EQ(ChooseSetting(points, 1), 1u);
  EXPECT_EQ(ChooseSetting(points, 0), 1u);
  EXPECT_EQ(ChooseSetting(points, 4), 1u);
  EXPECT_EQ(ChooseSetting(points, 9), 0u);
}

// With a margin, a setting at the edge of a cliff (quiet at its threshold,
// many false alarms a little under it) gives way to a higher one.
TEST(ChooseSetting, MarginPassesOverASettingAtACliff) {
  // {threshold, average, recall, recall within 5 s, false alarms}
  const std::vector<TunePoint> points = {
      TunePoint{0.48, 2, 0.99, 0.97, 11},  // 0
      TunePoint{0.53, 2, 0.99, 0.96, 1},   // 1: within the budget, 11 under it
      TunePoint{0.58, 2, 0.98, 0.95, 1},   // 2: 1 at 0.53
      TunePoint{0.63, 2, 0.97, 0.94, 0},   // 3
  };
  EXPECT_EQ(ChooseSetting(points, TuneCriterion{1}), 1u);
  EXPECT_EQ(ChooseSetting(points, TuneCriterion{1, 0.05, 3}), 2u);
  EXPECT_EQ(ChooseSetting(points, TuneCriterion{1, 0.05, 11}), 1u);
  // 0.48 has nothing 0.05 under it in the grid: it counts as one over, so
  // with a budget that takes its 11 false alarms it still loses to 1.
  EXPECT_EQ(ChooseSetting(points, TuneCriterion{11, 0.05, 11}), 1u);
  // No setting meets the margin: the fewest over both budgets.
  EXPECT_EQ(ChooseSetting(points, TuneCriterion{0, 0.05, 0}), 3u);
}

// Off the 0.01 grid (its top steps: 0.9925, 0.995, 0.996), the next lower
// setting stands in: false alarms only grow as the threshold falls.
TEST(FalseAlarmsBelow, OffTheGridTakesTheNextLowerSetting) {
  const std::vector<TunePoint> points = {
      TunePoint{0.96, 1, 1.00, 0.97, 6},
      TunePoint{0.97, 1, 0.99, 0.96, 3},
      TunePoint{0.9925, 1, 0.99, 0.95, 0},
  };
  EXPECT_EQ(FalseAlarmsBelow(points, points[2], 0.02), 3);  // 0.9725: 0.97's
  EXPECT_EQ(FalseAlarmsBelow(points, points[2], 0.03), 6);  // 0.9625: 0.96's
  EXPECT_EQ(FalseAlarmsBelow(points, points[2], 0.0), 0);
  ASSERT_NE(SettingBelow(points, points[2], 0.02), nullptr);
  EXPECT_EQ(SettingBelow(points, points[2], 0.02)->threshold, 0.97);  // what the count is of
  EXPECT_EQ(SettingBelow(points, points[2], 0.05), nullptr);
}

// Two SNRs, one clip each, and an hour of background: every setting is
// replayed over the clips and the background, false alarms in the lead-ins
// counted, and the chosen one reported per SNR.
TEST(TuneCnn, ReplaysEachSettingOverClipsAndBackground) {
  CnnTraces t;
  t.alarm_seconds = 10.0;
  // 0 dB, onset at 5 s: a lone 0.95 at 2 s (a lead-in false alarm unless
  // averaged away), then 0.9 at 7 s, 2 s after the onset (5 s after the
  // 0.95: not suppressed).
  t.clips.push_back({5.0, 0.0, {1.0, 2.0, 7.0}, {0.1f, 0.95f, 0.9f}});
  // +10 dB: only a 0.6 at 12 s, 7 s late.
  t.clips.push_back({5.0, 10.0, {1.0, 12.0}, {0.1f, 0.6f}});
  t.backgrounds.push_back({1.0, {100.0, 200.0}, {0.8f, 0.1f}});
  const CnnTuneResult r = TuneCnn(t, TuneCriterion{0});
  const auto at = [&r](double threshold, int average) {
    for (const TunePoint& p : r.grid)
      if (p.average == average && std::abs(p.threshold - threshold) < 1e-9) return p;
    ADD_FAILURE() << threshold << " x " << average << " not in the grid";
    return TunePoint{};
  };
  // One inference: both clips found at 0.60, with the lead-in's and the
  // background's false alarms; at 0.81 only the lead-in's.
  EXPECT_EQ(at(0.60, 1).recall, 1.0);
  EXPECT_EQ(at(0.60, 1).recall_5s, 0.5);
  EXPECT_EQ(at(0.60, 1).false_alarms, 2);
  EXPECT_EQ(at(0.81, 1).false_alarms, 1);
  // Two averaged: the lead-in's mean is 0.525 and the background's first
  // 0.8 (one score so far), the detection's 0.925: from 0.81 to 0.92 the
  // 0 dB clip is found without a false alarm, the lowest first.
  EXPECT_EQ(r.chosen.average, 2);
  EXPECT_NEAR(r.chosen.threshold, 0.81, 1e-9);
  EXPECT_EQ(r.chosen.false_alarms, 0);
  EXPECT_EQ(r.chosen.recall, 0.5);
  ASSERT_EQ(r.per_snr.size(), 2u);
  EXPECT_EQ(r.per_snr[0].snr_db, 10.0);
  EXPECT_EQ(r.per_snr[0].clips, 1);
  EXPECT_EQ(r.per_snr[0].detected, 0);
  EXPECT_EQ(r.per_snr[1].snr_db, 0.0);
  EXPECT_EQ(r.per_snr[1].detected, 1);
  EXPECT_EQ(r.per_snr[1].detected_5s, 1);
  EXPECT_EQ(r.per_snr[1].clip_false_alarms, 0);
  // Two and six steps under 0.81 at two averaged: 0.79 and 0.75, where the
  // background's 0.8 counts.
  ASSERT_EQ(r.false_alarms_below.size(), 2u);
  EXPECT_NEAR(r.false_alarms_below[0].first, 0.79, 1e-9);
  EXPECT_EQ(r.false_alarms_below[0].second, 1);
  EXPECT_EQ(r.false_alarms_below[1].second, 1);
}

// Pooled traces keep each background a stream of its own: a score at the
// end of one and another at the start of the next are not averaged together
// nor suppressed by each other, and the hours add up.
TEST(PoolTraces, KeepsEachBackgroundAStreamOfItsOwn) {
  CnnTraces a, b;
  a.alarm_seconds = 10.0;
  a.clips.push_back({5.0, 0.0, {7.0}, {0.9f}});
  a.backgrounds.push_back({2.0, {100.0, 101.0}, {0.1f, 0.9f}});
  b.backgrounds.push_back({1.0, {0.4, 50.0}, {0.9f, 0.1f}});
  PoolTraces(a, b);
  EXPECT_EQ(a.background_hours(), 3.0);
  EXPECT_EQ(a.clips.size(), 1u);
  const CnnTuneResult r = TuneCnn(a, TuneCriterion{5});
  int checked = 0;
  for (const TunePoint& p : r.grid) {
    if (std::abs(p.threshold - 0.85) > 1e-9) continue;
    if (p.average == 1) {
      // One stream, 101.0 then 0.4: the second event would come "before"
      // the first and be suppressed; as two streams both count.
      EXPECT_EQ(p.false_alarms, 2);
      EXPECT_EQ(p.recall, 1.0);
      ++checked;
    } else if (p.average == 2) {
      // 0.9 at 0.4 s is the second stream's first score, alone: its mean.
      EXPECT_EQ(p.false_alarms, 1);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
  CnnTraces c;
  c.alarm_seconds = 8.0;
  c.clips.push_back({5.0, 0.0, {7.0}, {0.9f}});
  EXPECT_THROW(PoolTraces(a, c), std::runtime_error);
}

// A traces file that is not what tune --traces writes says what is wrong.
TEST(CnnTracesFromJson, NamesWhatIsMissingOrMalformed) {
  const auto message = [](const char* text) {
    try {
      CnnTracesFromJson(nlohmann::json::parse(text));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("[1, 2]"), "traces: not a JSON object");
  EXPECT_EQ(message(R"({"clips": []})"), "traces: the file has no \"alarm_seconds\"");
  EXPECT_EQ(message(R"({"alarm_seconds": 10, "clips": [{"onset_s": 1, "snr_db": 0,
      "times": [1, 2], "scores": [0.5]}]})"),
            "traces: clip 0 has 2 times but 1 scores");
  EXPECT_EQ(message(R"({"alarm_seconds": 10, "clips": [{"onset_s": 1, "snr_db": 0,
      "times": "x", "scores": []}]})"),
            "traces: \"times\" of clip 0 is not a list of numbers");
  EXPECT_EQ(message(R"({"alarm_seconds": 10, "clips": []})"),
            "traces: the file has no \"background\"");
  const CnnTraces t = CnnTracesFromJson(nlohmann::json::parse(
      R"({"alarm_seconds": 10, "clips": [],
          "background": {"hours": 2, "times": [0.4], "scores": [0.25]}})"));
  EXPECT_EQ(t.background_hours(), 2.0);
  ASSERT_EQ(t.backgrounds.size(), 1u);
  ASSERT_EQ(t.backgrounds[0].scores.size(), 1u);
  EXPECT_EQ(t.backgrounds[0].scores[0], 0.25f);
}

// A lead-in adds background before the same alarm: the same draws, the
// onset later by the lead-in, the clip longer by as much.
TEST(MakeAlarmCase, LeadInDelaysTheSameAlarm) {
  const BackgroundLibrary library = BackgroundLibrary::FromSamples({std::vector<float>(800, 0.1f)});
  Rng a(9), b(9);
  const AlarmCase plain = MakeAlarmCase(library, 0.0, 10.0, a);
  const AlarmCase led = MakeAlarmCase(library, 0.0, 10.0, b, 20.0);
  EXPECT_DOUBLE_EQ(led.onset_s, plain.onset_s + 20.0);
  EXPECT_GE(plain.onset_s, 3.0);
  EXPECT_LT(plain.onset_s, 8.0);
  EXPECT_EQ(led.alarm.pattern, plain.alarm.pattern);
  EXPECT_EQ(led.alarm.frequency_hz, plain.alarm.frequency_hz);
  EXPECT_EQ(led.clip.samples.size(), static_cast<size_t>((led.onset_s + 10.0) * kSampleRate));
  ASSERT_FALSE(led.clip.beeps.empty());
  EXPECT_EQ(led.clip.beeps.front().begin, std::llround(led.onset_s * kSampleRate));
}

// `eval --hours 0` (alarm clips only): the table says no background was
// heard instead of dividing by zero hours.
TEST(ResultsTable, WithoutBackgroundHasNoRate) {
  DetectorResult r;
  r.name = "cnn";
  std::string table = ResultsTable({r});
  EXPECT_NE(table.find("| cnn | 0.0 | 0 | none heard |"), std::string::npos) << table;
  EXPECT_EQ(table.find("nan"), std::string::npos) << table;
  r.background_hours = 24.0;
  r.background_false_alarms = 1;
  table = ResultsTable({r});
  EXPECT_NE(table.find("| cnn | 24.0 | 1 | 0.042 (0.198) |"), std::string::npos) << table;
}

// Published chi-square values: the bound is chi2(0.95; 2k + 2) / 2.
TEST(PoissonUpper95, MatchesTheChiSquareTable) {
  EXPECT_NEAR(PoissonUpper95(0), 2.9957, 1e-3);  // -ln 0.05
  EXPECT_NEAR(PoissonUpper95(1), 4.7439, 1e-3);
  EXPECT_NEAR(PoissonUpper95(5), 10.5130, 1e-3);
  EXPECT_NEAR(PoissonUpper95(10), 16.9621, 1e-3);
}

}  // namespace
}  // namespace picoml::alarm

// Evaluation of alarm detectors on generated audio, and the tuning of their
// thresholds (on TRAINING backgrounds and seeds only).
//
// Alarm clips: background for a lead-in of 3-8 s (the detector runs from the
// clip's start, as a device that has been listening), then an alarm (T3 or
// T4, every variation) for 10 s more. A clip counts as detected when an
// event comes after the alarm began; the delay is from the first beep to
// the event. Events before the first beep are false alarms.
// Background: a continuous stream of background-only audio, one level per
// minute, fed to one detector without reset; every event is a false alarm.
#ifndef PICOML_TOOLS_ALARM_EVALUATE_H_
#define PICOML_TOOLS_ALARM_EVALUATE_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "alarm/detector.h"
#include "alarm/generator.h"

namespace picoml::alarm {

struct EvalOptions {
  std::vector<double> snrs = {20, 10, 5, 0, -5};
  int clips_per_snr = 100;
  double alarm_seconds = 10.0;
  double background_hours = 1.0;
  uint64_t seed = 0x7e57;  // test seeds; training uses others
  // Background before each alarm clip's onset (drawn from 3-8 s) on top:
  // with it the front end's noise estimate starts each alarm settled, as on
  // a device that has listened for a while, not fresh from a reset.
  double lead_in_s = 0.0;
  // Tuning only: the false alarms allowed per 24 h of background. The goal
  // is 1; tuning to it picks a setting that was lucky on the hours tuned on
  // (on unseen validation days such settings raised about twice as many), so
  // a lower rate leaves a margin.
  double false_alarms_per_day = 1.0;
  // Tuning only, off at 0: a setting must also stay within
  // margin_false_alarms_per_day at a threshold margin_below under its own
  // (same averaging): a setting at the edge of a cliff, where scores a little
  // lower on new background would raise many false alarms, does not qualify
  // (session 19: the seed tuned to 1 false alarm at 0.53 raised 11 at 0.48 on
  // validation and 24 on test).
  double margin_below = 0.0;
  double margin_false_alarms_per_day = 1.0;
  // Called with the last seconds of background audio before each false alarm
  // in the background stream (to listen to, or look at, what fooled it).
  std::function<void(const std::string& detector, double time_s, const std::vector<int16_t>& audio)>
      on_background_false_alarm;
};

// One alarm clip as the evaluation generates it.
struct AlarmCase {
  Clip clip;
  double onset_s = 0.0;
  AlarmParams alarm;
};
AlarmCase MakeAlarmCase(const BackgroundLibrary& backgrounds, double snr_db, double alarm_seconds,
                        Rng& rng, double lead_in_s = 0.0);

// An alarm counts as prompt when it is detected within this many seconds.
constexpr double kPromptSeconds = 5.0;
// Tuning tries averaging the last 1 to kTuneMaxAverage inferences: at one
// every 400 ms, six take 2.4 s, about all that a T3 group (complete 2.5 s
// after the alarm starts) leaves before the 5 s limit.
constexpr int kTuneMaxAverage = 6;

struct DetectorResult {
  std::string name;
  struct Bucket {
    double snr_db = 0;
    int clips = 0, detected = 0, detected_5s = 0;
    std::vector<double> delays;
    int clip_false_alarms = 0;
    int t3_clips = 0, t3_detected_5s = 0;  // the T3 clips among `clips`; the rest are T4
    int t4_clips() const { return clips - t3_clips; }
    int t4_detected_5s() const { return detected_5s - t3_detected_5s; }
    // The clips not detected within 5 s, with their delay (NAN: missed).
    std::vector<std::pair<AlarmParams, double>> late;
  };
  std::vector<Bucket> buckets;
  double background_hours = 0;
  int background_false_alarms = 0;
  // Each background false alarm: when, and the background files that played
  // in the window before it (what the detector mistook for an alarm).
  struct FalseAlarm {
    double time_s = 0;
    std::vector<std::string> sources;
  };
  std::vector<FalseAlarm> false_alarms;
  double clip_background_hours = 0;  // lead-ins
};

// With k events seen, the Poisson mean that would show k or fewer only 5 %
// of the time: the one-sided 95 % upper bound of the expected count (k = 0:
// 3.00, 1: 4.74, 5: 10.51).
double PoissonUpper95(int k);

// The background files playing in the model's window (kWindowFrames frames)
// that ends `t_s` seconds into `clip`, reaching back into `previous` (the
// clip before it in a stream; only its length and segments are used) when
// the window starts before `clip`. Sorted names; " (quiet)" marks the
// quieter layer.
// A background segment as the results name it: its file, and " (quiet)"
// for the quieter second layer.
std::string SourceName(const BackgroundLibrary& backgrounds, const BackgroundSegment& segment);

std::vector<std::string> SourcesBefore(const BackgroundLibrary& backgrounds, const Clip& clip,
                                       const Clip& previous, double t_s);

// Runs every detector on the same clips and the same background stream.
// `progress` (may be empty) gets a line now and then.
std::vector<DetectorResult> Evaluate(const BackgroundLibrary& backgrounds,
                                     const std::vector<Detector*>& detectors,
                                     const EvalOptions& options,
                                     const std::function<void(const std::string&)>& progress);

nlohmann::json ResultToJson(const DetectorResult& result);
// A Markdown table of all detectors, for the README.
std::string ResultsTable(const std::vector<DetectorResult>& results);

// Events from a trace of per-inference scores, decided as StreamClassifier
// decides them: the mean of the last `average` scores (fewer at the start,
// summed newest first in float) reaching `threshold`, unless an event came
// less than `suppression_s` earlier.
std::vector<double> EventsFromTrace(const std::vector<double>& times,
                                    const std::vector<float>& scores, int average, double threshold,
                                    double suppression_s);

// One setting of the decision replayed over the tuning data.
struct TunePoint {
  double threshold = 0;
  int average = 0;  // CNN: inferences averaged; 0 for Goertzel
  double recall = 0, recall_5s = 0;
  int false_alarms = 0;
};
// The false alarms allowed in `hours` of background at `per_day` per 24 h,
// rounded down (none below a day at the goal's rate).
int FalseAlarmBudget(double per_day, double hours);
// What ChooseSetting asks of a setting: at most `budget` false alarms, and,
// when margin_below > 0, at most `margin_budget` at a threshold margin_below
// under its own (FalseAlarmsBelow; a setting whose lower threshold is under
// the grid counts as one over).
struct TuneCriterion {
  int budget = 0;
  double margin_below = 0.0;
  int margin_budget = 0;
};
// The criterion of `options` over its background hours (FalseAlarmBudget).
TuneCriterion CriterionOf(const EvalOptions& options);

// The index of the chosen setting: among those that meet `criterion`, the
// best recall within 5 s, then the best recall, then the first in `points`
// (list more averaging and lower thresholds first); when none meets it, the
// fewest false alarms over its two budgets first. Settings below half the
// best recall do not count: the top of a grid can be quiet only because it
// detects nothing. `points` must not be empty.
size_t ChooseSetting(const std::vector<TunePoint>& points, const TuneCriterion& criterion);
inline size_t ChooseSetting(const std::vector<TunePoint>& points, int budget) {
  return ChooseSetting(points, TuneCriterion{budget});
}

// The false alarms of the setting with `chosen`'s averaging and the highest
// threshold at most `below` under its own (-1 when `points` holds none): how
// fast false alarms climb just under a tuned threshold. A steep climb marks a
// setting that new background may not hold (session 16's pair: 1 false
// alarm at its 0.80, 4 at 0.78, 7 at 0.74, and 3 on the test split). Where
// the grid has no setting exactly `below` under, the next lower one counts:
// false alarms only grow as the threshold falls, so this never understates.
int FalseAlarmsBelow(const std::vector<TunePoint>& points, const TunePoint& chosen, double below);
// The setting FalseAlarmsBelow counts (nullptr: none).
const TunePoint* SettingBelow(const std::vector<TunePoint>& points, const TunePoint& chosen,
                              double below);

// How far under its chosen threshold Tune reports the false alarms
// (CnnTuneResult::false_alarms_below): two and six steps of its 0.01 grid.
inline constexpr double kTuneMarginOffsets[] = {0.02, 0.06};

// The CNN's score at every inference over the tuning data (what
// picoml-alarm tune --traces writes): enough to replay any decision setting
// without running the models again.
struct CnnTraces {
  struct Clip {
    double onset_s = 0, snr_db = 0;
    std::vector<double> times;
    std::vector<float> scores;
  };
  // A stream of background heard without a reset: every event in it is a
  // false alarm.
  struct Background {
    double hours = 0;
    std::vector<double> times;
    std::vector<float> scores;
  };
  double alarm_seconds = 0;
  std::vector<Clip> clips;
  std::vector<Background> backgrounds;
  double background_hours() const;
};
// Reads the JSON that TuneResult::cnn_traces holds; throws std::runtime_error
// naming the first field that is missing or malformed.
CnnTraces CnnTracesFromJson(const nlohmann::json& j);
// Adds `more`'s clips to `into`'s and its background as a stream of its own
// (no averaging or suppression across two streams), so that a tuning can be
// replayed over more background, or more alarms, than one run heard. Throws
// std::runtime_error when both hold clips of different alarm lengths.
void PoolTraces(CnnTraces& into, CnnTraces more);

// The CNN's decision tuned over `traces` (the grid: averaging
// kTuneMaxAverage down to 1, thresholds 0.30 to 0.99 and the int8 softmax's
// top steps), chosen by `criterion`.
struct CnnTuneResult {
  TunePoint chosen;
  // False alarms kTuneMarginOffsets below the chosen threshold ({the grid's
  // threshold counted, which is lower where the exact one is off the grid;
  // false alarms}; {chosen - offset, -1}: nothing that low in the grid).
  std::vector<std::pair<double, int>> false_alarms_below;
  // The chosen setting per SNR, highest first (clips, detected, detected_5s,
  // clip_false_alarms filled).
  std::vector<DetectorResult::Bucket> per_snr;
  std::vector<TunePoint> grid;
};
CnnTuneResult TuneCnn(const CnnTraces& traces, const TuneCriterion& criterion);
// A grid as the thresholds file lists it: a row per setting, named `detector`.
nlohmann::json TuneGridJson(const std::vector<TunePoint>& points, const std::string& detector);

// Threshold tuning on data apart from the test split (picoml-alarm tune uses
// the validation backgrounds, which training never heard): for each
// detector the setting with the best recall within 5 s among those that meet
// CriterionOf(options) (ChooseSetting; the Goertzel detector without the
// margin); when none does, the fewest false alarms first. For the CNN the
// number of inferences averaged (1 to kTuneMaxAverage) is tuned with the
// threshold (TuneCnn over the recorded scores).
struct TuneResult {
  CnnTuneResult cnn;
  double goertzel_threshold = 0, goertzel_recall = 0;
  // Both detectors' grids (TuneGridJson): Goertzel's rows, then the CNN's.
  nlohmann::json table;
  // The CNN's score at every inference, before averaging: {"alarm_seconds",
  // "clips": [{"onset_s", "snr_db", "alarm" (pattern, tone, frequency,
  // timing, room), "background" (the files under the clip), "times",
  // "scores"}], "background": {"hours", "times", "scores"}}: what
  // CnnTracesFromJson reads, for study outside the tool (how two models'
  // scores combine, which alarms come late) and for replaying the tuning.
  nlohmann::json cnn_traces;
};
TuneResult Tune(const BackgroundLibrary& backgrounds, CnnDetector* cnn, const EvalOptions& options,
                const std::function<void(const std::string&)>& progress);

}  // namespace picoml::alarm

#endif  // PICOML_TOOLS_ALARM_EVALUATE_H_

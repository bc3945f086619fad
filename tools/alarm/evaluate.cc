#include "alarm/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <type_traits>

#include "alarm/features.h"

namespace picoml::alarm {
namespace {

constexpr double kChunkSeconds = 60.0;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t i =
      std::min(v.size() - 1, static_cast<size_t>(std::ceil(p * v.size())) - (p > 0 ? 1 : 0));
  return v[i];
}

// Scores an alarm clip's events: detected (and delay) or missed, and the
// false alarms before the onset. Returns the delay, NAN when missed.
double ScoreClip(const std::vector<double>& events, double onset_s, double alarm_seconds,
                 DetectorResult::Bucket& bucket) {
  ++bucket.clips;
  double delay = NAN;
  for (double t : events) {
    if (t < onset_s) {
      ++bucket.clip_false_alarms;
    } else if (std::isnan(delay) && t <= onset_s + alarm_seconds) {
      delay = t - onset_s;
      ++bucket.detected;
      bucket.delays.push_back(delay);
      if (delay <= kPromptSeconds) ++bucket.detected_5s;
    }
  }
  return delay;
}

// ScoreClip plus the split by pattern and the list of late or missed clips.
void ScoreAlarmCase(const std::vector<double>& events, const AlarmCase& c, double alarm_seconds,
                    DetectorResult::Bucket& bucket) {
  const double delay = ScoreClip(events, c.onset_s, alarm_seconds, bucket);
  const bool in_time = !std::isnan(delay) && delay <= kPromptSeconds;
  if (c.alarm.pattern == Pattern::kT3) {
    ++bucket.t3_clips;
    bucket.t3_detected_5s += in_time ? 1 : 0;
  }
  if (!in_time) bucket.late.emplace_back(c.alarm, delay);
}

}  // namespace

std::string SourceName(const BackgroundLibrary& backgrounds, const BackgroundSegment& segment) {
  return backgrounds.names()[segment.file] + (segment.layer ? " (quiet)" : "");
}

std::vector<std::string> SourcesBefore(const BackgroundLibrary& backgrounds, const Clip& clip,
                                       const Clip& previous, double t_s) {
  const int64_t end = std::llround(t_s * kSampleRate);
  const int64_t begin = end - int64_t{kWindowFrames} * kFrameSamples;
  std::set<std::string> names;
  auto add = [&](const Clip& from, int64_t offset) {
    for (const BackgroundSegment& s : from.background)
      if (s.begin + offset < end && s.end + offset > begin)
        names.insert(SourceName(backgrounds, s));
  };
  add(clip, 0);
  if (begin < 0) add(previous, -static_cast<int64_t>(previous.samples.size()));
  return {names.begin(), names.end()};
}

namespace {

// The background stream, one minute at a time.
template <typename Consume>
void ForEachBackgroundChunk(const BackgroundLibrary& backgrounds, double hours, Rng& rng,
                            Consume consume) {
  const int chunks = static_cast<int>(std::ceil(hours * 3600.0 / kChunkSeconds));
  const int64_t length = static_cast<int64_t>(kChunkSeconds * kSampleRate);
  for (int c = 0; c < chunks; ++c) {
    const double level = rng.Uniform(-45.0, -15.0);
    consume(c, chunks, MakeClip(backgrounds, length, nullptr, 0.0, level, rng));
  }
}

}  // namespace

AlarmCase MakeAlarmCase(const BackgroundLibrary& backgrounds, double snr_db, double alarm_seconds,
                        Rng& rng, double lead_in_s) {
  AlarmCase c;
  AlarmParams alarm = RandomAlarm(rng, RandomPattern(rng));
  alarm.onset_s = rng.Uniform(3.0, 8.0) + lead_in_s;
  c.onset_s = alarm.onset_s;
  c.alarm = alarm;
  const int64_t length = static_cast<int64_t>((alarm.onset_s + alarm_seconds) * kSampleRate);
  c.clip = MakeClip(backgrounds, length, &alarm, snr_db, rng.Uniform(-40.0, -15.0), rng);
  return c;
}

std::vector<DetectorResult> Evaluate(const BackgroundLibrary& backgrounds,
                                     const std::vector<Detector*>& detectors,
                                     const EvalOptions& options,
                                     const std::function<void(const std::string&)>& progress) {
  std::vector<DetectorResult> results(detectors.size());
  for (size_t d = 0; d < detectors.size(); ++d) {
    results[d].name = detectors[d]->name();
    for (double snr : options.snrs) {
      DetectorResult::Bucket bucket;
      bucket.snr_db = snr;
      results[d].buckets.push_back(bucket);
    }
  }
  Rng rng(options.seed);
  for (size_t b = 0; b < options.snrs.size(); ++b) {
    for (int i = 0; i < options.clips_per_snr; ++i) {
      const AlarmCase c = MakeAlarmCase(backgrounds, options.snrs[b], options.alarm_seconds, rng,
                                        options.lead_in_s);
      for (size_t d = 0; d < detectors.size(); ++d) {
        detectors[d]->Reset();
        ScoreAlarmCase(detectors[d]->Push(c.clip.samples.data(), c.clip.samples.size()), c,
                       options.alarm_seconds, results[d].buckets[b]);
        results[d].clip_background_hours += c.onset_s / 3600.0;
      }
    }
    if (progress) progress(fmt::format("alarm clips at {:+g} dB SNR done", options.snrs[b]));
  }
  Rng background_rng(options.seed ^ 0xb6);
  for (Detector* detector : detectors) detector->Reset();
  Clip previous;  // the chunk before, for audio and sources that span two
  ForEachBackgroundChunk(
      backgrounds, options.background_hours, background_rng,
      [&](int c, int chunks, const Clip& clip) {
        for (size_t d = 0; d < detectors.size(); ++d) {
          const std::vector<double> events =
              detectors[d]->Push(clip.samples.data(), clip.samples.size());
          results[d].background_false_alarms += static_cast<int>(events.size());
          for (double t : events)
            results[d].false_alarms.push_back(
                {t, SourcesBefore(backgrounds, clip, previous, t - c * kChunkSeconds)});
          if (!options.on_background_false_alarm) continue;
          for (double t : events) {
            // The 6 s before the event, from this chunk and the one before.
            const int64_t end = std::llround((t - c * kChunkSeconds) * kSampleRate);
            const int64_t begin = end - 6 * kSampleRate;
            std::vector<int16_t> audio;
            for (int64_t i = begin; i < end; ++i) {
              if (i >= 0 && i < static_cast<int64_t>(clip.samples.size()))
                audio.push_back(clip.samples[i]);
              else if (i < 0 && -i <= static_cast<int64_t>(previous.samples.size()))
                audio.push_back(previous.samples[previous.samples.size() + i]);
            }
            options.on_background_false_alarm(detectors[d]->name(), t, audio);
          }
        }
        previous = clip;
        if (progress && (c + 1) % 60 == 0)
          progress(fmt::format("background: {} of {} minutes", c + 1, chunks));
      });
  for (DetectorResult& r : results)
    r.background_hours =
        std::ceil(options.background_hours * 3600.0 / kChunkSeconds) * kChunkSeconds / 3600.0;
  return results;
}

double PoissonUpper95(int k) {
  // The mean m with P(X <= k | m) = 0.05, by bisection; P falls as m grows.
  auto cdf = [k](double m) {
    double term = std::exp(-m), sum = term;
    for (int i = 1; i <= k; ++i) sum += term *= m / i;
    return sum;
  };
  double low = 0.0, high = 10.0 + 3.0 * k;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (low + high);
    (cdf(mid) > 0.05 ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

nlohmann::json FalseAlarmsToJson(const std::vector<DetectorResult::FalseAlarm>& alarms) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : alarms) out.push_back({{"time_s", a.time_s}, {"sources", a.sources}});
  return out;
}

namespace {

nlohmann::json AlarmToJson(const AlarmParams& alarm) {
  return {{"pattern", PatternName(alarm.pattern)},
          {"tone", alarm.tone == Tone::kPiezo ? "piezo" : "square520"},
          {"frequency_hz", alarm.frequency_hz},
          {"timing_scale", alarm.timing_scale},
          {"rt60_s", alarm.rt60_s},
          {"reverb_ratio", alarm.reverb_ratio}};
}

}  // namespace

nlohmann::json ResultToJson(const DetectorResult& r) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& b : r.buckets) {
    nlohmann::json late = nlohmann::json::array();
    for (const auto& [alarm, delay] : b.late) {
      nlohmann::json entry = AlarmToJson(alarm);
      entry["delay_s"] = std::isnan(delay) ? nlohmann::json() : nlohmann::json(delay);
      late.push_back(std::move(entry));
    }
    buckets.push_back(
        {{"snr_db", b.snr_db},
         {"t3_recall_within_5s", b.t3_clips ? double(b.t3_detected_5s) / b.t3_clips : 0.0},
         {"t4_recall_within_5s", b.t4_clips() ? double(b.t4_detected_5s()) / b.t4_clips() : 0.0},
         {"late_or_missed", late},
         {"clips", b.clips},
         {"recall", b.clips ? double(b.detected) / b.clips : 0.0},
         {"recall_within_5s", b.clips ? double(b.detected_5s) / b.clips : 0.0},
         {"median_delay_s", Percentile(b.delays, 0.5)},
         {"p95_delay_s", Percentile(b.delays, 0.95)},
         {"false_alarms_before_onset", b.clip_false_alarms}});
  }
  const double hours = r.background_hours;
  return {{"detector", r.name},
          {"buckets", buckets},
          {"background_hours", hours},
          {"background_false_alarms", r.background_false_alarms},
          {"false_alarm_sources", FalseAlarmsToJson(r.false_alarms)},
          {"false_alarms_per_hour", hours > 0 ? r.background_false_alarms / hours : 0.0},
          {"false_alarms_per_hour_95_upper",
           hours > 0 ? PoissonUpper95(r.background_false_alarms) / hours : NAN},
          {"lead_in_hours", r.clip_background_hours}};
}

std::string ResultsTable(const std::vector<DetectorResult>& results) {
  std::string out =
      "| detector | SNR dB | recall | recall <= 5 s | T3 / T4 recall <= 5 s | median delay s | "
      "p95 delay s |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const DetectorResult& r : results)
    for (const auto& b : r.buckets)
      out += fmt::format(
          "| {} | {:+g} | {:.1f} % ({}/{}) | {:.1f} % | {:.1f} % / {:.1f} % | {:.2f} | {:.2f} |\n",
          r.name, b.snr_db, 100.0 * b.detected / std::max(1, b.clips), b.detected, b.clips,
          100.0 * b.detected_5s / std::max(1, b.clips),
          100.0 * b.t3_detected_5s / std::max(1, b.t3_clips),
          100.0 * b.t4_detected_5s() / std::max(1, b.t4_clips()), Percentile(b.delays, 0.5),
          Percentile(b.delays, 0.95));
  out +=
      "\n| detector | background hours | false alarms | per hour (95 % upper bound) | false "
      "alarms in lead-ins (hours) |\n"
      "|---|---|---|---|---|\n";
  for (const DetectorResult& r : results) {
    int lead = 0;
    for (const auto& b : r.buckets) lead += b.clip_false_alarms;
    const std::string rate =
        r.background_hours > 0
            ? fmt::format("{:.3f} ({:.3f})", r.background_false_alarms / r.background_hours,
                          PoissonUpper95(r.background_false_alarms) / r.background_hours)
            : "none heard";
    out += fmt::format("| {} | {:.1f} | {} | {} | {} ({:.2f} h) |\n", r.name, r.background_hours,
                       r.background_false_alarms, rate, lead, r.clip_background_hours);
  }
  // What each detector mistook for an alarm, while the list stays readable.
  for (const DetectorResult& r : results) {
    if (r.false_alarms.empty() || r.false_alarms.size() > 20) continue;
    out += fmt::format("\n{} false alarms, with the background files in the 4 s before each:\n",
                       r.name);
    for (const auto& a : r.false_alarms)
      out += fmt::format("- {:.1f} s: {}\n", a.time_s, fmt::join(a.sources, ", "));
  }
  return out;
}

std::vector<double> EventsFromTrace(const std::vector<double>& times,
                                    const std::vector<float>& scores, int average, double threshold,
                                    double suppression_s) {
  std::vector<double> events;
  for (size_t i = 0; i < times.size(); ++i) {
    const size_t runs = std::min(i + 1, static_cast<size_t>(average));
    float sum = 0.0f;
    for (size_t r = 0; r < runs; ++r) sum += scores[i - r];
    const float mean = sum / static_cast<float>(runs);
    // The suppression compared in whole milliseconds, as the classifier
    // does: 4.35 - 3.75 is a hair under 0.6 in double.
    if (mean >= static_cast<float>(threshold) &&
        (events.empty() ||
         std::llround((times[i] - events.back()) * 1000.0) >= std::llround(suppression_s * 1000.0)))
      events.push_back(times[i]);
  }
  return events;
}

int FalseAlarmBudget(double per_day, double hours) {
  return static_cast<int>(std::floor(per_day * hours / 24.0 + 1e-9));
}

const TunePoint* SettingBelow(const std::vector<TunePoint>& points, const TunePoint& chosen,
                              double below) {
  const double threshold = chosen.threshold - below + 1e-9;
  const TunePoint* next_lower = nullptr;
  for (const TunePoint& p : points)
    if (p.average == chosen.average && p.threshold <= threshold &&
        (!next_lower || p.threshold > next_lower->threshold))
      next_lower = &p;
  return next_lower;
}

int FalseAlarmsBelow(const std::vector<TunePoint>& points, const TunePoint& chosen, double below) {
  const TunePoint* p = SettingBelow(points, chosen, below);
  return p ? p->false_alarms : -1;
}

TuneCriterion CriterionOf(const EvalOptions& options) {
  TuneCriterion c;
  c.budget = FalseAlarmBudget(options.false_alarms_per_day, options.background_hours);
  c.margin_below = options.margin_below;
  c.margin_budget = FalseAlarmBudget(options.margin_false_alarms_per_day, options.background_hours);
  return c;
}

size_t ChooseSetting(const std::vector<TunePoint>& points, const TuneCriterion& criterion) {
  double best_recall = 0.0;
  for (const TunePoint& p : points) best_recall = std::max(best_recall, p.recall);
  // How far a setting is from meeting the criterion, in false alarms.
  auto over = [&](const TunePoint& p) {
    int excess = std::max(0, p.false_alarms - criterion.budget);
    if (criterion.margin_below > 0) {
      const int below = FalseAlarmsBelow(points, p, criterion.margin_below);
      excess += below < 0 ? 1 : std::max(0, below - criterion.margin_budget);
    }
    return excess;
  };
  size_t chosen = points.size();
  int chosen_over = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const TunePoint& p = points[i];
    if (p.recall < 0.5 * best_recall) continue;
    const int p_over = over(p);
    if (chosen == points.size()) {
      chosen = i;
      chosen_over = p_over;
      continue;
    }
    const TunePoint& c = points[chosen];
    if (p_over < chosen_over ||
        (p_over == chosen_over &&
         (p.recall_5s > c.recall_5s || (p.recall_5s == c.recall_5s && p.recall > c.recall)))) {
      chosen = i;
      chosen_over = p_over;
    }
  }
  // The best recall always qualifies, so a non-empty list has a choice.
  return chosen;
}

namespace {

// Reads field `key` of `j` as T; throws naming it when it is missing or of
// another type.
template <typename T>
T Field(const nlohmann::json& j, const char* key, const char* where) {
  const auto it = j.find(key);
  if (it == j.end()) throw std::runtime_error(fmt::format("traces: {} has no \"{}\"", where, key));
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(
        fmt::format("traces: \"{}\" of {} is not {}", key, where,
                    std::is_arithmetic_v<T> ? "a number" : "a list of numbers"));
  }
}

// A setting's figures from the bucket of all its clips and the false alarms
// of its background streams.
TunePoint ScoredPoint(double threshold, int average, const DetectorResult::Bucket& all,
                      int background_false_alarms) {
  TunePoint p;
  p.threshold = threshold;
  p.average = average;
  p.false_alarms = all.clip_false_alarms + background_false_alarms;
  p.recall = double(all.detected) / std::max(1, all.clips);
  p.recall_5s = double(all.detected_5s) / std::max(1, all.clips);
  return p;
}

// Events of one setting over one trace.
std::vector<double> CnnEvents(const std::vector<double>& times, const std::vector<float>& scores,
                              double threshold, int average) {
  return EventsFromTrace(times, scores, average, threshold,
                         DefaultAlarmStreamConfig().suppression_ms / 1000.0);
}

// One setting replayed over every trace; `per_snr`, if given, gets a bucket
// per SNR (highest first).
TunePoint ReplayCnn(const CnnTraces& traces, double threshold, int average,
                    std::vector<DetectorResult::Bucket>* per_snr = nullptr) {
  DetectorResult::Bucket all;
  std::map<double, DetectorResult::Bucket, std::greater<double>> by_snr;
  for (const CnnTraces::Clip& c : traces.clips) {
    const std::vector<double> events = CnnEvents(c.times, c.scores, threshold, average);
    ScoreClip(events, c.onset_s, traces.alarm_seconds, all);
    if (per_snr) {
      DetectorResult::Bucket& b = by_snr[c.snr_db];
      b.snr_db = c.snr_db;
      ScoreClip(events, c.onset_s, traces.alarm_seconds, b);
    }
  }
  int background_false_alarms = 0;
  for (const CnnTraces::Background& b : traces.backgrounds)
    background_false_alarms +=
        static_cast<int>(CnnEvents(b.times, b.scores, threshold, average).size());
  if (per_snr)
    for (auto& [snr, bucket] : by_snr) per_snr->push_back(std::move(bucket));
  return ScoredPoint(threshold, average, all, background_false_alarms);
}

}  // namespace

CnnTraces CnnTracesFromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("traces: not a JSON object");
  CnnTraces t;
  t.alarm_seconds = Field<double>(j, "alarm_seconds", "the file");
  const nlohmann::json& clips = Field<nlohmann::json>(j, "clips", "the file");
  if (!clips.is_array()) throw std::runtime_error("traces: \"clips\" is not a list");
  for (size_t i = 0; i < clips.size(); ++i) {
    const std::string where = fmt::format("clip {}", i);
    CnnTraces::Clip c;
    c.onset_s = Field<double>(clips[i], "onset_s", where.c_str());
    c.snr_db = Field<double>(clips[i], "snr_db", where.c_str());
    c.times = Field<std::vector<double>>(clips[i], "times", where.c_str());
    c.scores = Field<std::vector<float>>(clips[i], "scores", where.c_str());
    if (c.times.size() != c.scores.size())
      throw std::runtime_error(fmt::format("traces: {} has {} times but {} scores", where,
                                           c.times.size(), c.scores.size()));
    t.clips.push_back(std::move(c));
  }
  const nlohmann::json& b = Field<nlohmann::json>(j, "background", "the file");
  CnnTraces::Background background;
  background.hours = Field<double>(b, "hours", "the background");
  background.times = Field<std::vector<double>>(b, "times", "the background");
  background.scores = Field<std::vector<float>>(b, "scores", "the background");
  if (background.times.size() != background.scores.size())
    throw std::runtime_error(fmt::format("traces: the background has {} times but {} scores",
                                         background.times.size(), background.scores.size()));
  t.backgrounds.push_back(std::move(background));
  return t;
}

double CnnTraces::background_hours() const {
  double hours = 0;
  for (const Background& b : backgrounds) hours += b.hours;
  return hours;
}

void PoolTraces(CnnTraces& into, CnnTraces more) {
  if (!into.clips.empty() && !more.clips.empty() && into.alarm_seconds != more.alarm_seconds)
    throw std::runtime_error(
        fmt::format("traces: alarms of {:g} s and of {:g} s cannot be pooled (tune both with one "
                    "alarm length)",
                    into.alarm_seconds, more.alarm_seconds));
  if (into.clips.empty()) into.alarm_seconds = more.alarm_seconds;
  for (auto& c : more.clips) into.clips.push_back(std::move(c));
  for (auto& b : more.backgrounds) into.backgrounds.push_back(std::move(b));
}

nlohmann::json TuneGridJson(const std::vector<TunePoint>& points, const std::string& detector) {
  nlohmann::json rows = nlohmann::json::array();
  for (const TunePoint& p : points) {
    nlohmann::json row = {{"detector", detector},
                          {"threshold", p.threshold},
                          {"tune_recall", p.recall},
                          {"tune_recall_within_5s", p.recall_5s},
                          {"tune_false_alarms", p.false_alarms}};
    if (p.average > 0) row["average_inferences"] = p.average;
    rows.push_back(std::move(row));
  }
  return rows;
}

CnnTuneResult TuneCnn(const CnnTraces& traces, const TuneCriterion& criterion) {
  CnnTuneResult r;
  // More averaging first, so that it wins ties.
  // Above 0.99 the int8 softmax's steps of 1/256 matter: 0.9925 passes
  // 254/256 and up, 0.996 only 255/256, its ceiling (0.998: nothing).
  for (int average = kTuneMaxAverage; average >= 1; --average) {
    for (int t = 30; t <= 99; ++t) r.grid.push_back(ReplayCnn(traces, t / 100.0, average));
    for (double t : {0.9925, 0.995, 0.996, 0.998}) r.grid.push_back(ReplayCnn(traces, t, average));
  }
  r.chosen = r.grid[ChooseSetting(r.grid, criterion)];
  for (const double below : kTuneMarginOffsets) {
    const TunePoint* p = SettingBelow(r.grid, r.chosen, below);
    r.false_alarms_below.push_back(p ? std::pair{p->threshold, p->false_alarms}
                                     : std::pair{r.chosen.threshold - below, -1});
  }
  ReplayCnn(traces, r.chosen.threshold, r.chosen.average, &r.per_snr);
  return r;
}

TuneResult Tune(const BackgroundLibrary& backgrounds, CnnDetector* cnn, const EvalOptions& options,
                const std::function<void(const std::string&)>& progress) {
  struct Trace {
    double onset_s = -1;  // -1: background stream
    double snr_db = 0;
    AlarmParams alarm;
    std::set<std::string> sources;  // background files under the clip
    std::vector<double> cnn_times;
    std::vector<float> cnn_scores;
    std::vector<std::pair<float, float>> blocks;  // Goertzel ratio, rms
  };
  std::vector<Trace> traces;
  GoertzelDetector goertzel;
  Trace* current = nullptr;
  goertzel.observer = [&current](double ratio, double rms) {
    current->blocks.push_back({static_cast<float>(ratio), static_cast<float>(rms)});
  };
  if (cnn) cnn->record = true;
  auto run = [&](const std::vector<int16_t>& samples) {
    goertzel.Push(samples.data(), samples.size());
    if (cnn) cnn->Push(samples.data(), samples.size());
  };
  Rng rng(options.seed);
  for (double snr : options.snrs) {
    for (int i = 0; i < options.clips_per_snr; ++i) {
      const AlarmCase c =
          MakeAlarmCase(backgrounds, snr, options.alarm_seconds, rng, options.lead_in_s);
      traces.emplace_back();
      traces.back().onset_s = c.onset_s;
      traces.back().snr_db = snr;
      traces.back().alarm = c.alarm;
      for (const BackgroundSegment& s : c.clip.background)
        traces.back().sources.insert(SourceName(backgrounds, s));
      current = &traces.back();
      goertzel = GoertzelDetector();
      goertzel.observer = [&current](double ratio, double rms) {
        current->blocks.push_back({static_cast<float>(ratio), static_cast<float>(rms)});
      };
      if (cnn) cnn->Reset();
      run(c.clip.samples);
      if (cnn) current->cnn_times = cnn->trace_times, current->cnn_scores = cnn->trace_scores;
    }
  }
  if (progress) progress(fmt::format("tuning: {} alarm clips traced", traces.size()));
  traces.emplace_back();  // onset -1: the background stream
  current = &traces.back();
  goertzel = GoertzelDetector();
  goertzel.observer = [&current](double ratio, double rms) {
    current->blocks.push_back({static_cast<float>(ratio), static_cast<float>(rms)});
  };
  if (cnn) cnn->Reset();
  Rng background_rng(options.seed ^ 0xb6);
  ForEachBackgroundChunk(backgrounds, options.background_hours, background_rng,
                         [&](int, int, const Clip& clip) { run(clip.samples); });
  if (cnn) current->cnn_times = cnn->trace_times, current->cnn_scores = cnn->trace_scores;
  if (cnn) cnn->record = false;

  TuneResult result;
  nlohmann::json cnn_rows = nlohmann::json::array();
  if (cnn) {
    CnnTraces cnn_traces;
    cnn_traces.alarm_seconds = options.alarm_seconds;
    nlohmann::json clips = nlohmann::json::array();
    for (const Trace& t : traces) {
      if (t.onset_s < 0) {
        cnn_traces.backgrounds.push_back({options.background_hours, t.cnn_times, t.cnn_scores});
        result.cnn_traces["background"] = {
            {"hours", options.background_hours}, {"times", t.cnn_times}, {"scores", t.cnn_scores}};
      } else {
        cnn_traces.clips.push_back({t.onset_s, t.snr_db, t.cnn_times, t.cnn_scores});
        clips.push_back({{"onset_s", t.onset_s},
                         {"snr_db", t.snr_db},
                         {"alarm", AlarmToJson(t.alarm)},
                         {"background", t.sources},
                         {"times", t.cnn_times},
                         {"scores", t.cnn_scores}});
      }
    }
    result.cnn_traces["alarm_seconds"] = options.alarm_seconds;
    result.cnn_traces["clips"] = std::move(clips);
    result.cnn = TuneCnn(cnn_traces, CriterionOf(options));
    cnn_rows = TuneGridJson(result.cnn.grid, "cnn");
  }

  // The Goertzel detector's threshold, replayed over its recorded blocks.
  auto replay_goertzel = [&](double threshold) {
    DetectorResult::Bucket all;
    int background_false_alarms = 0;
    for (const Trace& t : traces) {
      GoertzelConfig config;
      config.ratio_threshold = threshold;
      GoertzelDetector d(config);
      std::vector<double> events;
      for (const auto& [ratio, rms] : t.blocks)
        for (const GoertzelEvent& e : d.PushBlock(ratio, rms)) events.push_back(e.time_s);
      if (t.onset_s < 0) {
        background_false_alarms += static_cast<int>(events.size());
        continue;
      }
      ScoreClip(events, t.onset_s, options.alarm_seconds, all);
    }
    return ScoredPoint(threshold, 0, all, background_false_alarms);
  };
  std::vector<TunePoint> points;
  for (double t = 0.05; t < 0.96; t += 0.05) points.push_back(replay_goertzel(t));
  // The grid as the thresholds file lists it: Goertzel's rows, then the CNN's.
  result.table = TuneGridJson(points, "goertzel");
  for (auto& row : cnn_rows) result.table.push_back(std::move(row));
  const TunePoint& chosen = points[ChooseSetting(
      points, FalseAlarmBudget(options.false_alarms_per_day, options.background_hours))];
  result.goertzel_threshold = chosen.threshold;
  result.goertzel_recall = chosen.recall;
  return result;
}

}  // namespace picoml::alarm

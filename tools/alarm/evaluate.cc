#include "alarm/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

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
// false alarms before the onset.
void ScoreClip(const std::vector<double>& events, double onset_s, double alarm_seconds,
               DetectorResult::Bucket& bucket) {
  ++bucket.clips;
  bool found = false;
  for (double t : events) {
    if (t < onset_s) {
      ++bucket.clip_false_alarms;
    } else if (!found && t <= onset_s + alarm_seconds) {
      found = true;
      ++bucket.detected;
      bucket.delays.push_back(t - onset_s);
      if (t - onset_s <= 5.0) ++bucket.detected_5s;
    }
  }
}

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
                        Rng& rng) {
  AlarmCase c;
  AlarmParams alarm = RandomAlarm(rng, rng.Chance(0.5) ? Pattern::kT3 : Pattern::kT4);
  alarm.onset_s = rng.Uniform(3.0, 8.0);
  c.onset_s = alarm.onset_s;
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
      const AlarmCase c = MakeAlarmCase(backgrounds, options.snrs[b], options.alarm_seconds, rng);
      for (size_t d = 0; d < detectors.size(); ++d) {
        detectors[d]->Reset();
        ScoreClip(detectors[d]->Push(c.clip.samples.data(), c.clip.samples.size()), c.onset_s,
                  options.alarm_seconds, results[d].buckets[b]);
        results[d].clip_background_hours += c.onset_s / 3600.0;
      }
    }
    if (progress) progress(fmt::format("alarm clips at {:+g} dB SNR done", options.snrs[b]));
  }
  Rng background_rng(options.seed ^ 0xb6);
  for (Detector* detector : detectors) detector->Reset();
  std::vector<int16_t> previous;  // the chunk before, for audio that spans two
  ForEachBackgroundChunk(backgrounds, options.background_hours, background_rng,
                         [&](int c, int chunks, const Clip& clip) {
                           for (size_t d = 0; d < detectors.size(); ++d) {
                             const std::vector<double> events =
                                 detectors[d]->Push(clip.samples.data(), clip.samples.size());
                             results[d].background_false_alarms += static_cast<int>(events.size());
                             if (!options.on_background_false_alarm) continue;
                             for (double t : events) {
                               // The 6 s before the event, from this chunk and the one before.
                               const int64_t end =
                                   std::llround((t - c * kChunkSeconds) * kSampleRate);
                               const int64_t begin = end - 6 * kSampleRate;
                               std::vector<int16_t> audio;
                               for (int64_t i = begin; i < end; ++i) {
                                 if (i >= 0 && i < static_cast<int64_t>(clip.samples.size()))
                                   audio.push_back(clip.samples[i]);
                                 else if (i < 0 && -i <= static_cast<int64_t>(previous.size()))
                                   audio.push_back(previous[previous.size() + i]);
                               }
                               options.on_background_false_alarm(detectors[d]->name(), t, audio);
                             }
                           }
                           previous = clip.samples;
                           if (progress && (c + 1) % 60 == 0)
                             progress(fmt::format("background: {} of {} minutes", c + 1, chunks));
                         });
  for (DetectorResult& r : results)
    r.background_hours =
        std::ceil(options.background_hours * 3600.0 / kChunkSeconds) * kChunkSeconds / 3600.0;
  return results;
}

nlohmann::json ResultToJson(const DetectorResult& r) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& b : r.buckets) {
    buckets.push_back({{"snr_db", b.snr_db},
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
          {"false_alarms_per_hour", hours > 0 ? r.background_false_alarms / hours : 0.0},
          // Poisson: with k events in T hours, the 95 % upper bound of the rate
          // (for k = 0, -ln(0.05) / T = 3.0 / T).
          {"false_alarms_per_hour_95_upper",
           hours > 0 ? (r.background_false_alarms == 0 ? 2.996 / hours : NAN) : NAN},
          {"lead_in_hours", r.clip_background_hours}};
}

std::string ResultsTable(const std::vector<DetectorResult>& results) {
  std::string out =
      "| detector | SNR dB | recall | recall <= 5 s | median delay s | p95 delay s |\n"
      "|---|---|---|---|---|---|\n";
  for (const DetectorResult& r : results)
    for (const auto& b : r.buckets)
      out += fmt::format("| {} | {:+g} | {:.1f} % ({}/{}) | {:.1f} % | {:.2f} | {:.2f} |\n", r.name,
                         b.snr_db, 100.0 * b.detected / std::max(1, b.clips), b.detected, b.clips,
                         100.0 * b.detected_5s / std::max(1, b.clips), Percentile(b.delays, 0.5),
                         Percentile(b.delays, 0.95));
  out +=
      "\n| detector | background hours | false alarms | per hour | false alarms in lead-ins "
      "(hours) |\n"
      "|---|---|---|---|---|\n";
  for (const DetectorResult& r : results) {
    int lead = 0;
    for (const auto& b : r.buckets) lead += b.clip_false_alarms;
    out +=
        fmt::format("| {} | {:.1f} | {} | {:.3f} | {} ({:.2f} h) |\n", r.name, r.background_hours,
                    r.background_false_alarms, r.background_false_alarms / r.background_hours, lead,
                    r.clip_background_hours);
  }
  return out;
}

std::vector<double> EventsFromTrace(const std::vector<double>& times,
                                    const std::vector<float>& scores, double threshold,
                                    double suppression_s) {
  std::vector<double> events;
  for (size_t i = 0; i < times.size(); ++i)
    if (scores[i] >= threshold && (events.empty() || times[i] - events.back() >= suppression_s))
      events.push_back(times[i]);
  return events;
}

TuneResult Tune(const BackgroundLibrary& backgrounds, CnnDetector* cnn, const EvalOptions& options,
                const std::function<void(const std::string&)>& progress) {
  struct Trace {
    double onset_s = -1;  // -1: background stream
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
      const AlarmCase c = MakeAlarmCase(backgrounds, snr, options.alarm_seconds, rng);
      traces.emplace_back();
      traces.back().onset_s = c.onset_s;
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
  if (progress) progress(fmt::format("tuning: {} training alarm clips traced", traces.size()));
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

  // Replays every trace at one threshold: (recall, false alarms).
  auto replay = [&](bool use_cnn, double threshold) {
    int detected = 0, clips = 0, false_alarms = 0;
    for (const Trace& t : traces) {
      std::vector<double> events;
      if (use_cnn) {
        events = EventsFromTrace(t.cnn_times, t.cnn_scores, threshold,
                                 DefaultAlarmStreamConfig().suppression_ms / 1000.0);
      } else {
        GoertzelConfig config;
        config.ratio_threshold = threshold;
        GoertzelDetector d(config);
        for (const auto& [ratio, rms] : t.blocks)
          for (const GoertzelEvent& e : d.PushBlock(ratio, rms)) events.push_back(e.time_s);
      }
      if (t.onset_s < 0) {
        false_alarms += static_cast<int>(events.size());
        continue;
      }
      DetectorResult::Bucket b;
      ScoreClip(events, t.onset_s, options.alarm_seconds, b);
      ++clips;
      detected += b.detected;
      false_alarms += b.clip_false_alarms;
    }
    return std::make_pair(double(detected) / std::max(1, clips), false_alarms);
  };
  TuneResult result;
  result.table = nlohmann::json::array();
  for (int use_cnn = 0; use_cnn <= (cnn ? 1 : 0); ++use_cnn) {
    std::vector<double> grid;
    if (use_cnn) {
      for (int t = 30; t <= 99; ++t) grid.push_back(t / 100.0);
      grid.insert(grid.end(), {0.995, 0.998});
    } else {
      for (double t = 0.05; t < 0.96; t += 0.05) grid.push_back(t);
    }
    // The fewest false alarms (none, ideally), then the lowest threshold
    // (the best recall), among thresholds that keep at least half the best
    // recall of the grid: the int8 softmax saturates at 255/256, so the top of
    // the grid can be quiet only because it detects nothing.
    std::vector<std::pair<double, int>> points;
    double best_recall = 0.0;
    for (double t : grid) {
      points.push_back(replay(use_cnn, t));
      best_recall = std::max(best_recall, points.back().first);
    }
    double chosen = grid.front(), recall = -1.0;
    int fewest = -1;
    for (size_t i = 0; i < grid.size(); ++i) {
      const double t = grid[i];
      const auto [r, fa] = points[i];
      result.table.push_back({{"detector", use_cnn ? "cnn" : "goertzel"},
                              {"threshold", t},
                              {"train_recall", r},
                              {"train_false_alarms", fa}});
      if (r >= 0.5 * best_recall && (fewest < 0 || fa < fewest)) {
        fewest = fa;
        chosen = t;
        recall = r;
      }
    }
    if (recall < 0) recall = replay(use_cnn, chosen).first;
    (use_cnn ? result.cnn_threshold : result.goertzel_threshold) = chosen;
    (use_cnn ? result.cnn_recall : result.goertzel_recall) = recall;
  }
  return result;
}

}  // namespace picoml::alarm

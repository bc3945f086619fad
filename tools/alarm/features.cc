#include "alarm/features.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#include "picoml/audio_frontend.h"

namespace picoml::alarm {

std::vector<int8_t> ComputeFeatures(const std::vector<int16_t>& samples,
                                    const AudioFrontendConfig& config) {
  return ComputeSettledFeatures(samples, 0, 0.0, config);
}

std::vector<int8_t> ComputeSettledFeatures(const std::vector<int16_t>& samples,
                                           size_t settle_source, double settle_s,
                                           const AudioFrontendConfig& config) {
  AudioFrontendState state;
  AudioFrontend frontend;
  Status status = AudioFrontend::Create(config, &state, &frontend);
  if (!status.ok()) throw std::runtime_error(std::string("audio front end: ") + status.message());
  // ProcessWindow updates the noise estimate and leaves the sample buffer
  // alone, so the clip's frames below keep the timing of a fresh stream.
  const size_t window = config.window_samples, step = config.stride_samples;
  settle_source = std::min(settle_source, samples.size());
  const int64_t settle_frames = std::llround(settle_s * kSampleRate / static_cast<double>(step));
  if (settle_frames > 0 && settle_source < window)
    throw std::invalid_argument("settling the front end needs at least one window of samples");
  int8_t discard[kAudioFrontendMaxChannels];
  size_t offset = 0;
  for (int64_t f = 0; f < settle_frames; ++f) {
    if (offset + window > settle_source) offset = 0;
    status = frontend.ProcessWindow(samples.data() + offset, discard);
    if (!status.ok()) throw std::runtime_error(std::string("audio front end: ") + status.message());
    offset += step;
  }
  std::vector<int8_t> features;
  features.reserve(samples.size() / kFrameSamples * kChannels + kChannels);
  auto on_frame = [](const int8_t* frame, int channels, void* user) {
    auto* out = static_cast<std::vector<int8_t>*>(user);
    out->insert(out->end(), frame, frame + channels);
  };
  status = frontend.Push(samples.data(), samples.size(), on_frame, &features);
  if (!status.ok()) throw std::runtime_error(std::string("audio front end: ") + status.message());
  return features;
}

WindowLabel LabelWindow(const Clip& clip, int64_t begin, int64_t end) {
  if (clip.beeps.empty()) return WindowLabel::kBackground;
  const int group_size = GroupSize(clip.params.pattern);
  const int groups = clip.beeps.back().group + 1;
  bool any = false, only_first_group = true;
  int64_t first_group_begin = clip.beeps.front().begin;
  for (int g = 0; g < groups; ++g) {
    int inside = 0, total = 0;
    for (const Interval& beep : clip.beeps) {
      if (beep.group != g) continue;
      ++total;
      if (beep.begin >= begin && beep.end <= end) ++inside;
      if (beep.end > begin && beep.begin < end) {
        any = true;
        if (g != 0) only_first_group = false;
      }
    }
    if (total == group_size && inside == group_size) return WindowLabel::kAlarm;
  }
  if (!any) return WindowLabel::kBackground;
  // The first group heard only in part, from its start: the alarm has not
  // shown its pattern yet, and one or two beeps alone must not be reported.
  if (only_first_group && begin <= first_group_begin) return WindowLabel::kBackground;
  return WindowLabel::kAmbiguous;
}

void AddWindows(const Clip& clip, int stride, WindowSet& out, double settle_s) {
  const std::vector<int8_t> features = ComputeSettledFeatures(clip.samples, kSampleRate, settle_s);
  const int64_t frames = static_cast<int64_t>(features.size()) / kChannels;
  for (int64_t last = alarm_config::kWarmupFrames + kWindowFrames - 1; last < frames;
       last += stride) {
    const int64_t first = last - kWindowFrames + 1;
    // Samples the window covers: from the start of its first frame's 30 ms
    // to the end of its last frame's.
    const WindowLabel label = LabelWindow(clip, FrameEndSample(first) - 480, FrameEndSample(last));
    if (label == WindowLabel::kAmbiguous) continue;
    out.features.insert(out.features.end(), features.begin() + first * kChannels,
                        features.begin() + (last + 1) * kChannels);
    out.labels.push_back(label == WindowLabel::kAlarm ? 1 : 0);
  }
}

namespace {

// A decoy starting anywhere in a clip of `seconds` but its last second.
AlarmParams DecoyInClip(Rng& rng, double seconds) {
  AlarmParams decoy = RandomDecoy(rng);
  decoy.onset_s = rng.Uniform(0.0, seconds - 1.0);
  return decoy;
}

// Clip `index` of a data set: its own random stream, derived from the set's
// seed and the index alone, so that clips can be made in any order and on
// any number of threads and the set stays the same.
void AddClip(const BackgroundLibrary& backgrounds, const DatasetOptions& options, int index,
             WindowSet& out) {
  Rng rng(options.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(index) + 1);
  const int64_t length = static_cast<int64_t>(options.seconds * kSampleRate);
  const double level = rng.Uniform(-45.0, -15.0);
  if (rng.Chance(options.alarm_fraction)) {
    const Pattern pattern = RandomPattern(rng, options.t4_fraction);
    AlarmParams alarm = RandomAlarm(rng, pattern, options.low_tone_fraction);
    alarm.onset_s = rng.Uniform(1.0, options.seconds - 3.0);
    const double snr = rng.Uniform(options.snr_low, options.snr_high);
    // Drawn only when asked for, so that the clips of recipes without it stay
    // the same.
    if (options.alarm_decoy_fraction > 0.0 && rng.Chance(options.alarm_decoy_fraction)) {
      Overlay decoy{DecoyInClip(rng, options.seconds), 0.0};
      decoy.snr_db = snr - rng.Uniform(0.0, 10.0);
      // Apart in pitch (a microwave's 2.4 kHz beside a 3.1 kHz sounder): at
      // one pitch the two trains merge into beeps of neither pattern, and
      // calling that an alarm would teach the network to fire on decoys.
      const double ratio = decoy.params.frequency_hz / alarm.frequency_hz;
      if (ratio > 1.0 / 1.2 && ratio < 1.2)
        decoy.params.frequency_hz =
            alarm.frequency_hz * (rng.Chance(0.5) ? rng.Uniform(0.6, 0.8) : rng.Uniform(1.2, 1.45));
      AddWindows(MakeClip(backgrounds, length, &alarm, snr, level, rng, decoy), options.stride, out,
                 options.settle_s);
    } else {
      AddWindows(MakeClip(backgrounds, length, &alarm, snr, level, rng), options.stride, out,
                 options.settle_s);
    }
  } else if (rng.Chance(options.decoy_fraction)) {
    const AlarmParams decoy = DecoyInClip(rng, options.seconds);
    const double snr = rng.Uniform(options.snr_low, options.snr_high);
    Clip clip = MakeClip(backgrounds, length, &decoy, snr, level, rng);
    clip.has_alarm = false;  // heard, but every window is background
    clip.beeps.clear();
    AddWindows(clip, options.stride, out, options.settle_s);
  } else {
    AddWindows(MakeClip(backgrounds, length, nullptr, 0.0, level, rng), options.stride, out,
               options.settle_s);
  }
}

}  // namespace

WindowSet MakeWindowSet(const BackgroundLibrary& backgrounds, const DatasetOptions& options) {
  const int threads = std::max(
      1, std::min(options.clips, options.threads > 0
                                     ? options.threads
                                     : static_cast<int>(std::thread::hardware_concurrency())));
  // Clips are dealt out in blocks; each block's windows stay in clip order and
  // the blocks are joined in order, so the result does not depend on threads.
  std::vector<WindowSet> blocks(static_cast<size_t>(threads));
  std::vector<std::exception_ptr> errors(blocks.size());
  auto work = [&](int t) {
    try {
      const int begin = static_cast<int>(int64_t{options.clips} * t / threads);
      const int end = static_cast<int>(int64_t{options.clips} * (t + 1) / threads);
      for (int c = begin; c < end; ++c) AddClip(backgrounds, options, c, blocks[t]);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(work, t);
  work(0);
  for (std::thread& w : workers) w.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  WindowSet set = std::move(blocks[0]);
  for (size_t t = 1; t < blocks.size(); ++t) {
    set.features.insert(set.features.end(), blocks[t].features.begin(), blocks[t].features.end());
    set.labels.insert(set.labels.end(), blocks[t].labels.begin(), blocks[t].labels.end());
  }
  return set;
}

}  // namespace picoml::alarm

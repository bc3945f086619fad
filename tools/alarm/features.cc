#include "alarm/features.h"

#include <stdexcept>
#include <string>

#include "picoml/audio_frontend.h"

namespace picoml::alarm {

std::vector<int8_t> ComputeFeatures(const std::vector<int16_t>& samples) {
  AudioFrontendState state;
  AudioFrontend frontend;
  Status status = AudioFrontend::Create(AudioFrontendConfig(), &state, &frontend);
  if (!status.ok()) throw std::runtime_error(std::string("audio front end: ") + status.message());
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

void AddWindows(const Clip& clip, int stride, WindowSet& out) {
  const std::vector<int8_t> features = ComputeFeatures(clip.samples);
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

WindowSet MakeWindowSet(const BackgroundLibrary& backgrounds, const DatasetOptions& options) {
  Rng rng(options.seed);
  WindowSet set;
  const int64_t length = static_cast<int64_t>(options.seconds * kSampleRate);
  for (int c = 0; c < options.clips; ++c) {
    const double level = rng.Uniform(-45.0, -15.0);
    if (rng.Chance(options.alarm_fraction)) {
      AlarmParams alarm = RandomAlarm(rng, rng.Chance(0.5) ? Pattern::kT3 : Pattern::kT4);
      alarm.onset_s = rng.Uniform(1.0, options.seconds - 3.0);
      const double snr = rng.Uniform(options.snr_low, options.snr_high);
      AddWindows(MakeClip(backgrounds, length, &alarm, snr, level, rng), options.stride, set);
    } else {
      AddWindows(MakeClip(backgrounds, length, nullptr, 0.0, level, rng), options.stride, set);
    }
  }
  return set;
}

}  // namespace picoml::alarm

// Features and training windows for the alarm CNN, computed with picoml's own
// audio front end (include/picoml/audio_frontend.h): the exact int8 log-mel
// frames the device computes, so training and device see the same numbers.
#ifndef PICOML_TOOLS_ALARM_FEATURES_H_
#define PICOML_TOOLS_ALARM_FEATURES_H_

#include <cstdint>
#include <vector>

#include "alarm/generator.h"

namespace picoml::alarm {

constexpr int kChannels = 40;       // mel channels per frame
constexpr int kFrameSamples = 320;  // 20 ms stride
constexpr int kWindowFrames = 100;  // the CNN sees 2 s

// All frames of `samples` streamed through a fresh front end: frame f is
// features[f * 40 .. f * 40 + 40), its window ending at sample 480 + 320 f.
std::vector<int8_t> ComputeFeatures(const std::vector<int16_t>& samples);
inline int64_t FrameEndSample(int64_t frame) { return 480 + kFrameSamples * frame; }

// Labelled windows of kWindowFrames frames, int8 features flattened.
struct WindowSet {
  std::vector<int8_t> features;  // count * kWindowFrames * kChannels
  std::vector<int64_t> labels;   // 1 = alarm sounding, 0 = background
  int64_t count() const { return static_cast<int64_t>(labels.size()); }
};

// Cuts windows ending every `stride` frames, starting once the front end's
// noise estimate has settled (2 s). Label 1 when the window holds at least
// one whole beep; 0 when it holds no beep at all; windows holding only part
// of a beep are ambiguous and skipped.
void AddWindows(const Clip& clip, int stride, WindowSet& out);

// Training data: `clips` clips of `seconds` each, half with an alarm (T3 or
// T4, SNR uniform in [snr_low, snr_high] dB, onset anywhere) and half
// background only, levels -45 to -15 dBFS RMS.
struct DatasetOptions {
  int clips = 1200;
  double seconds = 8.0;
  double snr_low = -8.0, snr_high = 20.0;
  int stride = 20;
  uint64_t seed = 1;
};
WindowSet MakeWindowSet(const BackgroundLibrary& backgrounds, const DatasetOptions& options);

}  // namespace picoml::alarm

#endif  // PICOML_TOOLS_ALARM_FEATURES_H_

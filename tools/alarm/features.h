// Features and training windows for the alarm CNN, computed with picoml's own
// audio front end (include/picoml/audio_frontend.h): the exact int8 log-mel
// frames the device computes, so training and device see the same numbers.
#ifndef PICOML_TOOLS_ALARM_FEATURES_H_
#define PICOML_TOOLS_ALARM_FEATURES_H_

#include <cstdint>
#include <vector>

#include "alarm/generator.h"
#include "alarm_config.h"

namespace picoml::alarm {

constexpr int kChannels = alarm_config::kChannels;          // mel channels per frame
constexpr int kFrameSamples = 320;                          // 20 ms stride
constexpr int kWindowFrames = alarm_config::kWindowFrames;  // 4 s

// All frames of `samples` streamed through a fresh front end (the alarm's
// configuration unless another is given): frame f is
// features[f * 40 .. f * 40 + 40), its window ending at sample 480 + 320 f.
std::vector<int8_t> ComputeFeatures(
    const std::vector<int16_t>& samples,
    const AudioFrontendConfig& config = alarm_config::FrontendConfig());
// The same, from a front end that has first heard samples [0, settle_source)
// of the clip, repeated, for `settle_s` seconds of frames: its noise estimate
// then starts on the clip's own background, as on a device that has been
// listening for a while, instead of from zero. Frame timing is as above.
std::vector<int8_t> ComputeSettledFeatures(
    const std::vector<int16_t>& samples, size_t settle_source, double settle_s,
    const AudioFrontendConfig& config = alarm_config::FrontendConfig());
inline int64_t FrameEndSample(int64_t frame) { return 480 + kFrameSamples * frame; }

// Labelled windows of kWindowFrames frames, int8 features flattened.
struct WindowSet {
  std::vector<int8_t> features;  // count * kWindowFrames * kChannels
  std::vector<int64_t> labels;   // 1 = alarm sounding, 0 = background
  int64_t count() const { return static_cast<int64_t>(labels.size()); }
};

// What a window of audio [begin, end) (samples) teaches the CNN. Alarm: it
// holds one whole group of beeps (three for T3, four for T4), the pattern
// that tells an alarm from other beeps. Background: no beep at all, or only
// the start of the first group (one or two beeps must not be reported).
// Ambiguous (left out of training): anything else, such as the tail of one
// group and the head of the next.
enum class WindowLabel { kBackground, kAlarm, kAmbiguous };
WindowLabel LabelWindow(const Clip& clip, int64_t begin, int64_t end);

// Cuts windows ending every `stride` frames, starting once the front end's
// noise estimate has settled (2 s), labelled by LabelWindow; ambiguous
// windows are skipped.
// With settle_s > 0 the features are ComputeSettledFeatures' over the clip's
// first second (background in every clip DatasetOptions makes: alarm onsets
// are at 1 s or later; a decoy may start sooner).
void AddWindows(const Clip& clip, int stride, WindowSet& out, double settle_s = 0.0);

// Training data: `clips` clips of `seconds` each, half with an alarm (T3 or
// T4, SNR uniform in [snr_low, snr_high] dB, onset anywhere) and half
// background only, levels -45 to -15 dBFS RMS.
struct DatasetOptions {
  int clips = 1200;
  double seconds = 12.0;
  double snr_low = -8.0, snr_high = 20.0;
  int stride = 10;
  double alarm_fraction = 0.5;  // of the clips
  // Of the alarm clips, the T4 ones (the rest T3) and the 520 Hz ones (the
  // rest piezo). The same random draws at any value, so the defaults give the
  // clips earlier recipes were trained on.
  double t4_fraction = kT4Fraction;
  double low_tone_fraction = kLowToneFraction;
  // Of the background clips, those with a decoy beep train (RandomDecoy) mixed
  // in at an alarm's SNR: near misses the network must learn to reject.
  double decoy_fraction = 0.0;
  // Of the alarm clips, those with a decoy beep train sounding too, 0-10 dB
  // below the alarm and apart in pitch: an appliance beeping while the alarm
  // sounds must not hide it. Experiment (session 11, not adopted): 0.2 in the
  // fine recipe lost 14 of 800 validation clips within 5 s (README).
  double alarm_decoy_fraction = 0.0;
  // Seconds of the clip's first second, repeated, that the front end hears
  // before the clip (AddWindows): 0 starts every clip from a reset front end.
  double settle_s = 0.0;
  uint64_t seed = 1;
  int threads = 0;  // clips made in parallel (0: one per core); same set on any count
};
WindowSet MakeWindowSet(const BackgroundLibrary& backgrounds, const DatasetOptions& options);

}  // namespace picoml::alarm

#endif  // PICOML_TOOLS_ALARM_FEATURES_H_

// The alarm detector's window and decision settings, shared by the device
// example, the firmware image and the host tools (training, tuning,
// evaluation), so that all of them cut and judge the audio alike.
#ifndef PICOML_EXAMPLES_ALARM_ALARM_CONFIG_H_
#define PICOML_EXAMPLES_ALARM_ALARM_CONFIG_H_

#include <stdint.h>

#include "picoml/audio_frontend.h"

namespace alarm_config {

// The CNN sees 200 frames of 40 int8 log-mel channels: 4 s, one whole T3
// cycle (three 0.5 s beeps with 0.5 s gaps, 1.5 s quiet) or a T4 group.
constexpr int kWindowFrames = 200;
constexpr int kChannels = 40;
// It runs every 20 frames (400 ms); its alarm probability is averaged over
// the last kAverageInferences runs before the threshold is applied (tuned
// with the threshold, see below); after an event, 5 s pass before the next
// can be reported.
constexpr int kStrideFrames = 20;
#ifdef PICOML_ALARM_AVERAGE_INFERENCES
constexpr int kAverageInferences = PICOML_ALARM_AVERAGE_INFERENCES;
#else
constexpr int kAverageInferences = 3;
#endif
constexpr uint32_t kSuppressionMs = 5000;
// The first 2 s of a stream only settle the front end's noise estimate and
// gain control (training windows start there too).
constexpr int kWarmupFrames = 100;
// With a second model (an ensemble, model-2.tflite beside the model), it
// runs only when the first model's alarm probability reaches this, and
// counts 0 otherwise: background audio costs one model. On the 72 h of test
// background the first model (session 22's band network, models/alarm)
// reached 0.3 in 0.14 % of its inferences (session 21's: 0.27 %, session
// 18's: 0.30 %, session 16's: 0.41 %). The
// tuning runs with the gate (picoml-alarm tune --gate, 0.3 by default) and
// writes it beside the threshold, which the builds pass in as
// PICOML_ALARM_ENSEMBLE_GATE: threshold and gate go together.
#ifdef PICOML_ALARM_ENSEMBLE_GATE
constexpr float kEnsembleGate = PICOML_ALARM_ENSEMBLE_GATE;
#else
constexpr float kEnsembleGate = 0.3f;
#endif
// Label 0 is background, label 1 the alarm.
constexpr uint32_t kIgnoredLabels = 1u;
// The averaged alarm probability that reports an event: tuned per model on
// validation data (backgrounds training never heard) with kAverageInferences (picoml-alarm tune
// writes both to thresholds.json, and the builds of the example and the firmware pass them in:
// cmake/alarm_decision.cmake).
#ifdef PICOML_ALARM_THRESHOLD
constexpr float kThreshold = PICOML_ALARM_THRESHOLD;
#else
constexpr float kThreshold = 0.9f;
#endif

// The front end: LiteRT Micro's speech front end (AudioFrontendConfig's
// defaults), with the noise estimate's smoothing coefficients divided by
// kNoiseSlowdown. Experiment (session 8, not adopted yet: the models in
// models/alarm are trained at 1): a slower estimate follows an alarm's beeps
// less, so spectral subtraction and PCAN take less of them away. Set with
// -DPICOML_ALARM_NOISE_SLOWDOWN=N for every build that computes alarm
// features (training, tuning, the example, the firmware): a model only works
// with the features it was trained on.
#ifdef PICOML_ALARM_NOISE_SLOWDOWN
constexpr int kNoiseSlowdown = PICOML_ALARM_NOISE_SLOWDOWN;
#else
constexpr int kNoiseSlowdown = 1;
#endif
inline picoml::AudioFrontendConfig FrontendConfig(int noise_slowdown = kNoiseSlowdown) {
  picoml::AudioFrontendConfig config;
  const int32_t one = 1 << config.spectral_subtraction_bits;
  config.smoothing /= noise_slowdown;
  config.one_minus_smoothing = one - config.smoothing;
  config.alternate_smoothing /= noise_slowdown;
  config.alternate_one_minus_smoothing = one - config.alternate_smoothing;
  return config;
}

}  // namespace alarm_config

#endif  // PICOML_EXAMPLES_ALARM_ALARM_CONFIG_H_

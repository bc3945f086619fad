// StreamClassifier: a microphone stream in, detection events out.
//
//   samples (any block size) -> AudioFrontend -> ring of the last
//   `window frames` feature frames -> every stride_frames new frames, the
//   ring (oldest frame first) is copied into the model's input and the model
//   runs -> the scores are averaged over the last average_inferences runs ->
//   the best label whose average reaches `threshold` is reported, unless an
//   event was reported less than suppression_ms earlier.
//
//   static picoml::AudioFrontendState frontend_state;
//   static int8_t ring[49 * 40];
//   picoml::AudioFrontend frontend;
//   picoml::StreamClassifier classifier;
//   ... AudioFrontend::Create(..., &frontend_state, &frontend);
//   ... Interpreter::Create(model, resolver, arena, ..., &interpreter);
//   PICOML_RETURN_IF_ERROR(picoml::StreamClassifier::Create(
//       picoml::StreamClassifierConfig(), &frontend, &interpreter, ring, sizeof(ring),
//       &classifier));
//   classifier.Push(samples, count, listener);   // listener.on_event per detection
//
// The model: input 0 is int8 with window_frames * channels elements (any
// shape, e.g. [1, 1960] or [1, 49, 40, 1]), in the front end's int8 feature
// quantization; output 0 is int8 or float32 scores, one per label. int8
// scores are dequantized with the output's scale and zero point (a softmax
// gives probabilities 0..1). The window length is input elements / channels.
//
// Several models (an ensemble, e.g. two trainings of one network) can share
// the stream: each has its own Interpreter and arena, all see the same
// window, and a run's scores are their mean. With ensemble_gate > 0 the first
// model screens: the others run only when its best reportable score reaches
// the gate (a "second opinion"), and count 0 otherwise, so that quiet audio
// costs one model. With two models, a gate at or below 2 * threshold - 1
// (and no averaging over runs) decides exactly as running both every time:
// below it the mean cannot reach the threshold whatever the other says.
//
// Memory: the ring is the caller's (RingBytes()); the score history lives in
// the StreamClassifier itself (sizeof: about 1.2 KB); the model's tensors in
// the interpreter's arena. Nothing else.
//
// Ownership: the AudioFrontend, the Interpreter (and everything it borrows)
// and the ring must outlive the StreamClassifier.
#ifndef PICOML_AUDIO_STREAM_H_
#define PICOML_AUDIO_STREAM_H_

#include <stddef.h>
#include <stdint.h>

#include "picoml/audio_frontend.h"
#include "picoml/interpreter.h"
#include "picoml/status.h"

namespace picoml {

constexpr int kStreamMaxLabels = 16;
constexpr int kStreamMaxAverageInferences = 16;
constexpr int kStreamMaxModels = 4;

struct StreamClassifierConfig {
  // Run the model every this many new feature frames (1 = every 20 ms). The
  // first run waits until the ring is full.
  int32_t stride_frames = 5;
  // Average each label's score over the last this many runs (1 = no smoothing).
  int32_t average_inferences = 3;
  // An averaged score at or above this reports an event (scores dequantized:
  // probabilities for a softmax output).
  float threshold = 0.8f;
  // After an event, no other event for this long.
  int32_t suppression_ms = 1000;
  // Bit i set: label i is never reported (background classes such as
  // "silence" and "unknown"); it still takes part in the average.
  uint32_t ignored_labels = 0;
  // Frames at the start of a stream (after Create or Reset) that only train
  // the front end's noise estimate and gain control: they never reach the
  // model, whose first run waits for warmup_frames + its window. Models
  // trained on settled features (picoml-alarm: 100 frames, 2 s) need it.
  int32_t warmup_frames = 0;
  // With several models: the others run only when the first model's best
  // reportable score (ignored labels aside) is at least this; 0: always.
  float ensemble_gate = 0.0f;
};

struct StreamEvent {
  int32_t label = 0;     // index into the model's outputs
  float score = 0.0f;    // the averaged score that crossed the threshold
  uint32_t time_ms = 0;  // end of the newest audio the decision saw
};

struct StreamInference {
  const float* scores = nullptr;           // this run's scores, label_count values
  const float* averaged_scores = nullptr;  // the average the decision uses
  int label_count = 0;
  uint32_t time_ms = 0;
  uint32_t index = 0;  // runs since Create / Reset
  int models_run = 1;  // of model_count(): 1 when the gate kept the others idle
};

// What the classifier calls. Either function may be null; `user` is passed
// back. Pointers inside the arguments are valid during the call only.
struct StreamListener {
  void (*on_event)(const StreamEvent& event, void* user) = nullptr;
  void (*on_inference)(const StreamInference& inference, void* user) = nullptr;
  void* user = nullptr;
};

class StreamClassifier {
 public:
  StreamClassifier() = default;

  // Bytes of ring the model needs: input elements (window frames x channels).
  static size_t RingBytes(const Interpreter& interpreter);

  // Checks the model against the front end (input int8 with a whole number
  // of frames, output int8 or float32 with 1..kStreamMaxLabels scores) and
  // the config, and resets the stream. The frontend's state is reset too.
  static Status Create(const StreamClassifierConfig& config, AudioFrontend* frontend,
                       Interpreter* interpreter, int8_t* ring, size_t ring_bytes,
                       StreamClassifier* classifier);
  // An ensemble of `model_count` (1 to kStreamMaxModels) models with the same
  // input size and labels; models[0] screens when config.ensemble_gate > 0.
  static Status Create(const StreamClassifierConfig& config, AudioFrontend* frontend,
                       Interpreter* const* models, int model_count, int8_t* ring, size_t ring_bytes,
                       StreamClassifier* classifier);

  // Feeds samples; calls the listener for each run and each event.
  Status Push(const int16_t* samples, size_t count, const StreamListener& listener);

  // Forgets audio, frames, scores and the suppression timer.
  void Reset();

  int window_frames() const { return window_frames_; }
  int label_count() const { return label_count_; }
  uint32_t inference_count() const { return inference_count_; }
  int model_count() const { return model_count_; }
  // Runs of the models after the first since Create / Reset (with a gate,
  // fewer than (model_count() - 1) * inference_count()).
  uint32_t second_opinion_count() const { return second_opinion_count_; }

 private:
  Status OnFrame(const int8_t* features, const StreamListener& listener);
  Status RunModel(const StreamListener& listener);

  StreamClassifierConfig config_;
  AudioFrontend* frontend_ = nullptr;
  Interpreter* models_[kStreamMaxModels] = {};
  int model_count_ = 0;
  int8_t* ring_ = nullptr;
  int32_t channels_ = 0;
  int32_t window_frames_ = 0;
  int32_t label_count_ = 0;
  int32_t ring_next_ = 0;  // frame slot the next frame goes to (oldest frame)
  uint32_t frames_seen_ = 0;
  uint32_t inference_count_ = 0;
  uint32_t second_opinion_count_ = 0;
  bool have_event_ = false;
  uint32_t last_event_ms_ = 0;
  float history_[kStreamMaxAverageInferences][kStreamMaxLabels] = {};
};

}  // namespace picoml

#endif  // PICOML_AUDIO_STREAM_H_

// StreamClassifier: feature ring, periodic inference, smoothing and the
// event decision (see include/picoml/audio_stream.h).
#include <string.h>

#include "picoml/audio_stream.h"

namespace picoml {

size_t StreamClassifier::RingBytes(const Interpreter& interpreter) {
  if (interpreter.input_count() < 1) return 0;
  const int64_t elements = interpreter.input(0).ElementCount();
  return elements > 0 ? static_cast<size_t>(elements) : 0;
}

namespace {

// Checks one model against the front end and the ring; sets its window
// elements and label count.
Status CheckModel(int index, Interpreter* interpreter, int32_t channels, size_t ring_bytes,
                  int64_t* elements_out, int64_t* labels_out) {
  if (interpreter == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "StreamClassifier::Create: model %d's interpreter is null", index);
  if (interpreter->input_count() < 1 || interpreter->output_count() < 1)
    return Status::Error(StatusCode::kInvalidArgument,
                         "stream classifier: model %d needs an input and an output", index);
  const Tensor input = interpreter->input(0);
  const Tensor output = interpreter->output(0);
  const int64_t elements = input.ElementCount();
  if (input.type != TensorType::kInt8)
    return Status::Error(StatusCode::kUnsupported,
                         "stream classifier: model %d's input is %s; it must be INT8 features "
                         "from the audio front end",
                         index, TensorTypeName(input.type));
  if (channels < 1 || elements < channels || elements % channels != 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "stream classifier: model %d's input has %ld elements, not a whole "
                         "number of %ld-channel feature frames; train the model on this front "
                         "end's frames",
                         index, static_cast<long>(elements), static_cast<long>(channels));
  if (ring_bytes < static_cast<size_t>(elements))
    return Status::Error(StatusCode::kInvalidArgument,
                         "stream classifier: ring has %lu bytes, model %d's input needs %lu",
                         static_cast<unsigned long>(ring_bytes), index,
                         static_cast<unsigned long>(elements));
  const int64_t labels = output.ElementCount();
  if (output.type != TensorType::kInt8 && output.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported,
                         "stream classifier: model %d's output is %s; INT8 or FLOAT32 scores "
                         "needed",
                         index, TensorTypeName(output.type));
  if (labels < 1 || labels > kStreamMaxLabels)
    return Status::Error(StatusCode::kUnsupported,
                         "stream classifier: model %d has %ld output scores; 1 to %d supported",
                         index, static_cast<long>(labels), kStreamMaxLabels);
  if (output.type == TensorType::kInt8 && output.quantization.count() < 1)
    return Status::Error(StatusCode::kInvalidModel,
                         "stream classifier: model %d's INT8 output has no quantization to read "
                         "scores with",
                         index);
  *elements_out = elements;
  *labels_out = labels;
  return Status::Ok();
}

// Adds the model's dequantized scores to `sum`.
void AddScores(const Interpreter& interpreter, int label_count, float* sum) {
  const Tensor output = interpreter.output(0);
  if (output.type == TensorType::kInt8) {
    const QuantizationParams q = output.quantization.PerTensor();
    for (int i = 0; i < label_count; ++i)
      sum[i] += q.scale * static_cast<float>(output.data_as<int8_t>()[i] - q.zero_point);
  } else {
    for (int i = 0; i < label_count; ++i) sum[i] += output.data_as<float>()[i];
  }
}

}  // namespace

Status StreamClassifier::Create(const StreamClassifierConfig& config, AudioFrontend* frontend,
                                Interpreter* interpreter, int8_t* ring, size_t ring_bytes,
                                StreamClassifier* classifier) {
  if (interpreter == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "StreamClassifier::Create: frontend, interpreter, ring and classifier "
                         "must not be null");
  Interpreter* const models[1] = {interpreter};
  return Create(config, frontend, models, 1, ring, ring_bytes, classifier);
}

Status StreamClassifier::Create(const StreamClassifierConfig& config, AudioFrontend* frontend,
                                Interpreter* const* models, int model_count, int8_t* ring,
                                size_t ring_bytes, StreamClassifier* classifier) {
  if (frontend == nullptr || models == nullptr || ring == nullptr || classifier == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "StreamClassifier::Create: frontend, interpreter, ring and classifier "
                         "must not be null");
  if (model_count < 1 || model_count > kStreamMaxModels)
    return Status::Error(StatusCode::kInvalidArgument, "stream classifier: %d models; use 1 to %d",
                         model_count, kStreamMaxModels);
  if (!(config.ensemble_gate >= 0.0f))
    return Status::Error(StatusCode::kInvalidArgument,
                         "stream classifier: ensemble_gate must be >= 0 (0: every model runs "
                         "every time)");
  if (config.stride_frames < 1)
    return Status::Error(StatusCode::kInvalidArgument,
                         "stream classifier: stride_frames is %ld; use >= 1",
                         static_cast<long>(config.stride_frames));
  if (config.average_inferences < 1 || config.average_inferences > kStreamMaxAverageInferences)
    return Status::Error(StatusCode::kInvalidArgument,
                         "stream classifier: average_inferences is %ld; use 1 to %d",
                         static_cast<long>(config.average_inferences), kStreamMaxAverageInferences);
  if (config.warmup_frames < 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "stream classifier: warmup_frames is %ld; use >= 0",
                         static_cast<long>(config.warmup_frames));
  if (config.suppression_ms < 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "stream classifier: suppression_ms is negative");
  const int32_t channels = frontend->channel_count();
  int64_t elements = 0, labels = 0;
  PICOML_RETURN_IF_ERROR(CheckModel(0, models[0], channels, ring_bytes, &elements, &labels));
  for (int m = 1; m < model_count; ++m) {
    int64_t other_elements = 0, other_labels = 0;
    PICOML_RETURN_IF_ERROR(
        CheckModel(m, models[m], channels, ring_bytes, &other_elements, &other_labels));
    if (other_elements != elements || other_labels != labels)
      return Status::Error(StatusCode::kInvalidArgument,
                           "stream classifier: model %d takes %ld input elements and gives %ld "
                           "scores, model 0 %ld and %ld; an ensemble's models must see the same "
                           "window and share their labels",
                           m, static_cast<long>(other_elements), static_cast<long>(other_labels),
                           static_cast<long>(elements), static_cast<long>(labels));
  }

  classifier->config_ = config;
  classifier->frontend_ = frontend;
  for (int m = 0; m < kStreamMaxModels; ++m)
    classifier->models_[m] = m < model_count ? models[m] : nullptr;
  classifier->model_count_ = model_count;
  classifier->ring_ = ring;
  classifier->channels_ = channels;
  classifier->window_frames_ = static_cast<int32_t>(elements / channels);
  classifier->label_count_ = static_cast<int32_t>(labels);
  classifier->Reset();
  return Status::Ok();
}

void StreamClassifier::Reset() {
  if (frontend_ != nullptr) frontend_->Reset();
  if (ring_ != nullptr) memset(ring_, 0, static_cast<size_t>(window_frames_) * channels_);
  ring_next_ = 0;
  frames_seen_ = 0;
  inference_count_ = 0;
  second_opinion_count_ = 0;
  have_event_ = false;
  last_event_ms_ = 0;
  memset(history_, 0, sizeof(history_));
}

Status StreamClassifier::Push(const int16_t* samples, size_t count,
                              const StreamListener& listener) {
  if (frontend_ == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "StreamClassifier used before StreamClassifier::Create succeeded");
  int8_t features[kAudioFrontendMaxChannels];
  size_t offset = 0;
  do {
    size_t consumed = 0;
    bool ready = false;
    PICOML_RETURN_IF_ERROR(frontend_->Push(samples == nullptr ? nullptr : samples + offset,
                                           count - offset, &consumed, features, &ready));
    offset += consumed;
    if (ready) PICOML_RETURN_IF_ERROR(OnFrame(features, listener));
  } while (offset < count);
  return Status::Ok();
}

Status StreamClassifier::OnFrame(const int8_t* features, const StreamListener& listener) {
  memcpy(ring_ + static_cast<size_t>(ring_next_) * channels_, features,
         static_cast<size_t>(channels_));
  ring_next_ = (ring_next_ + 1) % window_frames_;
  ++frames_seen_;
  // Frames before warmup_frames + window_frames_ are overwritten before the
  // first run.
  const uint32_t first_run =
      static_cast<uint32_t>(config_.warmup_frames) + static_cast<uint32_t>(window_frames_);
  if (frames_seen_ < first_run) return Status::Ok();
  if ((frames_seen_ - first_run) % static_cast<uint32_t>(config_.stride_frames) != 0)
    return Status::Ok();
  return RunModel(listener);
}

Status StreamClassifier::RunModel(const StreamListener& listener) {
  float* scores = history_[inference_count_ % kStreamMaxAverageInferences];
  for (int i = 0; i < label_count_; ++i) scores[i] = 0.0f;
  // The ring from its oldest frame: `older` bytes from ring_next_, then the rest.
  const size_t frame_bytes = static_cast<size_t>(channels_);
  const size_t older = static_cast<size_t>(window_frames_ - ring_next_) * frame_bytes;
  const size_t newer = static_cast<size_t>(ring_next_) * frame_bytes;
  int models_run = 0;
  for (int m = 0; m < model_count_; ++m) {
    if (m == 1 && config_.ensemble_gate > 0.0f) {
      // The first model screens: the others run only when its best
      // reportable score reaches the gate.
      float best = -1.0f;
      for (int i = 0; i < label_count_; ++i)
        if (!((config_.ignored_labels >> i) & 1u) && scores[i] > best) best = scores[i];
      if (best < config_.ensemble_gate) break;
    }
    // The input is rewritten every run: the arena may reuse its bytes.
    int8_t* input = models_[m]->input(0).data_as<int8_t>();
    memcpy(input, ring_ + newer, older);
    memcpy(input + older, ring_, newer);
    PICOML_RETURN_IF_ERROR(models_[m]->Invoke());
    AddScores(*models_[m], label_count_, scores);
    ++models_run;
  }
  // The mean over every model; one that did not run counts 0.
  if (model_count_ > 1)
    for (int i = 0; i < label_count_; ++i) scores[i] /= static_cast<float>(model_count_);
  second_opinion_count_ += static_cast<uint32_t>(models_run - 1);
  ++inference_count_;

  float averaged[kStreamMaxLabels] = {};
  const uint32_t runs = inference_count_ < static_cast<uint32_t>(config_.average_inferences)
                            ? inference_count_
                            : static_cast<uint32_t>(config_.average_inferences);
  for (uint32_t r = 0; r < runs; ++r) {
    const float* past = history_[(inference_count_ - 1 - r) % kStreamMaxAverageInferences];
    for (int i = 0; i < label_count_; ++i) averaged[i] += past[i];
  }
  for (int i = 0; i < label_count_; ++i) averaged[i] /= static_cast<float>(runs);

  const uint32_t now_ms = frontend_->FrameEndMs(frames_seen_ - 1);
  if (listener.on_inference != nullptr) {
    StreamInference inference;
    inference.scores = scores;
    inference.averaged_scores = averaged;
    inference.label_count = label_count_;
    inference.time_ms = now_ms;
    inference.index = inference_count_ - 1;
    inference.models_run = models_run;
    listener.on_inference(inference, listener.user);
  }

  int best = -1;
  for (int i = 0; i < label_count_; ++i) {
    if ((config_.ignored_labels >> i) & 1u) continue;
    if (best < 0 || averaged[i] > averaged[best]) best = i;
  }
  if (best < 0 || averaged[best] < config_.threshold) return Status::Ok();
  if (have_event_ && now_ms - last_event_ms_ < static_cast<uint32_t>(config_.suppression_ms))
    return Status::Ok();
  have_event_ = true;
  last_event_ms_ = now_ms;
  if (listener.on_event != nullptr) {
    StreamEvent event;
    event.label = best;
    event.score = averaged[best];
    event.time_ms = now_ms;
    listener.on_event(event, listener.user);
  }
  return Status::Ok();
}

}  // namespace picoml

#include "alarm/detector.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace picoml::alarm {

StreamClassifierConfig DefaultAlarmStreamConfig() {
  StreamClassifierConfig config;
  config.stride_frames = alarm_config::kStrideFrames;
  config.average_inferences = alarm_config::kAverageInferences;
  config.threshold = 0.8f;  // replaced by the tuned threshold
  config.suppression_ms = alarm_config::kSuppressionMs;
  config.warmup_frames = alarm_config::kWarmupFrames;
  config.ignored_labels = alarm_config::kIgnoredLabels;
  config.ensemble_gate = alarm_config::kEnsembleGate;
  return config;
}

CnnDetector::CnnDetector(const std::vector<std::string>& model_paths,
                         const StreamClassifierConfig& config) {
  if (model_paths.empty() || model_paths.size() > static_cast<size_t>(kStreamMaxModels))
    throw host::Error(
        fmt::format("{} alarm models given; use 1 to {}", model_paths.size(), kStreamMaxModels));
  std::vector<Interpreter*> interpreters;
  for (const std::string& path : model_paths) {
    files_.push_back(std::make_unique<host::ModelFile>(path));
    hosts_.push_back(std::make_unique<host::HostInterpreter>(files_.back()->model(), resolver_));
    interpreters.push_back(&hosts_.back()->interpreter());
  }
  Status status = AudioFrontend::Create(alarm_config::FrontendConfig(), &state_, &frontend_);
  if (!status.ok()) throw host::Error(fmt::format("audio front end: {}", status.message()));
  ring_.resize(StreamClassifier::RingBytes(*interpreters.front()));
  status = StreamClassifier::Create(config, &frontend_, interpreters.data(),
                                    static_cast<int>(interpreters.size()), ring_.data(),
                                    ring_.size(), &classifier_);
  if (!status.ok())
    throw host::Error(fmt::format("{}: {}", fmt::join(model_paths, ", "), status.message()));
}

size_t CnnDetector::arena_bytes() const {
  size_t bytes = 0;
  for (const auto& host : hosts_) bytes += host->plan().needed_bytes;
  return bytes;
}

size_t CnnDetector::model_bytes() const {
  size_t bytes = 0;
  for (const auto& file : files_) bytes += file->size();
  return bytes;
}

void CnnDetector::Reset() {
  classifier_.Reset();
  trace_times.clear();
  trace_scores.clear();
}

std::vector<double> CnnDetector::Push(const int16_t* samples, size_t count) {
  events_.clear();
  StreamListener listener;
  listener.user = this;
  listener.on_event = [](const StreamEvent& event, void* user) {
    static_cast<CnnDetector*>(user)->events_.push_back(event.time_ms / 1000.0);
  };
  if (record) {
    listener.on_inference = [](const StreamInference& inference, void* user) {
      auto* self = static_cast<CnnDetector*>(user);
      self->trace_times.push_back(inference.time_ms / 1000.0);
      self->trace_scores.push_back(inference.scores[inference.label_count - 1]);
    };
  }
  const Status status = classifier_.Push(samples, count, listener);
  if (!status.ok()) throw host::Error(fmt::format("stream classifier: {}", status.message()));
  return events_;
}

std::vector<double> GoertzelAlarmDetector::Push(const int16_t* samples, size_t count) {
  std::vector<double> times;
  for (const GoertzelEvent& e : detector_.Push(samples, count)) times.push_back(e.time_s);
  return times;
}

}  // namespace picoml::alarm

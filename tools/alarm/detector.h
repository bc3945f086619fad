// The two alarm detectors behind one interface, for evaluation: the CNN (an
// int8 .tflite run by picoml's runtime inside picoml::StreamClassifier, the
// code path the device runs) and the Goertzel baseline.
#ifndef PICOML_TOOLS_ALARM_DETECTOR_H_
#define PICOML_TOOLS_ALARM_DETECTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alarm/goertzel.h"
#include "alarm_config.h"
#include "host/model_file.h"
#include "picoml/audio_frontend.h"
#include "picoml/audio_stream.h"

namespace picoml::alarm {

class Detector {
 public:
  virtual ~Detector() = default;
  virtual std::string name() const = 0;
  // Forgets all audio: a fresh stream.
  virtual void Reset() = 0;
  // Feeds samples; returns the times (s since Reset) of events in them.
  virtual std::vector<double> Push(const int16_t* samples, size_t count) = 0;
};

// The device's decision settings for the alarm model (label 1 = alarm).
StreamClassifierConfig DefaultAlarmStreamConfig();

// One model, or an ensemble whose first model screens for the others
// (StreamClassifier; alarm_config::kEnsembleGate).
class CnnDetector : public Detector {
 public:
  CnnDetector(const std::vector<std::string>& model_paths, const StreamClassifierConfig& config);
  std::string name() const override { return "cnn"; }
  void Reset() override;
  std::vector<double> Push(const int16_t* samples, size_t count) override;
  // Sums over the models: each has its own arena.
  size_t arena_bytes() const;
  size_t model_bytes() const;
  size_t ring_bytes() const { return ring_.size(); }
  int model_count() const { return static_cast<int>(hosts_.size()); }
  // Inferences, and runs of the models after the first, since Reset.
  uint32_t inference_count() const { return classifier_.inference_count(); }
  uint32_t second_opinion_count() const { return classifier_.second_opinion_count(); }
  // The alarm score of every inference since Reset, before averaging (for
  // tuning, which replays the averaging with several window lengths).
  bool record = false;
  std::vector<double> trace_times;
  std::vector<float> trace_scores;

 private:
  std::vector<std::unique_ptr<host::ModelFile>> files_;
  AllOpsResolver resolver_;
  std::vector<std::unique_ptr<host::HostInterpreter>> hosts_;
  AudioFrontendState state_{};
  AudioFrontend frontend_;
  std::vector<int8_t> ring_;
  StreamClassifier classifier_;
  std::vector<double> events_;
};

class GoertzelAlarmDetector : public Detector {
 public:
  explicit GoertzelAlarmDetector(const GoertzelConfig& config)
      : config_(config), detector_(config) {}
  std::string name() const override { return "goertzel"; }
  void Reset() override { detector_ = GoertzelDetector(config_); }
  std::vector<double> Push(const int16_t* samples, size_t count) override;

 private:
  GoertzelConfig config_;
  GoertzelDetector detector_;
};

}  // namespace picoml::alarm

#endif  // PICOML_TOOLS_ALARM_DETECTOR_H_

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

class CnnDetector : public Detector {
 public:
  CnnDetector(const std::string& model_path, const StreamClassifierConfig& config);
  std::string name() const override { return "cnn"; }
  void Reset() override;
  std::vector<double> Push(const int16_t* samples, size_t count) override;
  size_t arena_bytes() const { return host_->plan().needed_bytes; }
  size_t model_bytes() const { return file_->size(); }
  size_t ring_bytes() const { return ring_.size(); }
  // The alarm score of every inference since Reset, before averaging (for
  // tuning, which replays the averaging with several window lengths).
  bool record = false;
  std::vector<double> trace_times;
  std::vector<float> trace_scores;

 private:
  std::unique_ptr<host::ModelFile> file_;
  AllOpsResolver resolver_;
  std::unique_ptr<host::HostInterpreter> host_;
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

#include "alarm_device.h"

#include "alarm_config.h"
#include "alarm_model_data.h"
#ifdef PICOML_ALARM_SECOND_MODEL
#include "alarm_model_2_data.h"
#endif
#include "picoml/audio_frontend.h"
#include "picoml/audio_stream.h"
#include "picoml/interpreter.h"
#include "picoml/op_resolver.h"

namespace alarm_example {
namespace {

// The feature window the model sees, kept as a ring.
constexpr size_t kRingBytes = alarm_config::kWindowFrames * alarm_config::kChannels;

picoml::AudioFrontendState g_frontend_state;
picoml::AudioFrontend g_frontend;
int8_t g_ring[kRingBytes];
picoml::MutableOpResolver<5> g_resolver;
picoml::Model g_model;
picoml::Interpreter g_interpreter;
#ifdef PICOML_ALARM_SECOND_MODEL
// The second opinion: another training of the network, run only when the
// first model's alarm probability reaches alarm_config::kEnsembleGate. The
// two run in turn, so each keeps only its persistent part and they share one
// activation buffer.
constexpr size_t kActivationBytes =
    g_alarm_model_activation_bytes > g_alarm_model_2_activation_bytes
        ? g_alarm_model_activation_bytes
        : g_alarm_model_2_activation_bytes;
alignas(16) uint8_t g_activations[kActivationBytes];
alignas(16) uint8_t g_persistent[g_alarm_model_persistent_bytes];
alignas(16) uint8_t g_persistent_2[g_alarm_model_2_persistent_bytes];
picoml::Model g_model_2;
picoml::Interpreter g_interpreter_2;
#else
alignas(16) uint8_t g_arena[g_alarm_model_arena_bytes];
#endif
picoml::StreamClassifier g_classifier;
AlarmCallback g_on_alarm = nullptr;

void OnEvent(const picoml::StreamEvent& event, void*) {
  if (g_on_alarm != nullptr) g_on_alarm(event.time_ms, event.score);
}

}  // namespace

picoml::Status Start(float threshold, AlarmCallback on_alarm) {
  g_on_alarm = on_alarm;
  // The operators the alarm CNN uses, and no others.
  PICOML_RETURN_IF_ERROR(g_resolver.AddConv2D());
  PICOML_RETURN_IF_ERROR(g_resolver.AddMaxPool2D());
  PICOML_RETURN_IF_ERROR(g_resolver.AddMean());
  PICOML_RETURN_IF_ERROR(g_resolver.AddFullyConnected());
  PICOML_RETURN_IF_ERROR(g_resolver.AddSoftmax());
  PICOML_RETURN_IF_ERROR(picoml::Model::Create(g_alarm_model, g_alarm_model_len, &g_model));
#ifdef PICOML_ALARM_SECOND_MODEL
  PICOML_RETURN_IF_ERROR(picoml::Interpreter::Create(g_model, g_resolver, g_persistent,
                                                     sizeof(g_persistent), g_activations,
                                                     sizeof(g_activations), &g_interpreter));
  PICOML_RETURN_IF_ERROR(picoml::Model::Create(g_alarm_model_2, g_alarm_model_2_len, &g_model_2));
  PICOML_RETURN_IF_ERROR(picoml::Interpreter::Create(g_model_2, g_resolver, g_persistent_2,
                                                     sizeof(g_persistent_2), g_activations,
                                                     sizeof(g_activations), &g_interpreter_2));
  picoml::Interpreter* const models[] = {&g_interpreter, &g_interpreter_2};
#else
  PICOML_RETURN_IF_ERROR(
      picoml::Interpreter::Create(g_model, g_resolver, g_arena, sizeof(g_arena), &g_interpreter));
  picoml::Interpreter* const models[] = {&g_interpreter};
#endif
  PICOML_RETURN_IF_ERROR(picoml::AudioFrontend::Create(alarm_config::FrontendConfig(),
                                                       &g_frontend_state, &g_frontend));
  picoml::StreamClassifierConfig config;
  config.stride_frames = alarm_config::kStrideFrames;
  config.average_inferences = alarm_config::kAverageInferences;
  config.threshold = threshold;
  config.suppression_ms = alarm_config::kSuppressionMs;
  config.warmup_frames = alarm_config::kWarmupFrames;
  config.ignored_labels = alarm_config::kIgnoredLabels;
  config.ensemble_gate = alarm_config::kEnsembleGate;
  return picoml::StreamClassifier::Create(config, &g_frontend, models,
                                          static_cast<int>(sizeof(models) / sizeof(models[0])),
                                          g_ring, sizeof(g_ring), &g_classifier);
}

picoml::Status OnMicrophoneSamples(const int16_t* samples, size_t count) {
  picoml::StreamListener listener;
  listener.on_event = OnEvent;
  return g_classifier.Push(samples, count, listener);
}

size_t RamBytes() {
  const size_t common = sizeof(g_frontend_state) + sizeof(g_frontend) + sizeof(g_ring) +
                        sizeof(g_classifier) + sizeof(g_interpreter) + sizeof(g_model);
#ifdef PICOML_ALARM_SECOND_MODEL
  return common + sizeof(g_activations) + sizeof(g_persistent) + sizeof(g_persistent_2) +
         sizeof(g_interpreter_2) + sizeof(g_model_2);
#else
  return common + sizeof(g_arena);
#endif
}

}  // namespace alarm_example

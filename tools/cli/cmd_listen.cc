// picoml listen MODEL FILE.wav [--labels a,b,c] [--json] [--threshold T]
//     [--average-window K] [--suppression-ms MS] [--stride-frames N] [--warmup-frames N] [--ignore
//     a,b]
// Streams a WAV file through the audio front end and the model, as a device
// would stream its microphone, and prints each detection with its time.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "host/model_file.h"
#include "host/wav.h"
#include "picoml/audio_frontend.h"
#include "picoml/audio_stream.h"
#include "picoml/op_resolver.h"

namespace picoml::cli {
namespace {

struct ListenOptions {
  std::string model;
  std::string wav;
  std::string labels;
  std::string ignore = "silence,unknown,_silence_,_unknown_,background";
  bool json = false;
  float threshold = 0.8f;
  int average_window = 3;
  int suppression_ms = 1000;
  int warmup_frames = 0;
  int stride_frames = 5;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

struct Output {
  std::vector<std::string> labels;
  bool json = false;
  nlohmann::json inferences = nlohmann::json::array();
  nlohmann::json events = nlohmann::json::array();
};

std::string LabelName(const Output& out, int label) {
  return label < static_cast<int>(out.labels.size()) ? out.labels[label]
                                                     : fmt::format("label {}", label);
}

void Listen(const ListenOptions& options) {
  host::ModelFile file(options.model);
  AllOpsResolver resolver;
  host::HostInterpreter host(file.model(), resolver);

  const host::WavAudio audio = host::ReadWav(options.wav, 16000);
  for (const std::string& note : audio.notes)
    std::fprintf(stderr, "picoml listen: %s: %s\n", options.wav.c_str(), note.c_str());

  AudioFrontendState state{};
  AudioFrontend frontend;
  Status status = AudioFrontend::Create(AudioFrontendConfig(), &state, &frontend);
  if (!status.ok()) throw CommandError(status.message());

  Output out;
  out.json = options.json;
  out.labels = SplitList(options.labels);
  StreamClassifierConfig config;
  config.threshold = options.threshold;
  config.average_inferences = options.average_window;
  config.suppression_ms = options.suppression_ms;
  config.warmup_frames = options.warmup_frames;
  config.stride_frames = options.stride_frames;
  const std::vector<std::string> ignored = SplitList(options.ignore);
  for (size_t i = 0; i < out.labels.size() && i < 32; ++i)
    for (const std::string& name : ignored)
      if (out.labels[i] == name) config.ignored_labels |= 1u << i;

  std::vector<int8_t> ring(StreamClassifier::RingBytes(host.interpreter()));
  StreamClassifier classifier;
  status = StreamClassifier::Create(config, &frontend, &host.interpreter(), ring.data(),
                                    ring.size(), &classifier);
  if (!status.ok()) throw CommandError(fmt::format("{}: {}", options.model, status.message()));
  if (!out.labels.empty() && static_cast<int>(out.labels.size()) != classifier.label_count())
    throw CommandError(fmt::format("--labels names {} labels; the model has {} outputs",
                                   out.labels.size(), classifier.label_count()));

  StreamListener listener;
  listener.user = &out;
  listener.on_event = [](const StreamEvent& event, void* user) {
    auto* o = static_cast<Output*>(user);
    if (o->json) {
      o->events.push_back({{"time_ms", event.time_ms},
                           {"label", event.label},
                           {"name", LabelName(*o, event.label)},
                           {"score", event.score}});
    } else {
      std::printf("%8.3f s  %-12s %.3f\n", event.time_ms / 1000.0,
                  LabelName(*o, event.label).c_str(), event.score);
    }
  };
  listener.on_inference = [](const StreamInference& inference, void* user) {
    auto* o = static_cast<Output*>(user);
    if (!o->json) return;
    o->inferences.push_back(
        {{"time_ms", inference.time_ms},
         {"scores", std::vector<float>(inference.scores, inference.scores + inference.label_count)},
         {"averaged", std::vector<float>(inference.averaged_scores,
                                         inference.averaged_scores + inference.label_count)}});
  };
  status = classifier.Push(audio.samples.data(), audio.samples.size(), listener);
  if (!status.ok()) throw CommandError(status.message());

  const double seconds = static_cast<double>(audio.samples.size()) / 16000.0;
  if (options.json) {
    nlohmann::json j;
    j["model"] = options.model;
    j["audio"] = options.wav;
    j["seconds"] = seconds;
    j["labels"] = out.labels;
    j["window_frames"] = classifier.window_frames();
    j["config"] = {{"threshold", config.threshold},
                   {"average_window", config.average_inferences},
                   {"suppression_ms", config.suppression_ms},
                   {"warmup_frames", config.warmup_frames},
                   {"stride_frames", config.stride_frames}};
    j["events"] = out.events;
    j["inferences"] = out.inferences;
    std::cout << j.dump() << "\n";
  } else {
    std::fprintf(stderr, "picoml listen: %.2f s of audio, %u inferences, window %d frames\n",
                 seconds, classifier.inference_count(), classifier.window_frames());
    if (classifier.inference_count() == 0)
      std::fprintf(stderr,
                   "picoml listen: the clip is shorter than the model's window (%d frames of "
                   "20 ms plus 10 ms): no inference ran\n",
                   classifier.window_frames());
  }
}

}  // namespace

void AddListenCommand(CLI::App& app) {
  auto options = std::make_shared<ListenOptions>();
  CLI::App* listen = app.add_subcommand(
      "listen", "Stream a 16 kHz mono WAV through the audio front end and a model; print events");
  listen->add_option("model", options->model, "the .tflite model (int8 features in)")->required();
  listen->add_option("audio", options->wav, "the WAV file (16 kHz mono 16-bit)")->required();
  listen->add_option("--labels", options->labels, "label names, comma separated, in output order");
  listen
      ->add_option("--ignore", options->ignore,
                   "labels never reported as events (background classes)")
      ->capture_default_str();
  listen->add_flag("--json", options->json, "print JSON: events and every inference's scores");
  listen->add_option("--threshold", options->threshold, "averaged score that reports an event")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0e6));
  listen
      ->add_option("--average-window", options->average_window,
                   "inferences the scores are averaged over")
      ->capture_default_str()
      ->check(CLI::Range(1, kStreamMaxAverageInferences));
  listen
      ->add_option("--warmup-frames", options->warmup_frames,
                   "frames at the start that only settle the front end (the alarm model: 100)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  listen->add_option("--suppression-ms", options->suppression_ms, "quiet time after an event")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 30));
  listen
      ->add_option("--stride-frames", options->stride_frames,
                   "run the model every N feature frames (20 ms each)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  listen->callback([options] { Listen(*options); });
}

}  // namespace picoml::cli

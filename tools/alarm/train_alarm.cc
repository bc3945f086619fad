#include "alarm/train_alarm.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "host/int8_export.h"
#include "host/model_file.h"
#include "train/network.h"
#include "train/quantizer.h"
#include "train/trainer.h"

namespace picoml::alarm {
namespace {

train::LayerSpec Conv(int filters, int kernel_h, int kernel_w, int stride_h, int stride_w) {
  train::LayerSpec l;
  l.kind = train::LayerKind::kConv2D;
  l.filters = filters;
  l.kernel_h = kernel_h;
  l.kernel_w = kernel_w;
  l.stride = stride_h;
  l.stride_w = stride_w;
  l.relu = true;
  return l;
}

train::LayerSpec MaxPool(int pool_h, int pool_w) {
  train::LayerSpec l;
  l.kind = train::LayerKind::kMaxPool2D;
  l.pool = pool_h;
  l.pool_w = pool_w;
  return l;
}

// The time (height) steps left after `layers` (VALID convolutions and pools).
int TimeStepsAfter(const std::vector<train::LayerSpec>& layers, int steps) {
  for (const train::LayerSpec& l : layers) {
    if (l.kind == train::LayerKind::kConv2D) steps = (steps - l.kernel_h) / l.StrideH() + 1;
    if (l.kind == train::LayerKind::kMaxPool2D) steps /= l.PoolH();
  }
  return steps;
}

train::NetworkSpec AlarmSpec(AlarmNetwork kind, float dropout) {
  using train::LayerKind;
  train::NetworkSpec spec;
  spec.name = "alarm";
  spec.height = kWindowFrames;
  spec.width = kChannels;
  spec.channels = 1;
  train::LayerSpec gap, drop, dense, softmax;
  gap.kind = LayerKind::kGlobalAveragePool;
  dense.kind = LayerKind::kDense;
  dense.filters = 2;
  softmax.kind = LayerKind::kSoftmax;
  if (kind == AlarmNetwork::kCompact) {
    // 200 x 40 -> 99 x 19 x 8 -> 49 x 9 x 8 -> 24 x 4 x 16 -> 11 x 1 x 32:
    // the time axis keeps its order down to 11 steps of 320 ms, and the
    // last convolution spans all of them, so the network can weigh where
    // in the window the beeps fall (their count and spacing), not only how
    // many beep-like frames there are.
    spec.layers = {Conv(8, 3, 3, 2, 2), MaxPool(2, 2), Conv(16, 3, 3, 2, 2), Conv(32, 3, 3, 2, 2)};
  } else if (kind == AlarmNetwork::kFine) {
    // 200 x 40 -> 99 x 10 x 8 (40 ms) -> 99 x 5 x 8 -> 95 x 1 x 16 (still
    // 40 ms: a 0.1 s beep and its 0.1 s gap each span two or three steps,
    // where temporal's 80 ms max-pool can bridge the gap) -> 47 -> 23 -> 11
    // steps of 32 (80, 160, 320 ms) -> one convolution over all eleven.
    spec.layers = {Conv(8, 3, 4, 2, 4),  MaxPool(1, 2),        Conv(16, 5, 5, 1, 1),
                   Conv(32, 3, 1, 2, 1), Conv(32, 3, 1, 2, 1), Conv(32, 3, 1, 2, 1)};
  } else if (kind == AlarmNetwork::kBand) {
    // 200 x 40 -> 99 x 1 x 16 (40 ms steps; each filter weighs all bands of
    // 3 frames) -> 48 x 24 (80 ms; 5 steps of 40 ms, 0.2 s: a T4 beep and
    // its gap) -> 23 -> 11 steps of 32 (160, 320 ms) -> one convolution
    // over all eleven.
    spec.layers = {Conv(16, 3, kChannels, 2, 1), Conv(24, 5, 1, 2, 1), Conv(32, 3, 1, 2, 1),
                   Conv(32, 3, 1, 2, 1)};
  } else {
    // Frequency is reduced first, time later: 200 x 40 -> 99 x 10 x 8
    // (40 ms steps; 4-channel frequency bands) -> 49 x 5 x 8 (80 ms) ->
    // 45 x 1 x 24 (5 steps of 80 ms over all bands: a 0.42 s field that
    // holds two T4 beep periods at the resolution of its 0.1 s beeps) ->
    // 22 x 32 (160 ms) -> 10 x 32 (320 ms) -> one convolution over all
    // ten. About 400k multiply-accumulates, 30 % more than the compact
    // network, but fewer outputs to requantize.
    spec.layers = {Conv(8, 3, 4, 2, 4), MaxPool(2, 2), Conv(24, 5, 5, 1, 1), Conv(32, 3, 1, 2, 1),
                   Conv(32, 3, 1, 2, 1)};
  }
  // Last, one convolution over every remaining time step, then the mean.
  spec.layers.push_back(Conv(32, TimeStepsAfter(spec.layers, kWindowFrames), 1, 1, 1));
  spec.layers.push_back(gap);
  if (dropout > 0.0f) {
    drop.kind = LayerKind::kDropout;
    drop.rate = dropout;
    spec.layers.push_back(drop);
  }
  spec.layers.push_back(dense);
  spec.layers.push_back(softmax);
  return spec;
}

// Windows of int8 features q as the network's float input [n, 1, frames,
// channels]: (q + 128) / 255, so that the input quantization [0, 1] ->
// (scale 1/255, zero point -128) gives back exactly q on the device.
torch::Tensor ToInput(const int8_t* features, int64_t windows) {
  torch::Tensor x = torch::empty({windows, 1, kWindowFrames, kChannels});
  float* out = x.data_ptr<float>();
  const int64_t count = windows * kWindowFrames * kChannels;
  for (int64_t i = 0; i < count; ++i) out[i] = (features[i] + 128) / 255.0f;
  return x;
}

train::Examples ToExamples(const WindowSet& set) {
  train::Examples e;
  e.images = ToInput(set.features.data(), set.count());
  e.labels = torch::tensor(set.labels, torch::kInt64);
  return e;
}

// Hard-negative mining: the background windows (from clips the first round
// never saw) that the trained network scores highest as alarms. Adding them
// and training on teaches it what in a home is easy to mistake for an alarm.
WindowSet MineHardNegatives(train::Network& network, const BackgroundLibrary& backgrounds,
                            const DatasetOptions& options, double min_score) {
  const WindowSet pool = MakeWindowSet(backgrounds, options);
  WindowSet hard;
  torch::NoGradGuard no_grad;
  network->eval();
  const int64_t window = int64_t{kWindowFrames} * kChannels;
  constexpr int64_t kBatch = 512;
  for (int64_t begin = 0; begin < pool.count(); begin += kBatch) {
    const int64_t n = std::min(kBatch, pool.count() - begin);
    const int8_t* in = pool.features.data() + begin * window;
    const torch::Tensor alarm = network->forward(ToInput(in, n)).select(1, 1).contiguous();
    const float* score = alarm.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
      if (score[i] < min_score) continue;
      hard.features.insert(hard.features.end(), in + i * window, in + (i + 1) * window);
      hard.labels.push_back(0);
    }
  }
  return hard;
}

}  // namespace

std::string TrainAlarmModel(const std::vector<std::string>& background_dirs,
                            const AlarmTrainOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  BackgroundLibrary backgrounds = BackgroundLibrary::Load(background_dirs);
  backgrounds.set_speed_spread(options.speed_spread);
  std::cout << fmt::format("Training backgrounds: {} files, {:.0f} s from {}\n",
                           backgrounds.file_count(), backgrounds.seconds(),
                           fmt::join(background_dirs, " + "));
  const WindowSet train_set = MakeWindowSet(backgrounds, options.data);
  DatasetOptions validation_options = options.data;
  validation_options.clips = options.validation_clips;
  validation_options.seed = options.data.seed + 1000003;
  const WindowSet validation_set = MakeWindowSet(backgrounds, validation_options);
  int64_t positives = 0;
  for (int64_t l : train_set.labels) positives += l;
  const double data_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
                   "{} training windows ({} alarm), {} validation windows, from {} + {} "
                   "clips of {} s in {:.1f} s\n",
                   train_set.count(), positives, validation_set.count(), options.data.clips,
                   options.validation_clips, options.data.seconds, data_seconds)
            << std::flush;

  train::TrainValidation data{ToExamples(train_set), ToExamples(validation_set)};
  train::TrainOptions train_options;
  train_options.epochs = options.epochs;
  train_options.batch_size = options.batch_size;
  train_options.schedule = train::Schedule::kOneCycle;
  train_options.max_lr = options.max_lr;
  train_options.seed = options.data.seed;
  train_options.threads = options.threads;
  if (train_options.threads > 0) torch::set_num_threads(train_options.threads);
  torch::manual_seed(options.data.seed);
  train::Network network(AlarmSpec(options.network, options.dropout));
  std::cout << fmt::format("Network {}: {} parameters\n", network->spec().name,
                           network->ParameterCount());
  auto history = train::Fit(network, data, train_options, std::cout, isatty(STDOUT_FILENO) != 0);

  // Hard-negative mining, round after round: each mines fresh background
  // clips with the network as it now is, so a later round finds what the
  // earlier ones' training did not cure. Hard windows accumulate.
  int64_t mined = 0;
  WindowSet combined;
  for (int round = 0; options.mining_clips > 0 && round < options.mining_rounds; ++round) {
    DatasetOptions mining = options.data;
    mining.clips = options.mining_clips;
    mining.alarm_fraction = 0.0;
    mining.seed = options.data.seed + 2000003 + 7919 * round;
    const WindowSet hard = MineHardNegatives(network, backgrounds, mining, options.mining_score);
    mined += hard.count();
    std::cout << fmt::format(
                     "Hard negatives, round {}: {} background windows from {} new clips score >= "
                     "{} as alarm; training {} more epochs with them\n",
                     round + 1, hard.count(), options.mining_clips, options.mining_score,
                     options.mining_epochs)
              << std::flush;
    if (hard.count() == 0 || options.mining_epochs <= 0) break;
    if (combined.count() == 0) combined = train_set;
    // Each hard window counts `mining_repeat` times.
    for (int r = 0; r < options.mining_repeat; ++r) {
      combined.features.insert(combined.features.end(), hard.features.begin(), hard.features.end());
      combined.labels.insert(combined.labels.end(), hard.labels.begin(), hard.labels.end());
    }
    data.train = train::Examples{};  // free the last round's floats before the new ones
    data.train = ToExamples(combined);
    train::TrainOptions fine = train_options;
    fine.epochs = options.mining_epochs;
    fine.max_lr = options.max_lr / 3;
    fine.seed = train_options.seed + 1 + round;
    const auto more = train::Fit(network, data, fine, std::cout, isatty(STDOUT_FILENO) != 0);
    history.insert(history.end(), more.begin(), more.end());
  }

  std::filesystem::create_directories(options.out_dir);
  train::SaveCheckpoint(network, options.out_dir + "/model.pt");
  const int64_t calibration_count = std::min<int64_t>(2000, data.train.size());
  const train::Calibration calibration =
      train::Calibrate(network, data.train.images.slice(0, 0, calibration_count));
  host::Int8ExportGraph graph = train::ToExportGraph(network, calibration);
  for (host::Int8ExportLayer& layer : graph.layers)
    if (layer.kind == host::Int8ExportLayer::Kind::kSoftmax) layer.beta = options.softmax_beta;
  // The features are int8 already: pin the input quantization to theirs.
  graph.input_min = 0.0f;
  graph.input_max = 1.0f;
  const std::vector<uint8_t> bytes = host::ExportInt8Model(graph);
  const std::string path = options.out_dir + "/model.tflite";
  host::WriteFileAtomically(path, bytes.data(), bytes.size());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary = {{"train_windows", train_set.count()},
                            {"train_alarm_windows", positives},
                            {"hard_negative_windows", mined},
                            {"background_files", backgrounds.file_count()},
                            {"background_seconds", std::round(backgrounds.seconds())},
                            {"speed_spread", options.speed_spread},
                            {"settle_s", options.data.settle_s},
                            {"decoys", options.data.decoy_fraction},
                            {"alarm_decoys", options.data.alarm_decoy_fraction},
                            {"t4_fraction", options.data.t4_fraction},
                            {"low_tone_fraction", options.data.low_tone_fraction},
                            {"noise_slowdown", alarm_config::kNoiseSlowdown},
                            {"network", AlarmNetworkName(options.network)},
                            {"validation_windows", validation_set.count()},
                            {"parameters", network->ParameterCount()},
                            {"model_bytes", bytes.size()},
                            {"val_accuracy", history.back().val_accuracy},
                            {"val_loss", history.back().val_loss},
                            {"seconds", seconds},
                            {"spec", nlohmann::json::parse(train::SpecToJson(network->spec()))}};
  std::ofstream(options.out_dir + "/train.json") << summary.dump(2) << '\n';
  std::cout << fmt::format("Wrote {} ({} bytes); validation accuracy {:.4f}; {:.0f} s in all\n",
                           path, bytes.size(), history.back().val_accuracy, seconds);
  return path;
}

}  // namespace picoml::alarm

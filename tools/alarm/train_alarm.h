// Training the alarm CNN with picoml's trainer and full-int8 quantizer
// (tools/train): generated training clips -> picoml front-end features ->
// NetworkSpec -> Fit -> Calibrate -> int8 .tflite. Needs LibTorch.
#ifndef PICOML_TOOLS_ALARM_TRAIN_ALARM_H_
#define PICOML_TOOLS_ALARM_TRAIN_ALARM_H_

#include <string>

#include "alarm/features.h"

namespace picoml::alarm {

// The alarm CNNs, [1, 200, 40, 1] int8 features in, (background, alarm) out.
//   kCompact (session 3's): Conv 8 3x3 /2 -> MaxPool 2 -> Conv 16 3x3 /2 ->
//     Conv 32 3x3 /2 -> Conv 32 11x1 (the whole remaining time axis) ->
//     mean -> Dense 2 -> Softmax. 17,250 parameters, 308k MACs.
//   kTemporal: Conv 8 3x4 /(2, 4) -> MaxPool 2 -> Conv 24 5x5 (all bands) ->
//     Conv 32 3x1 /2 -> Conv 32 3x1 /2 -> Conv 32 10x1 -> mean -> Dense 2 ->
//     Softmax. Keeps 80 ms steps over a 0.42 s field for the 0.1 s beeps of
//     T4; about 20k parameters, 400k MACs.
//   kFine: as kTemporal, but the first pool halves only the bands, so the
//     second convolution sees 40 ms steps (a T4 beep and its gap are 2-3
//     steps each instead of about one): Conv 8 3x4 /(2, 4) -> MaxPool 1x2 ->
//     Conv 16 5x5 -> Conv 32 3x1 /2 (three times) -> Conv 32 11x1 -> mean ->
//     Dense 2 -> Softmax. About 590k MACs.
//   kBand: the first convolution spans all 40 bands, so each of its filters
//     is a spectral template over 3 frames, and the rest is temporal only:
//     Conv 16 3x40 /2 -> Conv 24 5x1 /2 -> Conv 32 3x1 /2 (twice) ->
//     Conv 32 11x1 -> mean -> Dense 2 -> Softmax. About 380k MACs; a design
//     unlike the others, for an ensemble whose members should err apart.
enum class AlarmNetwork { kCompact, kTemporal, kFine, kBand };
// Every network, for option parsing: a new enumerator goes here and in the
// switch below (which has no default, so the compiler names a missing case).
inline constexpr AlarmNetwork kAlarmNetworks[] = {AlarmNetwork::kCompact, AlarmNetwork::kTemporal,
                                                  AlarmNetwork::kFine, AlarmNetwork::kBand};
inline const char* AlarmNetworkName(AlarmNetwork network) {
  switch (network) {
    case AlarmNetwork::kCompact:
      return "compact";
    case AlarmNetwork::kTemporal:
      return "temporal";
    case AlarmNetwork::kFine:
      return "fine";
    case AlarmNetwork::kBand:
      return "band";
  }
  return "compact";
}

struct AlarmTrainOptions {
  AlarmNetwork network = AlarmNetwork::kCompact;
  DatasetOptions data;
  int validation_clips = 200;
  int epochs = 8;
  int batch_size = 64;
  double max_lr = 4e-3;
  // Dropout before the dense layer (0: none); training only, not exported.
  float dropout = 0.0f;
  // Hard-negative mining after the first round: background windows from
  // `mining_clips` fresh clips scoring >= mining_score are added
  // (mining_repeat times each) and training goes on for mining_epochs;
  // mining_rounds times, each on new clips.
  int mining_clips = 0;
  double mining_score = 0.05;
  int mining_repeat = 2;
  int mining_epochs = 3;
  int mining_rounds = 1;  // mine, train; again with the improved network
  // Training backgrounds play at random speeds in [1 / (1 + s), 1 + s]
  // (BackgroundLibrary::set_speed_spread); 0: as recorded.
  double speed_spread = 0.0;
  // The exported softmax's beta (1: as trained; below 1: a temperature).
  float softmax_beta = 1.0f;
  int threads = 0;
  std::string out_dir = "out/alarm";
};

// Trains on the background files of `background_dirs` (one library over all
// of them) and writes <out_dir>/model.pt, model.tflite and train.json;
// returns the path of the .tflite.
std::string TrainAlarmModel(const std::vector<std::string>& background_dirs,
                            const AlarmTrainOptions& options);

}  // namespace picoml::alarm

#endif  // PICOML_TOOLS_ALARM_TRAIN_ALARM_H_

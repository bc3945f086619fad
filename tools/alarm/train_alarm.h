// Training the alarm CNN with picoml's trainer and full-int8 quantizer
// (tools/train): generated training clips -> picoml front-end features ->
// NetworkSpec -> Fit -> Calibrate -> int8 .tflite. Needs LibTorch.
#ifndef PICOML_TOOLS_ALARM_TRAIN_ALARM_H_
#define PICOML_TOOLS_ALARM_TRAIN_ALARM_H_

#include <string>

#include "alarm/features.h"

namespace picoml::alarm {

struct AlarmTrainOptions {
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
  // The exported softmax's beta (1: as trained; below 1: a temperature).
  float softmax_beta = 1.0f;
  int threads = 0;
  std::string out_dir = "out/alarm";
};

// The alarm CNN: [1, 200, 40, 1] int8 features in, (background, alarm) out.
//   Conv 8 3x3 /2 ReLU -> MaxPool 2 -> Conv 16 3x3 /2 ReLU -> Conv 32 3x3 /2 ReLU
//   -> Conv 32 11x1 ReLU (over the whole remaining time axis) -> global average
//   pool (of one position) -> Dense 2 -> Softmax. About 16k parameters and
//   310k multiply-accumulates per window.

// Trains and writes <out_dir>/model.pt, model.tflite and train.json; returns
// the path of the .tflite.
std::string TrainAlarmModel(const std::string& background_dir, const AlarmTrainOptions& options);

}  // namespace picoml::alarm

#endif  // PICOML_TOOLS_ALARM_TRAIN_ALARM_H_

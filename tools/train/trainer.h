// Training a Network on an MNIST-style dataset as Keras's model.fit does it:
// validation_split holds out the LAST fraction of the training set before
// any shuffling, the rest is reshuffled every epoch, and the progress bar
// and history follow Keras's. The test set is never used here.
#ifndef PICOML_TOOLS_TRAIN_TRAINER_H_
#define PICOML_TOOLS_TRAIN_TRAINER_H_

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "host/idx.h"
#include "train/network.h"

namespace picoml::train {

enum class Schedule {
  kConstant,  // the learning rate stays at `learning_rate`
  kOneCycle,  // cosine warm-up from max_lr/25 to max_lr, then cosine anneal to ~0
};

// Arithmetic of the training steps. Weights, optimizer state and the loss
// stay float32 either way; bfloat16 runs convolutions and the dense layer
// in bfloat16 under LibTorch's CPU autocast (oneDNN; ~3.5x faster on CPUs
// with AVX512-BF16).
enum class Precision { kFloat32, kBFloat16 };

// Whether this CPU computes bfloat16 natively (AVX512-BF16); without it
// bfloat16 is emulated and slower than float32.
bool CpuHasNativeBFloat16();

struct TrainOptions {
  int epochs = 10;
  int batch_size = 32;
  double learning_rate = 1e-3;  // Adam, constant schedule
  Schedule schedule = Schedule::kConstant;
  double max_lr = 3e-3;   // one-cycle peak
  double warmup = 0.3;    // one-cycle: fraction of all steps spent warming up
  int augment_shift = 0;  // random shifts of up to this many pixels
  double validation_split = 0.2;
  int64_t limit = 0;  // use only the first N training images (0 = all)
  uint64_t seed = 1;
  int threads = 0;            // 0 = leave LibTorch's choice
  bool channels_last = true;  // NHWC activations (faster oneDNN convolutions)
  Precision precision = Precision::kFloat32;
};

// Adam exactly as Keras implements it (epsilon added to sqrt(v) before the
// bias correction is folded into the step size), on every parameter.
class KerasAdam {
 public:
  KerasAdam(std::vector<torch::Tensor> parameters, double beta1 = 0.9, double beta2 = 0.999,
            double epsilon = 1e-7);
  void ZeroGrad();
  void Step(double learning_rate);

 private:
  std::vector<torch::Tensor> parameters_, m_, v_;
  double beta1_, beta2_, epsilon_;
  int64_t step_ = 0;
};

// Images as a float tensor [N, 1, H, W] scaled to [0, 1], and labels as int64.
struct Examples {
  torch::Tensor images;
  torch::Tensor labels;
  int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

Examples ToExamples(const host::IdxImages& images, const std::vector<uint8_t>& labels,
                    int64_t begin, int64_t end);

// Keras's validation_split on the first `limit` images (all if 0).
struct TrainValidation {
  Examples train, validation;
};
TrainValidation SplitForTraining(const host::Dataset& data, double validation_split, int64_t limit);

struct Metrics {
  double loss = 0.0;
  double accuracy = 0.0;
};

// Loss and accuracy with dropout off and no gradients.
Metrics Evaluate(Network& network, const Examples& examples, int batch_size = 500,
                 Precision precision = Precision::kFloat32);

struct EpochRecord {
  double loss = 0, accuracy = 0, val_loss = 0, val_accuracy = 0, seconds = 0, lr = 0;
};

// The learning rate at `step` of `total_steps` (0-based).
double LearningRate(const TrainOptions& options, int64_t step, int64_t total_steps);

// Trains `network` in place and returns the per-epoch history. Progress goes
// to `log` (a Keras-like bar when `tty`, else a line every ~10 %). Validation
// runs at the training precision; with no validation images its metrics are 0.
std::vector<EpochRecord> Fit(Network& network, const TrainValidation& data,
                             const TrainOptions& options, std::ostream& log, bool tty);

// history.json: {"epochs": [...], "loss": [...], ...} as Keras's History.
void WriteHistoryJson(const std::vector<EpochRecord>& history, const std::string& path);

}  // namespace picoml::train

#endif  // PICOML_TOOLS_TRAIN_TRAINER_H_

// Training: Keras's Adam and validation split, the one-cycle schedule, and
// short runs on MNIST and Fashion-MNIST that must learn.
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "train/history_plot.h"

namespace picoml::train {
namespace {

namespace fs = std::filesystem;

// Keras's update for one step from zero state: m = (1 - b1) g,
// v = (1 - b2) g^2, p -= lr * sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps).
double KerasFirstStep(double p, double g, double lr) {
  const double m = 0.1 * g, v = 0.001 * g * g;
  return p - lr * std::sqrt(0.001) / 0.1 * m / (std::sqrt(v) + 1e-7);
}

TEST(KerasAdam, FirstStepsFollowKerasIncludingWhereEpsilonGoes) {
  // With a tiny gradient, epsilon's place decides the step: Keras adds it to
  // sqrt(v) before bias correction (step 0.024 here), PyTorch after (0.091).
  for (double g : {0.5, 1e-6}) {
    torch::Tensor p = torch::ones({1}, torch::dtype(torch::kFloat64).requires_grad(true));
    KerasAdam adam({p});
    (p * g).sum().backward();
    adam.Step(0.1);
    EXPECT_NEAR(p.item<double>(), KerasFirstStep(1.0, g, 0.1), 1e-12) << "g = " << g;
  }
  torch::Tensor p = torch::ones({1}, torch::dtype(torch::kFloat64).requires_grad(true));
  KerasAdam adam({p});
  for (int step = 0; step < 2; ++step) {
    adam.ZeroGrad();
    (p * 0.5).sum().backward();
    adam.Step(0.1);
  }
  // Step 2: m = 0.095, v = 0.00049975, correction sqrt(1 - 0.999^2) / (1 - 0.9^2).
  const double first = KerasFirstStep(1.0, 0.5, 0.1);
  const double second = first - 0.1 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.81) * 0.095 /
                                    (std::sqrt(0.00049975) + 1e-7);
  EXPECT_NEAR(p.item<double>(), second, 1e-12);
}

TEST(LearningRate, ConstantAndOneCycle) {
  TrainOptions options;
  options.learning_rate = 0.001;
  EXPECT_EQ(LearningRate(options, 0, 100), 0.001);
  EXPECT_EQ(LearningRate(options, 99, 100), 0.001);
  options.schedule = Schedule::kOneCycle;
  options.max_lr = 0.003;
  options.warmup = 0.25;
  EXPECT_NEAR(LearningRate(options, 0, 100), 0.003 / 25, 1e-15);         // start
  EXPECT_NEAR(LearningRate(options, 25, 100), 0.003, 1e-15);             // peak after warm-up
  EXPECT_NEAR(LearningRate(options, 99, 100), 0.003 / 25 / 1e4, 1e-12);  // end
  // Halfway through each cosine phase: the mean of its ends.
  EXPECT_NEAR(LearningRate(options, 12, 100), 0.5 * (0.003 / 25 + 0.003), 0.0001);
  for (int64_t step = 1; step < 100; ++step) {
    const double lr = LearningRate(options, step, 100),
                 before = LearningRate(options, step - 1, 100);
    if (step <= 25)
      EXPECT_GT(lr, before) << step;
    else
      EXPECT_LT(lr, before) << step;
  }
}

host::Dataset SmallDataset(int n) {
  host::Dataset data;
  data.train_images.count = n;
  data.train_images.rows = 28;
  data.train_images.cols = 28;
  data.train_images.pixels.assign(static_cast<size_t>(n) * 784, 0);
  for (int i = 0; i < n; ++i) {
    data.train_images.pixels[static_cast<size_t>(i) * 784] = 255;
    data.train_labels.push_back(static_cast<uint8_t>(i % 10));
  }
  return data;
}

TEST(SplitForTraining, HoldsOutTheLastPartAsKeras) {
  const host::Dataset data = SmallDataset(10);
  const TrainValidation split = SplitForTraining(data, 0.2, 0);
  ASSERT_EQ(split.train.size(), 8);
  ASSERT_EQ(split.validation.size(), 2);
  EXPECT_EQ(split.validation.labels[0].item<int64_t>(), 8);
  EXPECT_EQ(split.validation.labels[1].item<int64_t>(), 9);
  EXPECT_EQ(split.train.images[3][0][0][0].item<float>(), 1.0f);  // 255 scaled to 1
  EXPECT_EQ(split.train.images[3][0][0][1].item<float>(), 0.0f);
  const TrainValidation limited = SplitForTraining(data, 0.25, 4);
  EXPECT_EQ(limited.train.size(), 3);
  EXPECT_EQ(limited.validation.labels[0].item<int64_t>(), 3);
  EXPECT_THROW(SplitForTraining(data, 1.0, 0), std::invalid_argument);
}

// A short run (1,600 images, two epochs of batch 16, one-cycle) must learn:
// well above the 10 % of chance on the 400 held-out images.
void ExpectShortRunLearns(const host::DatasetFiles& files, double at_least) {
  const host::Dataset data = host::LoadDataset(files, /*read_test=*/false);
  const TrainValidation split = SplitForTraining(data, 0.2, 2000);
  torch::manual_seed(1);
  Network network(ReferenceMnistSpec());
  TrainOptions options;
  options.epochs = 2;
  options.batch_size = 16;
  options.schedule = Schedule::kOneCycle;
  options.max_lr = 3e-3;
  options.augment_shift = 1;
  std::ostringstream log;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<EpochRecord> history = Fit(network, split, options, log, /*tty=*/false);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_GT(history[1].val_accuracy, at_least) << log.str();
  EXPECT_NEAR(Evaluate(network, split.validation).accuracy, history[1].val_accuracy, 1e-9);
  EXPECT_NE(log.str().find("Epoch 2/2"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("100/100 [==============================]"), std::string::npos)
      << log.str();
  EXPECT_NE(log.str().find("val_accuracy"), std::string::npos) << log.str();
  // Weights are back in plain NCHW order for the quantizer and checkpoints.
  EXPECT_TRUE(network->weight(1).is_contiguous());
  std::cout << "val_accuracy " << history[0].val_accuracy << ", " << history[1].val_accuracy
            << " in " << seconds << " s\n";

  const std::string dir =
      (fs::temp_directory_path() / ("picoml_history_" + std::to_string(getpid()))).string();
  fs::create_directories(dir);
  WriteHistoryJson(history, dir + "/history.json");
  WriteHistoryPng(history, dir + "/history.png");
  std::ifstream json_file(dir + "/history.json");
  const nlohmann::json json = nlohmann::json::parse(json_file);
  EXPECT_EQ(json.at("val_accuracy").at(1).get<double>(), history[1].val_accuracy);
  std::ifstream png(dir + "/history.png", std::ios::binary);
  char signature[8] = {};
  png.read(signature, 8);
  EXPECT_EQ(std::string(signature + 1, 3), "PNG");
  fs::remove_all(dir);
}

TEST(Fit, ShortRunOnMnistLearns) {
  const std::string dir = host::DefaultMnistDir();
  if (!fs::exists(dir + "/train-images-idx3-ubyte"))
    GTEST_SKIP() << "MNIST is not in " << dir << ": run scripts/fetch-mnist.sh";
  ExpectShortRunLearns(host::LocateMnist(dir), 0.6);
}

TEST(Fit, ShortRunOnFashionMnistLearns) {
  if (!fs::exists(std::string(host::kFashionMnistDir) + "/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist";
  ExpectShortRunLearns(host::LocateFashionMnist(), 0.5);
}

}  // namespace
}  // namespace picoml::train

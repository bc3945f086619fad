// `picoml train`: by default exactly the reference Keras recipe on MNIST.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "host/idx.h"
#include "train/commands.h"
#include "train/history_plot.h"
#include "train/network.h"
#include "train/trainer.h"

namespace picoml::train {
namespace {

struct TrainArguments {
  TrainOptions options;
  std::string schedule = "constant";
  std::string precision = "float32";
  std::string dataset = "mnist";
  std::string data_dir;
  std::string out_dir;
};

std::string Minutes(double seconds) {
  const long s = std::lround(seconds);
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

void RunTrain(TrainArguments& args) {
  const auto start = std::chrono::steady_clock::now();
  TrainOptions& options = args.options;
  options.schedule = args.schedule == "onecycle" ? Schedule::kOneCycle : Schedule::kConstant;
  const bool bfloat16 =
      args.precision == "bfloat16" || (args.precision == "auto" && CpuHasNativeBFloat16());
  options.precision = bfloat16 ? Precision::kBFloat16 : Precision::kFloat32;
  if (options.threads <= 0)
    options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(options.threads);
  if (args.out_dir.empty()) args.out_dir = "out/" + args.dataset;

  const host::DatasetFiles files =
      args.dataset == "fashion"
          ? host::LocateFashionMnist(args.data_dir.empty() ? host::kFashionMnistDir : args.data_dir)
          : host::LocateMnist(args.data_dir.empty() ? host::DefaultMnistDir() : args.data_dir);
  // The test set is read only after training, for the final figure.
  const host::Dataset data = host::LoadDataset(files, /*read_test=*/false);
  const TrainValidation split = SplitForTraining(data, options.validation_split, options.limit);

  NetworkSpec spec = ReferenceMnistSpec();
  if (data.train_images.rows != spec.height || data.train_images.cols != spec.width)
    throw std::runtime_error(fmt::format("{}: images are {} x {}, the network takes {} x {}",
                                         files.train_images, data.train_images.rows,
                                         data.train_images.cols, spec.height, spec.width));
  std::filesystem::create_directories(args.out_dir);

  torch::manual_seed(options.seed);
  Network network(spec);
  std::cout << fmt::format(
                   "Training {} ({} parameters) on {}: {} training, {} validation images; batch "
                   "{}, {} epochs, Adam {}, shifts up to {} px, {}, {} threads, seed {}\n",
                   spec.name, network->ParameterCount(), args.dataset, split.train.size(),
                   split.validation.size(), options.batch_size, options.epochs,
                   options.schedule == Schedule::kOneCycle
                       ? fmt::format("one-cycle (peak lr {})", options.max_lr)
                       : fmt::format("lr {}", options.learning_rate),
                   options.augment_shift, bfloat16 ? "bfloat16 compute" : "float32",
                   options.threads, options.seed)
            << std::flush;

  const std::vector<EpochRecord> history =
      Fit(network, split, options, std::cout, isatty(STDOUT_FILENO) != 0);
  const double training_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string checkpoint = args.out_dir + "/model.pt";
  SaveCheckpoint(network, checkpoint);
  WriteHistoryJson(history, args.out_dir + "/history.json");
  WriteHistoryPng(history, args.out_dir + "/history.png");

  const host::IdxImages test_images = host::ReadIdxImages(files.test_images);
  const std::vector<uint8_t> test_labels = host::ReadIdxLabels(files.test_labels);
  if (static_cast<int64_t>(test_labels.size()) != test_images.count)
    throw std::runtime_error(fmt::format("{}: {} labels for {} test images", files.test_labels,
                                         test_labels.size(), test_images.count));
  const Metrics test =
      Evaluate(network, ToExamples(test_images, test_labels, 0, test_images.count));
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("Saved {} ({}/history.json, history.png)\n", checkpoint, args.out_dir)
            << fmt::format("Float test accuracy: {:.2f} % on {} test images (loss {:.4f})\n",
                           100.0 * test.accuracy, test_images.count, test.loss)
            << fmt::format("Time: {} in all, {} training\n", Minutes(total),
                           Minutes(training_seconds));
}

}  // namespace

void AddTrainCommand(CLI::App& app) {
  auto args = std::make_shared<TrainArguments>();
  TrainOptions& o = args->options;
  CLI::App* command = app.add_subcommand(
      "train",
      "Train the MNIST CNN. The defaults are the reference Keras recipe: Adam lr 0.001, batch 32, "
      "10 epochs, the last 20 % of the training set held out for validation");
  command->add_option("--epochs", o.epochs, "Epochs")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--batch-size", o.batch_size, "Batch size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--lr", o.learning_rate, "Adam learning rate (constant schedule)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--schedule", args->schedule, "Learning-rate schedule")
      ->capture_default_str()
      ->check(CLI::IsMember({"constant", "onecycle"}));
  command->add_option("--max-lr", o.max_lr, "One-cycle peak learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--warmup", o.warmup, "One-cycle: fraction of the steps spent warming up")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  command
      ->add_option("--augment-shift", o.augment_shift,
                   "Shift each training image by up to N pixels at random (0 = off)")
      ->capture_default_str()
      ->check(CLI::Range(0, 8));
  command
      ->add_option("--validation-split", o.validation_split,
                   "Fraction held out from the END of the training set, as Keras does")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  command
      ->add_option("--precision", args->precision,
                   "Compute precision of the training steps: float32 (the reference), "
                   "bfloat16 (autocast; weights stay float32; ~3.5x faster where the CPU has "
                   "AVX512-BF16), or auto (bfloat16 only where the CPU has AVX512-BF16). The "
                   "final test accuracy is always computed in float32")
      ->capture_default_str()
      ->check(CLI::IsMember({"float32", "bfloat16", "auto"}));
  command->add_option("--threads", o.threads, "Threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--seed", o.seed, "Random seed (weights, shuffling, dropout, shifts)")
      ->capture_default_str();
  command->add_option("--limit", o.limit, "Use only the first N training images (quick runs)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--dataset", args->dataset, "mnist, or fashion (Debian's Fashion-MNIST)")
      ->capture_default_str()
      ->check(CLI::IsMember({"mnist", "fashion"}));
  command->add_option("--data", args->data_dir,
                      "Directory with the four IDX files (default: the MNIST cache of "
                      "scripts/fetch-mnist.sh, or " +
                          std::string(host::kFashionMnistDir) + ")");
  command->add_option("--out", args->out_dir,
                      "Output directory for model.pt, history.json, history.png (default: "
                      "out/<dataset>)");
  command->callback([args] { RunTrain(*args); });
}

}  // namespace picoml::train

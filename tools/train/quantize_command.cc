// `picoml quantize`: a trained checkpoint to a full-int8 .tflite, as the LiteRT
// converter writes it with Optimize.DEFAULT, a representative dataset (the
// training digits; never the test digits), TFLITE_BUILTINS_INT8 and int8
// input/output. Then reports float (LibTorch) and int8 (picoml runtime)
// accuracy on the test digits, the file size and the arena bytes.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "host/idx.h"
#include "host/int8_eval.h"
#include "host/int8_export.h"
#include "host/model_file.h"
#include "train/commands.h"
#include "train/network.h"
#include "train/quantizer.h"
#include "train/trainer.h"

namespace picoml::train {
namespace {

struct QuantizeArguments {
  std::string checkpoint;
  std::string out;
  std::string data_dir;
  std::string dataset = "mnist";
  int64_t calibration_count = 0;  // 0 = every training digit
  bool dense_per_channel = false;
  int threads = 2;
  bool evaluate = true;
};

void RunQuantize(const QuantizeArguments& args) {
  const auto start = std::chrono::steady_clock::now();
  torch::set_num_threads(std::max(1, args.threads));
  Network network = LoadCheckpoint(args.checkpoint);
  network->eval();

  const host::DatasetFiles files =
      args.dataset == "fashion"
          ? host::LocateFashionMnist(args.data_dir.empty() ? host::kFashionMnistDir : args.data_dir)
          : host::LocateMnist(args.data_dir.empty() ? host::DefaultMnistDir() : args.data_dir);
  // Calibration reads the training digits only.
  const host::IdxImages train_images = host::ReadIdxImages(files.train_images);
  const NetworkSpec& spec = network->spec();
  if (train_images.rows != spec.height || train_images.cols != spec.width || spec.channels != 1)
    throw std::runtime_error(fmt::format("{}: images are {} x {}, the network takes {} x {} x {}",
                                         files.train_images, train_images.rows, train_images.cols,
                                         spec.height, spec.width, spec.channels));

  const torch::Tensor calibration_images = ImagesToTensor(train_images, args.calibration_count);
  const Calibration calibration = Calibrate(network, calibration_images);
  const host::Int8ExportGraph graph = ToExportGraph(network, calibration, args.dense_per_channel);
  const std::vector<uint8_t> model = host::ExportInt8Model(graph);
  const std::filesystem::path out(args.out);
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  host::WriteFileAtomically(args.out, model.data(), model.size());
  std::cout << fmt::format(
      "Wrote {}: {} bytes, full int8 (calibrated on {} training digits; input scale {:.8g}, "
      "zero point {})\n",
      args.out, model.size(), calibration.samples,
      host::Int8ActivationQuantization(graph.input_min, graph.input_max).scale,
      host::Int8ActivationQuantization(graph.input_min, graph.input_max).zero_point);
  if (!args.evaluate) return;

  const host::IdxImages test_images = host::ReadIdxImages(files.test_images);
  const std::vector<uint8_t> test_labels = host::ReadIdxLabels(files.test_labels);
  const Metrics float_metrics =
      Evaluate(network, ToExamples(test_images, test_labels, 0, test_images.count));
  const auto int8_start = std::chrono::steady_clock::now();
  const host::Int8Evaluation int8 =
      host::EvaluateInt8(model, test_images, test_labels, std::max(1, args.threads));
  const double int8_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - int8_start).count();
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("Float test accuracy: {:.2f} % on {} test digits (LibTorch)\n",
                           100.0 * float_metrics.accuracy, test_images.count)
            << fmt::format(
                   "Int8 test accuracy:  {:.2f} % on {} test digits (picoml runtime, "
                   "{:.1f} s on {} threads)\n",
                   100.0 * int8.accuracy(), int8.count, int8_seconds, args.threads)
            << fmt::format("Model size: {} bytes; arena: {} bytes\n", model.size(),
                           int8.arena_bytes)
            << fmt::format("Time: {:.1f} s\n", total);
}

}  // namespace

void AddQuantizeCommand(CLI::App& app) {
  auto args = std::make_shared<QuantizeArguments>();
  CLI::App* command = app.add_subcommand(
      "quantize",
      "Full-int8 post-training quantization of a checkpoint to .tflite, as the LiteRT converter "
      "does it (representative dataset = the training digits), with float and int8 test accuracy");
  command->add_option("--checkpoint", args->checkpoint, "model.pt written by picoml train")
      ->required();
  command->add_option("--out", args->out, "the .tflite to write")->required();
  command
      ->add_option("--calibration-count", args->calibration_count,
                   "Calibrate on the first N training digits (default: all of them, as the "
                   "reference workflow does; the test digits are never used)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--data", args->data_dir,
                      "Directory with the four IDX files (default: the MNIST cache of "
                      "scripts/fetch-mnist.sh)");
  command->add_option("--dataset", args->dataset, "mnist, or fashion (Debian's Fashion-MNIST)")
      ->capture_default_str()
      ->check(CLI::IsMember({"mnist", "fashion"}));
  command->add_flag("--dense-per-channel", args->dense_per_channel,
                    "Quantize FULLY_CONNECTED weights per output channel (default: per tensor, "
                    "as in the LiteRT converter's files; per-channel FULLY_CONNECTED needs a "
                    "recent LiteRT Micro)");
  command->add_option("--threads", args->threads, "Threads for calibration and int8 evaluation")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_flag("!--no-eval", args->evaluate, "Skip the test-set accuracy figures");
  command->callback([args] { RunQuantize(*args); });
}

}  // namespace picoml::train

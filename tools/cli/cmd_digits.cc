// picoml digits [--data DIR] [--count N] [--first K] --out DIR: writes
// test-set digits as 28x28 grayscale PNG files named digit_<index>_<label>.png,
// for `picoml predict` and the MNIST example. Only the test set is read.
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "host/idx.h"
#include "host/image.h"

namespace picoml::cli {
namespace {

struct DigitsOptions {
  std::string data_dir = host::DefaultMnistDir();
  std::string out;
  int count = 10;
  int first = 0;
};

void Digits(const DigitsOptions& options) {
  const host::DatasetFiles files = host::LocateMnist(options.data_dir);
  const host::IdxImages images = host::ReadIdxImages(files.test_images);
  const std::vector<uint8_t> labels = host::ReadIdxLabels(files.test_labels);
  if (static_cast<int64_t>(labels.size()) != images.count)
    throw CommandError(fmt::format("{} has {} labels for {} images", files.test_labels,
                                   labels.size(), images.count));
  if (options.first < 0 || options.count < 0 ||
      static_cast<int64_t>(options.first) + options.count > images.count)
    throw CommandError(fmt::format("asked for digits {}..{}, the test set has {}", options.first,
                                   options.first + options.count, images.count));
  std::filesystem::create_directories(options.out);
  const size_t pixels = static_cast<size_t>(images.rows) * static_cast<size_t>(images.cols);
  for (int i = options.first; i < options.first + options.count; ++i) {
    host::GrayImage image;
    image.width = static_cast<int>(images.cols);
    image.height = static_cast<int>(images.rows);
    image.pixels.assign(images.image(i), images.image(i) + pixels);
    const std::string path = fmt::format("{}/digit_{:05d}_{}.png", options.out, i, labels[i]);
    host::WriteGrayImage(path, image);
    std::cout << path << "\n";
  }
}

}  // namespace

void AddDigitsCommand(CLI::App& app) {
  auto options = std::make_shared<DigitsOptions>();
  CLI::App* digits = app.add_subcommand(
      "digits", "Write MNIST test digits as PNG images named digit_<index>_<label>.png");
  digits->add_option("--data", options->data_dir, "folder with the MNIST IDX files")
      ->capture_default_str();
  digits->add_option("--count", options->count, "how many digits")->capture_default_str();
  digits->add_option("--first", options->first, "index of the first test digit")
      ->capture_default_str();
  digits->add_option("--out", options->out, "folder to write the PNG files to")->required();
  digits->callback([options] { Digits(*options); });
}

}  // namespace picoml::cli

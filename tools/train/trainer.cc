#include "train/trainer.h"

#include <ATen/autocast_mode.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <ostream>
#include <random>
#include <stdexcept>

namespace picoml::train {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Keras's duration format in the progress bar: 12s, 1:05, 1:02:03.
std::string FormatDuration(double seconds) {
  const long s = std::lround(std::max(seconds, 0.0));
  if (s >= 3600) return fmt::format("{}:{:02d}:{:02d}", s / 3600, (s % 3600) / 60, s % 60);
  if (s >= 60) return fmt::format("{}:{:02d}", s / 60, s % 60);
  return fmt::format("{}s", s);
}

// Keras's per-epoch progress bar. On a terminal it redraws one line at most a
// few times per second; otherwise it prints a line every ~10 % of the epoch
// so that logs stay short.
class ProgressBar {
 public:
  ProgressBar(std::ostream& out, bool tty, int64_t steps)
      : out_(out), tty_(tty), steps_(steps), start_(Clock::now()), last_draw_(start_) {}

  void Update(int64_t step, double loss, double accuracy) {
    const auto now = Clock::now();
    if (tty_) {
      if (step < steps_ && now - last_draw_ < std::chrono::milliseconds(250)) return;
      last_draw_ = now;
      const double elapsed = Seconds(start_);
      const double eta = elapsed / step * (steps_ - step);
      out_ << '\r' << Bar(step) << " - ETA: " << FormatDuration(eta) << Values(loss, accuracy)
           << "   " << std::flush;
    } else {
      const int64_t tenth = std::max<int64_t>(steps_ / 10, 1);
      if (step % tenth != 0 || step == steps_) return;
      const double elapsed = Seconds(start_);
      out_ << Bar(step) << " - ETA: " << FormatDuration(elapsed / step * (steps_ - step))
           << Values(loss, accuracy) << '\n'
           << std::flush;
    }
  }

  void Finish(double loss, double accuracy, const Metrics* validation) {
    const double elapsed = Seconds(start_);
    out_ << (tty_ ? "\r" : "") << Bar(steps_) << " - " << FormatDuration(elapsed) << ' '
         << std::lround(1000.0 * elapsed / std::max<int64_t>(steps_, 1)) << "ms/step"
         << Values(loss, accuracy)
         << (validation ? fmt::format(" - val_loss: {:.4f} - val_accuracy: {:.4f}",
                                      validation->loss, validation->accuracy)
                        : std::string())
         << '\n'
         << std::flush;
  }

 private:
  std::string Bar(int64_t step) const {
    constexpr int kWidth = 30;
    const int done = static_cast<int>(kWidth * step / std::max<int64_t>(steps_, 1));
    std::string bar(kWidth, '.');
    std::fill(bar.begin(), bar.begin() + done, '=');
    if (step < steps_) bar[done] = '>';
    const int digits = static_cast<int>(std::to_string(steps_).size());
    return fmt::format("{:>{}}/{} [{}]", step, digits, steps_, bar);
  }
  static std::string Values(double loss, double accuracy) {
    return fmt::format(" - loss: {:.4f} - accuracy: {:.4f}", loss, accuracy);
  }

  std::ostream& out_;
  bool tty_;
  int64_t steps_;
  Clock::time_point start_, last_draw_;
};

// Copies the images at `indices` into `batch` ([n, 1, H, W], contiguous),
// each shifted by a random whole number of pixels in [-shift, shift] in each
// direction, the uncovered border filled with 0 (background).
void FillBatch(const float* images, const int64_t* indices, int64_t n, int rows, int cols,
               int shift, std::mt19937_64& random, float* batch) {
  const int64_t pixels = int64_t{rows} * cols;
  if (shift == 0) {
    for (int64_t i = 0; i < n; ++i)
      std::copy_n(images + indices[i] * pixels, pixels, batch + i * pixels);
    return;
  }
  std::uniform_int_distribution<int> offset(-shift, shift);
  for (int64_t i = 0; i < n; ++i) {
    const int dy = offset(random), dx = offset(random);
    const float* source = images + indices[i] * pixels;
    float* target = batch + i * pixels;
    std::fill_n(target, pixels, 0.0f);
    // Target pixel (r, c) comes from source (r - dy, c - dx) where that exists.
    const int c_begin = std::max(0, dx), c_end = std::min(cols, cols + dx);
    for (int r = std::max(0, dy); r < std::min(rows, rows + dy); ++r)
      std::copy(source + (r - dy) * cols + (c_begin - dx), source + (r - dy) * cols + (c_end - dx),
                target + r * cols + c_begin);
  }
}

// LibTorch's CPU autocast for the scope of one forward pass.
class CpuAutocast {
 public:
  explicit CpuAutocast(Precision precision) : enabled_(precision == Precision::kBFloat16) {
    if (!enabled_) return;
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
    at::autocast::increment_nesting();
  }
  ~CpuAutocast() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_cpu_enabled(false);
  }
  CpuAutocast(const CpuAutocast&) = delete;
  CpuAutocast& operator=(const CpuAutocast&) = delete;

 private:
  bool enabled_;
};

torch::Tensor Prepare(torch::Tensor x, bool channels_last) {
  return channels_last ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
}

// Moves conv weights between NCHW and NHWC memory layouts (values unchanged).
void SetLayout(Network& network, bool channels_last) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : network->parameters()) {
    if (p.dim() != 4) continue;
    p.set_data(channels_last ? p.contiguous(torch::MemoryFormat::ChannelsLast) : p.contiguous());
  }
}

}  // namespace

KerasAdam::KerasAdam(std::vector<torch::Tensor> parameters, double beta1, double beta2,
                     double epsilon)
    : parameters_(std::move(parameters)), beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {
  for (const torch::Tensor& p : parameters_) {
    m_.push_back(torch::zeros_like(p));
    v_.push_back(torch::zeros_like(p));
  }
}

void KerasAdam::ZeroGrad() {
  for (torch::Tensor& p : parameters_) p.mutable_grad().reset();
}

void KerasAdam::Step(double learning_rate) {
  torch::NoGradGuard no_grad;
  ++step_;
  const double correction = std::sqrt(1.0 - std::pow(beta2_, static_cast<double>(step_))) /
                            (1.0 - std::pow(beta1_, static_cast<double>(step_)));
  const double step_size = learning_rate * correction;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const torch::Tensor& g = parameters_[i].grad();
    if (!g.defined()) continue;
    m_[i].mul_(beta1_).add_(g, 1.0 - beta1_);
    v_[i].mul_(beta2_).addcmul_(g, g, 1.0 - beta2_);
    parameters_[i].addcdiv_(m_[i], v_[i].sqrt().add_(epsilon_), -step_size);
  }
}

Examples ToExamples(const host::IdxImages& images, const std::vector<uint8_t>& labels,
                    int64_t begin, int64_t end) {
  if (begin < 0 || end > images.count || begin > end || static_cast<int64_t>(labels.size()) < end)
    throw std::out_of_range(
        fmt::format("examples [{}, {}) outside the {} images", begin, end, images.count));
  const int64_t n = end - begin;
  const int64_t pixels = int64_t{images.rows} * images.cols;
  Examples examples;
  examples.images = torch::from_blob(const_cast<uint8_t*>(images.pixels.data()) + begin * pixels,
                                     {n, 1, images.rows, images.cols}, torch::kUInt8)
                        .to(torch::kFloat32)
                        .div_(255.0f);
  examples.labels =
      torch::from_blob(const_cast<uint8_t*>(labels.data()) + begin, {n}, torch::kUInt8)
          .to(torch::kInt64);
  return examples;
}

TrainValidation SplitForTraining(const host::Dataset& data, double validation_split,
                                 int64_t limit) {
  int64_t count = data.train_images.count;
  if (limit > 0) count = std::min(count, limit);
  if (validation_split < 0.0 || validation_split >= 1.0)
    throw std::invalid_argument("the validation split must be in [0, 1)");
  // Keras: split_at = int(n * (1 - validation_split)); the tail is validation.
  const int64_t split_at =
      static_cast<int64_t>(static_cast<double>(count) * (1.0 - validation_split));
  if (split_at <= 0) throw std::invalid_argument("no training images left after the split");
  TrainValidation out;
  out.train = ToExamples(data.train_images, data.train_labels, 0, split_at);
  if (split_at < count)
    out.validation = ToExamples(data.train_images, data.train_labels, split_at, count);
  return out;
}

bool CpuHasNativeBFloat16() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  return __builtin_cpu_supports("avx512bf16");
#else
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string word;
  while (cpuinfo >> word)
    if (word == "avx512_bf16") return true;
  return false;
#endif
}

Metrics Evaluate(Network& network, const Examples& examples, int batch_size, Precision precision) {
  Metrics metrics;
  const int64_t n = examples.size();
  if (n == 0) return metrics;
  const bool was_training = network->is_training();
  network->eval();
  torch::NoGradGuard no_grad;
  const bool channels_last =
      network->parameters().front().is_contiguous(torch::MemoryFormat::ChannelsLast);
  double loss = 0.0;
  int64_t correct = 0;
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    const int64_t size = std::min<int64_t>(batch_size, n - begin);
    const torch::Tensor x = Prepare(examples.images.narrow(0, begin, size), channels_last);
    const torch::Tensor y = examples.labels.narrow(0, begin, size);
    torch::Tensor logits;
    {
      CpuAutocast autocast(precision);
      logits = network->forward(x, /*logits=*/true);
    }
    logits = logits.to(torch::kFloat32);
    loss += torch::nn::functional::cross_entropy(
                logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  if (was_training) network->train();
  metrics.loss = loss / static_cast<double>(n);
  metrics.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  return metrics;
}

double LearningRate(const TrainOptions& options, int64_t step, int64_t total_steps) {
  if (options.schedule == Schedule::kConstant) return options.learning_rate;
  // One-cycle as in Smith & Topin (2018) with cosine phases, the shape of
  // PyTorch's OneCycleLR: start at max/25, peak, anneal to start/1e4.
  const double peak = options.max_lr, start = peak / 25.0, end = start / 1e4;
  const int64_t warm = std::max<int64_t>(1, std::llround(options.warmup * total_steps));
  auto cosine = [](double from, double to, double fraction) {
    return to + (from - to) * 0.5 * (1.0 + std::cos(M_PI * std::clamp(fraction, 0.0, 1.0)));
  };
  if (step < warm) return cosine(start, peak, static_cast<double>(step) / warm);
  const int64_t rest = std::max<int64_t>(1, total_steps - 1 - warm);
  return cosine(peak, end, static_cast<double>(step - warm) / rest);
}

std::vector<EpochRecord> Fit(Network& network, const TrainValidation& data,
                             const TrainOptions& options, std::ostream& log, bool tty) {
  if (options.epochs <= 0 || options.batch_size <= 0)
    throw std::invalid_argument("epochs and batch size must be positive");
  if (options.augment_shift < 0) throw std::invalid_argument("the shift must not be negative");
  if (options.threads > 0) torch::set_num_threads(options.threads);

  const Examples& train = data.train;
  const int64_t n = train.size();
  const int rows = static_cast<int>(train.images.size(2));
  const int cols = static_cast<int>(train.images.size(3));
  const int64_t steps = (n + options.batch_size - 1) / options.batch_size;
  const int64_t total_steps = steps * options.epochs;

  SetLayout(network, options.channels_last);
  KerasAdam adam(network->parameters());
  std::mt19937_64 random(options.seed);
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // One batch buffer for the whole run: no per-step allocation of inputs.
  torch::Tensor batch_images = torch::empty({options.batch_size, 1, rows, cols});
  torch::Tensor batch_labels = torch::empty({options.batch_size}, torch::kInt64);
  const float* images = train.images.data_ptr<float>();
  const int64_t* labels = train.labels.data_ptr<int64_t>();

  std::vector<EpochRecord> history;
  int64_t global_step = 0;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    log << "Epoch " << epoch + 1 << '/' << options.epochs << '\n' << std::flush;
    const auto epoch_start = Clock::now();
    network->train();
    std::shuffle(order.begin(), order.end(), random);
    ProgressBar bar(log, tty, steps);
    double loss_sum = 0.0;
    int64_t correct = 0, seen = 0;
    double lr = 0.0;
    for (int64_t step = 0; step < steps; ++step, ++global_step) {
      const int64_t begin = step * options.batch_size;
      const int64_t size = std::min<int64_t>(options.batch_size, n - begin);
      FillBatch(images, order.data() + begin, size, rows, cols, options.augment_shift, random,
                batch_images.data_ptr<float>());
      int64_t* y_out = batch_labels.data_ptr<int64_t>();
      for (int64_t i = 0; i < size; ++i) y_out[i] = labels[order[begin + i]];
      const torch::Tensor x = Prepare(batch_images.narrow(0, 0, size), options.channels_last);
      const torch::Tensor y = batch_labels.narrow(0, 0, size);

      torch::Tensor logits;
      {
        CpuAutocast autocast(options.precision);
        logits = network->forward(x, /*logits=*/true).to(torch::kFloat32);
      }
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      adam.ZeroGrad();
      loss.backward();
      lr = LearningRate(options, global_step, total_steps);
      adam.Step(lr);

      {
        torch::NoGradGuard no_grad;
        loss_sum += loss.item<double>() * static_cast<double>(size);
        correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      }
      seen += size;
      bar.Update(step + 1, loss_sum / seen, static_cast<double>(correct) / seen);
    }
    EpochRecord record;
    record.loss = loss_sum / static_cast<double>(seen);
    record.accuracy = static_cast<double>(correct) / static_cast<double>(seen);
    const Metrics validation =
        Evaluate(network, data.validation, /*batch_size=*/500, options.precision);
    record.val_loss = validation.loss;
    record.val_accuracy = validation.accuracy;
    record.seconds = Seconds(epoch_start);
    record.lr = lr;
    bar.Finish(record.loss, record.accuracy, data.validation.size() > 0 ? &validation : nullptr);
    history.push_back(record);
  }
  SetLayout(network, false);
  network->eval();
  return history;
}

void WriteHistoryJson(const std::vector<EpochRecord>& history, const std::string& path) {
  nlohmann::json json;
  auto column = [&](const char* name, double EpochRecord::*field) {
    std::vector<double> values;
    for (const EpochRecord& record : history) values.push_back(record.*field);
    json[name] = values;
  };
  std::vector<int> epochs(history.size());
  std::iota(epochs.begin(), epochs.end(), 1);
  json["epoch"] = epochs;
  column("loss", &EpochRecord::loss);
  column("accuracy", &EpochRecord::accuracy);
  column("val_loss", &EpochRecord::val_loss);
  column("val_accuracy", &EpochRecord::val_accuracy);
  column("seconds", &EpochRecord::seconds);
  column("lr", &EpochRecord::lr);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << json.dump(2) << '\n';
    if (!out) throw std::runtime_error(path + ": cannot write the history");
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace picoml::train

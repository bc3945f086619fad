#include "alarm/goertzel.h"

#include <algorithm>
#include <cmath>

namespace picoml::alarm {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kRate = 16000.0;

bool Between(int blocks, double low_s, double high_s) {
  const double s = blocks * 0.02;
  return s >= low_s && s <= high_s;
}

}  // namespace

double GoertzelPower(const float* x, size_t n, double frequency_hz, double sample_rate_hz) {
  const double coefficient = 2.0 * std::cos(2.0 * kPi * frequency_hz / sample_rate_hz);
  double s1 = 0.0, s2 = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double s0 = x[i] + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

GoertzelDetector::GoertzelDetector(const GoertzelConfig& config) : config_(config) {
  // Bins 40 Hz apart over 3.1 kHz +-10 %; 13 Hz apart over 520 Hz +-10 %
  // (a 20 ms block resolves about 50 Hz; the harmonics are 3x and 5x apart).
  for (double f = 2790.0; f <= 3410.0; f += 40.0) high_bins_.push_back(f);
  for (double f = 468.0; f <= 572.0; f += 13.0) low_bins_.push_back(f);
}

double GoertzelDetector::BlockRatio(const float* block) const {
  const size_t n = static_cast<size_t>(config_.block_samples);
  double energy = 0.0;
  for (size_t i = 0; i < n; ++i) energy += static_cast<double>(block[i]) * block[i];
  if (energy <= 0.0) return 0.0;
  // A pure tone at a bin: Goertzel power (A n / 2)^2, energy A^2 n / 2,
  // so power / (energy n / 2) is 1.
  const double norm = energy * static_cast<double>(n) / 2.0;
  double best = 0.0;
  for (double f : high_bins_) best = std::max(best, GoertzelPower(block, n, f, kRate) / norm);
  for (double f : low_bins_) {
    // 520 Hz square wave: fundamental 81 %, 3rd 9 %, 5th 3 % of its power.
    const double p = GoertzelPower(block, n, f, kRate) + GoertzelPower(block, n, 3 * f, kRate) +
                     GoertzelPower(block, n, 5 * f, kRate);
    best = std::max(best, p / norm);
  }
  return best;
}

std::vector<GoertzelEvent> GoertzelDetector::Push(const int16_t* samples, size_t count) {
  std::vector<GoertzelEvent> events;
  for (size_t i = 0; i < count; ++i) {
    block_.push_back(samples[i] / 32768.0f);
    if (static_cast<int>(block_.size()) < config_.block_samples) continue;
    double energy = 0.0;
    for (float v : block_) energy += static_cast<double>(v) * v;
    const double rms = std::sqrt(energy / static_cast<double>(block_.size()));
    const double ratio = BlockRatio(block_.data());
    block_.clear();
    OnBlock(ratio, rms, events);
  }
  return events;
}

std::vector<GoertzelEvent> GoertzelDetector::PushBlock(double ratio, double rms) {
  std::vector<GoertzelEvent> events;
  OnBlock(ratio, rms, events);
  return events;
}

void GoertzelDetector::OnBlock(double ratio, double rms, std::vector<GoertzelEvent>& events) {
  if (observer) observer(ratio, rms);
  const bool on = rms >= config_.silence_rms && ratio >= config_.ratio_threshold;
  ++blocks_;
  if (on == state_on_) {
    ++run_;
    return;
  }
  if (run_ <= 1 && !runs_.empty() && runs_.back().on == on) {
    // A one-block blip: merged back into the run before it (debouncing).
    run_ += runs_.back().blocks + 1;
    runs_.pop_back();
    state_on_ = on;
    return;
  }
  runs_.push_back({state_on_, run_});
  if (runs_.size() > 16) runs_.erase(runs_.begin());
  state_on_ = on;
  run_ = 1;
  if (on) return;  // patterns are checked when a beep has ended
  // The last n beeps and the n - 1 gaps between them, newest last.
  auto matches = [&](int n, double beep_low, double beep_high, double gap_low, double gap_high) {
    if (static_cast<int>(runs_.size()) < 2 * n - 1) return false;
    for (int k = 0; k < 2 * n - 1; ++k) {
      const Run& r = runs_[runs_.size() - 1 - k];
      if (k % 2 == 0 ? !Between(r.blocks, beep_low, beep_high)
                     : !Between(r.blocks, gap_low, gap_high))
        return false;
    }
    return true;
  };
  const bool t3 = matches(3, 0.3, 0.7, 0.3, 0.7);
  const bool t4 = !t3 && matches(3, 0.04, 0.18, 0.04, 0.18);
  if ((t3 || t4) && blocks_ - last_event_block_ >= config_.suppression_blocks) {
    last_event_block_ = blocks_;
    events.push_back({static_cast<double>(blocks_ * config_.block_samples) / kRate, t4});
  }
}

}  // namespace picoml::alarm

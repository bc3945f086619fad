// The baseline the CNN must beat: a "plain" alarm detector built from
// Goertzel filters. Per 20 ms block it measures the power at the alarm tones
// (3.1 kHz +-10 %, and 520 Hz +-10 % with its 3rd and 5th harmonics, as a
// square wave has them) relative to the block's broadband power; a block is
// "tone on" when that ratio passes a threshold and the block is not silent.
// Runs of tone-on blocks are then matched against the T3 and T4 timings.
#ifndef PICOML_TOOLS_ALARM_GOERTZEL_H_
#define PICOML_TOOLS_ALARM_GOERTZEL_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace picoml::alarm {

// Power of `frequency_hz` in x[0..n): |sum x[i] e^{-j w i}|^2 by the
// Goertzel recurrence. A full-scale sine (amplitude A) at the frequency gives
// about (A n / 2)^2.
double GoertzelPower(const float* x, size_t n, double frequency_hz, double sample_rate_hz);

struct GoertzelConfig {
  int block_samples = 320;       // 20 ms at 16 kHz
  double ratio_threshold = 0.3;  // tone power / broadband power
  double silence_rms = 1e-4;     // blocks quieter than this are "off"
  int suppression_blocks = 250;  // 5 s between reported events
};

struct GoertzelEvent {
  double time_s = 0.0;  // end of the block that completed the pattern
  bool t4 = false;      // CO pattern (else T3)
};

class GoertzelDetector {
 public:
  explicit GoertzelDetector(const GoertzelConfig& config = GoertzelConfig());

  // Consumes int16 samples (any count); returns events found in them.
  std::vector<GoertzelEvent> Push(const int16_t* samples, size_t count);

  // The decision for one block whose tone ratio and RMS are already known
  // (tuning replays recorded blocks through detectors of other thresholds).
  std::vector<GoertzelEvent> PushBlock(double ratio, double rms);

  // Called with every block's ratio and RMS (tuning records them).
  std::function<void(double ratio, double rms)> observer;

  // Tone ratio of one block (the best of the alarm bands), for tuning.
  double BlockRatio(const float* block) const;

  const GoertzelConfig& config() const { return config_; }

 private:
  void OnBlock(double ratio, double rms, std::vector<GoertzelEvent>& events);

  GoertzelConfig config_;
  std::vector<double> high_bins_;  // 2.79-3.41 kHz
  std::vector<double> low_bins_;   // 468-572 Hz fundamentals
  std::vector<float> block_;
  int64_t blocks_ = 0;
  int64_t last_event_block_ = -1000000;
  // Debounced on/off runs, in blocks: the one in progress, and the
  // completed ones (alternating on and off), newest last.
  struct Run {
    bool on = false;
    int blocks = 0;
  };
  bool state_on_ = false;
  int run_ = 0;
  std::vector<Run> runs_;
};

}  // namespace picoml::alarm

#endif  // PICOML_TOOLS_ALARM_GOERTZEL_H_

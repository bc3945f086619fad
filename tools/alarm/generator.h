// Synthetic smoke- and CO-alarm audio for training and testing the alarm
// detector: no alarm recordings can be downloaded here, so the alarms are
// synthesized from their standard temporal patterns and mixed into household
// background audio at a chosen signal-to-noise ratio.
//
//   T3 (smoke, ISO 8201 / NFPA 72): three 0.5 s beeps with 0.5 s gaps, then
//       1.5 s quiet; 4 s cycle.
//   T4 (carbon monoxide): four 0.1 s beeps with 0.1 s gaps, then 5 s quiet.
// Tones: piezo sounders near 3.1 kHz (sine with some harmonic distortion) or
// 520 Hz square waves (low-frequency alarms for people with hearing loss).
//
// Everything is deterministic from a seed (Rng below is ours, not <random>'s
// distributions, whose output differs between standard libraries).
#ifndef PICOML_TOOLS_ALARM_GENERATOR_H_
#define PICOML_TOOLS_ALARM_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

namespace picoml::alarm {

constexpr int kSampleRate = 16000;

// SplitMix64: small, fast, the same sequence on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  double Uniform(double low, double high);  // [low, high)
  int Index(int n);                         // [0, n)
  bool Chance(double p) { return Uniform(0.0, 1.0) < p; }
  double Gaussian();  // standard normal (Box-Muller)

 private:
  uint64_t state_;
};

enum class Pattern { kT3, kT4 };
enum class Tone { kPiezo, kSquare520 };

const char* PatternName(Pattern pattern);

struct AlarmParams {
  Pattern pattern = Pattern::kT3;
  Tone tone = Tone::kPiezo;
  double frequency_hz = 3100.0;  // fundamental
  double harmonic2 = 0.0;        // piezo: relative amplitude of 2f and 3f
  double harmonic3 = 0.0;
  double timing_scale = 1.0;  // all durations times this
  double rt60_s = 0.0;        // 0: dry (no room)
  double reverb_ratio = 1.0;  // reverberant / direct energy
  double onset_s = 0.0;       // first beep starts here
};

// T3 or T4, T4 with probability `t4_fraction` (half of the test and
// validation alarms; a training recipe may ask for more).
constexpr double kT4Fraction = 0.5;
inline Pattern RandomPattern(Rng& rng, double t4_fraction = kT4Fraction) {
  return rng.Chance(1.0 - t4_fraction) ? Pattern::kT3 : Pattern::kT4;
}

// Parameters drawn with the variation the detector must cover: frequency
// +-10 %, timing +-10 %, harmonics, RT60 0.2-0.8 s. A share
// `low_tone_fraction` of alarms are 520 Hz square-wave sounders (about one in
// four in the test and validation splits).
constexpr double kLowToneFraction = 0.25;
AlarmParams RandomAlarm(Rng& rng, Pattern pattern, double low_tone_fraction = kLowToneFraction);

// A decoy: beeps like an alarm's in tone and count but with timing well
// outside the standard's +-10 % (0.45-0.72 or 1.5-2.6 times it: T4-like
// trains of 0.15-0.26 s beeps, as microwaves and appliances make, T3-like ones
// of 0.2-0.36 s or 0.75-1.3 s beeps). Background to the detector.
AlarmParams RandomDecoy(Rng& rng);
constexpr double kDecoyShortScale[2] = {0.45, 0.72};
constexpr double kDecoyLongScale[2] = {1.5, 2.6};

// A beep: [begin, end) in samples, and the pattern cycle it belongs to (0 for
// the first group of beeps after the onset, 1 for the next, ...).
struct Interval {
  int64_t begin = 0, end = 0;
  int group = 0;
};

// Beeps per group: 3 for T3, 4 for T4.
inline int GroupSize(Pattern pattern) { return pattern == Pattern::kT3 ? 3 : 4; }

// The beep times of `params` in a clip of `length` samples (beeps cut at the
// clip's end are included, cut).
std::vector<Interval> BeepIntervals(const AlarmParams& params, int64_t length);

// The dry alarm (peak amplitude 1, 5 ms ramps), then the room if rt60_s > 0.
std::vector<float> SynthesizeAlarm(const AlarmParams& params, int64_t length, Rng& rng);

// A room: direct path, then exponentially decaying Gaussian noise reaching
// -60 dB at rt60_s, scaled to `reverb_ratio` of the direct energy.
std::vector<float> RoomImpulseResponse(double rt60_s, double reverb_ratio, Rng& rng);
// Linear convolution truncated to signal.size() (FFT based).
std::vector<float> Convolve(const std::vector<float>& signal, const std::vector<float>& kernel);

// Mean square of `x` over the samples inside `intervals` (all when empty).
double Power(const std::vector<float>& x, const std::vector<Interval>& intervals = {});

// The gain that puts `alarm`'s power during beeps at `snr_db` over the
// background's power from the first beep to the end.
double SnrGain(const std::vector<float>& background, const std::vector<float>& alarm,
               const std::vector<Interval>& beeps, double snr_db);
// Adds `alarm` times SnrGain to `background`; returns that gain.
double MixAtSnr(std::vector<float>& background, const std::vector<float>& alarm,
                const std::vector<Interval>& beeps, double snr_db);

// Adds gain * x played at `speed` from sample `start` to out[0, count): out[i]
// gets x at start + i * speed, linearly interpolated (speed 1.2: 20 % higher
// and faster). Reads past the end of x repeat its last sample.
void AddAtSpeed(const std::vector<float>& x, int64_t start, double speed, double gain, float* out,
                int64_t count);

// Background audio files of one split (train or test), 16 kHz mono.
// Where one background file plays in a clip: samples [begin, end), in the
// main layer (0) or the quieter one under it (1).
struct BackgroundSegment {
  int file = 0;
  int layer = 0;
  int64_t begin = 0, end = 0;
};

class BackgroundLibrary {
 public:
  // Reads every .wav in `dir` (sorted by name). Throws if none.
  static BackgroundLibrary Load(const std::string& dir);
  // Every .wav of each of `dirs` in turn (each sorted by name); one library
  // over all of them. Throws if any has none.
  static BackgroundLibrary Load(const std::vector<std::string>& dirs);
  // From samples in memory (tests); each entry is one "file".
  static BackgroundLibrary FromSamples(std::vector<std::vector<float>> files);
  // `length` samples of household background: segments of random files at
  // random gains, a second quieter layer on top, and a faint noise floor.
  // `segments`, if given, receives where each file plays.
  std::vector<float> Make(int64_t length, Rng& rng,
                          std::vector<BackgroundSegment>* segments = nullptr) const;
  // Training augmentation: from now on every segment plays at a random speed
  // in [1 / (1 + spread), 1 + spread] (log-uniform; pitch and tempo change
  // together, as a tape played fast or slow), so that a network cannot learn
  // a short library by heart. 0 (the default) leaves Make() exactly as it
  // was, random draws included: test streams do not change.
  void set_speed_spread(double spread) { speed_spread_ = spread; }
  double speed_spread() const { return speed_spread_; }
  size_t file_count() const { return files_.size(); }
  double seconds() const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::vector<float>> files_;
  std::vector<std::string> names_;
  double speed_spread_ = 0.0;
};

// The default cache: ${XDG_CACHE_HOME:-$HOME/.cache}/picoml/alarm.
std::string DefaultBackgroundDir();

// One clip: background, plus an alarm when `alarm` is set.
struct Clip {
  std::vector<int16_t> samples;
  bool has_alarm = false;
  AlarmParams params;
  double snr_db = 0.0;
  std::vector<Interval> beeps;
  std::vector<BackgroundSegment> background;  // what plays under it
};

// Mixes, then scales the whole clip to an RMS level of `level_dbfs` and
// converts to int16 with saturation (loud clips clip, as microphones do).
Clip MakeClip(const BackgroundLibrary& backgrounds, int64_t length, const AlarmParams* alarm,
              double snr_db, double level_dbfs, Rng& rng);

// Another beep train sounding with the alarm (training augmentation): a decoy
// (RandomDecoy) at `snr_db` over the background alone. Its beeps are not the
// alarm's: the clip's `beeps` (and so the window labels) stay the alarm's.
struct Overlay {
  AlarmParams params;
  double snr_db = 0.0;
};
// MakeClip with `overlay` mixed in too; the alarm's SNR is still over the
// background alone, so it means what it means without the overlay.
Clip MakeClip(const BackgroundLibrary& backgrounds, int64_t length, const AlarmParams* alarm,
              double snr_db, double level_dbfs, Rng& rng, const Overlay& overlay);

std::vector<int16_t> ToInt16(const std::vector<float>& x, double gain);

}  // namespace picoml::alarm

#endif  // PICOML_TOOLS_ALARM_GENERATOR_H_

#include "alarm/generator.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "host/wav.h"

namespace picoml::alarm {
namespace {

constexpr double kPi = 3.14159265358979323846;

// In-place iterative radix-2 FFT (size a power of two); inverse unscaled.
void Fft(std::vector<std::complex<double>>& a, bool inverse) {
  const size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const double angle = 2 * kPi / static_cast<double>(len) * (inverse ? 1 : -1);
    const std::complex<double> step(std::cos(angle), std::sin(angle));
    for (size_t i = 0; i < n; i += len) {
      std::complex<double> w(1.0, 0.0);
      for (size_t k = 0; k < len / 2; ++k) {
        const std::complex<double> u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
        w *= step;
      }
    }
  }
}

// One beep's waveform value at time t (seconds since the beep began).
double ToneSample(const AlarmParams& p, double t) {
  const double phase = 2 * kPi * p.frequency_hz * t;
  if (p.tone == Tone::kSquare520) {
    // Band-limited square wave: odd harmonics below 7.8 kHz, 4/pi normalised.
    double sum = 0.0;
    for (int k = 1; k * p.frequency_hz < 7800.0; k += 2) sum += std::sin(k * phase) / k;
    return sum * 4.0 / kPi * 0.9;
  }
  return (std::sin(phase) + p.harmonic2 * std::sin(2 * phase) + p.harmonic3 * std::sin(3 * phase)) /
         (1.0 + p.harmonic2 + p.harmonic3);
}

}  // namespace

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double Rng::Uniform(double low, double high) {
  return low + (high - low) * static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0);
}

int Rng::Index(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

double Rng::Gaussian() {
  const double u = Uniform(1e-12, 1.0), v = Uniform(0.0, 1.0);
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * kPi * v);
}

const char* PatternName(Pattern pattern) { return pattern == Pattern::kT3 ? "T3" : "T4"; }

AlarmParams RandomAlarm(Rng& rng, Pattern pattern, double low_tone_fraction) {
  AlarmParams p;
  p.pattern = pattern;
  p.tone = rng.Chance(low_tone_fraction) ? Tone::kSquare520 : Tone::kPiezo;
  p.frequency_hz = (p.tone == Tone::kPiezo ? 3100.0 : 520.0) * rng.Uniform(0.9, 1.1);
  if (p.tone == Tone::kPiezo) {
    p.harmonic2 = rng.Uniform(0.0, 0.3);
    p.harmonic3 = rng.Uniform(0.0, 0.2);
  }
  p.timing_scale = rng.Uniform(0.9, 1.1);
  p.rt60_s = rng.Uniform(0.2, 0.8);
  p.reverb_ratio = std::pow(10.0, rng.Uniform(-0.5, 0.5));
  return p;
}

AlarmParams RandomDecoy(Rng& rng) {
  AlarmParams p = RandomAlarm(rng, RandomPattern(rng));
  p.timing_scale = rng.Chance(0.35) ? rng.Uniform(kDecoyShortScale[0], kDecoyShortScale[1])
                                    : rng.Uniform(kDecoyLongScale[0], kDecoyLongScale[1]);
  return p;
}

std::vector<Interval> BeepIntervals(const AlarmParams& p, int64_t length) {
  const bool t3 = p.pattern == Pattern::kT3;
  const int beeps = GroupSize(p.pattern);
  const double beep = (t3 ? 0.5 : 0.1) * p.timing_scale;
  const double gap = (t3 ? 0.5 : 0.1) * p.timing_scale;
  const double quiet = (t3 ? 1.5 : 5.0) * p.timing_scale;
  const double cycle = beeps * beep + (beeps - 1) * gap + quiet;
  std::vector<Interval> out;
  int group = 0;
  for (double start = p.onset_s; start * kSampleRate < length; start += cycle, ++group) {
    for (int b = 0; b < beeps; ++b) {
      const double t = start + b * (beep + gap);
      const int64_t begin = std::llround(t * kSampleRate);
      const int64_t end = std::min<int64_t>(length, std::llround((t + beep) * kSampleRate));
      if (begin < length) out.push_back({begin, end, group});
    }
  }
  return out;
}

std::vector<float> SynthesizeAlarm(const AlarmParams& p, int64_t length, Rng& rng) {
  std::vector<float> dry(static_cast<size_t>(length), 0.0f);
  const int ramp = kSampleRate / 200;  // 5 ms
  for (const Interval& beep : BeepIntervals(p, length)) {
    const int64_t n = beep.end - beep.begin;
    for (int64_t i = 0; i < n; ++i) {
      double envelope = 1.0;
      if (i < ramp) envelope = static_cast<double>(i) / ramp;
      if (n - i < ramp) envelope = std::min(envelope, static_cast<double>(n - i) / ramp);
      dry[beep.begin + i] =
          static_cast<float>(envelope * ToneSample(p, static_cast<double>(i) / kSampleRate));
    }
  }
  if (p.rt60_s <= 0.0) return dry;
  return Convolve(dry, RoomImpulseResponse(p.rt60_s, p.reverb_ratio, rng));
}

std::vector<float> RoomImpulseResponse(double rt60_s, double reverb_ratio, Rng& rng) {
  const int delay = kSampleRate / 250;  // 4 ms to the first reflection
  const int length = delay + static_cast<int>(rt60_s * kSampleRate);
  std::vector<float> h(static_cast<size_t>(length), 0.0f);
  double energy = 0.0;
  // Amplitude falls 60 dB (x 1/1000) over rt60: exp(-ln(1000) t / rt60).
  const double decay = std::log(1000.0) / (rt60_s * kSampleRate);
  for (int i = delay; i < length; ++i) {
    const double value = rng.Gaussian() * std::exp(-decay * (i - delay));
    h[i] = static_cast<float>(value);
    energy += value * value;
  }
  const double scale = std::sqrt(reverb_ratio / energy);
  for (int i = delay; i < length; ++i) h[i] = static_cast<float>(h[i] * scale);
  h[0] = 1.0f;
  return h;
}

std::vector<float> Convolve(const std::vector<float>& signal, const std::vector<float>& kernel) {
  size_t n = 1;
  while (n < signal.size() + kernel.size()) n <<= 1;
  std::vector<std::complex<double>> a(n), b(n);
  for (size_t i = 0; i < signal.size(); ++i) a[i] = signal[i];
  for (size_t i = 0; i < kernel.size(); ++i) b[i] = kernel[i];
  Fft(a, false);
  Fft(b, false);
  for (size_t i = 0; i < n; ++i) a[i] *= b[i];
  Fft(a, true);
  std::vector<float> out(signal.size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<float>(a[i].real() / static_cast<double>(n));
  return out;
}

double Power(const std::vector<float>& x, const std::vector<Interval>& intervals) {
  double sum = 0.0;
  int64_t count = 0;
  if (intervals.empty()) {
    for (float v : x) sum += static_cast<double>(v) * v;
    count = static_cast<int64_t>(x.size());
  } else {
    for (const Interval& r : intervals)
      for (int64_t i = r.begin; i < r.end && i < static_cast<int64_t>(x.size()); ++i, ++count)
        sum += static_cast<double>(x[i]) * x[i];
  }
  return count == 0 ? 0.0 : sum / static_cast<double>(count);
}

double SnrGain(const std::vector<float>& background, const std::vector<float>& alarm,
               const std::vector<Interval>& beeps, double snr_db) {
  if (alarm.size() != background.size() || beeps.empty())
    throw std::invalid_argument("SnrGain: alarm and background differ in length, or no beeps");
  const std::vector<Interval> span = {
      {beeps.front().begin, static_cast<int64_t>(background.size())}};
  const double signal = Power(alarm, beeps);
  const double noise = std::max(Power(background, span), 1e-20);
  return std::sqrt(noise / signal * std::pow(10.0, snr_db / 10.0));
}

double MixAtSnr(std::vector<float>& background, const std::vector<float>& alarm,
                const std::vector<Interval>& beeps, double snr_db) {
  const double gain = SnrGain(background, alarm, beeps, snr_db);
  for (size_t i = 0; i < background.size(); ++i)
    background[i] = static_cast<float>(background[i] + gain * alarm[i]);
  return gain;
}

BackgroundLibrary BackgroundLibrary::Load(const std::string& dir) {
  return Load(std::vector<std::string>{dir});
}

BackgroundLibrary BackgroundLibrary::Load(const std::vector<std::string>& dirs) {
  BackgroundLibrary library;
  for (const std::string& dir : dirs) {
    std::vector<std::string> paths;
    if (std::filesystem::is_directory(dir))
      for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".wav") paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
    if (paths.empty())
      throw std::runtime_error("no background .wav files in " + dir +
                               ": run scripts/make-alarm-backgrounds.sh first");
    for (const std::string& path : paths) {
      const host::WavAudio wav = host::ReadWav(path, kSampleRate);
      if (wav.samples.size() < static_cast<size_t>(kSampleRate / 10)) continue;
      std::vector<float> x(wav.samples.size());
      for (size_t i = 0; i < x.size(); ++i) x[i] = wav.samples[i] / 32768.0f;
      library.files_.push_back(std::move(x));
      library.names_.push_back(std::filesystem::path(path).filename().string());
    }
  }
  return library;
}

BackgroundLibrary BackgroundLibrary::FromSamples(std::vector<std::vector<float>> files) {
  if (files.empty()) throw std::invalid_argument("a background library needs at least one file");
  BackgroundLibrary library;
  for (size_t i = 0; i < files.size(); ++i) library.names_.push_back("memory-" + std::to_string(i));
  library.files_ = std::move(files);
  return library;
}

double BackgroundLibrary::seconds() const {
  double total = 0.0;
  for (const auto& f : files_) total += static_cast<double>(f.size()) / kSampleRate;
  return total;
}

void AddAtSpeed(const std::vector<float>& x, int64_t start, double speed, double gain, float* out,
                int64_t count) {
  const auto size = static_cast<int64_t>(x.size());
  for (int64_t i = 0; i < count; ++i) {
    const double at = static_cast<double>(start) + static_cast<double>(i) * speed;
    const int64_t j = std::min(static_cast<int64_t>(at), size - 1);
    const double f = at - static_cast<double>(j);
    const double next = j + 1 < size ? x[j + 1] : x[j];
    out[i] += static_cast<float>(gain * (x[j] * (1.0 - f) + next * f));
  }
}

std::vector<float> BackgroundLibrary::Make(int64_t length, Rng& rng,
                                           std::vector<BackgroundSegment>* segments) const {
  std::vector<float> out(static_cast<size_t>(length), 0.0f);
  // Two layers: the main one, and one 6-20 dB quieter (a fan under speech).
  for (int layer = 0; layer < 2; ++layer) {
    const double layer_gain = layer == 0 ? 1.0 : std::pow(10.0, -rng.Uniform(6.0, 20.0) / 20.0);
    int64_t pos = 0;
    while (pos < length) {
      const int index = rng.Index(static_cast<int>(files_.size()));
      const std::vector<float>& file = files_[index];
      const int64_t size = static_cast<int64_t>(file.size());
      const int64_t start = rng.Index(static_cast<int>(std::max<int64_t>(1, size / 2)));
      int64_t take = std::min(length - pos, size - start);
      const double gain = layer_gain * std::pow(10.0, -rng.Uniform(0.0, 20.0) / 20.0);
      if (speed_spread_ > 0.0) {
        const double limit = std::log1p(speed_spread_);
        const double speed = std::exp(rng.Uniform(-limit, limit));
        const auto available = static_cast<int64_t>(static_cast<double>(size - 1 - start) / speed);
        take = std::max<int64_t>(1, std::min(length - pos, available));
        AddAtSpeed(file, start, speed, gain, out.data() + pos, take);
      } else {
        for (int64_t i = 0; i < take; ++i)
          out[pos + i] += static_cast<float>(gain * file[start + i]);
      }
      if (segments) segments->push_back({index, layer, pos, pos + take});
      pos += take + rng.Index(kSampleRate);  // up to 1 s of quiet between segments
    }
  }
  // Microphone self-noise, about -70 dBFS.
  for (float& v : out) v += static_cast<float>(3e-4 * rng.Gaussian());
  return out;
}

std::string DefaultBackgroundDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  const std::string cache = xdg && *xdg ? xdg : std::string(home ? home : ".") + "/.cache";
  return cache + "/picoml/alarm";
}

std::vector<int16_t> ToInt16(const std::vector<float>& x, double gain) {
  std::vector<int16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = static_cast<int16_t>(std::clamp(std::lround(x[i] * gain * 32768.0), -32768L, 32767L));
  return out;
}

namespace {

Clip Mix(const BackgroundLibrary& backgrounds, int64_t length, const AlarmParams* alarm,
         double snr_db, double level_dbfs, Rng& rng, const Overlay* overlay) {
  Clip clip;
  std::vector<float> mix = backgrounds.Make(length, rng, &clip.background);
  // Both signals' gains are set against the background alone: the overlay
  // is added after the alarm.
  std::vector<float> overlay_signal;
  double overlay_gain = 0.0;
  if (overlay != nullptr) {
    const std::vector<Interval> beeps = BeepIntervals(overlay->params, length);
    if (!beeps.empty()) {
      overlay_signal = SynthesizeAlarm(overlay->params, length, rng);
      overlay_gain = SnrGain(mix, overlay_signal, beeps, overlay->snr_db);
    }
  }
  if (alarm != nullptr) {
    clip.has_alarm = true;
    clip.params = *alarm;
    clip.snr_db = snr_db;
    clip.beeps = BeepIntervals(*alarm, length);
    if (!clip.beeps.empty())
      MixAtSnr(mix, SynthesizeAlarm(*alarm, length, rng), clip.beeps, snr_db);
  }
  for (size_t i = 0; i < overlay_signal.size(); ++i)
    mix[i] = static_cast<float>(mix[i] + overlay_gain * overlay_signal[i]);
  const double rms = std::sqrt(std::max(Power(mix), 1e-20));
  clip.samples = ToInt16(mix, std::pow(10.0, level_dbfs / 20.0) / rms);
  return clip;
}

}  // namespace

Clip MakeClip(const BackgroundLibrary& backgrounds, int64_t length, const AlarmParams* alarm,
              double snr_db, double level_dbfs, Rng& rng) {
  return Mix(backgrounds, length, alarm, snr_db, level_dbfs, rng, nullptr);
}

Clip MakeClip(const BackgroundLibrary& backgrounds, int64_t length, const AlarmParams* alarm,
              double snr_db, double level_dbfs, Rng& rng, const Overlay& overlay) {
  return Mix(backgrounds, length, alarm, snr_db, level_dbfs, rng, &overlay);
}

}  // namespace picoml::alarm

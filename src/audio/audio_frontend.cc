// AudioFrontend: framing of a sample stream and the per-frame chain of
// stages (audio/signal_stages.h), in the order of the preprocessor model's
// operators.
#include "picoml/audio_frontend.h"

#include <string.h>

#include "audio/signal_stages.h"

namespace picoml {
namespace {

Status Invalid(const char* what, int32_t value, const char* fix) {
  return Status::Error(StatusCode::kInvalidArgument, "audio front end: %s is %ld; %s", what,
                       static_cast<long>(value), fix);
}

Status CheckFilterBank(const MelFilterBank& bank) {
  if (bank.num_channels < 1 || bank.num_channels > kAudioFrontendMaxChannels)
    return Invalid("filter_bank.num_channels", bank.num_channels,
                   "use 1 to 64 channels (kAudioFrontendMaxChannels)");
  if (bank.frequency_starts == nullptr || bank.weight_starts == nullptr || bank.widths == nullptr ||
      bank.weights == nullptr || bank.unweights == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "audio front end: a filter bank table is null; start from "
                         "DefaultMelFilterBank() and replace all five tables");
  for (int c = 0; c <= bank.num_channels; ++c) {
    const int32_t start = bank.frequency_starts[c];
    const int32_t weight_start = bank.weight_starts[c];
    const int32_t width = bank.widths[c];
    if (start < 0 || width < 0 || start + width > kAudioFrontendSpectrumBins)
      return Status::Error(StatusCode::kInvalidArgument,
                           "audio front end: filter bank channel %d covers bins %ld..%ld, outside "
                           "the spectrum's 0..%d",
                           c, static_cast<long>(start), static_cast<long>(start + width - 1),
                           kAudioFrontendSpectrumBins - 1);
    if (weight_start < 0 || weight_start + width > bank.weight_count)
      return Status::Error(StatusCode::kInvalidArgument,
                           "audio front end: filter bank channel %d uses weights %ld..%ld, but "
                           "weight_count is %ld",
                           c, static_cast<long>(weight_start),
                           static_cast<long>(weight_start + width - 1),
                           static_cast<long>(bank.weight_count));
    for (int32_t j = weight_start; j < weight_start + width; ++j)
      if (bank.weights[j] < 0 || bank.unweights[j] < 0 || bank.weights[j] > 4096 ||
          bank.unweights[j] > 4096)
        return Status::Error(StatusCode::kInvalidArgument,
                             "audio front end: filter bank weight %ld is out of range (%d, %d); "
                             "weights and unweights are fractions in Q12, 0 to 4096",
                             static_cast<long>(j), static_cast<int>(bank.weights[j]),
                             static_cast<int>(bank.unweights[j]));
  }
  return Status::Ok();
}

Status CheckConfig(const AudioFrontendConfig& config) {
  if (config.fft_length != kAudioFrontendFftLength)
    return Invalid("fft_length", config.fft_length,
                   "only 512 is supported (the FFT tables are for 512 points)");
  if (config.window_samples < 1 || config.window_samples > config.fft_length)
    return Invalid("window_samples", config.window_samples, "use 1 to fft_length (512)");
  if (config.stride_samples < 1)
    return Invalid("stride_samples", config.stride_samples, "use >= 1");
  if (config.sample_rate_hz < 1)
    return Invalid("sample_rate_hz", config.sample_rate_hz, "use the stream's rate, e.g. 16000");
  if (config.window == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "audio front end: window is null; point it at window_samples "
                         "coefficients (kHannWindow480 for 480)");
  if (config.window_shift < 0 || config.window_shift > 30)
    return Invalid("window_shift", config.window_shift, "use 0 to 30");
  if (config.spectrum_start_bin < 0 || config.spectrum_start_bin >= config.spectrum_end_bin ||
      config.spectrum_end_bin > kAudioFrontendSpectrumBins)
    return Invalid("spectrum_start_bin", config.spectrum_start_bin,
                   "need 0 <= spectrum_start_bin < spectrum_end_bin <= 257");
  PICOML_RETURN_IF_ERROR(CheckFilterBank(config.filter_bank));
  if (config.smoothing_bits < 0 || config.smoothing_bits > 31)
    return Invalid("smoothing_bits", config.smoothing_bits, "use 0 to 31");
  if (config.spectral_subtraction_bits < 0 || config.spectral_subtraction_bits > 63)
    return Invalid("spectral_subtraction_bits", config.spectral_subtraction_bits, "use 0 to 63");
  if (config.smoothing < 0 || config.one_minus_smoothing < 0 || config.alternate_smoothing < 0 ||
      config.alternate_one_minus_smoothing < 0 || config.min_signal_remaining < 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "audio front end: spectral subtraction coefficients must be >= 0");
  if (config.pcan_enabled) {
    if (config.pcan_gain_lut == nullptr || config.pcan_gain_lut_size < 125)
      return Invalid("pcan_gain_lut_size", config.pcan_gain_lut_size,
                     "PCAN needs a 125-entry gain table (kPcanGainLut125), or pcan_enabled = "
                     "false");
    if (config.pcan_snr_shift < 0 || config.pcan_snr_shift > 63)
      return Invalid("pcan_snr_shift", config.pcan_snr_shift, "use 0 to 63");
  }
  if (config.log_input_correction_bits < 0 || config.log_input_correction_bits > 31)
    return Invalid("log_input_correction_bits", config.log_input_correction_bits, "use 0 to 31");
  // Log32 multiplies the scale by ln(x) in Q16 (up to 22.2 * 65536) in 32 bits.
  if (config.log_output_scale < 1 || config.log_output_scale > 2048)
    return Invalid("log_output_scale", config.log_output_scale, "use 1 to 2048 (64 by default)");
  if (config.feature_divisor < 1)
    return Invalid("feature_divisor", config.feature_divisor, "use >= 1 (666 by default)");
  if (config.feature_multiplier < -65536 || config.feature_multiplier > 65536)
    return Invalid("feature_multiplier", config.feature_multiplier, "use -65536 to 65536");
  return Status::Ok();
}

}  // namespace

Status AudioFrontend::Create(const AudioFrontendConfig& config, AudioFrontendState* state,
                             AudioFrontend* frontend) {
  if (state == nullptr || frontend == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "AudioFrontend::Create needs a state and a frontend to fill (null given)");
  PICOML_RETURN_IF_ERROR(CheckConfig(config));
  frontend->config_ = config;
  frontend->feature_reciprocal_ = audio::FeatureReciprocal(config.feature_divisor);
  frontend->state_ = state;
  frontend->Reset();
  return Status::Ok();
}

void AudioFrontend::Reset() {
  if (state_ != nullptr) memset(state_, 0, sizeof(*state_));
}

uint32_t AudioFrontend::FrameEndMs(uint32_t index) const {
  const uint64_t end_sample = static_cast<uint64_t>(config_.window_samples) +
                              static_cast<uint64_t>(index) * config_.stride_samples;
  return static_cast<uint32_t>(end_sample * 1000 / static_cast<uint64_t>(config_.sample_rate_hz));
}

Status AudioFrontend::ProcessWindow(const int16_t* window, int8_t* features) {
  if (state_ == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "AudioFrontend used before AudioFrontend::Create succeeded");
  if (window == nullptr || features == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "AudioFrontend::ProcessWindow: null samples or features");
  AudioFrontendState& s = *state_;
  const AudioFrontendConfig& c = config_;
  const int channels = c.filter_bank.num_channels;

  audio::ApplyWindow(window, c.window, c.window_samples, c.window_shift, s.a.fft_input);
  const int scale = audio::AutoScale(s.a.fft_input, c.window_samples);
  for (int i = c.window_samples; i < c.fft_length; ++i) s.a.fft_input[i] = 0;
  audio::RealFft512(s.a.fft_input, s.b.fft_work, s.a.spectrum);
  audio::Energy(s.a.spectrum, kAudioFrontendSpectrumBins, c.spectrum_start_bin, c.spectrum_end_bin,
                s.b.energy);
  audio::AccumulateFilterBank(c.filter_bank, s.b.energy, s.a.channel_sums);
  for (int i = 0; i < channels; ++i)
    s.channels[i] = audio::SquareRoot64(s.a.channel_sums[i + 1]) >> scale;
  audio::SpectralSubtraction(c, s.channels, s.noise_estimate, s.channels);
  if (c.pcan_enabled) audio::ApplyPcan(c, s.noise_estimate, s.channels);
  for (int i = 0; i < channels; ++i) {
    const int16_t log_value =
        audio::LogChannel(s.channels[i], c.log_input_correction_bits, c.log_output_scale);
    features[i] = audio::QuantizeFeature(log_value, c, feature_reciprocal_);
  }
  ++s.frame_count;
  return Status::Ok();
}

Status AudioFrontend::Push(const int16_t* samples, size_t count, size_t* consumed, int8_t* features,
                           bool* frame_ready) {
  if (consumed == nullptr || frame_ready == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "AudioFrontend::Push: consumed and frame_ready must not be null");
  *consumed = 0;
  *frame_ready = false;
  if (state_ == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "AudioFrontend used before AudioFrontend::Create succeeded");
  if (count > 0 && samples == nullptr)
    return Status::Error(StatusCode::kInvalidArgument, "AudioFrontend::Push: samples is null");
  AudioFrontendState& s = *state_;
  const int32_t window = config_.window_samples;
  const int32_t stride = config_.stride_samples;
  size_t taken = 0;
  while (taken < count) {
    if (s.samples_to_skip > 0) {
      size_t skip = count - taken;
      if (skip > static_cast<size_t>(s.samples_to_skip))
        skip = static_cast<size_t>(s.samples_to_skip);
      s.samples_to_skip -= static_cast<int32_t>(skip);
      taken += skip;
      continue;
    }
    size_t n = static_cast<size_t>(window - s.sample_count);
    if (n > count - taken) n = count - taken;
    memcpy(s.samples + s.sample_count, samples + taken, n * sizeof(int16_t));
    s.sample_count += static_cast<int32_t>(n);
    taken += n;
    if (s.sample_count < window) break;
    PICOML_RETURN_IF_ERROR(ProcessWindow(s.samples, features));
    *frame_ready = true;
    if (stride < window) {
      memmove(s.samples, s.samples + stride,
              static_cast<size_t>(window - stride) * sizeof(int16_t));
      s.sample_count = window - stride;
    } else {
      s.sample_count = 0;
      s.samples_to_skip = stride - window;
    }
    break;
  }
  *consumed = taken;
  return Status::Ok();
}

Status AudioFrontend::Push(const int16_t* samples, size_t count, AudioFrameCallback on_frame,
                           void* user) {
  int8_t features[kAudioFrontendMaxChannels];
  size_t offset = 0;
  do {
    size_t consumed = 0;
    bool ready = false;
    PICOML_RETURN_IF_ERROR(Push(samples == nullptr ? nullptr : samples + offset, count - offset,
                                &consumed, features, &ready));
    offset += consumed;
    if (ready && on_frame != nullptr) on_frame(features, channel_count(), user);
  } while (offset < count);
  return Status::Ok();
}

}  // namespace picoml

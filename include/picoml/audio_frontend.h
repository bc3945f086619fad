// AudioFrontend: 16 kHz int16 samples in, int8 log-mel feature frames out,
// byte for byte what LiteRT Micro's audio preprocessor model gives (the
// micro_speech example's audio_preprocessor_int8.tflite, built from the TFLM
// signal library's custom ops).
//
//   static picoml::AudioFrontendState state;     // sizeof(state) bytes, see below
//   picoml::AudioFrontend frontend;
//   PICOML_RETURN_IF_ERROR(picoml::AudioFrontend::Create(picoml::AudioFrontendConfig(),
//                                                         &state, &frontend));
//   frontend.Push(samples, count, OnFrame, user);  // any block size, OnFrame per 20 ms
//
// Per frame (every stride_samples, over the last window_samples):
//   window (Hann, int16 coefficients, >> window_shift, saturating)
//   -> auto scale (shift left so the largest magnitude fills int16)
//   -> real FFT of fft_length (KISS FFT's 16-bit fixed point, bit exact)
//   -> energy re^2 + im^2 of the bins in [spectrum_start_bin, spectrum_end_bin)
//   -> mel filter bank (triangular weights, 64-bit sums)
//   -> square root, undoing the auto scale
//   -> spectral subtraction (a per-channel noise estimate: streaming state)
//   -> PCAN gain control (per-channel gain from the noise estimate)
//   -> log (fixed-point natural log, times log_output_scale)
//   -> int8: (log * feature_multiplier + feature_divisor / 2) / feature_divisor
//            + feature_zero_point, clamped; the preprocessor's last few ops.
// Everything on the per-sample path is integer arithmetic.
//
// Tables: the default configuration points at const tables compiled into the
// library (src/audio/frontend_tables.cc): the Hann window, the filter bank's
// edges and weights and the PCAN gain table are the integers stored in the
// preprocessor model; the FFT twiddles and the log correction table are
// integers computed once on the host in double precision. They are not
// computed at Create() because cos/pow/log differ in the last bit between C
// libraries, and one flipped rounding would change the features on one target
// only. A tests/audio test checks every table against the model and against
// an independent double-precision computation.
//
// Ownership: the caller owns the AudioFrontendState (any memory: static, stack,
// a section of its choice) and the tables the config points to; both must
// outlive the AudioFrontend. The AudioFrontend is a small handle; one state
// serves one stream.
#ifndef PICOML_AUDIO_FRONTEND_H_
#define PICOML_AUDIO_FRONTEND_H_

#include <stddef.h>
#include <stdint.h>

#include "picoml/status.h"

namespace picoml {

// Limits that size AudioFrontendState.
constexpr int kAudioFrontendMaxChannels = 64;
constexpr int kAudioFrontendFftLength = 512;  // the one FFT size with tables
constexpr int kAudioFrontendMaxWindowSamples = kAudioFrontendFftLength;
constexpr int kAudioFrontendSpectrumBins = kAudioFrontendFftLength / 2 + 1;

// A mel filter bank in TFLM's layout: channel c (0..num_channels) covers
// spectrum bins [frequency_starts[c], frequency_starts[c] + widths[c]) with
// weights[weight_starts[c] + j]; `weights` feed channel c and `unweights` feed
// channel c - 1 (the rising and falling edges of neighbouring triangles).
// Entry 0 of the three per-channel arrays is the lower edge only: its
// weighted sum is discarded, so the arrays have num_channels + 1 entries.
struct MelFilterBank {
  int32_t num_channels = 0;
  const int16_t* frequency_starts = nullptr;  // num_channels + 1 bins
  const int16_t* weight_starts = nullptr;     // num_channels + 1 indices
  const int16_t* widths = nullptr;            // num_channels + 1 bin counts
  const int16_t* weights = nullptr;           // weight_count, scale 1 << 12
  const int16_t* unweights = nullptr;         // weight_count, scale 1 << 12
  int32_t weight_count = 0;
};

// The micro_speech preprocessor's filter bank: 40 channels, 125 Hz to
// 7500 Hz at 16 kHz with a 512-point FFT.
MelFilterBank DefaultMelFilterBank();

// The preprocessor's tables (src/audio/frontend_tables.cc).
extern const int16_t kHannWindow480[480];   // round(4096 * hann), periodic-centred
extern const int16_t kPcanGainLut125[125];  // PCAN strength 0.95, offset 80, 21 gain bits

struct AudioFrontendConfig {
  int32_t sample_rate_hz = 16000;  // informational: time stamps only
  int32_t window_samples = 480;    // 30 ms
  int32_t stride_samples = 320;    // 20 ms
  int32_t fft_length = kAudioFrontendFftLength;

  // Window (SignalWindow): out = saturate16((sample * window[i]) >> window_shift).
  const int16_t* window = kHannWindow480;  // window_samples coefficients
  int32_t window_shift = 12;

  // Energy (SignalEnergy): bins outside [start, end) count as zero.
  int32_t spectrum_start_bin = 5;  // 156.25 Hz
  int32_t spectrum_end_bin = 241;  // 7531.25 Hz

  MelFilterBank filter_bank = DefaultMelFilterBank();

  // Spectral subtraction (SignalFilterBankSpectralSubtraction). Coefficients
  // have spectral_subtraction_bits fractional bits: smoothing 409 = 0.025,
  // alternate 983 = 0.06 (odd channels), min_signal_remaining 819 = 0.05.
  int32_t smoothing_bits = 10;
  int32_t spectral_subtraction_bits = 14;
  int32_t smoothing = 409;
  int32_t one_minus_smoothing = 15975;
  int32_t alternate_smoothing = 983;
  int32_t alternate_one_minus_smoothing = 15401;
  int32_t min_signal_remaining = 819;
  bool clamping = false;

  // PCAN (SignalPCAN): gain = interpolated gain_lut[noise estimate];
  // snr = (signal * gain) >> pcan_snr_shift, then the "shrink" curve.
  bool pcan_enabled = true;
  const int16_t* pcan_gain_lut = kPcanGainLut125;
  int32_t pcan_gain_lut_size = 125;
  int32_t pcan_snr_shift = 6;

  // Log (SignalFilterBankLog): round(ln(x << input_correction_bits) * output_scale).
  int32_t log_input_correction_bits = 3;
  int32_t log_output_scale = 64;

  // int8 features: (log * multiplier + divisor / 2) / divisor + zero_point,
  // C division (towards zero), clamped to [-128, 127].
  int32_t feature_multiplier = 256;
  int32_t feature_divisor = 666;
  int32_t feature_zero_point = -128;
};

// Streaming state and per-frame scratch. Plain data: zero it, or let
// AudioFrontend::Create / Reset do so. sizeof(AudioFrontendState) is the
// front end's whole RAM (about 3.6 KB); the AudioFrontend handle adds its
// config copy.
struct AudioFrontendState {
  int16_t samples[kAudioFrontendMaxWindowSamples];  // the window being filled
  int32_t sample_count;                             // valid samples in `samples`
  int32_t samples_to_skip;                          // when stride_samples > window_samples
  uint32_t frame_count;                             // frames emitted since Create / Reset
  uint32_t noise_estimate[kAudioFrontendMaxChannels];
  // Scratch for one frame (contents meaningless between frames).
  union {
    int16_t fft_input[kAudioFrontendFftLength];
    int16_t spectrum[2 * kAudioFrontendSpectrumBins];  // re, im pairs
    uint64_t channel_sums[kAudioFrontendMaxChannels + 1];
  } a;
  union {
    int16_t fft_work[kAudioFrontendFftLength + 2];  // fft_length/2 complex + pad
    uint32_t energy[kAudioFrontendSpectrumBins];
  } b;
  uint32_t channels[kAudioFrontendMaxChannels];
};

// Called once per completed frame with `channel_count` int8 features; the
// pointer is valid during the call only.
using AudioFrameCallback = void (*)(const int8_t* features, int channel_count, void* user);

class AudioFrontend {
 public:
  AudioFrontend() = default;

  // Checks `config` (sizes, table bounds: every filter bank channel inside
  // the spectrum, every weight index inside weight_count) and resets `state`.
  static Status Create(const AudioFrontendConfig& config, AudioFrontendState* state,
                       AudioFrontend* frontend);

  // Consumes samples until one frame completes or the input runs out.
  // `*consumed` says how many were taken; when `*frame_ready` is true,
  // `features` (channel_count() bytes) holds the new frame. Call again with
  // the rest. Any block size works, including 0 and 1.
  Status Push(const int16_t* samples, size_t count, size_t* consumed, int8_t* features,
              bool* frame_ready);

  // Consumes all samples, calling `on_frame` for each frame that completes.
  Status Push(const int16_t* samples, size_t count, AudioFrameCallback on_frame, void* user);

  // Computes one frame from a full window of samples (window_samples),
  // updating the noise estimate as a streamed frame would. The building
  // block of Push; exposed for tests and offline use.
  Status ProcessWindow(const int16_t* window, int8_t* features);

  // Forgets buffered samples and the noise estimate: as after Create.
  void Reset();

  int channel_count() const { return config_.filter_bank.num_channels; }
  const AudioFrontendConfig& config() const { return config_; }
  // Frames emitted since Create / Reset.
  uint32_t frame_count() const { return state_ == nullptr ? 0 : state_->frame_count; }
  // Time, in ms since the stream began, of the end of frame `index`'s window.
  uint32_t FrameEndMs(uint32_t index) const;

 private:
  AudioFrontendConfig config_;
  uint32_t feature_reciprocal_ = 0;  // of config_.feature_divisor, for the last step
  AudioFrontendState* state_ = nullptr;
};

}  // namespace picoml

#endif  // PICOML_AUDIO_FRONTEND_H_

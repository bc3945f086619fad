// The audio front end's stages, one function each, with the integer
// arithmetic of the TFLM signal library ops they reproduce (signal/src/ in
// tensorflow/tflite-micro). Kept apart so each can be tested on hand-made
// inputs; AudioFrontend chains them.
#ifndef PICOML_SRC_AUDIO_SIGNAL_STAGES_H_
#define PICOML_SRC_AUDIO_SIGNAL_STAGES_H_

#include <stddef.h>
#include <stdint.h>

#include "kernels/fixed_point.h"
#include "picoml/audio_frontend.h"

namespace picoml {
namespace audio {

// Number of significant bits of x (0 for 0): 1 -> 1, 0x8000 -> 16.
int BitLength32(uint32_t x);
int BitLength64(uint64_t x);

// out[i] = saturate16((in[i] * window[i]) >> shift).
void ApplyWindow(const int16_t* in, const int16_t* window, int count, int shift, int16_t* out);

// Shifts `data` left in place by the bits the largest magnitude leaves
// unused in int16 and returns that shift. Follows SignalFftAutoScale
// exactly, including its int16 magnitude (-32768 reads as "full").
int AutoScale(int16_t* data, int count);

// KISS FFT's 16-bit fixed-point real FFT of length kAudioFrontendFftLength
// (KISS FFT v1.3.0 with FIXED_POINT=16, as TFLM's SignalRfft builds it): each
// radix-4 stage divides by 4 and the real-FFT split divides by 2 twice, so
// the output is the DFT / fft_length, rounded at every stage as KISS FFT
// rounds. `input` holds fft_length samples; `work` fft_length int16;
// `output` fft_length + 2 int16 (re, im of bins 0..fft_length/2). `output`
// may be `input`.
void RealFft512(const int16_t* input, int16_t* work, int16_t* output);

// out[k] = re^2 + im^2 for k in [start, end), 0 elsewhere (bins 0..bins-1).
void Energy(const int16_t* spectrum, int bins, int start, int end, uint32_t* out);

// Weighted channel sums (num_channels values; the lower-edge sum is dropped).
// `sums` needs num_channels + 1 entries of room. `split_sums` keeps 32-bit
// partial sums (faster without a 64-bit multiply-accumulate, as on the
// lx106); both ways give the same sums.
void AccumulateFilterBank(const MelFilterBank& bank, const uint32_t* energy, uint64_t* sums,
                          bool split_sums = fixed_point::kNarrowMultiply);

// Integer square roots, rounded to nearest as TFLM's Sqrt32 / Sqrt64 do.
uint16_t SquareRoot32(uint32_t x);
uint32_t SquareRoot64(uint64_t x);

// Spectral subtraction: updates `noise_estimate` and writes `out`.
void SpectralSubtraction(const AudioFrontendConfig& config, const uint32_t* in,
                         uint32_t* noise_estimate, uint32_t* out);

// PCAN: out[i] = shrink((in[i] * gain(noise[i])) >> snr_shift), in place.
int16_t PcanGain(uint32_t noise, const int16_t* lut);
uint32_t PcanShrink(uint32_t snr);
void ApplyPcan(const AudioFrontendConfig& config, const uint32_t* noise_estimate,
               uint32_t* channels);

// round(ln(x) * scale) in TFLM's fixed point (x > 0).
uint32_t Log32(uint32_t x, uint32_t scale);
// FilterbankLog: log of (x << correction_bits), 0 for inputs <= 1, capped at 32767.
int16_t LogChannel(uint32_t x, int correction_bits, int32_t scale);

// The int8 feature of one log value (the preprocessor's final arithmetic):
// (log * multiplier + divisor / 2) / divisor + zero point, clamped, with C's
// division (truncating). `reciprocal` is FeatureReciprocal(divisor): with it
// the quotients that matter come from two 32-bit multiplies instead of a
// division, which cores without a divider (the lx106) pay ~350 instructions
// for; the bits are the same.
uint32_t FeatureReciprocal(int32_t divisor);
int8_t QuantizeFeature(int16_t log_value, const AudioFrontendConfig& config, uint32_t reciprocal);

// Tables (frontend_tables.cc).
extern const int16_t kFftTwiddles256[2 * 256];      // exp(-2 pi i k / 256), Q15, floor(x + .5)
extern const int16_t kRealFftTwiddles128[2 * 128];  // exp(-i pi ((k+1)/256 + .5)), Q15
extern const uint16_t kLogCorrection[130];          // round(65536 (log2(1 + k/128) - k/128))
extern const int16_t kMelFrequencyStarts40[41];
extern const int16_t kMelWeightStarts40[41];
extern const int16_t kMelWidths40[41];
extern const int16_t kMelWeights40[316];
extern const int16_t kMelUnweights40[316];

}  // namespace audio
}  // namespace picoml

#endif  // PICOML_SRC_AUDIO_SIGNAL_STAGES_H_

// The front end's stages. Each follows the integer recipe of the TFLM signal
// library op named in signal_stages.h, including where values wrap or
// truncate: the goal is the same bytes, not a better filter.
#include "audio/signal_stages.h"

#include <stdint.h>

#include "kernels/fixed_point.h"

namespace picoml {
namespace audio {

int BitLength32(uint32_t x) {
  int bits = 0;
  while (x != 0) {
    x >>= 1;
    ++bits;
  }
  return bits;
}

int BitLength64(uint64_t x) {
  int bits = 0;
  while (x != 0) {
    x >>= 1;
    ++bits;
  }
  return bits;
}

void ApplyWindow(const int16_t* in, const int16_t* window, int count, int shift, int16_t* out) {
  for (int i = 0; i < count; ++i) {
    const int32_t product = (static_cast<int32_t>(in[i]) * window[i]) >> shift;
    out[i] = static_cast<int16_t>(product > 32767 ? 32767 : (product < -32768 ? -32768 : product));
  }
}

int AutoScale(int16_t* data, int count) {
  // SignalFftAutoScale keeps its running maximum in an int16: negating
  // -32768 wraps back to -32768, which later values can then exceed. Kept
  // as is, so that the rare full-scale negative sample scales the same way.
  int16_t largest = 0;
  for (int i = 0; i < count; ++i) {
    const int16_t value = data[i];
    if (value > largest) {
      largest = value;
    } else if (-value > largest) {
      largest = static_cast<int16_t>(-value);
    }
  }
  // Bit length of the magnitude as an unsigned 32-bit value (a negative
  // int16 converts to a large one: no headroom, no shift).
  // All zeros: TFLM's bit length of 0 reads as 32 (GCC's builtin path), so
  // no shift; it cannot change a zero spectrum, but the shift is returned.
  int shift =
      largest == 0 ? 0 : 15 - BitLength32(static_cast<uint32_t>(static_cast<int32_t>(largest)));
  if (shift < 0) shift = 0;
  for (int i = 0; i < count; ++i)
    data[i] = static_cast<int16_t>(static_cast<int32_t>(data[i]) * (1 << shift));
  return shift;
}

namespace {

// KISS FFT's fixed-point complex arithmetic (FIXED_POINT=16): products are
// rounded Q15 ("sround": add 2^14, shift right 15) and stored in int16;
// sums are int16 (they wrap, as the C code's stores do).
struct Complex16 {
  int16_t re;
  int16_t im;
};

inline Complex16 Load(const int16_t* data, int k) { return {data[2 * k], data[2 * k + 1]}; }
inline void Store(int16_t* data, int k, Complex16 c) {
  data[2 * k] = c.re;
  data[2 * k + 1] = c.im;
}

inline int16_t RoundQ15(int32_t x) { return static_cast<int16_t>((x + (1 << 14)) >> 15); }
inline int16_t Wrap16(int32_t x) { return static_cast<int16_t>(x); }

// C_FIXDIV: KISS FFT divides by multiplying with 32767 / k, rounded Q15.
inline Complex16 Divide(Complex16 c, int32_t k) {
  const int32_t factor = 32767 / k;
  return {RoundQ15(c.re * factor), RoundQ15(c.im * factor)};
}
inline Complex16 Multiply(Complex16 a, Complex16 b) {
  return {RoundQ15(a.re * b.re - a.im * b.im), RoundQ15(a.re * b.im + a.im * b.re)};
}
inline Complex16 Add(Complex16 a, Complex16 b) {
  return {Wrap16(a.re + b.re), Wrap16(a.im + b.im)};
}
inline Complex16 Subtract(Complex16 a, Complex16 b) {
  return {Wrap16(a.re - b.re), Wrap16(a.im - b.im)};
}

constexpr int kComplexLength = kAudioFrontendFftLength / 2;  // 256 = 4^4
// KISS FFT factors 256 into radix-4 stages only: (radix, remaining length).
constexpr int kFactors[] = {4, 64, 4, 16, 4, 4, 4, 1};

// One radix-4 decimation-in-time stage over `m` groups (forward transform).
void Radix4(int16_t* out, int stride, int m) {
  for (int k = 0; k < m; ++k) {
    const Complex16 x0 = Divide(Load(out, k), 4);
    const Complex16 x1 = Divide(Load(out, k + m), 4);
    const Complex16 x2 = Divide(Load(out, k + 2 * m), 4);
    const Complex16 x3 = Divide(Load(out, k + 3 * m), 4);
    const Complex16 t1 = Multiply(x1, Load(kFftTwiddles256, k * stride));
    const Complex16 t2 = Multiply(x2, Load(kFftTwiddles256, 2 * k * stride));
    const Complex16 t3 = Multiply(x3, Load(kFftTwiddles256, 3 * k * stride));
    const Complex16 difference02 = Subtract(x0, t2);
    const Complex16 sum02 = Add(x0, t2);
    const Complex16 sum13 = Add(t1, t3);
    const Complex16 difference13 = Subtract(t1, t3);
    Store(out, k + 2 * m, Subtract(sum02, sum13));
    Store(out, k, Add(sum02, sum13));
    Store(out, k + m,
          {Wrap16(difference02.re + difference13.im), Wrap16(difference02.im - difference13.re)});
    Store(out, k + 3 * m,
          {Wrap16(difference02.re - difference13.im), Wrap16(difference02.im + difference13.re)});
  }
}

// The recursive decimation of KISS FFT's kf_work: `in` is read with
// `stride`; every sub-transform is finished before the stage that joins them.
void ComplexTransform(int16_t* out, const int16_t* in, int stride, const int* factors) {
  const int radix = factors[0];
  const int m = factors[1];
  if (m == 1) {
    for (int q = 0; q < radix; ++q) Store(out, q, Load(in, q * stride));
  } else {
    for (int q = 0; q < radix; ++q)
      ComplexTransform(out + 2 * q * m, in + 2 * q * stride, stride * radix, factors + 2);
  }
  Radix4(out, stride, m);
}

}  // namespace

void RealFft512(const int16_t* input, int16_t* work, int16_t* output) {
  // The real input as 256 complex values (even samples real, odd imaginary).
  ComplexTransform(work, input, 1, kFactors);
  // Split the packed transform into the spectrum of the real signal
  // (kiss_fftr), halving on the way in and again on the way out.
  const Complex16 dc = Divide(Load(work, 0), 2);
  constexpr int n = kComplexLength;
  Store(output, 0, {Wrap16(dc.re + dc.im), 0});
  Store(output, n, {Wrap16(dc.re - dc.im), 0});
  for (int k = 1; k <= n / 2; ++k) {
    const Complex16 mirror = Load(work, n - k);
    const Complex16 fk = Divide(Load(work, k), 2);
    const Complex16 fnk = Divide({mirror.re, Wrap16(-mirror.im)}, 2);
    const Complex16 sum = Add(fk, fnk);
    const Complex16 rotated = Multiply(Subtract(fk, fnk), Load(kRealFftTwiddles128, k - 1));
    Store(output, k, {Wrap16((sum.re + rotated.re) >> 1), Wrap16((sum.im + rotated.im) >> 1)});
    Store(output, n - k, {Wrap16((sum.re - rotated.re) >> 1), Wrap16((rotated.im - sum.im) >> 1)});
  }
}

void Energy(const int16_t* spectrum, int bins, int start, int end, uint32_t* out) {
  for (int k = 0; k < bins; ++k) {
    if (k < start || k >= end) {
      out[k] = 0;
      continue;
    }
    const int32_t re = spectrum[2 * k];
    const int32_t im = spectrum[2 * k + 1];
    // Unsigned sum: (-32768)^2 * 2 is 2^31, which int32 cannot hold.
    out[k] = static_cast<uint32_t>(re * re) + static_cast<uint32_t>(im * im);
  }
}

void AccumulateFilterBank(const MelFilterBank& bank, const uint32_t* energy, uint64_t* sums,
                          bool split_sums) {
  // A bin's energy goes to two neighbouring channels: `weights` to this one,
  // `unweights` to the previous one. Channel 0 here is the lower edge; its
  // sum is only a place for the unweighted part and is dropped.
  //
  // Weights are 0 to 4096 (AudioFrontend::Create checks). With split_sums,
  // a channel of at most 16 bins (the default bank's widest) keeps four
  // 32-bit sums: the high and the low 16 bits of each energy times each
  // weight; each stays below 16 x 65535 x 4096 < 2^32, and the 64-bit total
  // is joined once per channel. Otherwise (and for wider channels) the sums
  // are 64-bit per bin. Both are exact.
  uint64_t weighted = 0;
  for (int c = 0; c <= bank.num_channels; ++c) {
    const uint32_t* e = energy + bank.frequency_starts[c];
    const int16_t* w = bank.weights + bank.weight_starts[c];
    const int16_t* u = bank.unweights + bank.weight_starts[c];
    const int width = bank.widths[c];
    uint64_t unweighted = 0;
    if (split_sums && width <= 16) {
      uint32_t weighted_high = 0, weighted_low = 0, unweighted_high = 0, unweighted_low = 0;
      for (int j = 0; j < width; ++j) {
        const uint32_t high = e[j] >> 16, low = e[j] & 0xFFFFu;
        const uint32_t wj = static_cast<uint16_t>(w[j]), uj = static_cast<uint16_t>(u[j]);
        weighted_high += high * wj;
        weighted_low += low * wj;
        unweighted_high += high * uj;
        unweighted_low += low * uj;
      }
      weighted += (static_cast<uint64_t>(weighted_high) << 16) + weighted_low;
      unweighted = (static_cast<uint64_t>(unweighted_high) << 16) + unweighted_low;
    } else {
      for (int j = 0; j < width; ++j) {
        weighted += fixed_point::MultiplyU32(e[j], static_cast<uint16_t>(w[j]));
        unweighted += fixed_point::MultiplyU32(e[j], static_cast<uint16_t>(u[j]));
      }
    }
    sums[c] = weighted;
    weighted = unweighted;
  }
}

uint16_t SquareRoot32(uint32_t x) {
  if (x == 0) return 0;
  // Digit-by-digit square root from the highest even bit position, then
  // round up when the remainder exceeds the root.
  const int leading = (32 - BitLength32(x)) | 1;
  uint32_t bit = static_cast<uint32_t>(1) << (31 - leading);
  uint32_t root = 0;
  for (int steps = (31 - leading) / 2 + 1; steps > 0; --steps) {
    if (x >= root + bit) {
      x -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  if (x > root && root != 0xFFFF) ++root;
  return static_cast<uint16_t>(root);
}

uint32_t SquareRoot64(uint64_t x) {
  // TFLM's Sqrt64 uses the 32-bit routine whenever the high word is clear.
  if ((x >> 32) == 0) return SquareRoot32(static_cast<uint32_t>(x));
  const int leading = (64 - BitLength64(x)) | 1;
  uint64_t bit = static_cast<uint64_t>(1) << (63 - leading);
  uint64_t root = 0;
  for (int steps = (63 - leading) / 2 + 1; steps > 0; --steps) {
    if (x >= root + bit) {
      x -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  if (x > root && root != 0xFFFFFFFFu) ++root;
  return static_cast<uint32_t>(root);
}

void SpectralSubtraction(const AudioFrontendConfig& config, const uint32_t* in,
                         uint32_t* noise_estimate, uint32_t* out) {
  const int channels = config.filter_bank.num_channels;
  const int bits = config.spectral_subtraction_bits;
  for (int i = 0; i < channels; ++i) {
    const uint32_t signal = in[i];
    // Even channels use `smoothing`, odd ones the alternate coefficient.
    const bool odd = (i & 1) != 0;
    const uint32_t smoothing =
        static_cast<uint32_t>(odd ? config.alternate_smoothing : config.smoothing);
    const uint32_t keep = static_cast<uint32_t>(odd ? config.alternate_one_minus_smoothing
                                                    : config.one_minus_smoothing);
    const uint32_t scaled = signal << config.smoothing_bits;
    noise_estimate[i] = static_cast<uint32_t>((fixed_point::MultiplyU32(scaled, smoothing) +
                                               fixed_point::MultiplyU32(noise_estimate[i], keep)) >>
                                              bits);
    uint32_t estimate = noise_estimate[i];
    if (estimate > scaled) {
      estimate = scaled;
      if (config.clamping) noise_estimate[i] = estimate;
    }
    const uint32_t floor = static_cast<uint32_t>(
        fixed_point::MultiplyU32(signal, static_cast<uint32_t>(config.min_signal_remaining)) >>
        bits);
    const uint32_t subtracted = (scaled - estimate) >> config.smoothing_bits;
    out[i] = subtracted > floor ? subtracted : floor;
  }
}

int16_t PcanGain(uint32_t noise, const int16_t* lut) {
  if (noise <= 2) return lut[noise];
  // One quadratic segment per octave: value, slope, curvature (and a pad),
  // evaluated at the 10 bits below the leading one.
  const int octave = BitLength32(noise);
  const int16_t* segment = lut + 4 * octave - 6;
  const int32_t fraction = static_cast<int16_t>(
      (octave < 11 ? (noise << (11 - octave)) : (noise >> (octave - 11))) & 0x3FF);
  int32_t result = (static_cast<int32_t>(segment[2]) * fraction) >> 5;
  result += static_cast<int32_t>(static_cast<uint32_t>(segment[1]) << 5);
  result *= fraction;
  result = (result + (1 << 14)) >> 15;
  result += segment[0];
  return static_cast<int16_t>(result);
}

// PCAN's SNR has 12 fractional bits, its output 6 (TFLM's kPcanSnrBits,
// kPcanOutputBits).
constexpr int kPcanSnrBits = 12;
constexpr int kPcanOutputBits = 6;

uint32_t PcanShrink(uint32_t snr) {
  // x^2 / 4 below 2, x - 1 above.
  if (snr < (static_cast<uint32_t>(2) << kPcanSnrBits))
    return (snr * snr) >> (2 + 2 * kPcanSnrBits - kPcanOutputBits);
  return (snr >> (kPcanSnrBits - kPcanOutputBits)) - (static_cast<uint32_t>(1) << kPcanOutputBits);
}

void ApplyPcan(const AudioFrontendConfig& config, const uint32_t* noise_estimate,
               uint32_t* channels) {
  for (int i = 0; i < config.filter_bank.num_channels; ++i) {
    const uint32_t gain = static_cast<uint32_t>(
        static_cast<int32_t>(PcanGain(noise_estimate[i], config.pcan_gain_lut)));
    const uint32_t snr =
        static_cast<uint32_t>(fixed_point::MultiplyU32(channels[i], gain) >> config.pcan_snr_shift);
    channels[i] = PcanShrink(snr);
  }
}

uint32_t Log32(uint32_t x, uint32_t scale) {
  // log2(x) = integer part + fraction; the fraction's first approximation is
  // linear (the bits below the leading one), corrected by a 128-segment
  // table of log2(1 + f) - f, interpolated. Then ln = log2 * ln(2) (45426 =
  // round(65536 ln 2)), and the output scale, each rounded.
  constexpr int kScaleBits = 16;
  constexpr int kSegmentBits = 7;
  const uint32_t integer = static_cast<uint32_t>(BitLength32(x) - 1);
  int32_t fraction =
      static_cast<int32_t>(static_cast<int64_t>(x) - (static_cast<int64_t>(1) << integer));
  if (integer < kScaleBits)
    fraction <<= kScaleBits - integer;
  else
    fraction >>= integer - kScaleBits;
  const uint32_t segment = static_cast<uint32_t>(fraction) >> (kScaleBits - kSegmentBits);
  const int32_t c0 = kLogCorrection[segment];
  const int32_t c1 = kLogCorrection[segment + 1];
  const int32_t segment_start = static_cast<int32_t>(segment << (kScaleBits - kSegmentBits));
  const int32_t interpolated = ((c1 - c0) * (fraction - segment_start)) >> kScaleBits;
  const uint32_t log2_fraction = static_cast<uint32_t>(fraction + c0 + interpolated);
  const uint32_t log2 = (integer << kScaleBits) + log2_fraction;
  const uint32_t half = 1u << (kScaleBits - 1);
  const uint32_t natural =
      static_cast<uint32_t>((fixed_point::MultiplyU32(45426, log2) + half) >> kScaleBits);
  return (scale * natural + half) >> kScaleBits;
}

int16_t LogChannel(uint32_t x, int correction_bits, int32_t scale) {
  const uint32_t scaled = x << correction_bits;
  if (scaled <= 1) return 0;
  const uint32_t value = Log32(scaled, static_cast<uint32_t>(scale));
  return static_cast<int16_t>(value < 32767u ? value : 32767u);
}

// ceil(2^22 / d) for divisors below 2^13, 0 (divide) otherwise. For
// u < 2^9 d the estimate (u * r) >> 22 is floor(u / d) or one above it:
// u * r < 2^9 d (2^22 / d + 1) <= 2^32 does not wrap, and the excess
// u (r - 2^22 / d) / 2^22 < 2^9 d / 2^22 < 1.
uint32_t FeatureReciprocal(int32_t divisor) {
  if (divisor < 1 || divisor >= (1 << 13)) return 0;
  const uint32_t d = static_cast<uint32_t>(divisor);
  return ((1u << 22) + d - 1) / d;
}

int8_t QuantizeFeature(int16_t log_value, const AudioFrontendConfig& config, uint32_t reciprocal) {
  const int32_t divisor = config.feature_divisor;
  const int32_t n = static_cast<int32_t>(log_value) * config.feature_multiplier + divisor / 2;
  int32_t quotient;
  const uint32_t magnitude = n < 0 ? 0u - static_cast<uint32_t>(n) : static_cast<uint32_t>(n);
  if (reciprocal != 0 && magnitude < (static_cast<uint32_t>(divisor) << 9)) {
    uint32_t q = (magnitude * reciprocal) >> 22;
    if (q * static_cast<uint32_t>(divisor) > magnitude) --q;
    quotient = n < 0 ? -static_cast<int32_t>(q) : static_cast<int32_t>(q);
  } else {
    quotient = n / divisor;  // far outside the int8 range for the usual zero points
  }
  // In 64 bits: quotient and zero point may each be near the int32 limits.
  int64_t value = static_cast<int64_t>(quotient) + config.feature_zero_point;
  if (value > 127) value = 127;
  if (value < -128) value = -128;
  return static_cast<int8_t>(value);
}

}  // namespace audio
}  // namespace picoml

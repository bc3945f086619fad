// The integer arithmetic that int8 results depend on, in one place, so that
// every kernel rounds exactly as LiteRT does. Tested on its own in
// tests/kernels/fixed_point_test.cc.
//
// Convention, used everywhere in picoml: a shift is a power of two applied to
// the value, positive = left (multiply), negative = right (divide). A real
// multiplier M is stored as (multiplier, shift) with M ~= multiplier * 2^(shift
// - 31) and multiplier in [2^30, 2^31) (Q0.31), or 0.
//
// Facts followed (LiteRT's reference kernels, gemmlowp's fixed-point
// helpers):
//  - double rounding (TFLM's default): x * 2^max(shift,0), then a saturating
//    rounding doubling high multiply (ties rounded up, towards +infinity, on the
//    64-bit product / 2^31), then a rounding divide by 2^max(-shift,0) that
//    rounds half away from zero;
//  - single rounding (TFLITE_SINGLE_ROUNDING, desktop LiteRT): one 64-bit
//    product rounded half up once: (x * m + 2^(30 - shift)) >> (31 - shift),
//    with shift limited to [-31, 30].
#ifndef PICOML_KERNELS_FIXED_POINT_H_
#define PICOML_KERNELS_FIXED_POINT_H_

#include <math.h>
#include <stdint.h>

#include "picoml/types.h"

namespace picoml {
namespace fixed_point {

constexpr int32_t kInt32Min = -2147483647 - 1;
constexpr int32_t kInt32Max = 2147483647;

inline int32_t Min(int32_t a, int32_t b) { return a < b ? a : b; }
inline int32_t Max(int32_t a, int32_t b) { return a > b ? a : b; }
inline int32_t Clamp(int32_t x, int32_t lo, int32_t hi) { return Min(Max(x, lo), hi); }

// a + b modulo 2^32, as LiteRT's int32 accumulators behave on hardware
// (signed overflow itself would be undefined).
inline int32_t WrappingAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// round(a * b / 2^31), saturating the one overflow case (a == b == INT32_MIN),
// on the 64-bit product: cheap where the core multiplies 32 x 32 -> 64 in
// hardware (x86-64, Cortex-M3 and up, ESP32's LX6 with MULSH).
inline int32_t SaturatingRoundingDoublingHighMulWide(int32_t a, int32_t b) {
  if (a == kInt32Min && b == kInt32Min) return kInt32Max;
  const int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = product >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((product + nudge) / (1ll << 31));
}

// The same result from four 16 x 16 products and 32-bit adds, for cores
// whose only 64-bit multiply is a library call (the lx106 has no MULSH: GCC
// calls __muldi3, about 35 instructions plus the spills around the call).
//
// Both roundings of the wide form (ties up, for either sign of the product)
// are floor((a * b + 2^30) / 2^31). With a = ah * 2^16 + al and
// b = bh * 2^16 + bl (ah, bh signed; al, bl in [0, 2^16)):
//   a * b + 2^30 = 2^32 hh + 2^16 (hl + lh) + ll + 2^30
// and, as floor(floor(x / 2^16) / 2^15) = floor(x / 2^31),
//   result = 2 hh + floor((hl + lh + floor(ll / 2^16) + 2^14) / 2^15),
// where hl and lh are split at bit 15 so that no sum overflows.
inline int32_t SaturatingRoundingDoublingHighMulNarrow(int32_t a, int32_t b) {
  if (a == kInt32Min && b == kInt32Min) return kInt32Max;
  const int32_t ah = a >> 16;
  const int32_t bh = b >> 16;
  const uint32_t al = static_cast<uint32_t>(a) & 0xFFFFu;
  const uint32_t bl = static_cast<uint32_t>(b) & 0xFFFFu;
  const int32_t hh = ah * bh;                        // |.| <= 2^30
  const int32_t hl = ah * static_cast<int32_t>(bl);  // |.| < 2^31
  const int32_t lh = static_cast<int32_t>(al) * bh;  // |.| < 2^31
  const uint32_t ll = al * bl;                       // < 2^32
  const uint32_t low = (static_cast<uint32_t>(hl) & 0x7FFFu) +
                       (static_cast<uint32_t>(lh) & 0x7FFFu) + (ll >> 16) + (1u << 14);
  const uint32_t sum = 2u * static_cast<uint32_t>(hh) + static_cast<uint32_t>(hl >> 15) +
                       static_cast<uint32_t>(lh >> 15) + (low >> 15);
  return static_cast<int32_t>(sum);
}

// Which of the two the kernels use. Define PICOML_NARROW_MULTIPLY to 0 or 1
// to choose; by default Xtensa takes the narrow form, because Debian's
// cross compiler targets the lx106. On an ESP32 (LX6, which has MULSH) build
// with -DPICOML_NARROW_MULTIPLY=0. Both give the same bits.
#ifndef PICOML_NARROW_MULTIPLY
#if defined(__XTENSA__)
#define PICOML_NARROW_MULTIPLY 1
#else
#define PICOML_NARROW_MULTIPLY 0
#endif
#endif

// a * b in 64 bits, unsigned: the front end's filter bank, noise and gain
// stages. The narrow form adds four 16 x 16 products (fewer when a factor is
// known to fit 16 bits, as the filter bank's weights do) instead of calling
// __muldi3.
inline uint64_t MultiplyU32Wide(uint32_t a, uint32_t b) {
  return static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
}

inline uint64_t MultiplyU32Narrow(uint32_t a, uint32_t b) {
  const uint32_t al = a & 0xFFFFu, ah = a >> 16;
  const uint32_t bl = b & 0xFFFFu, bh = b >> 16;
  const uint64_t middle = static_cast<uint64_t>(al * bh) + static_cast<uint64_t>(ah * bl);
  return (static_cast<uint64_t>(ah * bh) << 32) + (middle << 16) + static_cast<uint64_t>(al * bl);
}

inline uint64_t MultiplyU32(uint32_t a, uint32_t b) {
#if PICOML_NARROW_MULTIPLY
  return MultiplyU32Narrow(a, b);
#else
  return MultiplyU32Wide(a, b);
#endif
}

constexpr bool kNarrowMultiply = PICOML_NARROW_MULTIPLY != 0;

inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
#if PICOML_NARROW_MULTIPLY
  return SaturatingRoundingDoublingHighMulNarrow(a, b);
#else
  return SaturatingRoundingDoublingHighMulWide(a, b);
#endif
}

// x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31].
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1u << exponent) - 1u);  // 32-bit: no 64-bit shift
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + ((x < 0) ? 1 : 0);
  return (x >> exponent) + ((remainder > threshold) ? 1 : 0);
}

// x * multiplier * 2^(shift - 31), rounded as `rounding` says.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift,
                                             Rounding rounding) {
  if (rounding == Rounding::kSingle) {
    const int total_shift = 31 - shift;
    const int64_t round = static_cast<int64_t>(1) << (total_shift - 1);
    const int64_t result = (static_cast<int64_t>(x) * multiplier + round) >> total_shift;
    return static_cast<int32_t>(result);
  }
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  // The left shift is done in 64 bits and wraps like LiteRT's int32 multiply.
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted, multiplier), right);
}

// Splits a real multiplier into (multiplier, shift) as LiteRT's
// QuantizeMultiplier does: frexp, round the Q0.31 fraction, fold 2^31 back
// into range; multipliers too small to represent (shift < -31) become 0.
// In single-rounding mode shifts above 30 saturate, as that mode requires.
inline void QuantizeMultiplier(double real, int32_t* multiplier, int* shift,
                               Rounding rounding = Rounding::kDouble) {
  if (real == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  int exponent = 0;
  const double fraction = frexp(real, &exponent);
  int64_t q = static_cast<int64_t>(round(fraction * static_cast<double>(1ll << 31)));
  if (q == (1ll << 31)) {
    q /= 2;
    ++exponent;
  }
  if (exponent < -31) {
    exponent = 0;
    q = 0;
  }
  if (rounding == Rounding::kSingle && exponent > 30) {
    exponent = 30;
    q = (1ll << 31) - 1;
  }
  *multiplier = static_cast<int32_t>(q);
  *shift = exponent;
}

// Output range of an int8 tensor after a fused activation, in the quantized
// domain: [-128, 127] narrowed by RELU (>= 0) or RELU6 (<= 6), as LiteRT's
// CalculateActivationRangeQuantized computes it.
inline void ActivationRangeInt8(Activation activation, float scale, int32_t zero_point,
                                int32_t* min, int32_t* max) {
  // real / scale is clamped to +-1e6 before the conversion: a tiny scale
  // would otherwise give a value (or infinity) no int32 holds. Any value that
  // far out is clamped to [-128, 127] below anyway, so results are unchanged.
  const auto quantize = [&](float real) {
    float q = roundf(real / scale);
    if (!(q < 1e6f)) q = 1e6f;
    if (q < -1e6f) q = -1e6f;
    return zero_point + static_cast<int32_t>(q);
  };
  int32_t lo = -128, hi = 127;
  if (activation == Activation::kRelu) {
    lo = Max(lo, quantize(0.0f));
  } else if (activation == Activation::kRelu6) {
    lo = Max(lo, quantize(0.0f));
    hi = Min(hi, quantize(6.0f));
  } else if (activation == Activation::kReluN1To1) {
    lo = Max(lo, quantize(-1.0f));
    hi = Min(hi, quantize(1.0f));
  }
  *min = lo;
  *max = hi;
}

// The float range of a fused activation.
inline void ActivationRangeFloat(Activation activation, float* min, float* max) {
  *min = -INFINITY;
  *max = INFINITY;
  if (activation == Activation::kRelu) {
    *min = 0.0f;
  } else if (activation == Activation::kRelu6) {
    *min = 0.0f;
    *max = 6.0f;
  } else if (activation == Activation::kReluN1To1) {
    *min = -1.0f;
    *max = 1.0f;
  }
}

// The float range LiteRT clamps an elementwise result to (its
// CalculateActivationRange): as ActivationRangeFloat, but "no activation" is
// the finite range [-FLT_MAX, FLT_MAX] (numeric_limits lowest/max), so an
// overflowing float ADD or MUL gives +-FLT_MAX, not infinity.
constexpr float kFloatMax = 3.40282346638528859812e+38f;
inline void FiniteActivationRangeFloat(Activation activation, float* min, float* max) {
  ActivationRangeFloat(activation, min, max);
  if (*min < -kFloatMax) *min = -kFloatMax;
  if (*max > kFloatMax) *max = kFloatMax;
}

// LiteRT's ActivationFunctionWithMinMax: min(max(x, lo), hi) with std::min /
// std::max's comparisons, so NaN passes through unchanged.
inline float ClampFloat(float x, float lo, float hi) {
  const float low_clamped = x < lo ? lo : x;
  return hi < low_clamped ? hi : low_clamped;
}

// A float quantized to int8 as LiteRT's reference Quantize does: value /
// scale rounded half away from zero, plus the zero point, saturated to
// [-128, 127]; NaN gives the zero point (the conversion would be undefined).
inline int8_t QuantizeFloatToInt8(float value, float scale, int32_t zero_point) {
  const float rounded = roundf(value / scale);
  if (rounded != rounded) return static_cast<int8_t>(Clamp(zero_point, -128, 127));  // NaN
  if (rounded >= 2147483648.0f) return 127;
  if (rounded < -2147483648.0f) return -128;
  const int64_t q = static_cast<int64_t>(static_cast<int32_t>(rounded)) + zero_point;
  return static_cast<int8_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
}

}  // namespace fixed_point
}  // namespace picoml

#endif  // PICOML_KERNELS_FIXED_POINT_H_

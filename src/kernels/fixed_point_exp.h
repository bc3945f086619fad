// Fixed-point exp, reciprocal and logistic for the int8 SOFTMAX and LOGISTIC
// kernels, computed exactly as LiteRT does (it uses gemmlowp's fixedpoint.h:
// exp_on_negative_values, one_over_one_plus_x_for_x_in_0_1, logistic; and its
// own GetReciprocal, PreprocessSoftmaxScaling, CalculateInputRadius). Every
// step below is an integer recipe with one right answer; the polynomial and
// Newton-Raphson constants are gemmlowp's raw Q0.31 / Q2.29 values, so the
// results agree bit for bit. Tested on its own in
// tests/kernels/fixed_point_exp_test.cc.
//
// A value "in Qm" is a signed 32-bit raw integer with m integer bits and
// 31 - m fractional bits: real = raw / 2^(31 - m). Sums that LiteRT leaves to
// plain int32 arithmetic wrap here (two's complement) instead of being
// undefined.
#ifndef PICOML_KERNELS_FIXED_POINT_EXP_H_
#define PICOML_KERNELS_FIXED_POINT_EXP_H_

#include <math.h>
#include <stdint.h>

#include "kernels/fixed_point.h"
#include "picoml/types.h"

namespace picoml {
namespace fixed_point {

inline int32_t WrappingSub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

// round((a + b) / 2), ties away from zero (ARM's VRHADD on int32).
inline int32_t RoundingHalfSum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + b;
  return static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// x * 2^exponent: saturating when exponent > 0, rounding to nearest (ties
// away from zero) when exponent < 0.
inline int32_t SaturatingRoundingMultiplyByPOT(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
  const int32_t threshold = static_cast<int32_t>((1ll << (31 - exponent)) - 1);
  if (x > threshold) return kInt32Max;
  if (x < -threshold) return kInt32Min;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

// Changes a raw value from Q(from_bits) to Q(to_bits) (gemmlowp's Rescale).
inline int32_t Rescale(int32_t raw, int from_bits, int to_bits) {
  return SaturatingRoundingMultiplyByPOT(raw, from_bits - to_bits);
}

inline int CountLeadingZeros(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  while ((x & 0x80000000u) == 0) {
    x <<= 1;
    ++n;
  }
  return n;
}

// exp(a) for a in [-1/4, 0), Q0 in, Q0 out: a fourth-order Taylor expansion
// around -1/8.
inline int32_t ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(int32_t a) {
  const int32_t kExpMinusOneEighth = 1895147668;  // exp(-1/8) in Q0
  const int32_t kOneThird = 715827883;            // 1/3 in Q0
  const int32_t x = WrappingAdd(a, 1 << 28);      // a + 1/8
  const int32_t x2 = SaturatingRoundingDoublingHighMul(x, x);
  const int32_t x3 = SaturatingRoundingDoublingHighMul(x2, x);
  const int32_t x4 = SaturatingRoundingDoublingHighMul(x2, x2);
  const int32_t x4_over_4 = RoundingDivideByPOT(x4, 2);
  const int32_t x4_over_24_plus_x3_over_6_plus_x2_over_2 = RoundingDivideByPOT(
      WrappingAdd(SaturatingRoundingDoublingHighMul(WrappingAdd(x4_over_4, x3), kOneThird), x2), 1);
  return WrappingAdd(
      kExpMinusOneEighth,
      SaturatingRoundingDoublingHighMul(kExpMinusOneEighth,
                                        WrappingAdd(x, x4_over_24_plus_x3_over_6_plus_x2_over_2)));
}

// exp(a) for a <= 0. `a` in Q(kIntegerBits), result in Q0 (exp(0) gives
// INT32_MAX, "one" in Q0). The argument is split into a remainder in
// [-1/4, 0) and a sum of powers of two whose exps multiply the result.
template <int kIntegerBits>
int32_t ExpOnNegativeValues(int32_t a) {
  static_assert(kIntegerBits >= 0 && kIntegerBits < 31, "bad integer bits");
  constexpr int kFractionalBits = 31 - kIntegerBits;
  constexpr int32_t kOneQuarter = static_cast<int32_t>(1) << (kFractionalBits - 2);
  const int32_t mask = kOneQuarter - 1;
  const int32_t a_mod_quarter_minus_one_quarter = WrappingSub(a & mask, kOneQuarter);
  int32_t result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(
      Rescale(a_mod_quarter_minus_one_quarter, kIntegerBits, 0));
  const int32_t remainder = WrappingSub(a_mod_quarter_minus_one_quarter, a);
  // exp(-2^k) in Q0 for k = -2 .. 4.
  const int32_t kExpOfMinusPowerOfTwo[7] = {1672461947, 1302514674, 790015084, 290630308,
                                            39332535,   720401,     242};
  for (int k = -2; k <= 4; ++k) {
    if (kIntegerBits <= k) break;
    const int shift = kFractionalBits + k;
    if (remainder & (static_cast<int32_t>(1) << shift))
      result = SaturatingRoundingDoublingHighMul(result, kExpOfMinusPowerOfTwo[k + 2]);
  }
  if (kIntegerBits > 5) {
    // Below -32 the result is 0 (only formats with more than 5 integer bits
    // can hold such values).
    const int32_t minus_32 =
        -(static_cast<int32_t>(1) << (kIntegerBits > 5 ? 36 - kIntegerBits : 0));
    if (a < minus_32) result = 0;
  }
  return a == 0 ? kInt32Max : result;
}

// 1 / (1 + a) for a in [0, 1), Q0 in, Q0 out: three Newton-Raphson steps in
// Q2 from the initial estimate 48/17 - 32/17 * d, d = (1 + a) / 2.
inline int32_t OneOverOnePlusXForXIn0To1(int32_t a) {
  const int32_t half_denominator = RoundingHalfSum(a, kInt32Max);
  const int32_t k48Over17 = 1515870810;        // Q2
  const int32_t kMinus32Over17 = -1010580540;  // Q2
  const int32_t kOneInQ2 = 1 << 29;
  int32_t x =
      WrappingAdd(k48Over17, SaturatingRoundingDoublingHighMul(half_denominator, kMinus32Over17));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = SaturatingRoundingDoublingHighMul(half_denominator, x);
    const int32_t one_minus = WrappingSub(kOneInQ2, half_denominator_times_x);
    // x * one_minus is in Q4; bring it back to Q2.
    x = WrappingAdd(x, Rescale(SaturatingRoundingDoublingHighMul(x, one_minus), 4, 2));
  }
  // x / 2 (exact, by reading Q2 as Q1), then Q1 -> Q0.
  return Rescale(x, 1, 0);
}

// 1 / (1 + exp(-a)). `a` in Q(kIntegerBits), result in Q0.
template <int kIntegerBits>
int32_t Logistic(int32_t a) {
  if (a == 0) return 1 << 30;  // one half
  const int32_t abs_a = a > 0 ? a : WrappingSub(0, a);
  const int32_t positive_result =
      OneOverOnePlusXForXIn0To1(ExpOnNegativeValues<kIntegerBits>(WrappingSub(0, abs_a)));
  return a > 0 ? positive_result : WrappingSub(kInt32Max, positive_result);
}

// 1 / x for a positive x in Q(x_integer_bits): returns a Q0 value s and
// `num_bits_over_unit` n with 1 / x = s * 2^-n (s in [1/2, 1)). LiteRT's
// GetReciprocal.
// A non-positive x (which the callers rule out) is taken as the smallest
// positive value, so that the shifts below stay defined.
inline int32_t Reciprocal(int32_t x, int x_integer_bits, int* num_bits_over_unit) {
  if (x <= 0) x = 1;
  const int headroom_plus_one = CountLeadingZeros(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_bits - headroom_plus_one;
  const int32_t shifted_sum_minus_one = static_cast<int32_t>(
      (static_cast<uint32_t>(x) << headroom_plus_one) - (static_cast<uint32_t>(1) << 31));
  return OneOverOnePlusXForXIn0To1(shifted_sum_minus_one);
}

// x / 2^exponent rounded to nearest (ties away from zero), for any exponent
// >= 0: beyond 31 every int32 rounds to 0 (LiteRT's softmax refuses those
// exponents with a CHECK; this is the value the formula asks for).
inline int32_t RoundingDivideByPOTAnyExponent(int32_t x, int exponent) {
  if (exponent <= 31) return RoundingDivideByPOT(x, exponent);
  return 0;
}

// The largest |input difference| whose rescaled value (by a multiplier with
// `input_left_shift`) still fits Q(input_integer_bits): LiteRT's
// CalculateInputRadius, floor((2^ib - 1) * 2^(total_signed_bits - ib) /
// 2^input_left_shift), in double as LiteRT computes it.
inline int32_t CalculateInputRadius(int input_integer_bits, int input_left_shift,
                                    int total_signed_bits = 31) {
  const double max_input_rescaled =
      static_cast<double>((1 << input_integer_bits) - 1) *
      ldexp(1.0, total_signed_bits - input_integer_bits - input_left_shift);
  const double radius = floor(max_input_rescaled);
  return radius >= 2147483647.0 ? kInt32Max : static_cast<int32_t>(radius);
}

// LiteRT's PreprocessSoftmaxScaling: the multiplier that takes an int8 input
// difference to Q(input_integer_bits), beta * input_scale * 2^(31 - ib),
// capped at 2^31 - 1 (double rounding) or 2^30 - 1 (single rounding, whose
// multiply needs a shift <= 30), then split as QuantizeMultiplier does.
// Returns false when the real multiplier is not above 1 (LiteRT aborts with a
// CHECK there): beta * input_scale below 2^-26 for softmax.
inline bool PreprocessSoftmaxScaling(double beta, double input_scale, int input_integer_bits,
                                     Rounding rounding, int32_t* multiplier, int* left_shift) {
  const double cap = rounding == Rounding::kSingle ? (1ll << 30) - 1.0 : (1ll << 31) - 1.0;
  double real = beta * input_scale * static_cast<double>(1 << (31 - input_integer_bits));
  if (real > cap) real = cap;
  if (!(real > 1.0)) return false;
  QuantizeMultiplier(real, multiplier, left_shift, rounding);
  return *left_shift >= 0;
}

}  // namespace fixed_point
}  // namespace picoml

#endif  // PICOML_KERNELS_FIXED_POINT_EXP_H_

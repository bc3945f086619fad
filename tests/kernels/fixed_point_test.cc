// src/kernels/fixed_point.h on hand-computed values (LiteRT / gemmlowp
// rounding rules worked out on paper; see each comment).
#include "kernels/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace picoml::fixed_point {
namespace {

constexpr int32_t kHalf = 1 << 30;  // 0.5 in Q0.31

// Both forms (64-bit product; 16-bit pieces for cores without a wide
// multiply) on the hand-computed values, and the one the kernels use.
class HighMulTest : public ::testing::TestWithParam<int32_t (*)(int32_t, int32_t)> {};

TEST_P(HighMulTest, HandComputedValues) {
  const auto SaturatingRoundingDoublingHighMul = GetParam();
  // The one overflow: (-1) * (-1) in Q0.31 saturates to just below 1.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Min), kInt32Max);
  // 2^30 * 2^30 / 2^31 = 2^29 exactly.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kHalf, kHalf), 1 << 29);
  // 1 * 0.5 = 0.5 -> 1 (half rounds up) ...
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, kHalf), 1);
  // ... and -0.5 -> 0 (gemmlowp's nudge rounds ties toward +infinity) ...
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-1, kHalf), 0);
  // ... while just past -0.5 goes to -1.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-1, kHalf + 1), -1);
  // -1.5 -> -1; 1.5 -> 2.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, kHalf), -1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(3, kHalf), 2);
  // (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31 -> 2^31 - 2.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Max, kInt32Max), 2147483646);
  // -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1) exactly.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Max), -2147483647);
  // 100 * (1 - 2^-31) -> 100.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(100, kInt32Max), 100);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(0, kInt32Min), 0);
}

INSTANTIATE_TEST_SUITE_P(Forms, HighMulTest,
                         ::testing::Values(&SaturatingRoundingDoublingHighMulWide,
                                           &SaturatingRoundingDoublingHighMulNarrow,
                                           &SaturatingRoundingDoublingHighMul));

// The narrow form against the wide one over the cases where the pieces carry
// into each other: every sign of each half, halves at 0, 0x7FFF, 0x8000 and
// 0xFFFF, ties in both directions, and a million pseudo-random pairs.
TEST(FixedPointTest, NarrowHighMulMatchesWide) {
  std::vector<int32_t> edges;
  for (uint32_t high : {0x0000u, 0x0001u, 0x7FFFu, 0x8000u, 0x8001u, 0xFFFFu, 0x4000u, 0xC000u})
    for (uint32_t low : {0x0000u, 0x0001u, 0x7FFFu, 0x8000u, 0xFFFFu, 0x4000u})
      edges.push_back(static_cast<int32_t>((high << 16) | low));
  for (int32_t a : edges)
    for (int32_t b : edges)
      ASSERT_EQ(SaturatingRoundingDoublingHighMulNarrow(a, b),
                SaturatingRoundingDoublingHighMulWide(a, b))
          << a << " * " << b;
  // Ties: a * b = +-2^30 (mod 2^31) exactly.
  for (int32_t a : {1, -1, 3, -3, 1 << 15, -(1 << 15)})
    for (int32_t b : {kHalf, kHalf + 1, kHalf - 1, -kHalf, 3 * (1 << 29)})
      ASSERT_EQ(SaturatingRoundingDoublingHighMulNarrow(a, b),
                SaturatingRoundingDoublingHighMulWide(a, b))
          << a << " * " << b;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  const auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<int32_t>(static_cast<uint32_t>(state >> 16));
  };
  for (int i = 0; i < 1000000; ++i) {
    const int32_t a = next();
    // Half the multipliers as QuantizeMultiplier makes them: [2^30, 2^31).
    const int32_t b = (i & 1) ? static_cast<int32_t>(0x40000000u | (next() & 0x3FFFFFFF)) : next();
    ASSERT_EQ(SaturatingRoundingDoublingHighMulNarrow(a, b),
              SaturatingRoundingDoublingHighMulWide(a, b))
        << a << " * " << b;
  }
}

// The 64-bit unsigned product from 16-bit pieces, against the plain one.
TEST(FixedPointTest, NarrowUnsignedProductMatchesWide) {
  const uint32_t edges[] = {0u,          1u,          0xFFFFu,     0x10000u,    0x7FFFFFFFu,
                            0x80000000u, 0xFFFFFFFFu, 0xFFFF0000u, 0x0000FFFFu, 45426u};
  for (uint32_t a : edges)
    for (uint32_t b : edges)
      ASSERT_EQ(MultiplyU32Narrow(a, b), MultiplyU32Wide(a, b)) << a << " * " << b;
  uint64_t state = 0x2545F4914F6CDD1Dull;
  for (int i = 0; i < 1000000; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const uint32_t a = static_cast<uint32_t>(state);
    const uint32_t b = static_cast<uint32_t>(state >> 32) >> (i % 32);  // all widths
    ASSERT_EQ(MultiplyU32Narrow(a, b), MultiplyU32Wide(a, b)) << a << " * " << b;
  }
  EXPECT_EQ(MultiplyU32Narrow(0xFFFFFFFFu, 0xFFFFFFFFu), 0xFFFFFFFE00000001ull);
}

TEST(FixedPointTest, RoundingDivideByPOTRoundsHalfAwayFromZero) {
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);    // 2.5
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);  // -2.5
  EXPECT_EQ(RoundingDivideByPOT(3, 1), 2);    // 1.5
  EXPECT_EQ(RoundingDivideByPOT(-3, 1), -2);  // -1.5
  EXPECT_EQ(RoundingDivideByPOT(-1, 1), -1);  // -0.5
  EXPECT_EQ(RoundingDivideByPOT(1, 1), 1);    // 0.5
  EXPECT_EQ(RoundingDivideByPOT(6, 2), 2);    // 1.5
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);  // -1.5
  EXPECT_EQ(RoundingDivideByPOT(5, 2), 1);    // 1.25
  EXPECT_EQ(RoundingDivideByPOT(-5, 2), -1);  // -1.25
  EXPECT_EQ(RoundingDivideByPOT(7, 2), 2);    // 1.75
  EXPECT_EQ(RoundingDivideByPOT(-7, 2), -2);  // -1.75
  EXPECT_EQ(RoundingDivideByPOT(-4, 1), -2);
  EXPECT_EQ(RoundingDivideByPOT(123, 0), 123);
  EXPECT_EQ(RoundingDivideByPOT(-123, 0), -123);
  EXPECT_EQ(RoundingDivideByPOT(kHalf, 31), 1);    // 0.5
  EXPECT_EQ(RoundingDivideByPOT(-kHalf, 31), -1);  // -0.5
  EXPECT_EQ(RoundingDivideByPOT(kInt32Min, 31), -1);
  EXPECT_EQ(RoundingDivideByPOT(kInt32Max, 31), 1);
  EXPECT_EQ(RoundingDivideByPOT(kHalf - 1, 31), 0);
}

TEST(FixedPointTest, MultiplyByQuantizedMultiplierBothRoundings) {
  struct Case {
    int32_t x, multiplier;
    int shift;
    int32_t expected_double, expected_single;
  };
  const Case cases[] = {
      {100, kHalf, 0, 50, 50},       // 100 * 0.5
      {5, kHalf, -1, 2, 1},          // 1.25: double rounds 2.5 -> 3 then 1.5 -> 2
      {13, kHalf, -1, 4, 3},         // 3.25: 6.5 -> 7, 3.5 -> 4 vs 3
      {-5, kHalf, -1, -1, -1},       // -1.25: -2.5 -> -2, -1 -> -1
      {-13, kHalf, -1, -3, -3},      // -3.25: -6.5 -> -6, -3
      {-7, kHalf, -1, -2, -2},       // -1.75
      {3, kHalf, 2, 6, 6},           // 3 * 0.5 * 4 (positive shift)
      {3, 3 << 28, 1, 2, 2},         // 3 * 0.375 * 2 = 2.25
      {5, 3 << 28, 1, 4, 4},         // 3.75
      {1000, kHalf, -5, 16, 16},     // 15.625
      {-1000, kHalf, -5, -16, -16},  // -15.625
      {48, kHalf, -5, 1, 1},         // 0.75
      {16, kHalf, -5, 0, 0},         // 0.25
      {32, kHalf, -5, 1, 1},         // 0.5 -> 1 in both
      {-32, kHalf, -5, -1, 0},       // -0.5: away from zero vs half up
      {7, kInt32Max, 0, 7, 7},       // ~1.0
      {12345, 0, 0, 0, 0},           // zero multiplier
      // ~0.25: the high multiply rounds 2^30 - 0.5 up to 2^30, which then
      // rounds to 1 (double rounding); single rounding gives 0.
      {kInt32Max, kHalf, -31, 1, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MultiplyByQuantizedMultiplier(c.x, c.multiplier, c.shift, Rounding::kDouble),
              c.expected_double)
        << c.x << " * " << c.multiplier << " << " << c.shift;
    EXPECT_EQ(MultiplyByQuantizedMultiplier(c.x, c.multiplier, c.shift, Rounding::kSingle),
              c.expected_single)
        << c.x << " * " << c.multiplier << " << " << c.shift;
  }
}

TEST(FixedPointTest, QuantizeMultiplier) {
  int32_t m = -1;
  int shift = -100;
  QuantizeMultiplier(1.0, &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 1);
  QuantizeMultiplier(0.5, &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 0);
  QuantizeMultiplier(0.75, &m, &shift);
  EXPECT_EQ(m, 1610612736);  // 0.75 * 2^31
  EXPECT_EQ(shift, 0);
  QuantizeMultiplier(3.0, &m, &shift);
  EXPECT_EQ(m, 1610612736);
  EXPECT_EQ(shift, 2);
  QuantizeMultiplier(0.0, &m, &shift);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(shift, 0);
  // 2^-32 is the smallest kept (shift -31); 2^-40 is flushed to zero.
  QuantizeMultiplier(std::ldexp(1.0, -32), &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, -31);
  QuantizeMultiplier(std::ldexp(1.0, -40), &m, &shift);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(shift, 0);
  // Just below 1: the Q0.31 fraction rounds up to 2^31 and is folded back
  // to 2^30 with the exponent one higher.
  QuantizeMultiplier(1.0 - std::ldexp(1.0, -40), &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 1);
  QuantizeMultiplier(0.5 - std::ldexp(1.0, -40), &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 0);
  // Just below the round-up point stays at 2^31 - 1.
  QuantizeMultiplier(1.0 - std::ldexp(1.0, -31), &m, &shift);
  EXPECT_EQ(m, kInt32Max);
  EXPECT_EQ(shift, 0);
  // Large multipliers: double rounding keeps the shift, single caps it.
  QuantizeMultiplier(std::ldexp(1.0, 31), &m, &shift, Rounding::kDouble);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 32);
  QuantizeMultiplier(std::ldexp(1.0, 31), &m, &shift, Rounding::kSingle);
  EXPECT_EQ(m, kInt32Max);
  EXPECT_EQ(shift, 30);
}

TEST(FixedPointTest, ActivationRanges) {
  int32_t lo = 0, hi = 0;
  ActivationRangeInt8(Activation::kNone, 0.1f, 5, &lo, &hi);
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, 127);
  ActivationRangeInt8(Activation::kRelu, 0.1f, -128, &lo, &hi);
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, 127);
  ActivationRangeInt8(Activation::kRelu, 0.1f, 10, &lo, &hi);
  EXPECT_EQ(lo, 10);
  EXPECT_EQ(hi, 127);
  ActivationRangeInt8(Activation::kRelu6, 0.05f, -10, &lo, &hi);  // 6 / 0.05 = 120
  EXPECT_EQ(lo, -10);
  EXPECT_EQ(hi, 110);
  ActivationRangeInt8(Activation::kRelu6, 0.01f, 0, &lo, &hi);  // 600 -> clamp
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 127);
  ActivationRangeInt8(Activation::kReluN1To1, 0.25f, 0, &lo, &hi);
  EXPECT_EQ(lo, -4);
  EXPECT_EQ(hi, 4);
  float flo = 0, fhi = 0;
  ActivationRangeFloat(Activation::kRelu6, &flo, &fhi);
  EXPECT_EQ(flo, 0.0f);
  EXPECT_EQ(fhi, 6.0f);
  ActivationRangeFloat(Activation::kNone, &flo, &fhi);
  EXPECT_TRUE(std::isinf(flo) && flo < 0);
  EXPECT_TRUE(std::isinf(fhi) && fhi > 0);
}

}  // namespace
}  // namespace picoml::fixed_point

// The fixed-point exp / reciprocal / logistic helpers against real
// arithmetic (within the approximation error gemmlowp documents: a few parts
// in 10^7) and hand-computed edge cases.
#include "kernels/fixed_point_exp.h"

#include <gtest/gtest.h>

#include <cmath>

namespace picoml::fixed_point {
namespace {

constexpr double kTwo31 = 2147483648.0;

TEST(FixedPointExp, RoundingHalfSumRoundsAwayFromZero) {
  EXPECT_EQ(RoundingHalfSum(1, 2), 2);
  EXPECT_EQ(RoundingHalfSum(-1, -2), -2);
  EXPECT_EQ(RoundingHalfSum(3, 5), 4);
  EXPECT_EQ(RoundingHalfSum(kInt32Max, kInt32Max), kInt32Max);
  EXPECT_EQ(RoundingHalfSum(kInt32Min, kInt32Min), kInt32Min);
}

TEST(FixedPointExp, SaturatingRoundingMultiplyByPOT) {
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(3, 2), 12);
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(1 << 29, 2), kInt32Max);
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(-(1 << 29), 2), kInt32Min);
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT((1 << 29) - 1, 2), kInt32Max - 3);
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(6, -2), 2);    // 1.5 -> 2
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(-6, -2), -2);  // -1.5 -> -2
  EXPECT_EQ(SaturatingRoundingMultiplyByPOT(5, -2), 1);    // 1.25 -> 1
  EXPECT_EQ(Rescale(kInt32Max, 0, 12), 1 << 19);           // one in Q12
}

TEST(FixedPointExp, CountLeadingZeros) {
  EXPECT_EQ(CountLeadingZeros(0u), 32);
  EXPECT_EQ(CountLeadingZeros(1u), 31);
  EXPECT_EQ(CountLeadingZeros(1u << 19), 12);
  EXPECT_EQ(CountLeadingZeros(0x80000000u), 0);
}

TEST(FixedPointExp, ExpOnNegativeValuesInQ5) {
  EXPECT_EQ(ExpOnNegativeValues<5>(0), kInt32Max);
  double worst = 0;
  for (double x = -31.9; x < 0; x += 0.0173) {
    const int32_t raw = static_cast<int32_t>(std::lround(x * (1 << 26)));
    const double exact = std::exp(raw / static_cast<double>(1 << 26)) * kTwo31;
    worst = std::max(worst, std::fabs(ExpOnNegativeValues<5>(raw) - exact));
  }
  EXPECT_LT(worst, 1000.0);  // < 5e-7 of one
  // exp(-1/4) from the polynomial alone (its worst point), exp(-16) from the
  // table alone.
  EXPECT_NEAR(ExpOnNegativeValues<5>(-(1 << 24)), std::exp(-0.25) * kTwo31, 1000);
  EXPECT_NEAR(ExpOnNegativeValues<5>(-(16 << 26)), std::exp(-16.0) * kTwo31, 10);
}

TEST(FixedPointExp, ExpOnNegativeValuesInQ4) {
  for (double x = -15.9; x < 0; x += 0.0371) {
    const int32_t raw = static_cast<int32_t>(std::lround(x * (1 << 27)));
    EXPECT_NEAR(ExpOnNegativeValues<4>(raw), std::exp(raw / static_cast<double>(1 << 27)) * kTwo31,
                1000.0)
        << x;
  }
}

TEST(FixedPointExp, OneOverOnePlusX) {
  for (double x = 0; x < 1.0; x += 0.01) {
    const int32_t raw = static_cast<int32_t>(std::lround(x * kTwo31));
    EXPECT_NEAR(OneOverOnePlusXForXIn0To1(raw), kTwo31 / (1 + raw / kTwo31), 1000.0) << x;
  }
}

TEST(FixedPointExp, LogisticIsSymmetricAndAccurate) {
  EXPECT_EQ(Logistic<4>(0), 1 << 30);
  for (double x = -15.9; x < 16; x += 0.0573) {
    const int32_t raw = static_cast<int32_t>(std::lround(x * (1 << 27)));
    const int32_t y = Logistic<4>(raw);
    EXPECT_NEAR(y, kTwo31 / (1 + std::exp(-raw / static_cast<double>(1 << 27))), 1000.0) << x;
    if (raw != 0) {
      EXPECT_EQ(static_cast<int64_t>(y) + Logistic<4>(-raw), kInt32Max) << x;
    }
  }
}

TEST(FixedPointExp, Reciprocal) {
  int n = 0;
  // One in Q12: 1/1 = ~1 * 2^0.
  EXPECT_NEAR(Reciprocal(1 << 19, 12, &n), kTwo31, 2.0);
  EXPECT_EQ(n, 0);
  // 3 in Q12: 1/3 = (2/3) * 2^-1.
  EXPECT_NEAR(Reciprocal(3 << 19, 12, &n), kTwo31 * 2.0 / 3.0, 1000.0);
  EXPECT_EQ(n, 1);
  // 100.5 in Q12: 1/100.5 = (64/100.5) * 2^-6.
  EXPECT_NEAR(Reciprocal(201 << 18, 12, &n), kTwo31 * 64.0 / 100.5, 1000.0);
  EXPECT_EQ(n, 6);
}

TEST(FixedPointExp, RoundingDivideByPOTAnyExponent) {
  EXPECT_EQ(RoundingDivideByPOTAnyExponent(3 << 20, 21), 2);  // 1.5 -> 2
  EXPECT_EQ(RoundingDivideByPOTAnyExponent(kInt32Max, 31), 1);
  EXPECT_EQ(RoundingDivideByPOTAnyExponent(kInt32Max, 32), 0);
  EXPECT_EQ(RoundingDivideByPOTAnyExponent(kInt32Max, 40), 0);
}

TEST(FixedPointExp, CalculateInputRadius) {
  EXPECT_EQ(CalculateInputRadius(5, 23), 248);  // 31 * 2^26 / 2^23
  EXPECT_EQ(CalculateInputRadius(4, 24), 120);  // 15 * 2^27 / 2^24
  EXPECT_EQ(CalculateInputRadius(5, 27), 15);   // floor(15.5)
  EXPECT_EQ(CalculateInputRadius(5, 0), 2080374784);
  EXPECT_EQ(CalculateInputRadius(4, 40), 0);
}

TEST(FixedPointExp, PreprocessSoftmaxScaling) {
  int32_t multiplier = 0;
  int shift = 0;
  // beta 1, scale 0.1f = 13421773 * 2^-27: 0.1f * 2^26 = 13421773 / 2, whose
  // Q0.31 fraction is 13421773 * 2^7 with exponent 23.
  ASSERT_TRUE(PreprocessSoftmaxScaling(1.0, static_cast<double>(0.1f), 5, Rounding::kDouble,
                                       &multiplier, &shift));
  EXPECT_EQ(multiplier, 13421773 * 128);
  EXPECT_EQ(shift, 23);
  // A huge beta is capped at 2^31 - 1 (double) or 2^30 - 1 (single).
  ASSERT_TRUE(PreprocessSoftmaxScaling(1e10, 1.0, 5, Rounding::kDouble, &multiplier, &shift));
  EXPECT_EQ(multiplier, kInt32Max);
  EXPECT_EQ(shift, 31);
  ASSERT_TRUE(PreprocessSoftmaxScaling(1e10, 1.0, 5, Rounding::kSingle, &multiplier, &shift));
  EXPECT_EQ(multiplier, kInt32Max - 1);
  EXPECT_EQ(shift, 30);
  // Below one: refused (LiteRT aborts).
  EXPECT_FALSE(PreprocessSoftmaxScaling(1e-9, 0.01, 5, Rounding::kDouble, &multiplier, &shift));
  EXPECT_FALSE(PreprocessSoftmaxScaling(-1.0, 0.01, 5, Rounding::kDouble, &multiplier, &shift));
}

}  // namespace
}  // namespace picoml::fixed_point

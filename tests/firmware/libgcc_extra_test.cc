// Checks the lx106 firmware's own arithmetic helpers against the host's
// IEEE-754 hardware (x86-64 SSE rounds every float and double operation to
// nearest even, as the helpers must) and integer division, on edge values
// and many random ones.
#include <gtest/gtest.h>
#include <stdint.h>
#include <string.h>

#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <vector>

extern "C" {
uint32_t picoml_test__udivsi3(uint32_t, uint32_t);
uint32_t picoml_test__umodsi3(uint32_t, uint32_t);
int32_t picoml_test__divsi3(int32_t, int32_t);
uint64_t picoml_test__udivdi3(uint64_t, uint64_t);
uint64_t picoml_test__umoddi3(uint64_t, uint64_t);
int64_t picoml_test__divdi3(int64_t, int64_t);
uint64_t picoml_test__umulsidi3(uint32_t, uint32_t);
int64_t picoml_test__mulsidi3(int32_t, int32_t);
uint64_t picoml_test__muldi3(uint64_t, uint64_t);
float picoml_test__addsf3(float, float);
float picoml_test__subsf3(float, float);
float picoml_test__mulsf3(float, float);
float picoml_test__divsf3(float, float);
float picoml_test__floatsisf(int32_t);
float picoml_test__floatunsisf(uint32_t);
int32_t picoml_test__fixsfsi(float);
uint32_t picoml_test__fixunssfsi(float);
double picoml_test__extendsfdf2(float);
float picoml_test__truncdfsf2(double);
double picoml_test__adddf3(double, double);
double picoml_test__subdf3(double, double);
double picoml_test__muldf3(double, double);
double picoml_test__divdf3(double, double);
double picoml_test__floatsidf(int32_t);
double picoml_test__floatunsidf(uint32_t);
int32_t picoml_test__fixdfsi(double);
uint32_t picoml_test__fixunsdfsi(double);
}

namespace {

constexpr int kRandomCount = 200000;

uint32_t Bits(float x) {
  uint32_t b;
  memcpy(&b, &x, 4);
  return b;
}
uint64_t Bits(double x) {
  uint64_t b;
  memcpy(&b, &x, 8);
  return b;
}
float Float(uint32_t b) {
  float x;
  memcpy(&x, &b, 4);
  return x;
}
double Double(uint64_t b) {
  double x;
  memcpy(&x, &b, 8);
  return x;
}

// Same bits, or both NaN (NaN payloads are not carried by the helpers).
template <typename T>
::testing::AssertionResult SameValue(T expected, T got) {
  if (std::isnan(expected) && std::isnan(got)) return ::testing::AssertionSuccess();
  if (Bits(expected) == Bits(got)) return ::testing::AssertionSuccess();
  // One stream: AssertionResult's << would drop the manipulators.
  std::ostringstream text;
  text << std::hexfloat << "expected " << expected << " (0x" << std::hex << Bits(expected)
       << "), got " << got << " (0x" << Bits(got) << ")";
  return ::testing::AssertionFailure() << text.str();
}

std::vector<float> EdgeFloats() {
  const float max = std::numeric_limits<float>::max();
  const float min_normal = std::numeric_limits<float>::min();
  const float denorm = std::numeric_limits<float>::denorm_min();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = {0.0f,
                          -0.0f,
                          1.0f,
                          -1.0f,
                          0.5f,
                          1.5f,
                          2.0f,
                          3.0f,
                          0.1f,
                          -0.1f,
                          1.0f + 0x1p-23f,
                          1.0f - 0x1p-24f,
                          0x1p-126f,
                          0x1p127f,
                          max,
                          -max,
                          min_normal,
                          -min_normal,
                          denorm,
                          -denorm,
                          3 * denorm,
                          min_normal - denorm,
                          inf,
                          -inf,
                          std::numeric_limits<float>::quiet_NaN(),
                          16777216.0f,
                          16777217.0f,
                          2147483520.0f,
                          -2147483648.0f,
                          4294967040.0f,
                          1e-40f,
                          1e38f,
                          1.17549421e-38f,
                          255.0f,
                          1.0f / 255.0f};
  return v;
}

std::vector<double> EdgeDoubles() {
  const double max = std::numeric_limits<double>::max();
  const double min_normal = std::numeric_limits<double>::min();
  const double denorm = std::numeric_limits<double>::denorm_min();
  const double inf = std::numeric_limits<double>::infinity();
  return {0.0,
          -0.0,
          1.0,
          -1.0,
          0.5,
          1.5,
          3.0,
          0.1,
          -0.1,
          1.0 + 0x1p-52,
          1.0 - 0x1p-53,
          max,
          -max,
          min_normal,
          -min_normal,
          denorm,
          -denorm,
          5 * denorm,
          inf,
          -inf,
          std::numeric_limits<double>::quiet_NaN(),
          2147483647.0,
          -2147483648.0,
          4294967295.0,
          1e300,
          1e-300,
          3.4028235677973366e38,
          3.4028234663852886e38,
          1.401298464324817e-45,
          7.006492321624085e-46,
          1.1754942807573643e-38,
          0.30000000000000004};
}

// Random values of three kinds: any bit pattern (NaNs, infinities, huge and
// tiny), close exponents (real cancellation and rounding), and subnormals.
class RandomValues {
 public:
  explicit RandomValues(uint32_t seed) : engine_(seed) {}

  float NextFloat() {
    const uint32_t kind = engine_() % 3;
    uint32_t bits = static_cast<uint32_t>(engine_());
    if (kind == 1) bits = (bits & 0x807fffffu) | ((127u - 12u + engine_() % 24u) << 23);
    if (kind == 2) bits &= 0x80000000u | (engine_() % 2 ? 0x007fffffu : 0x00ffffffu);
    return Float(bits);
  }
  double NextDouble() {
    const uint32_t kind = engine_() % 3;
    uint64_t bits = engine_();
    if (kind == 1)
      bits = (bits & 0x800fffffffffffffull) |
             (static_cast<uint64_t>(1023 - 30 + engine_() % 60) << 52);
    if (kind == 2) bits &= 0x800fffffffffffffull | (engine_() % 2 ? 0 : 0x0010000000000000ull);
    return Double(bits);
  }
  uint64_t NextBits() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

TEST(LibgccExtraTest, UnsignedAndSignedDivisionMatchTheHost) {
  RandomValues random(1);
  const std::vector<uint32_t> edges32 = {
      0, 1, 2, 3, 7, 10, 255, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff};
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  for (uint32_t n : edges32)
    for (uint32_t d : edges32) pairs.push_back({n, d});
  for (int i = 0; i < kRandomCount; ++i) {
    const uint64_t r = random.NextBits();
    // Divisors of every size, small ones often.
    pairs.push_back({r >> (r % 32), random.NextBits() >> (32 + random.NextBits() % 32)});
  }
  for (auto [n64, d64] : pairs) {
    const uint32_t n = static_cast<uint32_t>(n64), d = static_cast<uint32_t>(d64);
    if (d == 0) continue;
    ASSERT_EQ(n / d, picoml_test__udivsi3(n, d)) << n << " / " << d;
    ASSERT_EQ(n % d, picoml_test__umodsi3(n, d)) << n << " % " << d;
    const int32_t sn = static_cast<int32_t>(n), sd = static_cast<int32_t>(d);
    if (sn == INT32_MIN && sd == -1) continue;
    ASSERT_EQ(sn / sd, picoml_test__divsi3(sn, sd)) << sn << " / " << sd;
  }
  for (int i = 0; i < kRandomCount; ++i) {
    const uint64_t n = random.NextBits() >> (random.NextBits() % 64);
    const uint64_t d = random.NextBits() >> (random.NextBits() % 64);
    if (d == 0) continue;
    ASSERT_EQ(n / d, picoml_test__udivdi3(n, d)) << n << " / " << d;
    ASSERT_EQ(n % d, picoml_test__umoddi3(n, d)) << n << " % " << d;
    const int64_t sn = static_cast<int64_t>(n), sd = static_cast<int64_t>(d);
    if (sn == INT64_MIN && sd == -1) continue;
    ASSERT_EQ(sn / sd, picoml_test__divdi3(sn, sd)) << sn << " / " << sd;
  }
  EXPECT_EQ(INT64_MIN / 2, picoml_test__divdi3(INT64_MIN, 2));
  EXPECT_EQ(-7 / 2, picoml_test__divsi3(-7, 2));  // truncates toward zero: -3
}

TEST(LibgccExtraTest, WideMultiplicationMatchesTheHost) {
  RandomValues random(2);
  const std::vector<uint64_t> edges = {
      0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0xffffffffffffffffull, 0x8000000000000000ull};
  for (uint64_t a : edges)
    for (uint64_t b : edges) {
      ASSERT_EQ(a * b, picoml_test__muldi3(a, b));
      const uint32_t a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b);
      ASSERT_EQ(static_cast<uint64_t>(a32) * b32, picoml_test__umulsidi3(a32, b32));
      ASSERT_EQ(static_cast<int64_t>(static_cast<int32_t>(a32)) * static_cast<int32_t>(b32),
                picoml_test__mulsidi3(static_cast<int32_t>(a32), static_cast<int32_t>(b32)));
    }
  for (int i = 0; i < kRandomCount; ++i) {
    const uint64_t a = random.NextBits(), b = random.NextBits();
    ASSERT_EQ(a * b, picoml_test__muldi3(a, b));
    const uint32_t a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b);
    ASSERT_EQ(static_cast<uint64_t>(a32) * b32, picoml_test__umulsidi3(a32, b32));
    ASSERT_EQ(static_cast<int64_t>(static_cast<int32_t>(a32)) * static_cast<int32_t>(b32),
              picoml_test__mulsidi3(static_cast<int32_t>(a32), static_cast<int32_t>(b32)));
  }
}

void CheckFloatOps(float a, float b) {
  ASSERT_TRUE(SameValue(a + b, picoml_test__addsf3(a, b))) << a << " + " << b;
  ASSERT_TRUE(SameValue(a - b, picoml_test__subsf3(a, b))) << a << " - " << b;
  ASSERT_TRUE(SameValue(a * b, picoml_test__mulsf3(a, b))) << a << " * " << b;
  ASSERT_TRUE(SameValue(a / b, picoml_test__divsf3(a, b))) << a << " / " << b;
}

void CheckDoubleOps(double a, double b) {
  ASSERT_TRUE(SameValue(a + b, picoml_test__adddf3(a, b))) << a << " + " << b;
  ASSERT_TRUE(SameValue(a - b, picoml_test__subdf3(a, b))) << a << " - " << b;
  ASSERT_TRUE(SameValue(a * b, picoml_test__muldf3(a, b))) << a << " * " << b;
  ASSERT_TRUE(SameValue(a / b, picoml_test__divdf3(a, b))) << a << " / " << b;
}

TEST(LibgccExtraTest, SingleArithmeticRoundsLikeTheHost) {
  const std::vector<float> edges = EdgeFloats();
  for (float a : edges)
    for (float b : edges) CheckFloatOps(a, b);
  RandomValues random(3);
  for (int i = 0; i < kRandomCount; ++i) CheckFloatOps(random.NextFloat(), random.NextFloat());
  // Ties: 1 + 2^-24 lies halfway between 1 and its successor; even wins.
  EXPECT_EQ(1.0f, picoml_test__addsf3(1.0f, 0x1p-24f));
  EXPECT_EQ(1.0f + 0x1p-22f, picoml_test__addsf3(1.0f + 0x1p-23f, 0x1p-24f));
  // Overflow to infinity, underflow to a subnormal and to zero.
  EXPECT_TRUE(std::isinf(picoml_test__mulsf3(1e38f, 10.0f)));
  EXPECT_EQ(0x1p-140f, picoml_test__mulsf3(0x1p-70f, 0x1p-70f));
  EXPECT_EQ(0.0f, picoml_test__mulsf3(0x1p-100f, 0x1p-100f));
}

TEST(LibgccExtraTest, DoubleArithmeticRoundsLikeTheHost) {
  const std::vector<double> edges = EdgeDoubles();
  for (double a : edges)
    for (double b : edges) CheckDoubleOps(a, b);
  RandomValues random(4);
  for (int i = 0; i < kRandomCount; ++i) CheckDoubleOps(random.NextDouble(), random.NextDouble());
  EXPECT_EQ(1.0, picoml_test__adddf3(1.0, 0x1p-53));
  EXPECT_TRUE(std::signbit(picoml_test__adddf3(-0.0, -0.0)));
  EXPECT_FALSE(std::signbit(picoml_test__subdf3(0.5, 0.5)));
}

TEST(LibgccExtraTest, ConversionsMatchTheHost) {
  RandomValues random(5);
  std::vector<uint32_t> integers = {0,          1,        2,        0x7fffffff, 0x80000000,
                                    0xffffffff, 16777217, 16777219, 33554435,   0xfffffff0};
  for (int i = 0; i < kRandomCount; ++i)
    integers.push_back(static_cast<uint32_t>(random.NextBits() >> (random.NextBits() % 32)));
  for (uint32_t u : integers) {
    const int32_t s = static_cast<int32_t>(u);
    ASSERT_TRUE(SameValue(static_cast<float>(s), picoml_test__floatsisf(s))) << s;
    ASSERT_TRUE(SameValue(static_cast<float>(u), picoml_test__floatunsisf(u))) << u;
    ASSERT_TRUE(SameValue(static_cast<double>(s), picoml_test__floatsidf(s))) << s;
    ASSERT_TRUE(SameValue(static_cast<double>(u), picoml_test__floatunsidf(u))) << u;
  }

  std::vector<float> floats = EdgeFloats();
  for (int i = 0; i < kRandomCount; ++i) floats.push_back(random.NextFloat());
  for (float f : floats) {
    ASSERT_TRUE(SameValue(static_cast<double>(f), picoml_test__extendsfdf2(f))) << f;
    // float -> int is defined only in range (C11 6.3.1.4).
    if (std::isfinite(f) && f > -2147483649.0f && f < 2147483648.0f) {
      ASSERT_EQ(static_cast<int32_t>(f), picoml_test__fixsfsi(f)) << f;
    }
    if (std::isfinite(f) && f > -1.0f && f < 4294967296.0f) {
      ASSERT_EQ(static_cast<uint32_t>(f), picoml_test__fixunssfsi(f)) << f;
    }
  }

  std::vector<double> doubles = EdgeDoubles();
  for (int i = 0; i < kRandomCount; ++i) {
    doubles.push_back(random.NextDouble());
    // Exactly halfway between two floats, and either side of it: ties to even.
    const float f = random.NextFloat();
    if (std::isfinite(f)) {
      const double next = std::nextafter(f, std::numeric_limits<float>::infinity());
      const double mid = (static_cast<double>(f) + next) / 2;
      doubles.push_back(mid);
      doubles.push_back(std::nextafter(mid, 0.0));
      doubles.push_back(std::nextafter(mid, 1e308));
    }
  }
  for (double d : doubles) {
    ASSERT_TRUE(SameValue(static_cast<float>(d), picoml_test__truncdfsf2(d))) << d;
    if (std::isfinite(d) && d > -2147483649.0 && d < 2147483648.0) {
      ASSERT_EQ(static_cast<int32_t>(d), picoml_test__fixdfsi(d)) << d;
    }
    if (std::isfinite(d) && d > -1.0 && d < 4294967296.0) {
      ASSERT_EQ(static_cast<uint32_t>(d), picoml_test__fixunsdfsi(d)) << d;
    }
  }
}

}  // namespace

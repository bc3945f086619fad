// The 16-bit fixed-point real FFT against a double-precision DFT. KISS FFT
// scales by 1/512 in all (four radix-4 stages of 1/4, one split of 1/2) and
// rounds at each of its five steps, so outputs land within a few units of
// DFT / 512; the per-bin bound is 3 LSB of rounding plus 1e-3 of the bin's
// magnitude for the Q15 twiddles (their error is up to 2^-16 each, summed
// over the stages).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "audio/signal_stages.h"

namespace picoml::audio {
namespace {

constexpr int kN = kAudioFrontendFftLength;

struct Spectrum {
  std::vector<double> re, im;
};

Spectrum ReferenceDft(const std::vector<int16_t>& x) {
  Spectrum s{std::vector<double>(kN / 2 + 1), std::vector<double>(kN / 2 + 1)};
  for (int k = 0; k <= kN / 2; ++k) {
    double re = 0, im = 0;
    for (int n = 0; n < kN; ++n) {
      const double phase = -2.0 * M_PI * static_cast<double>(k) * n / kN;
      re += x[n] * std::cos(phase);
      im += x[n] * std::sin(phase);
    }
    s.re[k] = re / kN;
    s.im[k] = im / kN;
  }
  return s;
}

double MaxError(const std::vector<int16_t>& input) {
  std::vector<int16_t> work(kN), output(kN + 2);
  RealFft512(input.data(), work.data(), output.data());
  const Spectrum reference = ReferenceDft(input);
  double worst = 0;
  for (int k = 0; k <= kN / 2; ++k) {
    const double bound = 3.0 + 1e-3 * std::hypot(reference.re[k], reference.im[k]);
    const double error = std::max(std::fabs(output[2 * k] - reference.re[k]),
                                  std::fabs(output[2 * k + 1] - reference.im[k]));
    EXPECT_LE(error, bound) << "bin " << k;
    worst = std::max(worst, error);
  }
  return worst;
}

TEST(RealFft512, ImpulseIsFlat) {
  std::vector<int16_t> x(kN, 0);
  x[0] = 32767;
  std::vector<int16_t> work(kN), out(kN + 2);
  RealFft512(x.data(), work.data(), out.data());
  // 32767 / 512 = 64.0: every bin 64 (+-1 for the rounding chain), no imaginary part.
  for (int k = 0; k <= kN / 2; ++k) {
    EXPECT_NEAR(out[2 * k], 64, 1) << k;
    EXPECT_NEAR(out[2 * k + 1], 0, 1) << k;
  }
}

TEST(RealFft512, DcAndNyquist) {
  std::vector<int16_t> dc(kN, 1000);
  std::vector<int16_t> work(kN), out(kN + 2);
  RealFft512(dc.data(), work.data(), out.data());
  EXPECT_NEAR(out[0], 1000, 2);
  for (int k = 1; k <= kN / 2; ++k) EXPECT_NEAR(std::hypot(out[2 * k], out[2 * k + 1]), 0, 2);
  std::vector<int16_t> alternating(kN);
  for (int n = 0; n < kN; ++n) alternating[n] = (n & 1) ? -1000 : 1000;
  RealFft512(alternating.data(), work.data(), out.data());
  EXPECT_NEAR(out[kN], 1000, 2);
  EXPECT_EQ(out[kN + 1], 0);
  EXPECT_NEAR(out[0], 0, 2);
}

TEST(RealFft512, SineMatchesTheDft) {
  std::vector<int16_t> x(kN);
  for (int n = 0; n < kN; ++n)
    x[n] = static_cast<int16_t>(std::lround(20000 * std::sin(2 * M_PI * 37.3 * n / kN)));
  EXPECT_LT(MaxError(x), 16.0);  // the peak bin carries the twiddle error
}

TEST(RealFft512, RandomFullScaleMatchesTheDft) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> sample(-32768, 32767);
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<int16_t> x(kN);
    for (auto& v : x) v = static_cast<int16_t>(sample(random));
    EXPECT_LT(MaxError(x), 16.0) << "trial " << trial;
  }
}

TEST(RealFft512, OutputMayOverwriteInput) {
  std::vector<int16_t> x(kN + 2);
  for (int n = 0; n < kN; ++n) x[n] = static_cast<int16_t>((n * 7919) % 20000 - 10000);
  std::vector<int16_t> work(kN), separate(kN + 2);
  RealFft512(x.data(), work.data(), separate.data());
  RealFft512(x.data(), work.data(), x.data());
  EXPECT_EQ(x, separate);
}

}  // namespace
}  // namespace picoml::audio

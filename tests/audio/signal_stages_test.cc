// Each front-end stage on hand-made inputs. Expected values are worked out
// by hand from the TFLM ops' arithmetic (comments show the working).
#include "audio/signal_stages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace picoml::audio {
namespace {

TEST(ApplyWindow, ShiftsAndSaturates) {
  const int16_t in[] = {32767, -32768, 100, -3, 0};
  const int16_t window[] = {8192, 8192, 4096, 1, 4096};  // 2.0, 2.0, 1.0, 1/4096, 1.0 (Q12)
  int16_t out[5];
  ApplyWindow(in, window, 5, 12, out);
  EXPECT_EQ(out[0], 32767);   // 65534 saturates
  EXPECT_EQ(out[1], -32768);  // -65536 saturates
  EXPECT_EQ(out[2], 100);
  EXPECT_EQ(out[3], -1);  // -3 >> 12 rounds towards minus infinity
  EXPECT_EQ(out[4], 0);
}

TEST(AutoScale, FillsInt16) {
  std::vector<int16_t> data = {0, 100, -200};
  EXPECT_EQ(AutoScale(data.data(), 3), 7);  // 200 has 8 bits: 15 - 8 = 7
  EXPECT_EQ(data, (std::vector<int16_t>{0, 12800, -25600}));
  std::vector<int16_t> full = {16384, -3};
  EXPECT_EQ(AutoScale(full.data(), 2), 0);
  std::vector<int16_t> zeros = {0, 0};
  EXPECT_EQ(AutoScale(zeros.data(), 2), 0);
}

TEST(AutoScale, KeepsTflmsInt16MagnitudeQuirk) {
  // TFLM holds the running maximum in an int16: -(-32768) wraps to -32768,
  // so a later 5 becomes the maximum and the data shift by 12 (wrapping).
  std::vector<int16_t> data = {-32768, 5};
  EXPECT_EQ(AutoScale(data.data(), 2), 12);
  EXPECT_EQ(data[0], 0);  // -32768 * 4096 wraps to 0 in int16
  EXPECT_EQ(data[1], 20480);
}

TEST(Energy, SquaresInsideTheBandOnly) {
  const int16_t spectrum[] = {3, 4, 3, 4, -32768, -32768, 1, 1};
  uint32_t out[4];
  Energy(spectrum, 4, 1, 3, out);
  EXPECT_EQ(out[0], 0u);  // below the band
  EXPECT_EQ(out[1], 25u);
  EXPECT_EQ(out[2], 2147483648u);  // 2 * 2^30, needs the unsigned sum
  EXPECT_EQ(out[3], 0u);           // above the band
}

TEST(AccumulateFilterBank, SplitsEachBinBetweenNeighbours) {
  // Lower edge over bin 0, channel 1 over bins 1..2, channel 2 over bin 3.
  const int16_t starts[] = {0, 1, 3};
  const int16_t weight_starts[] = {0, 1, 3};
  const int16_t widths[] = {1, 2, 1};
  const int16_t weights[] = {4096, 1024, 3072, 2048};
  const int16_t unweights[] = {0, 3072, 1024, 2048};
  MelFilterBank bank;
  bank.num_channels = 2;
  bank.frequency_starts = starts;
  bank.weight_starts = weight_starts;
  bank.widths = widths;
  bank.weights = weights;
  bank.unweights = unweights;
  bank.weight_count = 4;
  const uint32_t energy[] = {10, 100, 1000, 0xFFFFFFFFu};
  uint64_t sums[3];
  AccumulateFilterBank(bank, energy, sums);
  EXPECT_EQ(sums[0], 40960u);                      // 4096 * 10 (dropped later)
  EXPECT_EQ(sums[1], 1024u * 100 + 3072u * 1000);  // weights of channel 1
  EXPECT_EQ(sums[2], 3072u * 100 + 1024u * 1000 + 2048ull * 0xFFFFFFFFu);  // its unweights + own
}

// Full-scale energies and weights in channels of 16 bins (the 32-bit split
// sums at their limit) and of 17 bins (the 64-bit path), against plain
// 64-bit arithmetic.
TEST(AccumulateFilterBank, FullScaleSixteenAndSeventeenBinChannels) {
  const int16_t starts[] = {0, 1, 17, 34};
  const int16_t weight_starts[] = {0, 1, 17, 34};
  const int16_t widths[] = {1, 16, 17, 1};
  std::vector<int16_t> weights(35), unweights(35);
  std::vector<uint32_t> energy(35);
  for (int j = 0; j < 35; ++j) {
    weights[j] = static_cast<int16_t>(j % 3 == 0 ? 4096 : 4096 - 37 * j);
    unweights[j] = static_cast<int16_t>(j % 2 == 0 ? 4096 : 11 * j);
    energy[j] = j % 4 == 0 ? 0xFFFFFFFFu : 0xFFFFFFFFu - 977u * static_cast<uint32_t>(j);
    if (j >= 17) {  // the 17-bin channel at its very limit: 32-bit halves would wrap
      weights[j] = unweights[j] = 4096;
      energy[j] = 0xFFFFFFFFu;
    }
  }
  MelFilterBank bank;
  bank.num_channels = 3;
  bank.frequency_starts = starts;
  bank.weight_starts = weight_starts;
  bank.widths = widths;
  bank.weights = weights.data();
  bank.unweights = unweights.data();
  bank.weight_count = 35;
  uint64_t expected[4] = {};
  for (int c = 0; c <= 3; ++c)
    for (int j = starts[c]; j < starts[c] + widths[c]; ++j) {
      expected[c] += static_cast<uint64_t>(weights[j]) * energy[j];
      if (c + 1 <= 3) expected[c + 1] += static_cast<uint64_t>(unweights[j]) * energy[j];
    }
  for (bool split : {false, true}) {
    uint64_t sums[4];
    AccumulateFilterBank(bank, energy.data(), sums, split);
    for (int c = 0; c <= 3; ++c) EXPECT_EQ(sums[c], expected[c]) << c << (split ? " split" : "");
  }
}

// The default bank on random spectra of every scale, both ways.
TEST(AccumulateFilterBank, SplitSumsMatchWideSumsOnTheDefaultBank) {
  const MelFilterBank bank = AudioFrontendConfig().filter_bank;
  uint64_t state = 0x853C49E6748FEA9Bull;
  std::vector<uint32_t> energy(kAudioFrontendSpectrumBins);
  for (int frame = 0; frame < 2000; ++frame) {
    for (uint32_t& e : energy) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      e = static_cast<uint32_t>(state) >> (frame % 33 == 32 ? 0 : frame % 33);
    }
    uint64_t wide[kAudioFrontendMaxChannels + 1], split[kAudioFrontendMaxChannels + 1];
    AccumulateFilterBank(bank, energy.data(), wide, false);
    AccumulateFilterBank(bank, energy.data(), split, true);
    for (int c = 0; c <= bank.num_channels; ++c) ASSERT_EQ(split[c], wide[c]) << frame << " " << c;
  }
}

TEST(SquareRoot, RoundsToNearest) {
  EXPECT_EQ(SquareRoot32(0), 0);
  EXPECT_EQ(SquareRoot32(1), 1);
  EXPECT_EQ(SquareRoot32(2), 1);  // 1.41
  EXPECT_EQ(SquareRoot32(3), 2);  // 1.73
  EXPECT_EQ(SquareRoot32(16), 4);
  EXPECT_EQ(SquareRoot32(20), 4);                // 4.47
  EXPECT_EQ(SquareRoot32(21), 5);                // 4.58
  EXPECT_EQ(SquareRoot32(0xFFFFFFFFu), 0xFFFF);  // 65535.99..., capped at 16 bits
  EXPECT_EQ(SquareRoot64(1ull << 32), 65536u);
  EXPECT_EQ(SquareRoot64(1ull << 40), 1u << 20);
  EXPECT_EQ(SquareRoot64((1ull << 40) + (1ull << 20) + 1), (1u << 20) + 1);  // 2^20 + 0.5 + e
  EXPECT_EQ(SquareRoot64(~0ull), 0xFFFFFFFFu);
  for (uint64_t x : {5ull, 99ull, 12345678ull, 98765432109ull, 1ull << 50}) {
    const double root = std::sqrt(static_cast<double>(x));
    EXPECT_LE(std::fabs(SquareRoot64(x) - root), 0.5 + 1e-9) << x;
  }
}

TEST(SpectralSubtraction, UpdatesTheNoiseEstimateAndSubtracts) {
  AudioFrontendConfig config;
  config.filter_bank.num_channels = 2;
  const uint32_t in[] = {1000, 1000};
  uint32_t noise[] = {0, 0};
  uint32_t out[2];
  SpectralSubtraction(config, in, noise, out);
  // Even channel: scaled = 1000 << 10 = 1024000; noise = 1024000 * 409 >> 14 = 25562;
  // out = (1024000 - 25562) >> 10 = 975 (floor 1000 * 819 >> 14 = 49).
  EXPECT_EQ(noise[0], 25562u);
  EXPECT_EQ(out[0], 975u);
  // Odd channel uses the alternate 983: noise = 61437, out = 962563 >> 10 = 940.
  EXPECT_EQ(noise[1], 61437u);
  EXPECT_EQ(out[1], 940u);
  // Silence after a loud frame: the estimate decays, the floor (0) holds.
  const uint32_t quiet[] = {0, 0};
  SpectralSubtraction(config, quiet, noise, out);
  EXPECT_EQ(noise[0], 25562u * 15975u >> 14);
  EXPECT_EQ(out[0], 0u);
}

TEST(SpectralSubtraction, ClampingPullsTheEstimateDown) {
  AudioFrontendConfig config;
  config.filter_bank.num_channels = 1;
  config.clamping = true;
  const uint32_t in[] = {1};
  uint32_t noise[] = {1000000};
  uint32_t out[1];
  SpectralSubtraction(config, in, noise, out);
  EXPECT_EQ(noise[0], 1024u);  // clamped to the scaled signal 1 << 10
  EXPECT_EQ(out[0], 0u);
}

TEST(Pcan, GainTableAndShrink) {
  // Noise 0..2 read the table directly; 4 starts the third octave segment
  // (entries 6..8) at fraction 0, i.e. its value entry.
  EXPECT_EQ(PcanGain(0, kPcanGainLut125), 32636);
  EXPECT_EQ(PcanGain(2, kPcanGainLut125), 32630);
  EXPECT_EQ(PcanGain(4, kPcanGainLut125), 32624);
  EXPECT_EQ(PcanGain(1u << 20, kPcanGainLut125), kPcanGainLut125[4 * 21 - 6]);
  // More noise, less gain.
  int16_t previous = PcanGain(3, kPcanGainLut125);
  for (uint32_t noise = 4; noise < (1u << 30); noise = noise * 3 / 2) {
    const int16_t gain = PcanGain(noise, kPcanGainLut125);
    EXPECT_LE(gain, previous) << noise;
    previous = gain;
  }
  EXPECT_EQ(PcanShrink(0), 0u);
  EXPECT_EQ(PcanShrink(4096), 16u);    // 1.0 -> 1/4 (Q12 in, Q6 out)
  EXPECT_EQ(PcanShrink(8192), 64u);    // 2.0 -> 1.0
  EXPECT_EQ(PcanShrink(40960), 576u);  // 10.0 -> 9.0
}

TEST(Log, MatchesTheNaturalLogarithm) {
  EXPECT_EQ(Log32(65536, 64), 710u);   // ln(65536) * 64 = 709.78; the fixed point gives 710
  EXPECT_EQ(Log32(2, 65536), 45426u);  // ln 2 in Q16
  for (uint64_t x = 2; x < 0xF0000000u; x = x * 5 / 3 + 1) {
    const double expected = std::log(static_cast<double>(x)) * 64.0;
    EXPECT_LE(std::fabs(static_cast<double>(Log32(static_cast<uint32_t>(x), 64)) - expected), 1.0)
        << x;
  }
  EXPECT_EQ(LogChannel(0, 3, 64), 0);
  EXPECT_EQ(LogChannel(1, 0, 64), 0);                  // inputs <= 1 give 0
  EXPECT_EQ(LogChannel(0xFFFFFFFFu, 0, 2000), 32767);  // ln(2^32) * 2000 = 44361, capped
}

TEST(QuantizeFeature, RoundsDividesAndClamps) {
  const AudioFrontendConfig config;
  const uint32_t r = FeatureReciprocal(config.feature_divisor);
  EXPECT_EQ(r, 6298u);                                // ceil(2^22 / 666)
  EXPECT_EQ(QuantizeFeature(0, config, r), -128);     // (0 + 333) / 666 - 128
  EXPECT_EQ(QuantizeFeature(500, config, r), 64);     // 128333 / 666 = 192
  EXPECT_EQ(QuantizeFeature(332, config, r), 0);      // 85325 / 666 = 128
  EXPECT_EQ(QuantizeFeature(665, config, r), 127);    // 170573 / 666 = 256, clamps
  EXPECT_EQ(QuantizeFeature(32767, config, r), 127);  // 12595 - 128 clamps
  EXPECT_EQ(QuantizeFeature(-10, config, r), -128);   // -2227 / 666 = -3 (towards zero), clamps
  // 0 means divide: the same results.
  EXPECT_EQ(QuantizeFeature(500, config, 0), 64);
  EXPECT_EQ(QuantizeFeature(-10, config, 0), -128);
}

// The reciprocal against C's division, for every int16 log value, under
// divisors around the estimate's limits and zero points that put the
// unclamped band anywhere in the quotient range.
TEST(QuantizeFeature, ReciprocalMatchesDivisionForEveryLogValue) {
  for (int32_t divisor : {1, 2, 3, 7, 255, 256, 333, 666, 667, 1000, 4095, 8191, 8192, 100000}) {
    for (int32_t multiplier : {1, 37, 256, -256, 65536, -65535}) {
      for (int32_t zero_point : {-128, 0, 127, -600, 400}) {
        AudioFrontendConfig config;
        config.feature_divisor = divisor;
        config.feature_multiplier = multiplier;
        config.feature_zero_point = zero_point;
        const uint32_t r = FeatureReciprocal(divisor);
        for (int32_t log = -32768; log <= 32767; ++log) {
          const int64_t n = static_cast<int64_t>(log) * multiplier + divisor / 2;
          if (n < INT32_MIN || n > INT32_MAX) continue;  // the formula itself overflows
          const int64_t value = std::clamp<int64_t>(n / divisor + zero_point, -128, 127);
          ASSERT_EQ(QuantizeFeature(static_cast<int16_t>(log), config, r), value)
              << "log " << log << " divisor " << divisor << " multiplier " << multiplier
              << " zero point " << zero_point;
        }
      }
    }
  }
}

}  // namespace
}  // namespace picoml::audio

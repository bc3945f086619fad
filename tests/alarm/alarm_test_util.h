// Helpers shared by the alarm tool tests.
#ifndef PICOML_TESTS_ALARM_ALARM_TEST_UTIL_H_
#define PICOML_TESTS_ALARM_ALARM_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "alarm/features.h"
#include "alarm/generator.h"

namespace picoml::alarm::test {

// Two 3 s files of white noise (amplitude 0.1), independent of the
// generator's Rng: a linear congruential sequence from `seed`.
inline BackgroundLibrary NoiseLibrary(uint64_t seed) {
  std::vector<std::vector<float>> files(2, std::vector<float>(3 * kSampleRate));
  uint32_t x = static_cast<uint32_t>(seed);
  for (auto& f : files)
    for (float& v : f) {
      x = x * 1664525u + 1013904223u;
      v = (static_cast<float>(x >> 8) / 16777216.0f - 0.5f) * 0.2f;
    }
  return BackgroundLibrary::FromSamples(files);
}

// A small data set: `clips` clips of 10 s, a window every 20 frames, on one
// thread.
inline DatasetOptions SmallDataset(int clips) {
  DatasetOptions options;
  options.clips = clips;
  options.seconds = 10.0;
  options.stride = 20;
  options.threads = 1;
  return options;
}

}  // namespace picoml::alarm::test

#endif  // PICOML_TESTS_ALARM_ALARM_TEST_UTIL_H_

// The front end against LiteRT Micro's audio preprocessor: every feature of
// every frame of the six conformance clips, byte for byte, pushed whole and
// in blocks of several sizes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audio/audio_test_data.h"
#include "host/wav.h"
#include "picoml/audio_frontend.h"

namespace picoml {
namespace {

std::vector<int8_t> FeaturesInBlocks(const std::vector<int16_t>& samples, size_t block) {
  static AudioFrontendState state;
  AudioFrontend frontend;
  EXPECT_TRUE(AudioFrontend::Create(AudioFrontendConfig(), &state, &frontend).ok());
  std::vector<int8_t> features;
  for (size_t at = 0; at < samples.size(); at += block) {
    const size_t n = std::min(block, samples.size() - at);
    const Status status = frontend.Push(
        samples.data() + at, n,
        [](const int8_t* frame, int channels, void* user) {
          auto* out = static_cast<std::vector<int8_t>*>(user);
          out->insert(out->end(), frame, frame + channels);
        },
        &features);
    EXPECT_TRUE(status.ok()) << status.message();
  }
  return features;
}

class ConformanceClip : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!test::HaveConformanceAudio())
      GTEST_SKIP() << "no conformance audio at " << test::AudioDir()
                   << " (../shared beside the checkout); set PICOML_SHARED_DIR";
  }
};

TEST_P(ConformanceClip, FeaturesAreByteIdenticalToThePreprocessor) {
  const std::string clip = GetParam();
  const host::WavAudio audio = host::ReadWav((test::AudioDir() / (clip + ".wav")).string());
  const std::vector<uint8_t> expected =
      test::ReadBytes(test::AudioDir() / (clip + ".features.bin"));
  ASSERT_FALSE(expected.empty());
  ASSERT_EQ(expected.size() % 40, 0u);

  const std::vector<int8_t> features = FeaturesInBlocks(audio.samples, audio.samples.size());
  ASSERT_EQ(features.size(), expected.size()) << "frame count differs";
  int mismatches = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (static_cast<int8_t>(expected[i]) != features[i] && ++mismatches <= 10)
      ADD_FAILURE() << clip << ": frame " << i / 40 << " channel " << i % 40 << ": expected "
                    << int(static_cast<int8_t>(expected[i])) << ", got " << int(features[i]);
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_P(ConformanceClip, BlockSizeDoesNotChangeTheFeatures) {
  const std::string clip = GetParam();
  const host::WavAudio audio = host::ReadWav((test::AudioDir() / (clip + ".wav")).string());
  const std::vector<uint8_t> expected =
      test::ReadBytes(test::AudioDir() / (clip + ".features.bin"));
  for (size_t block : {1, 7, 160, 320, 1000}) {
    const std::vector<int8_t> features = FeaturesInBlocks(audio.samples, block);
    ASSERT_EQ(features.size(), expected.size()) << "block " << block;
    EXPECT_EQ(0, memcmp(features.data(), expected.data(), expected.size())) << "block " << block;
  }
}

INSTANTIATE_TEST_SUITE_P(Clips, ConformanceClip, ::testing::ValuesIn(test::ConformanceClips()),
                         [](const auto& info) { return info.param; });

TEST(AudioFrontend, ResetStartsTheStreamAfresh) {
  if (!test::HaveConformanceAudio()) GTEST_SKIP() << "no conformance audio";
  const host::WavAudio audio = host::ReadWav((test::AudioDir() / "yes_1000ms.wav").string());
  const std::vector<uint8_t> expected =
      test::ReadBytes(test::AudioDir() / "yes_1000ms.features.bin");
  static AudioFrontendState state;
  AudioFrontend frontend;
  ASSERT_TRUE(AudioFrontend::Create(AudioFrontendConfig(), &state, &frontend).ok());
  std::vector<int8_t> ignored;
  auto collect = [](const int8_t* frame, int channels, void* user) {
    auto* out = static_cast<std::vector<int8_t>*>(user);
    out->insert(out->end(), frame, frame + channels);
  };
  ASSERT_TRUE(frontend.Push(audio.samples.data(), 1234, collect, &ignored).ok());
  frontend.Reset();
  EXPECT_EQ(frontend.frame_count(), 0u);
  std::vector<int8_t> features;
  ASSERT_TRUE(frontend.Push(audio.samples.data(), audio.samples.size(), collect, &features).ok());
  ASSERT_EQ(features.size(), expected.size());
  EXPECT_EQ(0, memcmp(features.data(), expected.data(), expected.size()));
  EXPECT_EQ(frontend.frame_count(), 49u);
  EXPECT_EQ(frontend.FrameEndMs(0), 30u);
  EXPECT_EQ(frontend.FrameEndMs(48), 990u);
}

}  // namespace
}  // namespace picoml

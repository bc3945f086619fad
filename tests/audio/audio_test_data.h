// Shared helpers of the audio tests: where the conformance clips are and how
// to read them.
#ifndef PICOML_TESTS_AUDIO_AUDIO_TEST_DATA_H_
#define PICOML_TESTS_AUDIO_AUDIO_TEST_DATA_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace picoml::test {

inline std::filesystem::path AudioDir() {
  return std::filesystem::path(PICOML_SHARED_DIR) / "conformance" / "audio";
}
inline std::filesystem::path ModelPath(const std::string& name) {
  return std::filesystem::path(PICOML_SHARED_DIR) / "conformance" / "models" / name;
}
inline bool HaveConformanceAudio() { return std::filesystem::exists(AudioDir() / "expected.json"); }

inline std::vector<uint8_t> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// The six clips of ../shared/conformance/audio.
inline const std::vector<std::string>& ConformanceClips() {
  static const std::vector<std::string> clips = {"yes_1000ms",   "no_1000ms", "silence_1000ms",
                                                 "noise_1000ms", "yes_30ms",  "no_30ms"};
  return clips;
}

}  // namespace picoml::test

#endif  // PICOML_TESTS_AUDIO_AUDIO_TEST_DATA_H_

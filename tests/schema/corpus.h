// The conformance corpus models, for the schema tests: found through
// PICOML_SHARED_DIR, listed by name so tests can be parameterized on them.
#ifndef PICOML_TESTS_SCHEMA_CORPUS_H_
#define PICOML_TESTS_SCHEMA_CORPUS_H_

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace picoml::test {

inline constexpr const char* kCorpusAbsent = "corpus_absent";

inline std::filesystem::path CorpusModelDir() {
  return std::filesystem::path(PICOML_SHARED_DIR) / "conformance" / "models";
}

// The .tflite files of the corpus, sorted; a single "(corpus absent)" entry
// when the folder is missing, so the test can say so and skip.
inline std::vector<std::string> CorpusModelNames() {
  std::vector<std::string> names;
  std::error_code error;
  if (std::filesystem::is_directory(CorpusModelDir(), error)) {
    for (const auto& entry : std::filesystem::directory_iterator(CorpusModelDir(), error))
      if (entry.path().extension() == ".tflite") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) names.push_back(kCorpusAbsent);
  return names;
}

inline std::vector<uint8_t> ReadCorpusModel(const std::string& name) {
  std::ifstream in(CorpusModelDir() / name, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// gtest parameter names: letters, digits and underscores only.
inline std::string ParamName(const std::string& file) {
  std::string name = file.substr(0, file.find('.'));
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

}  // namespace picoml::test

#define PICOML_SKIP_IF_CORPUS_ABSENT(name)                                               \
  if ((name) == ::picoml::test::kCorpusAbsent)                                           \
  GTEST_SKIP() << "conformance corpus not found at " << ::picoml::test::CorpusModelDir() \
               << " (the shared folder beside the checkout): nothing to check"

#endif  // PICOML_TESTS_SCHEMA_CORPUS_H_

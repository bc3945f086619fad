// The conformance corpus as the benchmarks see it: each model of
// ../shared/conformance/manifest.json with its file, the manifest's MAC count
// and TFLM's arena figure, and the bytes of case A (every input element at
// the input's zero point).
#ifndef PICOML_BENCH_CORPUS_H_
#define PICOML_BENCH_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace picoml::bench {

struct CorpusModel {
  std::string name;
  std::string path;                   // the .tflite file
  int64_t manifest_macs = 0;          // "macs"
  int64_t reference_arena_bytes = 0;  // "reference_arena_used_bytes" (TFLM)
  std::vector<uint8_t> case_a_input;  // cases/<name>/in_A.bin
};

// The conformance folder: PICOML_SHARED_DIR/conformance, or the value of the
// environment variable PICOML_CONFORMANCE_DIR when set.
std::string ConformanceDir();

// Every model of the manifest; throws picoml::host::Error when the manifest or
// a case file cannot be read.
std::vector<CorpusModel> LoadCorpus();

}  // namespace picoml::bench

#endif  // PICOML_BENCH_CORPUS_H_

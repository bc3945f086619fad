// Conformance: every case of ../shared/conformance/manifest.json runs through
// picoml and must reproduce TFLM's output bytes exactly — out_X.bin with the
// default (double) rounding, out_X.single.bin with single rounding. One test
// per model, case and rounding; the model's resolver registers exactly the
// operators the manifest lists. Skipped, saying so, without the corpus.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "host/model_file.h"
#include "picoml/interpreter.h"
#include "picoml/op_resolver.h"

namespace picoml {
namespace {

namespace fs = std::filesystem;

fs::path CorpusDir() { return fs::path(PICOML_SHARED_DIR) / "conformance"; }

struct Case {
  std::string model;  // manifest name
  std::string file;   // model file, relative to the corpus
  std::vector<std::string> operators;
  std::string input, expected;
  Rounding rounding;
  int64_t reference_arena;
  std::string label;  // gtest parameter name
};

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::ifstream in(CorpusDir() / "manifest.json");
  if (!in) return cases;
  const nlohmann::json manifest = nlohmann::json::parse(in);
  for (const auto& m : manifest["models"]) {
    for (const auto& c : m["cases"]) {
      for (Rounding r : {Rounding::kDouble, Rounding::kSingle}) {
        Case k;
        k.model = m["name"];
        k.file = m["file"];
        for (const auto& op : m["operators"]) k.operators.push_back(op);
        k.input = c["input"];
        k.expected = r == Rounding::kDouble ? c["expected"] : c["expected_single_rounding"];
        k.rounding = r;
        k.reference_arena = m["reference_arena_used_bytes"];
        std::string stem = fs::path(k.input).stem().string();  // in_A
        k.label = k.model + "_" + stem.substr(3) + (r == Rounding::kDouble ? "_double" : "_single");
        cases.push_back(k);
      }
    }
  }
  return cases;
}

// A resolver holding exactly the named operators, as an application would.
class ManifestResolver : public MutableOpResolver<24> {
 public:
  explicit ManifestResolver(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      Status s = Status::Error(StatusCode::kUnsupported, "unknown operator %s", name.c_str());
      if (name == "CONV_2D") s = AddConv2D();
      if (name == "DEPTHWISE_CONV_2D") s = AddDepthwiseConv2D();
      if (name == "FULLY_CONNECTED") s = AddFullyConnected();
      if (name == "AVERAGE_POOL_2D") s = AddAveragePool2D();
      if (name == "MAX_POOL_2D") s = AddMaxPool2D();
      if (name == "RESHAPE") s = AddReshape();
      if (name == "SOFTMAX") s = AddSoftmax();
      if (name == "MEAN") s = AddMean();
      if (name == "QUANTIZE") s = AddQuantize();
      if (name == "DEQUANTIZE") s = AddDequantize();
      if (name == "ADD") s = AddAdd();
      if (name == "MUL") s = AddMul();
      EXPECT_TRUE(s.ok()) << s.message();
    }
  }
};

// gtest prints parameters; the label says enough.
void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

class Conformance : public testing::TestWithParam<Case> {};

TEST_P(Conformance, OutputIsByteExact) {
  const Case& c = GetParam();
  if (c.model.empty())
    GTEST_SKIP() << "conformance corpus not found at " << CorpusDir()
                 << ": place the shared folder beside the checkout to run these cases";
  const host::ModelFile file((CorpusDir() / c.file).string());
  ManifestResolver resolver(c.operators);
  host::HostInterpreter host(file.model(), resolver, c.rounding);
  Interpreter& interpreter = host.interpreter();

  const std::vector<uint8_t> input = host::ReadFile((CorpusDir() / c.input).string());
  const std::vector<uint8_t> expected = host::ReadFile((CorpusDir() / c.expected).string());
  const Tensor in = interpreter.input(0);
  ASSERT_EQ(in.bytes, input.size());
  std::memcpy(in.data, input.data(), input.size());
  const Status status = interpreter.Invoke();
  ASSERT_TRUE(status.ok()) << status.message();
  const Tensor out = interpreter.output(0);
  ASSERT_EQ(out.bytes, expected.size());
  const std::vector<uint8_t> actual(static_cast<uint8_t*>(out.data),
                                    static_cast<uint8_t*>(out.data) + out.bytes);
  std::vector<int> want(expected.begin(), expected.end()), got(actual.begin(), actual.end());
  for (auto& v : want) v = static_cast<int8_t>(v);
  for (auto& v : got) v = static_cast<int8_t>(v);
  EXPECT_EQ(got, want) << c.model << " " << c.input;
}

std::vector<Case> Cases() {
  std::vector<Case> cases = LoadCases();
  if (cases.empty()) {  // keep one parameter so the suite reports the skip
    Case missing;
    missing.label = "corpus_missing";
    cases.push_back(missing);
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Corpus, Conformance, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.label; });

// One per model: the planned arena is at most what TFLM reports.
class ConformanceArena : public testing::TestWithParam<Case> {};

TEST_P(ConformanceArena, IsAtMostTheReference) {
  const Case& c = GetParam();
  if (c.model.empty())
    GTEST_SKIP() << "conformance corpus not found at " << CorpusDir()
                 << ": place the shared folder beside the checkout to run these cases";
  const host::ModelFile file((CorpusDir() / c.file).string());
  ManifestResolver resolver(c.operators);
  const ArenaPlan plan = host::PlanArena(file.model(), resolver);
  EXPECT_LE(static_cast<int64_t>(plan.needed_bytes), c.reference_arena)
      << c.model << ": picoml " << plan.needed_bytes << " bytes, TFLM " << c.reference_arena;
  std::printf("[ arena    ] %s: picoml %zu bytes (%zu persistent + %zu activations), TFLM %lld\n",
              c.model.c_str(), plan.needed_bytes, plan.persistent_bytes, plan.activation_bytes,
              static_cast<long long>(c.reference_arena));
}

std::vector<Case> Models() {
  std::vector<Case> models;
  for (const Case& c : Cases())
    if (c.model.empty() ||
        (c.rounding == Rounding::kDouble && c.input.find("in_A") != std::string::npos)) {
      Case m = c;
      m.label = c.model.empty() ? "corpus_missing" : c.model;
      models.push_back(m);
    }
  return models;
}

INSTANTIATE_TEST_SUITE_P(Corpus, ConformanceArena, testing::ValuesIn(Models()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.label; });

}  // namespace
}  // namespace picoml

// Malformed models: systematic mutations of every corpus file. On each mutant
// the flatbuffers library's Verifier (generated VerifyModelBuffer, default
// options) and picoml's Model::VerifyStructure must give the same verdict, and
// Model::Create must return (never crash: this test is meant to run under
// ASan/UBSan too).
//
// Mutations, bounded so the whole test runs in seconds:
//  - truncation: every length up to 96 bytes, then ~200 lengths spread over
//    the file, and the last 16;
//  - words: each 4-byte-aligned word of the first 2 KB and of every table,
//    vtable, vector header and offset vector the library finds, set to 0,
//    0xFFFFFFFF, 0x7FFFFFFF, 0x80000000 and the old value +/-1, +/-4, with
//    its high half +/-2 (a vtable's second entry); sampled evenly when there
//    are more than the budget;
//  - random byte flips (fixed seed): 1 to 4 bytes, near a structural word or
//    anywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "picoml/model.h"
#include "picoml_tflite_generated.h"
#include "schema/corpus.h"

namespace picoml {
namespace {

constexpr size_t kWordMutantBudget = 4000;
constexpr int kRandomMutants = 1500;

// Positions (4-aligned) of the words that hold the model's structure, found
// by walking it with the generated code.
class StructureWords {
 public:
  explicit StructureWords(const std::vector<uint8_t>& bytes) : bytes_(bytes) {
    const picoml_fb::Model* model = picoml_fb::GetModel(bytes.data());
    AddRange(0, 8);
    Table(model);
    Vector(model->operator_codes(), 4, true);
    if (model->operator_codes())
      for (const auto* code : *model->operator_codes()) {
        Table(code);
        Vector(code->custom_code(), 1, false);
      }
    Vector(model->description(), 1, false);
    Vector(model->buffers(), 4, true);
    if (model->buffers())
      for (const auto* buffer : *model->buffers()) {
        Table(buffer);
        Vector(buffer->data(), 1, false);
      }
    Vector(model->metadata_buffer(), 4, true);
    Vector(model->metadata(), 4, true);
    if (model->metadata())
      for (const auto* metadata : *model->metadata()) {
        Table(metadata);
        Vector(metadata->name(), 1, false);
      }
    Vector(model->subgraphs(), 4, true);
    if (!model->subgraphs()) return;
    for (const auto* graph : *model->subgraphs()) {
      Table(graph);
      Vector(graph->inputs(), 4, true);
      Vector(graph->outputs(), 4, true);
      Vector(graph->name(), 1, false);
      Vector(graph->tensors(), 4, true);
      if (graph->tensors())
        for (const auto* tensor : *graph->tensors()) {
          Table(tensor);
          Vector(tensor->shape(), 4, true);
          Vector(tensor->name(), 1, false);
          if (const auto* q = tensor->quantization()) {
            Table(q);
            Vector(q->scale(), 4, true);
            Vector(q->zero_point(), 8, true);
            Vector(q->min(), 4, false);
            Vector(q->max(), 4, false);
          }
        }
      Vector(graph->operators(), 4, true);
      if (graph->operators())
        for (const auto* op : *graph->operators()) {
          Table(op);
          Vector(op->inputs(), 4, true);
          Vector(op->outputs(), 4, true);
          Vector(op->custom_options(), 1, false);
          Vector(op->intermediates(), 4, true);
          if (op->builtin_options()) Table(op->builtin_options());
        }
    }
  }

  std::vector<size_t> words() const { return {words_.begin(), words_.end()}; }

 private:
  size_t At(const void* p) const { return static_cast<const uint8_t*>(p) - bytes_.data(); }
  void AddRange(size_t begin, size_t end) {
    for (size_t p = begin & ~size_t{3}; p < end && p + 4 <= bytes_.size(); p += 4) words_.insert(p);
  }
  // The table's inline part and its vtable.
  void Table(const void* table) {
    const size_t t = At(table);
    int32_t back;
    std::memcpy(&back, bytes_.data() + t, 4);
    const size_t vt = t - static_cast<size_t>(static_cast<int64_t>(back));
    uint16_t vt_size, table_size;
    std::memcpy(&vt_size, bytes_.data() + vt, 2);
    std::memcpy(&table_size, bytes_.data() + vt + 2, 2);
    AddRange(vt, vt + vt_size);
    AddRange(t, t + table_size);
  }
  // The length word; the elements too when `all` (capped at 64).
  template <typename V>
  void Vector(const V* v, size_t element, bool all) {
    if (v == nullptr) return;
    const size_t at = At(v);
    AddRange(at, at + 4);
    if (all) AddRange(at + 4, at + 4 + element * std::min<size_t>(v->size(), 64));
  }

  const std::vector<uint8_t>& bytes_;
  std::set<size_t> words_;
};

struct Tally {
  int mutants = 0, accepted = 0, rejected = 0, disagreements = 0;
  std::vector<std::string> examples;
};

// Checks one mutant; `bytes` has exactly the mutant's size so ASan sees any
// read past its end.
void Check(const std::vector<uint8_t>& bytes, const std::string& what, Tally* tally) {
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  const bool library = picoml_fb::VerifyModelBuffer(verifier);
  const Status picoml = Model::VerifyStructure(bytes.data(), bytes.size());
  ++tally->mutants;
  ++(library ? tally->accepted : tally->rejected);
  if (library != picoml.ok()) {
    ++tally->disagreements;
    if (tally->examples.size() < 10)
      tally->examples.push_back(what + ": flatbuffers " + (library ? "accepts" : "rejects") +
                                ", picoml says '" + picoml.message() + "'");
  }
  Model model;
  const Status created = Model::Create(bytes.data(), bytes.size(), &model);
  if (!library) {
    EXPECT_FALSE(created.ok()) << what;
  }
  if (!created.ok()) {
    EXPECT_NE(created.message()[0], '\0') << what;
  }
}

class Mutation : public ::testing::TestWithParam<std::string> {};

TEST_P(Mutation, FlatbuffersAndPicomlGiveTheSameVerdict) {
  PICOML_SKIP_IF_CORPUS_ABSENT(GetParam());
  const std::vector<uint8_t> original = test::ReadCorpusModel(GetParam());
  ASSERT_GE(original.size(), 64u);
  {
    flatbuffers::Verifier verifier(original.data(), original.size());
    ASSERT_TRUE(picoml_fb::VerifyModelBuffer(verifier));
  }
  Tally tally;

  // Truncation.
  std::set<size_t> lengths;
  for (size_t n = 0; n <= 96; ++n) lengths.insert(n);
  for (size_t k = 1; k < 200; ++k) lengths.insert(original.size() * k / 200);
  for (size_t n = 1; n <= 16; ++n) lengths.insert(original.size() - n);
  for (size_t n : lengths) {
    std::vector<uint8_t> cut(original.begin(), original.begin() + n);
    Check(cut, "truncated to " + std::to_string(n), &tally);
  }

  // Words.
  std::vector<size_t> words = StructureWords(original).words();
  for (size_t p = 0; p < 2048 && p + 4 <= original.size(); p += 4) words.push_back(p);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  constexpr int kValuesPerWord = 12;
  const size_t stride = std::max<size_t>(1, words.size() * kValuesPerWord / kWordMutantBudget);
  std::vector<uint8_t> mutant = original;
  for (size_t w = 0; w < words.size(); w += stride) {
    const size_t at = words[w];
    uint32_t old;
    std::memcpy(&old, original.data() + at, 4);
    const uint32_t values[kValuesPerWord] = {0u,
                                             0xffffffffu,
                                             0x7fffffffu,
                                             0x80000000u,
                                             old + 1,
                                             old - 1,
                                             old + 4,
                                             old - 4,
                                             old + 0x20000u,
                                             old - 0x20000u,
                                             old ^ 0x8000u,
                                             old + static_cast<uint32_t>(original.size())};
    for (uint32_t value : values) {
      if (value == old) continue;
      std::memcpy(mutant.data() + at, &value, 4);
      std::ostringstream what;
      what << "word at " << at << " 0x" << std::hex << old << " -> 0x" << value;
      Check(mutant, what.str(), &tally);
    }
    std::memcpy(mutant.data() + at, &old, 4);
  }

  // Random byte flips, half of them near structure.
  std::mt19937 random(20240601u);
  for (int i = 0; i < kRandomMutants; ++i) {
    std::vector<std::pair<size_t, uint8_t>> saved;
    const int flips = 1 + static_cast<int>(random() % 4);
    std::ostringstream what;
    what << "random flips";
    for (int f = 0; f < flips; ++f) {
      size_t at = random() % original.size();
      if (i % 2 == 0)
        at = std::min(original.size() - 1, words[random() % words.size()] + random() % 4);
      saved.emplace_back(at, mutant[at]);
      const uint8_t bit = static_cast<uint8_t>(1u << (random() % 8));
      mutant[at] ^= (random() % 3 == 0) ? static_cast<uint8_t>(random()) : bit;
      what << " @" << at;
    }
    Check(mutant, what.str(), &tally);
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) mutant[it->first] = it->second;
  }

  std::cout << "[ mutants  ] " << GetParam() << ": " << tally.mutants << " mutants, "
            << tally.accepted << " accepted, " << tally.rejected << " rejected by both verifiers, "
            << tally.disagreements << " disagreements\n";
  std::string examples;
  for (const std::string& e : tally.examples) examples += "  " + e + "\n";
  EXPECT_EQ(tally.disagreements, 0) << examples;
  EXPECT_GT(tally.rejected, 0);
}

INSTANTIATE_TEST_SUITE_P(Corpus, Mutation, ::testing::ValuesIn(test::CorpusModelNames()),
                         [](const auto& info) { return test::ParamName(info.param); });

}  // namespace
}  // namespace picoml

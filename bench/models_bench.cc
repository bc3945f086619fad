// Per corpus model: Invoke() time per inference with both roundings, and the
// start-up steps a device runs once (Model::Create verifies the flatbuffer,
// Interpreter::Create plans the arena and prepares every node).
//
//   build/bench/models_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
//
// Counters: MACs per inference (tools/host/describe.h), MACs/s over CPU time,
// the arena picoml plans and the arena TFLM reports for the same model
// (manifest.json's reference_arena_used_bytes).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "corpus.h"
#include "host/describe.h"
#include "host/model_file.h"
#include "picoml/interpreter.h"
#include "picoml/op_resolver.h"

namespace picoml::bench {
namespace {

const char* RoundingName(Rounding rounding) {
  return rounding == Rounding::kDouble ? "double" : "single";
}

struct Loaded {
  CorpusModel corpus;
  std::unique_ptr<host::ModelFile> file;
  AllOpsResolver resolver;
};

void Invoke(benchmark::State& state, const Loaded* loaded, Rounding rounding) {
  host::HostInterpreter host(loaded->file->model(), loaded->resolver, rounding);
  Interpreter& interpreter = host.interpreter();
  const Tensor input = interpreter.input(0);
  const std::vector<uint8_t>& bytes = loaded->corpus.case_a_input;
  if (bytes.size() != input.bytes) {
    state.SkipWithError("case A input size does not match the model's input tensor");
    return;
  }
  for (auto _ : state) {
    // Inputs may be overwritten during Invoke (their memory is reused), so a
    // real inference writes them first; the copy is part of the figure.
    memcpy(input.data, bytes.data(), bytes.size());
    const Status status = interpreter.Invoke();
    if (!status.ok()) {
      state.SkipWithError(status.message());
      return;
    }
    benchmark::DoNotOptimize(interpreter.output(0).data);
    benchmark::ClobberMemory();
  }
  const double macs = static_cast<double>(host::TotalMacs(loaded->file->model()));
  state.counters["MACs"] = macs;
  state.counters["MACs/s"] =
      benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["arena_picoml"] = static_cast<double>(host.plan().needed_bytes);
  state.counters["arena_tflm"] = static_cast<double>(loaded->corpus.reference_arena_bytes);
}

void ModelCreate(benchmark::State& state, const Loaded* loaded) {
  const host::ModelFile& file = *loaded->file;
  for (auto _ : state) {
    Model model;
    const Status status = Model::Create(file.data(), file.size(), &model);
    if (!status.ok()) {
      state.SkipWithError(status.message());
      return;
    }
    benchmark::DoNotOptimize(model);
  }
  state.counters["model_bytes"] = static_cast<double>(file.size());
}

void InterpreterCreate(benchmark::State& state, const Loaded* loaded, Rounding rounding) {
  const Model& model = loaded->file->model();
  InterpreterOptions options;
  options.rounding = rounding;
  const ArenaPlan plan = host::PlanArena(model, loaded->resolver, rounding);
  host::AlignedBuffer arena(plan.needed_bytes);
  for (auto _ : state) {
    Interpreter interpreter;
    const Status status = Interpreter::Create(model, loaded->resolver, arena.data(), arena.size(),
                                              &interpreter, options);
    if (!status.ok()) {
      state.SkipWithError(status.message());
      return;
    }
    benchmark::DoNotOptimize(interpreter);
  }
  state.counters["arena_picoml"] = static_cast<double>(plan.needed_bytes);
}

}  // namespace
}  // namespace picoml::bench

int main(int argc, char** argv) {
  using namespace picoml;
  using namespace picoml::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Kept alive until the benchmarks have run.
  std::vector<std::unique_ptr<Loaded>> models;
  try {
    for (CorpusModel& corpus : LoadCorpus()) {
      auto loaded = std::make_unique<Loaded>();
      loaded->file = std::make_unique<host::ModelFile>(corpus.path);
      loaded->corpus = std::move(corpus);
      models.push_back(std::move(loaded));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "models_bench: %s\n", e.what());
    return 1;
  }
  for (const auto& loaded : models) {
    const std::string& name = loaded->corpus.name;
    for (Rounding rounding : {Rounding::kDouble, Rounding::kSingle})
      benchmark::RegisterBenchmark(("Invoke/" + name + "/" + RoundingName(rounding)).c_str(),
                                   Invoke, loaded.get(), rounding);
    benchmark::RegisterBenchmark(("ModelCreate/" + name).c_str(), ModelCreate, loaded.get());
    benchmark::RegisterBenchmark(("InterpreterCreate/" + name).c_str(), InterpreterCreate,
                                 loaded.get(), Rounding::kDouble);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

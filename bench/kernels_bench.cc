// Reference against optimized int8 kernels (CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED) on the layers of each corpus model: one benchmark runs
// every eligible layer of a model once with one variant. Both variants must
// give the same bytes; a benchmark whose layers disagree reports an error.
//
//   build/bench/kernels_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "conv_layers.h"
#include "corpus.h"
#include "host/model_file.h"

namespace picoml::bench {
namespace {

struct Layers {
  std::unique_ptr<host::ModelFile> file;
  std::vector<ConvLayer> layers;
  int64_t macs = 0;
};

bool VariantsAgree(std::vector<ConvLayer>& layers) {
  for (ConvLayer& layer : layers) {
    RunLayer(layer, false);
    const std::vector<int8_t> reference = layer.output;
    RunLayer(layer, true);
    if (layer.output != reference) return false;
  }
  return true;
}

void RunLayers(benchmark::State& state, Layers* model, bool optimized) {
  if (!VariantsAgree(model->layers)) {
    state.SkipWithError("reference and optimized kernels disagree on this model's layers");
    return;
  }
  for (auto _ : state) {
    for (ConvLayer& layer : model->layers) RunLayer(layer, optimized);
    benchmark::ClobberMemory();
  }
  const double macs = static_cast<double>(model->macs);
  state.counters["layers"] = static_cast<double>(model->layers.size());
  state.counters["MACs"] = macs;
  state.counters["MACs/s"] =
      benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace
}  // namespace picoml::bench

int main(int argc, char** argv) {
  using namespace picoml;
  using namespace picoml::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::vector<std::unique_ptr<Layers>> models;
  std::vector<std::string> names;
  try {
    for (const CorpusModel& corpus : LoadCorpus()) {
      auto model = std::make_unique<Layers>();
      model->file = std::make_unique<host::ModelFile>(corpus.path);
      model->layers = ConvLayers(model->file->model(), Rounding::kDouble);
      for (const ConvLayer& layer : model->layers) model->macs += layer.macs;
      if (model->layers.empty()) continue;
      names.push_back(corpus.name);
      models.push_back(std::move(model));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kernels_bench: %s\n", e.what());
    return 1;
  }
  for (size_t i = 0; i < models.size(); ++i)
    for (bool optimized : {false, true})
      benchmark::RegisterBenchmark(
          ("ConvLayers/" + names[i] + (optimized ? "/optimized" : "/reference")).c_str(), RunLayers,
          models[i].get(), optimized);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

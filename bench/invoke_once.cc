// A fixed amount of work for counting instructions under callgrind: the
// loop of inferences (or of conv-family layers) is the only instrumented
// code, so the count callgrind reports, divided by N, is the exact number of
// x86-64 instructions per inference, free of the timing noise of a shared
// machine. scripts/bench.sh runs it as
//
//   valgrind --tool=callgrind --instr-atstart=no build/bench/invoke_once MODEL N [double|single]
//   valgrind --tool=callgrind --instr-atstart=no build/bench/invoke_once --layers reference MODEL N
//   valgrind --tool=callgrind --instr-atstart=no build/bench/invoke_once --start-up model MODEL N
//
// and `invoke_once --list` prints the corpus's models with their MAC counts.

// From Debian's valgrind package; without it the counts cannot be taken and
// the program still runs (the macros do nothing outside valgrind anyway).
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "conv_layers.h"
#include "corpus.h"
#include "host/describe.h"
#include "host/model_file.h"
#include "picoml/interpreter.h"
#include "picoml/op_resolver.h"

namespace {

using namespace picoml;
using namespace picoml::bench;

int Usage() {
  std::fprintf(stderr,
               "usage: invoke_once --list\n"
               "       invoke_once MODEL N [double|single]\n"
               "       invoke_once --layers reference|optimized MODEL N\n"
               "       invoke_once --start-up model|interpreter MODEL N\n");
  return 2;
}

const CorpusModel* Find(const std::vector<CorpusModel>& corpus, const std::string& name) {
  for (const CorpusModel& model : corpus)
    if (model.name == name) return &model;
  throw host::Error("no model named '" + name + "' in " + ConformanceDir() + "/manifest.json");
}

int Inferences(const CorpusModel& corpus, long n, Rounding rounding) {
  const host::ModelFile file(corpus.path);
  const AllOpsResolver resolver;
  host::HostInterpreter host(file.model(), resolver, rounding);
  Interpreter& interpreter = host.interpreter();
  const Tensor input = interpreter.input(0);
  if (corpus.case_a_input.size() != input.bytes)
    throw host::Error("case A input size does not match the model's input tensor");
  // One run before counting, so that the dynamic linker's first-call symbol
  // lookups are not counted.
  for (long i = -1; i < n; ++i) {
    if (i == 0) CALLGRIND_START_INSTRUMENTATION;
    memcpy(input.data, corpus.case_a_input.data(), corpus.case_a_input.size());
    const Status status = interpreter.Invoke();
    if (!status.ok()) throw host::Error(status.message());
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  const Tensor output = interpreter.output(0);
  std::printf("%s: %ld inferences, rounding %s, MACs %lld, arena %zu bytes, output[0] %d\n",
              corpus.name.c_str(), n, rounding == Rounding::kDouble ? "double" : "single",
              static_cast<long long>(host::TotalMacs(file.model())), host.plan().needed_bytes,
              static_cast<int>(static_cast<const int8_t*>(output.data)[0]));
  return 0;
}

int Layers(const CorpusModel& corpus, long n, bool optimized) {
  const host::ModelFile file(corpus.path);
  std::vector<ConvLayer> layers = ConvLayers(file.model(), Rounding::kDouble);
  long long macs = 0;
  for (const ConvLayer& layer : layers) macs += layer.macs;
  for (long i = -1; i < n; ++i) {  // the first run is not counted, as above
    if (i == 0) CALLGRIND_START_INSTRUMENTATION;
    for (ConvLayer& layer : layers) RunLayer(layer, optimized);
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  std::printf("%s: %ld runs of %zu layers (%s), MACs %lld\n", corpus.name.c_str(), n, layers.size(),
              optimized ? "optimized" : "reference", macs);
  return 0;
}

// N runs of Model::Create (verification) or of Interpreter::Create (plan
// and prepare, double rounding): what a device does once at start.
int StartUp(const CorpusModel& corpus, long n, bool interpreter_only) {
  const host::ModelFile file(corpus.path);
  const AllOpsResolver resolver;
  const ArenaPlan plan = host::PlanArena(file.model(), resolver);
  host::AlignedBuffer arena(plan.needed_bytes);
  Status status;
  for (long i = -1; i < n && status.ok(); ++i) {  // the first run is not counted, as above
    if (i == 0) CALLGRIND_START_INSTRUMENTATION;
    if (interpreter_only) {
      Interpreter interpreter;
      status =
          Interpreter::Create(file.model(), resolver, arena.data(), arena.size(), &interpreter);
    } else {
      Model model;
      status = Model::Create(file.data(), file.size(), &model);
    }
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  if (!status.ok()) throw host::Error(status.message());
  std::printf("%s: %ld runs of %s\n", corpus.name.c_str(), n,
              interpreter_only ? "Interpreter::Create" : "Model::Create");
  return 0;
}

int Run(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    // name, MACs per inference, conv-family layers measured by --layers and
    // their MACs, tab-separated: exact figures for scripts/bench.sh's tables.
    for (const CorpusModel& model : LoadCorpus()) {
      const host::ModelFile file(model.path);
      long long layer_macs = 0;
      const std::vector<ConvLayer> layers = ConvLayers(file.model(), Rounding::kDouble);
      for (const ConvLayer& layer : layers) layer_macs += layer.macs;
      std::printf("%s\t%lld\t%zu\t%lld\n", model.name.c_str(),
                  static_cast<long long>(host::TotalMacs(file.model())), layers.size(), layer_macs);
    }
    return 0;
  }
  if (argc == 5 && std::strcmp(argv[1], "--layers") == 0) {
    const std::string variant = argv[2];
    if (variant != "reference" && variant != "optimized") return Usage();
    const long n = std::strtol(argv[4], nullptr, 10);
    if (n < 1) return Usage();
    const std::vector<CorpusModel> corpus = LoadCorpus();
    return Layers(*Find(corpus, argv[3]), n, variant == "optimized");
  }
  if (argc == 5 && std::strcmp(argv[1], "--start-up") == 0) {
    const std::string what = argv[2];
    if (what != "model" && what != "interpreter") return Usage();
    const long n = std::strtol(argv[4], nullptr, 10);
    if (n < 1) return Usage();
    const std::vector<CorpusModel> corpus = LoadCorpus();
    return StartUp(*Find(corpus, argv[3]), n, what == "interpreter");
  }
  if (argc != 3 && argc != 4) return Usage();
  const long n = std::strtol(argv[2], nullptr, 10);
  const std::string rounding = argc == 4 ? argv[3] : "double";
  if (n < 1 || (rounding != "double" && rounding != "single")) return Usage();
  const std::vector<CorpusModel> corpus = LoadCorpus();
  return Inferences(*Find(corpus, argv[1]), n,
                    rounding == "double" ? Rounding::kDouble : Rounding::kSingle);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invoke_once: %s\n", e.what());
    return 1;
  }
}

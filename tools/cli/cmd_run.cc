// picoml run MODEL --input IN.bin [--output OUT.bin] [--json] [--rounding double|single]
// Raw bytes of input tensor 0 in, raw bytes of output tensor 0 out.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "cli/commands.h"
#include "host/describe.h"
#include "host/model_file.h"
#include "picoml/op_resolver.h"

namespace picoml::cli {
namespace {

struct RunOptions {
  std::string model;
  std::string input;
  std::string output;
  bool json = false;
  Rounding rounding = Rounding::kDouble;
};

void Run(const RunOptions& options) {
  host::ModelFile file(options.model);
  const Model& model = file.model();
  AllOpsResolver resolver;
  host::HostInterpreter host(model, resolver, options.rounding);
  Interpreter& interpreter = host.interpreter();

  const Tensor input = interpreter.input(0);
  const std::vector<uint8_t> bytes = host::ReadFile(options.input);
  if (bytes.size() != input.bytes)
    throw CommandError(fmt::format(
        "input file '{}' has {} bytes; input tensor 0 ({} {}) needs exactly {}", options.input,
        bytes.size(), TensorTypeName(input.type), host::ShapeString(input.shape), input.bytes));
  if (!bytes.empty()) std::memcpy(input.data, bytes.data(), bytes.size());
  const nlohmann::json input_json = host::TensorJson(input, model.input_tensor(0));

  const Status status = interpreter.Invoke();
  if (!status.ok()) throw CommandError(status.message());

  const Tensor output = interpreter.output(0);
  if (!options.output.empty())
    host::WriteFileAtomically(options.output, output.data, output.bytes);
  if (options.json) {
    nlohmann::json j;
    j["model"] = options.model;
    j["arena_bytes"] = host.plan().needed_bytes;
    j["rounding"] = options.rounding == Rounding::kDouble ? "double" : "single";
    j["input"] = input_json;
    j["output"] = host::TensorJson(output, model.output_tensor(0));
    j["output"]["values"] = host::TensorValuesJson(output);
    std::cout << j.dump() << "\n";
  }
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Run a .tflite model on raw input bytes");
  run->add_option("model", options->model, "the .tflite model")->required();
  run->add_option("--input,-i", options->input, "raw bytes of input tensor 0")->required();
  run->add_option("--output,-o", options->output, "where to write the raw bytes of output tensor 0");
  run->add_flag("--json", options->json,
                "print a JSON object: arena_bytes, input and output tensors, output values");
  const std::map<std::string, Rounding> roundings{{"double", Rounding::kDouble},
                                                  {"single", Rounding::kSingle}};
  run->add_option("--rounding", options->rounding,
                  "requantization rounding: double (LiteRT for Microcontrollers' default) or "
                  "single (desktop LiteRT, TFLITE_SINGLE_ROUNDING)")
      ->transform(CLI::CheckedTransformer(roundings, CLI::ignore_case));
  run->callback([options] { Run(*options); });
}

}  // namespace picoml::cli

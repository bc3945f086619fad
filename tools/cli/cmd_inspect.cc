// picoml inspect MODEL [--json]: nodes with operators and MACs, tensors,
// parameter bytes, the planned arena bytes and the total MACs.
#include <iostream>

#include "cli/commands.h"
#include "host/describe.h"
#include "host/model_file.h"
#include "picoml/op_resolver.h"

namespace picoml::cli {
namespace {

struct InspectOptions {
  std::string model;
  bool json = false;
};

void Inspect(const InspectOptions& options) {
  host::ModelFile file(options.model);
  AllOpsResolver resolver;
  ArenaPlan plan;
  std::string plan_error;
  bool planned = false;
  try {
    plan = host::PlanArena(file.model(), resolver);
    planned = true;
  } catch (const host::Error& e) {
    plan_error = e.what();
  }
  if (options.json) {
    nlohmann::json j = host::ModelJson(file.model(), planned ? &plan : nullptr);
    j["model"] = options.model;
    j["file_bytes"] = file.size();
    if (!planned) j["arena_error"] = plan_error;
    std::cout << j.dump(1) << "\n";
  } else {
    std::cout << "model: " << options.model << " (" << file.size() << " bytes)\n"
              << host::ModelText(file.model(), planned ? &plan : nullptr, plan_error);
  }
}

}  // namespace

void AddInspectCommand(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* inspect =
      app.add_subcommand("inspect", "Show a model's nodes, tensors, MACs and planned arena bytes");
  inspect->add_option("model", options->model, "the .tflite model")->required();
  inspect->add_flag("--json", options->json, "print JSON instead of text");
  inspect->callback([options] { Inspect(*options); });
}

}  // namespace picoml::cli

// picoml embed MODEL -o model_data.cc [--name g_model] [--header model_data.h]
// The model as a 16-byte aligned const array for firmware, with a header that
// declares it, its length and the arena bytes the runtime plans for it.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "host/embed.h"

namespace picoml::cli {
namespace {

struct EmbedCommandOptions {
  std::string model;
  std::string source;
  std::string header;
  std::string name = "g_model";
};

// model_data.cc -> model_data.h
std::string DefaultHeader(const std::string& source) {
  const size_t slash = source.find_last_of('/');
  const size_t dot = source.find_last_of('.');
  const bool has_extension =
      dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (has_extension ? source.substr(0, dot) : source) + ".h";
}

void Embed(const EmbedCommandOptions& options) {
  const std::string header =
      options.header.empty() ? DefaultHeader(options.source) : options.header;
  if (header == options.source)
    throw CommandError("the header and the source would be the same file: give --header");
  const size_t arena = host::EmbedModelFile(options.model, options.source, header, options.name);
  fmt::print(
      "Wrote {} and {}: {}[] and {}_len; the runtime plans {} arena bytes ({}_arena_bytes)\n",
      options.source, header, options.name, options.name, arena, options.name);
}

}  // namespace

void AddEmbedCommand(CLI::App& app) {
  auto options = std::make_shared<EmbedCommandOptions>();
  CLI::App* embed = app.add_subcommand(
      "embed", "Write a model as a 16-byte aligned C++ array for firmware (like xxd -i)");
  embed->add_option("model", options->model, "the .tflite model")->required();
  embed->add_option("--output,-o", options->source, "the C++ source to write (model_data.cc)")
      ->required();
  embed->add_option("--name", options->name, "the array's name")->capture_default_str();
  embed->add_option("--header", options->header,
                    "the header to write (default: the source's name with .h)");
  embed->callback([options] { Embed(*options); });
}

}  // namespace picoml::cli

// `picoml embed`: a model as a C++ array for firmware, what `xxd -i` does but
// fit for flash: the array is const (it stays in flash, where the runtime reads
// it in place), aligned to 16 bytes (the runtime reads scalars and constant
// tensors in place), and comes with a header that declares it, its length and
// the arena the runtime plans for it, so firmware sizes its arena exactly:
//
//   #include "model_data.h"
//   alignas(16) static uint8_t arena[g_model_arena_bytes];
#ifndef PICOML_TOOLS_HOST_EMBED_H_
#define PICOML_TOOLS_HOST_EMBED_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace picoml::host {

struct EmbedOptions {
  std::string name = "g_model";  // C identifier of the array
  // How the source includes the header ("model_data.h"); empty = no include.
  std::string header_include;
  std::string model_path;  // named in the comments only
  // Arena bytes the runtime plans for the model (written as
  // <name>_arena_bytes); 0 = not known, not written.
  size_t arena_bytes = 0;
  // The two buffers of Interpreter::Create's split form (<name>_persistent_bytes,
  // <name>_activation_bytes: models that run in turn share one activation
  // buffer); 0 = not written.
  size_t persistent_bytes = 0;
  size_t activation_bytes = 0;
};

// True when `name` is a valid C identifier (and not empty).
bool IsCIdentifier(const std::string& name);

// The text of the .cc file: the aligned const array and its length.
std::string EmbedSource(const std::vector<uint8_t>& model, const EmbedOptions& options);
// The text of the header declaring both, and the arena size.
std::string EmbedHeader(const std::vector<uint8_t>& model, const EmbedOptions& options);

// Reads `model_path`, checks it is a model picoml loads, plans its arena with
// every picoml kernel, and writes `source_path` and `header_path` (each via a
// temporary file and a rename). Throws host::Error on failure. Returns the
// arena bytes written into the header.
size_t EmbedModelFile(const std::string& model_path, const std::string& source_path,
                      const std::string& header_path, const std::string& name);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_EMBED_H_

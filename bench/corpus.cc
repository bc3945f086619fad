#include "corpus.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "host/model_file.h"

namespace picoml::bench {

std::string ConformanceDir() {
  if (const char* dir = std::getenv("PICOML_CONFORMANCE_DIR"); dir != nullptr && *dir != '\0')
    return dir;
  return std::string(PICOML_SHARED_DIR) + "/conformance";
}

std::vector<CorpusModel> LoadCorpus() {
  const std::string dir = ConformanceDir();
  const std::vector<uint8_t> text = host::ReadFile(dir + "/manifest.json");
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    throw host::Error(dir + "/manifest.json is not valid JSON: " + e.what());
  }
  std::vector<CorpusModel> models;
  for (const auto& entry : manifest.at("models")) {
    CorpusModel model;
    model.name = entry.at("name").get<std::string>();
    model.path = dir + "/" + entry.at("file").get<std::string>();
    model.manifest_macs = entry.value("macs", int64_t{0});
    model.reference_arena_bytes = entry.value("reference_arena_used_bytes", int64_t{0});
    model.case_a_input = host::ReadFile(dir + "/cases/" + model.name + "/in_A.bin");
    models.push_back(std::move(model));
  }
  return models;
}

}  // namespace picoml::bench

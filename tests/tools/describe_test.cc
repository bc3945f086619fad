// The MACs picoml inspect reports equal the manifest's count for every
// corpus model (counted independently of picoml by the corpus's authors).
#include "host/describe.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "host/model_file.h"

namespace picoml {
namespace {

namespace fs = std::filesystem;

TEST(Describe, MacsMatchTheManifest) {
  const fs::path corpus = fs::path(PICOML_SHARED_DIR) / "conformance";
  std::ifstream in(corpus / "manifest.json");
  if (!in) GTEST_SKIP() << "conformance corpus not found at " << corpus;
  const nlohmann::json manifest = nlohmann::json::parse(in);
  int checked = 0;
  for (const auto& m : manifest["models"]) {
    const host::ModelFile file((corpus / m["file"].get<std::string>()).string());
    EXPECT_EQ(host::TotalMacs(file.model()), m["macs"].get<int64_t>()) << m["name"];
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(Describe, ShapeString) {
  Shape s;
  s.rank = 4;
  s.dims[0] = 1;
  s.dims[1] = 96;
  s.dims[2] = 96;
  s.dims[3] = 1;
  EXPECT_EQ(host::ShapeString(s), "[1, 96, 96, 1]");
  EXPECT_EQ(host::ShapeString(Shape()), "[]");
}

}  // namespace
}  // namespace picoml

// Host-side loading of a .tflite file into memory that stays put (16-byte
// aligned, as firmware places models), verified with picoml::Model::Create.
#ifndef PICOML_TOOLS_HOST_MODEL_FILE_H_
#define PICOML_TOOLS_HOST_MODEL_FILE_H_

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "picoml/interpreter.h"
#include "picoml/model.h"

namespace picoml::host {

// Thrown by host helpers: the message is meant for the user as it is.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads a whole file; throws Error naming the file and the reason.
std::vector<uint8_t> ReadFile(const std::string& path);
// Writes through a temporary file and a rename, so a failure never leaves a
// half-written file behind.
void WriteFileAtomically(const std::string& path, const void* data, size_t size);

// A heap block whose data() starts on a 16-byte boundary.
class AlignedBuffer {
 public:
  explicit AlignedBuffer(size_t size = 0) { Resize(size); }
  void Resize(size_t size) {
    storage_.assign(size + 16, 0);
    const auto address = reinterpret_cast<uintptr_t>(storage_.data());
    data_ = storage_.data() + ((16 - (address & 15)) & 15);
    size_ = size;
  }
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  std::vector<uint8_t> storage_;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

class ModelFile {
 public:
  // Throws Error with picoml's message when the file is not a valid model.
  explicit ModelFile(const std::string& path);
  ModelFile(const ModelFile&) = delete;
  ModelFile& operator=(const ModelFile&) = delete;

  const Model& model() const { return model_; }
  size_t size() const { return bytes_.size(); }
  const uint8_t* data() const { return bytes_.data(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  AlignedBuffer bytes_;
  Model model_;
};

// An arena of the planned size and a ready interpreter for a model.
class HostInterpreter {
 public:
  // Plans with `resolver`, allocates exactly the bytes needed and creates
  // the interpreter; throws Error with picoml's message on failure.
  HostInterpreter(const Model& model, const OpResolver& resolver,
                  Rounding rounding = Rounding::kDouble);
  HostInterpreter(const HostInterpreter&) = delete;
  HostInterpreter& operator=(const HostInterpreter&) = delete;

  Interpreter& interpreter() { return interpreter_; }
  const ArenaPlan& plan() const { return interpreter_.arena_plan(); }

 private:
  AlignedBuffer arena_;
  Interpreter interpreter_;
};

// The exact arena bytes a model needs with `resolver` (throws on failure).
ArenaPlan PlanArena(const Model& model, const OpResolver& resolver,
                    Rounding rounding = Rounding::kDouble);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_MODEL_FILE_H_

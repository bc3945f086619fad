// Test support: build a model with TfliteBuilder, load it, run it.
//
//   picoml::test::ModelRunner run(builder.Build(), resolver);
//   ASSERT_TRUE(run.ok()) << run.error();
//   run.SetInput<int8_t>(0, {1, 2, 3});
//   ASSERT_TRUE(run.Invoke().ok());
//   EXPECT_EQ(run.Output<int8_t>(0), (std::vector<int8_t>{...}));
#ifndef PICOML_TESTS_SUPPORT_MODEL_RUNNER_H_
#define PICOML_TESTS_SUPPORT_MODEL_RUNNER_H_

#include <cstring>
#include <string>
#include <vector>

#include "host/tflite_builder.h"
#include "picoml/interpreter.h"
#include "picoml/model.h"
#include "picoml/op_resolver.h"

namespace picoml::test {

class ModelRunner {
 public:
  ModelRunner(std::vector<uint8_t> model_bytes, const OpResolver& resolver,
              Rounding rounding = Rounding::kDouble, size_t arena_bytes = 1 << 20)
      : bytes_(std::move(model_bytes)), arena_(arena_bytes + 16) {
    Status status = Model::Create(bytes_.data(), bytes_.size(), &model_);
    if (!status.ok()) {
      error_ = status.message();
      code_ = status.code();
      return;
    }
    InterpreterOptions options;
    options.rounding = rounding;
    status = Interpreter::Create(model_, resolver, Aligned(), arena_bytes, &interpreter_, options);
    if (!status.ok()) {
      error_ = status.message();
      code_ = status.code();
    }
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  StatusCode code() const { return code_; }
  Interpreter& interpreter() { return interpreter_; }

  template <typename T>
  void SetInput(int i, const std::vector<T>& values) {
    Tensor t = interpreter_.input(i);
    if (t.bytes != values.size() * sizeof(T)) {
      error_ = "input size mismatch";
      return;
    }
    std::memcpy(t.data, values.data(), t.bytes);
  }
  Status Invoke() { return interpreter_.Invoke(); }
  template <typename T>
  std::vector<T> Output(int i) const {
    const Tensor t = interpreter_.output(i);
    std::vector<T> values(t.bytes / sizeof(T));
    std::memcpy(values.data(), t.data, values.size() * sizeof(T));
    return values;
  }

 private:
  uint8_t* Aligned() {
    const uintptr_t p = reinterpret_cast<uintptr_t>(arena_.data());
    return arena_.data() + ((16 - (p & 15)) & 15);
  }

  std::vector<uint8_t> bytes_;
  std::vector<uint8_t> arena_;
  Model model_;
  Interpreter interpreter_;
  std::string error_;
  StatusCode code_ = StatusCode::kOk;
};

}  // namespace picoml::test

#endif  // PICOML_TESTS_SUPPORT_MODEL_RUNNER_H_

#include "host/int8_eval.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <thread>

#include "host/model_file.h"
#include "picoml/io.h"
#include "picoml/op_resolver.h"

namespace picoml::host {
namespace {

// Classifies images [begin, end) with a fresh interpreter; returns the count
// of correct answers.
int64_t EvaluateRange(const Model& model, const OpResolver& resolver, const IdxImages& images,
                      const std::vector<uint8_t>& labels, int64_t begin, int64_t end,
                      Rounding rounding) {
  HostInterpreter host(model, resolver, rounding);
  Interpreter& interpreter = host.interpreter();
  const size_t pixels = static_cast<size_t>(images.rows) * static_cast<size_t>(images.cols);
  std::vector<float> values(pixels);
  std::vector<float> scores(static_cast<size_t>(interpreter.output(0).ElementCount()));
  int64_t correct = 0;
  for (int64_t i = begin; i < end; ++i) {
    const uint8_t* image = images.image(i);
    for (size_t p = 0; p < pixels; ++p) values[p] = image[p] / 255.0f;
    Status status = QuantizeInto(interpreter.input(0), values.data(), values.size());
    if (status.ok()) status = interpreter.Invoke();
    if (status.ok()) status = DequantizeFrom(interpreter.output(0), scores.data(), scores.size());
    if (!status.ok()) throw Error("image " + std::to_string(i) + ": " + status.message());
    if (ArgMax(scores.data(), scores.size()) == labels[static_cast<size_t>(i)]) ++correct;
  }
  return correct;
}

}  // namespace

Int8Evaluation EvaluateInt8(const std::vector<uint8_t>& model_bytes, const IdxImages& images,
                            const std::vector<uint8_t>& labels, int threads, Rounding rounding) {
  if (static_cast<int64_t>(labels.size()) != images.count)
    throw Error("evaluation: " + std::to_string(images.count) + " images but " +
                std::to_string(labels.size()) + " labels");
  AlignedBuffer bytes(model_bytes.size());
  if (!model_bytes.empty()) std::memcpy(bytes.data(), model_bytes.data(), model_bytes.size());
  Model model;
  const Status status = Model::Create(bytes.data(), bytes.size(), &model);
  if (!status.ok())
    throw Error(std::string("the exported model does not load: ") + status.message());
  const AllOpsResolver resolver;

  Int8Evaluation result;
  result.count = images.count;
  result.arena_bytes = PlanArena(model, resolver, rounding).needed_bytes;
  {
    const Tensor input = model.tensor(static_cast<uint32_t>(model.input_tensor(0)));
    if (input.ElementCount() != static_cast<int64_t>(images.rows) * images.cols)
      throw Error("the model's input holds " + std::to_string(input.ElementCount()) +
                  " values, the images have " + std::to_string(images.rows * images.cols));
  }

  threads =
      std::max(1, std::min<int>(threads, static_cast<int>(std::max<int64_t>(images.count, 1))));
  std::vector<int64_t> correct(static_cast<size_t>(threads), 0);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    const int64_t begin = images.count * t / threads;
    const int64_t end = images.count * (t + 1) / threads;
    workers.emplace_back([&, t, begin, end] {
      try {
        correct[static_cast<size_t>(t)] =
            EvaluateRange(model, resolver, images, labels, begin, end, rounding);
      } catch (...) {
        errors[static_cast<size_t>(t)] = std::current_exception();
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  for (int64_t c : correct) result.correct += c;
  return result;
}

}  // namespace picoml::host

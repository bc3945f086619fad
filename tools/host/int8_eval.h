// Accuracy of an int8 classifier on labelled 8-bit images, run with picoml's
// own runtime (every kernel), as `picoml quantize` reports it. Pixels are
// scaled to [0, 1] and quantized with the input tensor's parameters; the
// prediction is the arg-max of the output.
#ifndef PICOML_TOOLS_HOST_INT8_EVAL_H_
#define PICOML_TOOLS_HOST_INT8_EVAL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "host/idx.h"
#include "picoml/types.h"

namespace picoml::host {

struct Int8Evaluation {
  int64_t correct = 0;
  int64_t count = 0;
  size_t arena_bytes = 0;  // what the runtime plans for the model
  double accuracy() const { return count == 0 ? 0.0 : static_cast<double>(correct) / count; }
};

// Runs `model` (bytes of a .tflite file) on every image, split over `threads`
// threads, each with its own interpreter and arena. Throws host::Error when the
// model does not load, does not take one image of this size, or fails.
Int8Evaluation EvaluateInt8(const std::vector<uint8_t>& model, const IdxImages& images,
                            const std::vector<uint8_t>& labels, int threads = 2,
                            Rounding rounding = Rounding::kDouble);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_INT8_EVAL_H_

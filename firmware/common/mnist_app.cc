// Firmware application: the MNIST model of the picoml workflow on held-out
// digits embedded in flash. Prints "Digit: N" for each; exits non-zero when
// the model cannot run or gets fewer than half of them right (a broken
// pipeline, not a weak model).
#include <stdint.h>

#include "board.h"
#include "console.h"
#include "harness.h"
#include "picoml/io.h"

namespace picoml_firmware {
extern const int kDigitCount;
extern const uint8_t kDigitImages[];
extern const uint8_t kDigitLabels[];
}  // namespace picoml_firmware

extern "C" int firmware_main(void) {
  using namespace picoml_firmware;
  Print("picoml firmware on %s: %s, %d held-out digits\n", board_name(), kEmbeddedModel.name,
        kDigitCount);
  Resolver resolver;
  picoml::Model model;
  picoml::Interpreter interpreter;
  if (!CreateInterpreter(kEmbeddedModel, &resolver, &model, &interpreter)) return 1;
  int correct = 0;
  for (int d = 0; d < kDigitCount; ++d) {
    // The workflow trains on pixels scaled to [0, 1].
    float pixels[28 * 28];
    for (int i = 0; i < 28 * 28; ++i) pixels[i] = kDigitImages[d * 28 * 28 + i] / 255.0f;
    picoml::Status status = picoml::QuantizeInto(interpreter.input(0), pixels, 28 * 28);
    if (!status.ok()) {
      Print("FAIL input: %s\n", status.message());
      return 1;
    }
    if (!TimedInvoke(&interpreter)) return 1;
    float scores[10];
    status = picoml::DequantizeFrom(interpreter.output(0), scores, 10);
    if (!status.ok()) {
      Print("FAIL output: %s\n", status.message());
      return 1;
    }
    const int digit = picoml::ArgMax(scores, 10);
    correct += digit == kDigitLabels[d];
    Print("Digit: %d (label %d)\n", digit, kDigitLabels[d]);
  }
  Print("%d of %d digits right\n", correct, kDigitCount);
  PrintMemoryUse(interpreter.arena_plan().needed_bytes);
  return 2 * correct >= kDigitCount ? 0 : 1;
}

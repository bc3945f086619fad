// The on-device test harness: models, inputs and expected outputs embedded in
// flash at build time (by embed.cmake), run one case at a time and compared
// byte for byte on the device.
#ifndef PICOML_FIRMWARE_HARNESS_H_
#define PICOML_FIRMWARE_HARNESS_H_

#include <stddef.h>
#include <stdint.h>

#include "picoml/interpreter.h"
#include "picoml/op_resolver.h"
#include "picoml/status.h"

namespace picoml_firmware {

using Resolver = picoml::MutableOpResolver<24>;

struct EmbeddedBytes {
  const uint8_t* data;
  size_t size;
};

// One conformance case: input tensor 0's bytes and the bytes output tensor 0
// must hold afterwards (TFLM's default double rounding: out_X.bin).
struct EmbeddedCase {
  const char* name;
  EmbeddedBytes input;
  EmbeddedBytes expected;
};

struct EmbeddedModel {
  const char* name;
  EmbeddedBytes model;
  const EmbeddedCase* cases;
  int case_count;
  // Registers the kernels this model uses, and no others.
  picoml::Status (*add_operators)(Resolver* resolver);
};

// Defined by the generated source of each image (embed.cmake).
extern const EmbeddedModel kEmbeddedModel;

// The arena: everything between the end of .bss and the stack, as the
// linker script lays it out.
uint8_t* ArenaStart();
size_t ArenaBytes();

// Creates the interpreter for `model` in the arena, printing the plan; false
// (after printing why) on failure.
bool CreateInterpreter(const EmbeddedModel& model, Resolver* resolver, picoml::Model* view,
                       picoml::Interpreter* interpreter);
// Interpreters for `count` models that run in turn (an ensemble): their
// persistent parts one after the other at the start of the arena, then one
// activation buffer they share. Sets `arena_used` to the bytes taken;
// false (after printing why) on failure. The resolver must already hold
// every model's kernels.
bool CreateSharingActivations(const EmbeddedModel* const* models, int count, Resolver* resolver,
                              picoml::Model* views, picoml::Interpreter* interpreters,
                              size_t* arena_used);

// Runs Invoke() between the instruction-count marks, printing the count the
// board's clock gives. Returns false (after printing why) on failure.
bool TimedInvoke(picoml::Interpreter* interpreter);

// Runs Invoke() once with one instruction-count window per node, then prints
// "profile: node N OPERATOR" for each node in order (the run script pairs
// these lines with the last windows). Returns false on failure.
bool ProfiledInvoke(picoml::Interpreter* interpreter);

// Runs every case of `model`, printing PASS/FAIL per case. Returns the
// number of cases that failed (or could not run).
int RunConformance(const EmbeddedModel& model);

// Prints flash and RAM use from the linker's symbols.
void PrintMemoryUse(size_t arena_needed);

}  // namespace picoml_firmware

#endif  // PICOML_FIRMWARE_HARNESS_H_

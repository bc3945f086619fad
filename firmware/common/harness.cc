#include "harness.h"

#include <string.h>

#include "board.h"
#include "console.h"
#include "instruction_count.h"

// Laid out by the board's linker script (cortex-m4/link.ld,
// xtensa-lx106/link.ld).
extern "C" {
extern uint8_t __flash_used_start[], __flash_used_end[];
extern uint8_t __ram_start[], __ram_end[];
extern uint8_t __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint8_t __arena_start[], __arena_end[];
extern uint8_t __stack_bottom[], __stack_top[];
}

namespace picoml_firmware {
namespace {

// The byte the start-up code paints the stack with, to measure its depth.
constexpr uint8_t kStackPaint = 0xa5;

size_t StackUsed() {
  const uint8_t* p = __stack_bottom;
  while (p < __stack_top && *p == kStackPaint) ++p;
  return static_cast<size_t>(__stack_top - p);
}

}  // namespace

uint8_t* ArenaStart() { return __arena_start; }
size_t ArenaBytes() { return static_cast<size_t>(__arena_end - __arena_start); }

bool CreateSharingActivations(const EmbeddedModel* const* models, int count, Resolver* resolver,
                              picoml::Model* views, picoml::Interpreter* interpreters,
                              size_t* arena_used) {
  if (reinterpret_cast<uintptr_t>(ArenaStart()) % 16 != 0) {
    Print("FAIL: the arena does not start on 16 bytes (link.ld)\n");
    return false;
  }
  // Plan every model with the whole arena as working space first.
  size_t persistent_total = 0, activations = 0;
  for (int m = 0; m < count; ++m) {
    picoml::ArenaPlan plan;
    picoml::Status status =
        picoml::Model::Create(models[m]->model.data, models[m]->model.size, &views[m]);
    if (status.ok())
      status = picoml::Interpreter::Plan(views[m], *resolver, ArenaStart(), ArenaBytes(), &plan);
    if (!status.ok()) {
      Print("FAIL %s: %s\n", models[m]->name, status.message());
      return false;
    }
    persistent_total += plan.persistent_bytes;  // the arena starts on 16 bytes
    const size_t need = picoml::Interpreter::SharedActivationBytes(plan);
    if (need > activations) activations = need;
  }
  uint8_t* persistent = ArenaStart();
  uint8_t* shared = ArenaStart() + persistent_total;  // persistent sizes are multiples of 16
  for (int m = 0; m < count; ++m) {
    picoml::ArenaPlan plan;
    picoml::Status status = picoml::Interpreter::Create(views[m], *resolver, persistent,
                                                        static_cast<size_t>(shared - persistent),
                                                        shared, activations, &interpreters[m]);
    if (!status.ok()) {
      Print("FAIL %s: %s\n", models[m]->name, status.message());
      return false;
    }
    const picoml::ArenaPlan& p = interpreters[m].arena_plan();
    Print("%s: model %zu bytes; persistent %zu bytes of its own, activations %zu bytes shared\n",
          models[m]->name, models[m]->model.size, p.persistent_bytes, p.activation_bytes);
    persistent += p.persistent_bytes;
  }
  *arena_used = persistent_total + activations;
  return true;
}

bool CreateInterpreter(const EmbeddedModel& model, Resolver* resolver, picoml::Model* view,
                       picoml::Interpreter* interpreter) {
  picoml::Status status = model.add_operators(resolver);
  if (status.ok()) status = picoml::Model::Create(model.model.data, model.model.size, view);
  if (status.ok())
    status = picoml::Interpreter::Create(*view, *resolver, ArenaStart(), ArenaBytes(), interpreter);
  if (!status.ok()) {
    Print("FAIL %s: %s\n", model.name, status.message());
    return false;
  }
  const picoml::ArenaPlan& plan = interpreter->arena_plan();
  Print(
      "%s: model %zu bytes, %d kernels; arena needs %zu bytes (persistent %zu, activations %zu)\n",
      model.name, model.model.size, resolver->size(), plan.needed_bytes, plan.persistent_bytes,
      plan.activation_bytes);
  return true;
}

bool TimedInvoke(picoml::Interpreter* interpreter) {
  const uint32_t start = board_ticks();
  picoml_count_begin();
  const picoml::Status status = interpreter->Invoke();
  picoml_count_end();
  const uint32_t ticks = board_ticks() - start;
  if (!status.ok()) {
    Print("FAIL Invoke: %s\n", status.message());
    return false;
  }
  Print("  clock: %lu ticks = about %lu instructions (-icount shift=0)\n",
        static_cast<unsigned long>(ticks),
        static_cast<unsigned long>(ticks) * board_instructions_per_tick());
  return true;
}

namespace {

// Brackets each node's Eval with the count marks; the names are printed
// after the run so that printing is never counted.
void CountEachNode(void*, uint32_t, picoml::BuiltinOperator, bool finished) {
  if (finished)
    picoml_count_end();
  else
    picoml_count_begin();
}

}  // namespace

bool ProfiledInvoke(picoml::Interpreter* interpreter) {
  interpreter->SetNodeObserver(CountEachNode, nullptr);
  const picoml::Status status = interpreter->Invoke();
  interpreter->SetNodeObserver(nullptr, nullptr);
  if (!status.ok()) {
    Print("FAIL Invoke: %s\n", status.message());
    return false;
  }
  const picoml::Model& model = interpreter->model();
  for (uint32_t n = 0; n < model.operator_count(); ++n)
    Print("profile: node %u %s\n", static_cast<unsigned>(n),
          picoml::BuiltinOperatorName(model.op(n).code));
  return true;
}

int RunConformance(const EmbeddedModel& model) {
  Resolver resolver;
  picoml::Model view;
  picoml::Interpreter interpreter;
  if (!CreateInterpreter(model, &resolver, &view, &interpreter)) return model.case_count;
  int failures = 0;
  for (int c = 0; c < model.case_count; ++c) {
    const EmbeddedCase& test = model.cases[c];
    const picoml::Tensor input = interpreter.input(0);
    if (input.bytes != test.input.size) {
      Print("FAIL %s/%s: input tensor has %zu bytes, case has %zu\n", model.name, test.name,
            input.bytes, test.input.size);
      ++failures;
      continue;
    }
    memcpy(input.data, test.input.data, test.input.size);
    Print("case %s/%s\n", model.name, test.name);
    if (!TimedInvoke(&interpreter)) {
      ++failures;
      continue;
    }
    const picoml::Tensor output = interpreter.output(0);
    if (output.bytes != test.expected.size) {
      Print("FAIL %s/%s: output tensor has %zu bytes, expected %zu\n", model.name, test.name,
            output.bytes, test.expected.size);
      ++failures;
      continue;
    }
    const uint8_t* got = output.data_as<const uint8_t>();
    size_t mismatches = 0;
    size_t first = 0;
    for (size_t i = 0; i < output.bytes; ++i) {
      if (got[i] != test.expected.data[i]) {
        if (mismatches == 0) first = i;
        ++mismatches;
      }
    }
    if (mismatches == 0) {
      Print("PASS %s/%s: %zu output bytes identical to out_%s.bin\n", model.name, test.name,
            output.bytes, test.name);
    } else {
      Print("FAIL %s/%s: %zu of %zu bytes differ; first at %zu: got %d, expected %d\n", model.name,
            test.name, mismatches, output.bytes, first, static_cast<int8_t>(got[first]),
            static_cast<int8_t>(test.expected.data[first]));
      ++failures;
    }
  }
  PrintMemoryUse(interpreter.arena_plan().needed_bytes);
  return failures;
}

void PrintMemoryUse(size_t arena_needed) {
  const size_t flash = static_cast<size_t>(__flash_used_end - __flash_used_start);
  const size_t data = static_cast<size_t>(__data_end - __data_start);
  const size_t bss = static_cast<size_t>(__bss_end - __bss_start);
  const size_t stack = StackUsed();
  const size_t ram = static_cast<size_t>(__ram_end - __ram_start);
  Print(
      "memory: flash %zu bytes (code, constants, model); RAM %zu bytes = .data %zu + .bss %zu + "
      "arena %zu + stack %zu (peak); %zu of %zu RAM bytes left\n",
      flash, data + bss + arena_needed + stack, data, bss, arena_needed, stack,
      ram - (data + bss + arena_needed + stack), ram);
}

}  // namespace picoml_firmware

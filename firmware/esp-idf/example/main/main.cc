// picoml on an ESP32: the model stays in flash; the arena is taken once, at
// start-up, from internal RAM when the runtime's plan says it fits there and
// from PSRAM otherwise. ESP-IDF lets a program place only about 160 KB of
// static data in internal DRAM, hence heap_caps_aligned_alloc rather than a
// static array; the runtime itself still allocates nothing.
#include <stdint.h>
#include <stdio.h>

#include "esp_heap_caps.h"
#include "esp_timer.h"
#include "picoml/interpreter.h"
#include "picoml/model.h"
#include "picoml/op_resolver.h"

#include "model_data.h"  // g_model, g_model_len: written by `picoml embed`

namespace {

constexpr uint32_t kInternal = MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT;
constexpr uint32_t kPsram = MALLOC_CAP_SPIRAM | MALLOC_CAP_8BIT;

// Plans the model in the largest free block with `caps`, as scratch that is
// given back at once; the plan says how many bytes the arena needs.
picoml::Status PlanIn(uint32_t caps, const picoml::Model& model, const picoml::OpResolver& resolver,
                      picoml::ArenaPlan* plan) {
  const size_t bytes = heap_caps_get_largest_free_block(caps) & ~static_cast<size_t>(15);
  uint8_t* work = static_cast<uint8_t*>(heap_caps_aligned_alloc(16, bytes, caps));
  if (work == nullptr)
    return picoml::Status::Error(picoml::StatusCode::kArenaTooSmall,
                                 "no memory with capabilities 0x%x to plan in", (unsigned)caps);
  picoml::Status status = picoml::Interpreter::Plan(model, resolver, work, bytes, plan);
  heap_caps_free(work);
  if (status.ok() && plan->needed_bytes > bytes)
    return picoml::Status::Error(picoml::StatusCode::kArenaTooSmall,
                                 "the model needs %zu bytes, the largest block has %zu",
                                 plan->needed_bytes, bytes);
  return status;
}

void Fail(const char* step, const picoml::Status& status) {
  printf("picoml: %s failed: %s\n", step, status.message());
}

}  // namespace

extern "C" void app_main(void) {
  static picoml::AllOpsResolver resolver;
  static picoml::Model model;
  static picoml::Interpreter interpreter;
  picoml::Status status =
      picoml::Model::Create(g_model, g_model_len, &model);
  if (!status.ok()) return Fail("loading the model", status);

  picoml::ArenaPlan plan;
  uint32_t caps = kInternal;
  status = PlanIn(kInternal, model, resolver, &plan);
  if (!status.ok() && status.code() == picoml::StatusCode::kArenaTooSmall) {
    printf("picoml: internal RAM is too small (%s); using PSRAM\n", status.message());
    caps = kPsram;
    status = PlanIn(kPsram, model, resolver, &plan);
  }
  if (!status.ok()) return Fail("planning the arena", status);

  uint8_t* arena = static_cast<uint8_t*>(heap_caps_aligned_alloc(16, plan.needed_bytes, caps));
  if (arena == nullptr)
    return Fail("taking the arena", picoml::Status::Error(picoml::StatusCode::kArenaTooSmall,
                                                          "%zu bytes not free", plan.needed_bytes));
  status = picoml::Interpreter::Create(model, resolver, arena, plan.needed_bytes, &interpreter);
  if (!status.ok()) return Fail("creating the interpreter", status);
  printf("picoml: arena %zu bytes in %s\n", plan.needed_bytes,
         caps == kInternal ? "internal RAM" : "PSRAM");

  // Stand-in input: every byte at the input's zero point. A real
  // application writes its sensor data here (see picoml/io.h).
  picoml::Tensor input = interpreter.input(0);
  const int32_t zero_point = input.quantization.count() > 0 ? input.quantization.zero_point(0) : 0;
  for (size_t i = 0; i < input.bytes; ++i) input.data_as<uint8_t>()[i] = (uint8_t)zero_point;

  const int64_t start = esp_timer_get_time();
  status = interpreter.Invoke();
  const int64_t elapsed = esp_timer_get_time() - start;
  if (!status.ok()) return Fail("Invoke", status);
  const picoml::Tensor output = interpreter.output(0);
  printf("picoml: inference took %lld us; output:", static_cast<long long>(elapsed));
  for (size_t i = 0; i < output.bytes && i < 16; ++i)
    printf(" %d", static_cast<int>(output.data_as<int8_t>()[i]));
  printf("\n");
}

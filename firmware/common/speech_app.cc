// Firmware application: the speech example on the device, against TFLM.
// Each embedded case is one clip of ../shared/conformance/audio (its 16 kHz
// samples), the 40 int8 features per frame TFLM's audio preprocessor gives
// for it and, for the 1 s clips, the four scores micro_speech_quantized
// gives on those features. For each clip it
//  1. runs picoml's audio front end over the samples (one instruction-count
//     window for the whole clip) and compares every feature byte,
//  2. for the 1 s clips, runs the model on its own features (one window)
//     and compares the four scores.
// Exits with the number of clips that differ in any byte. This is where the
// front end's and the kernels' target-specific arithmetic (the lx106's
// 16-bit products, for one) meets TFLM's bytes on the target itself.
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "harness.h"
#include "instruction_count.h"
#include "picoml/audio_frontend.h"

namespace {

constexpr int kChannels = 40;
constexpr int kMaxFrames = 49;
constexpr int kLabels = 4;
const char* const kLabelNames[kLabels] = {"silence", "unknown", "yes", "no"};

picoml::AudioFrontendState g_frontend_state;
int8_t g_features[kMaxFrames * kChannels];

int CountDiffering(const int8_t* a, const uint8_t* b, size_t count) {
  int differing = 0;
  for (size_t i = 0; i < count; ++i)
    if (static_cast<uint8_t>(a[i]) != b[i]) ++differing;
  return differing;
}

}  // namespace

extern "C" int firmware_main(void) {
  using namespace picoml_firmware;
  const EmbeddedModel& embedded = kEmbeddedModel;
  Print("picoml firmware on %s: speech example (front end + %s), %d clips\n", board_name(),
        embedded.name, embedded.case_count);
  Resolver resolver;
  picoml::Model view;
  picoml::Interpreter interpreter;
  if (!CreateInterpreter(embedded, &resolver, &view, &interpreter)) return embedded.case_count;
  picoml::AudioFrontend frontend;
  picoml::Status status =
      picoml::AudioFrontend::Create(picoml::AudioFrontendConfig(), &g_frontend_state, &frontend);
  if (!status.ok()) {
    Print("FAIL front end: %s\n", status.message());
    return embedded.case_count;
  }

  int failures = 0;
  for (int c = 0; c < embedded.case_count; ++c) {
    const EmbeddedCase& clip = embedded.cases[c];
    const int16_t* samples = reinterpret_cast<const int16_t*>(clip.input.data);
    const size_t sample_count = clip.input.size / 2;
    // The expected bytes: the features, then the scores for clips the model
    // runs on (embed.cmake appends them).
    const size_t frames = sample_count < 480 ? 0 : (sample_count - 480) / 320 + 1;
    const size_t feature_bytes = frames * kChannels;
    const bool has_scores = clip.expected.size == feature_bytes + kLabels;
    if (frames == 0 || frames > kMaxFrames ||
        (clip.expected.size != feature_bytes && !has_scores)) {
      Print("FAIL %s: %u samples and %u expected bytes do not fit together\n", clip.name,
            static_cast<unsigned>(sample_count), static_cast<unsigned>(clip.expected.size));
      ++failures;
      continue;
    }

    // 1. The front end over the whole clip, counted as one window.
    Print("case %s: front end, %u frames\n", clip.name, static_cast<unsigned>(frames));
    frontend.Reset();
    size_t offset = 0, produced = 0;
    picoml_count_begin();
    while (status.ok() && offset < sample_count && produced < frames) {
      size_t consumed = 0;
      bool ready = false;
      status = frontend.Push(samples + offset, sample_count - offset, &consumed,
                             g_features + produced * kChannels, &ready);
      offset += consumed;
      if (ready) ++produced;
    }
    picoml_count_end();
    if (!status.ok() || produced != frames) {
      Print("FAIL %s: front end: %s\n", clip.name,
            status.ok() ? "fewer frames than expected" : status.message());
      ++failures;
      continue;
    }
    const int feature_errors = CountDiffering(g_features, clip.expected.data, feature_bytes);
    Print("  features: %d of %u bytes differ from TFLM's\n", feature_errors,
          static_cast<unsigned>(feature_bytes));
    bool ok = feature_errors == 0;

    // 2. The model on the clip's own features.
    if (has_scores) {
      const picoml::Tensor input = interpreter.input(0);
      if (input.bytes != feature_bytes) {
        Print("FAIL %s: the model takes %u input bytes, the clip gives %u\n", clip.name,
              static_cast<unsigned>(input.bytes), static_cast<unsigned>(feature_bytes));
        ++failures;
        continue;
      }
      memcpy(input.data, g_features, feature_bytes);
      Print("case %s: model\n", clip.name);
      if (!TimedInvoke(&interpreter)) {
        ++failures;
        continue;
      }
      const int8_t* scores = interpreter.output(0).data_as<const int8_t>();
      const int score_errors =
          CountDiffering(scores, clip.expected.data + feature_bytes, static_cast<size_t>(kLabels));
      int best = 0;
      for (int k = 1; k < kLabels; ++k)
        if (scores[k] > scores[best]) best = k;
      Print("  scores: %d %d %d %d (%s); %d of %d differ from TFLM's\n", scores[0], scores[1],
            scores[2], scores[3], kLabelNames[best], score_errors, kLabels);
      ok = ok && score_errors == 0;
    }
    Print("%s %s\n", ok ? "PASS" : "FAIL", clip.name);
    if (!ok) ++failures;
  }
  Print("%s: %d of %d clips differ from TFLM\n", failures == 0 ? "PASS" : "FAIL", failures,
        embedded.case_count);
  PrintMemoryUse(interpreter.arena_plan().needed_bytes);
  return failures;
}

// Host stand-in for the alarm device: a WAV file plays the microphone, fed
// in 10 ms blocks as a DMA buffer would deliver them; events are printed.
//   alarm_example FILE.wav [THRESHOLD]
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "alarm_config.h"
#include "alarm_device.h"
#include "host/wav.h"

namespace {
void PrintAlarm(uint32_t time_ms, float score) {
  std::printf("%8.2f s  ALARM (score %.2f): notify the caregivers\n", time_ms / 1000.0, score);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s FILE.wav [THRESHOLD]\n", argv[0]);
    return 2;
  }
  const float threshold = argc == 3 ? std::strtof(argv[2], nullptr) : alarm_config::kThreshold;
  try {
    const picoml::host::WavAudio audio = picoml::host::ReadWav(argv[1], 16000);
    picoml::Status status = alarm_example::Start(threshold, PrintAlarm);
    if (!status.ok()) {
      std::fprintf(stderr, "alarm_example: %s\n", status.message());
      return 1;
    }
    std::printf("Listening to %s (%.1f s); detector RAM %zu bytes\n", argv[1],
                audio.samples.size() / 16000.0, alarm_example::RamBytes());
    const size_t block = 160;
    for (size_t i = 0; i < audio.samples.size(); i += block) {
      const size_t n = audio.samples.size() - i < block ? audio.samples.size() - i : block;
      status = alarm_example::OnMicrophoneSamples(audio.samples.data() + i, n);
      if (!status.ok()) {
        std::fprintf(stderr, "alarm_example: %s\n", status.message());
        return 1;
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "alarm_example: %s\n", e.what());
    return 1;
  }
  return 0;
}

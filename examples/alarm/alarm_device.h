// The device side of the alarm product: microphone samples in, alarm events
// out. Everything lives in static memory (front end state, feature ring,
// arena): no heap, nothing that could not run on the microcontroller.
#ifndef PICOML_EXAMPLES_ALARM_ALARM_DEVICE_H_
#define PICOML_EXAMPLES_ALARM_ALARM_DEVICE_H_

#include <stddef.h>
#include <stdint.h>

#include "picoml/status.h"

namespace alarm_example {

// Called when the alarm is heard: time in ms since Start, averaged score.
using AlarmCallback = void (*)(uint32_t time_ms, float score);

// Sets up the front end, the interpreter over the embedded model and the
// streaming classifier (threshold: averaged alarm probability to report).
picoml::Status Start(float threshold, AlarmCallback on_alarm);
// Feeds microphone samples (16 kHz mono int16, any block size).
picoml::Status OnMicrophoneSamples(const int16_t* samples, size_t count);
// Bytes of RAM the detector holds: front end state, ring, arena.
size_t RamBytes();

}  // namespace alarm_example

#endif  // PICOML_EXAMPLES_ALARM_ALARM_DEVICE_H_

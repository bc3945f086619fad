# The smoke-alarm detector that examples/alarm and the alarm firmware embed:
# model.tflite, optionally model-2.tflite (the ensemble's second opinion) and
# thresholds.json (the decision picoml-alarm tune chose), and
# clips/alarm-T3-0.wav (the firmware's microphone). models/alarm is the
# shipped detector; scripts/alarm.sh writes a folder of the same shape
# (out/alarm) to pass instead. Included by the main build and by
# firmware/cross (a separate project, which the main build hands
# PICOML_ALARM_DIR), with picoml_root set to the repository root.
set(PICOML_ALARM_DIR "${picoml_root}/models/alarm" CACHE PATH
    "The alarm detector the example and the firmware embed (models/alarm: the shipped one)")
# The clip in it that the firmware plays and the host example's tests hear.
set(PICOML_ALARM_CLIP ${PICOML_ALARM_DIR}/clips/alarm-T3-0.wav)
# A model added to or removed from the folder (model-2.tflite,
# thresholds.json) changes what is built, and which firmware images there
# are: configure again then.
if(IS_DIRECTORY ${PICOML_ALARM_DIR})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PICOML_ALARM_DIR})
endif()

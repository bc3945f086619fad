# picoml_alarm_decision(<target> <thresholds.json>): compiles <target> with
# the decision settings `picoml-alarm tune` chose for the alarm model:
#   cnn_threshold          -> PICOML_ALARM_THRESHOLD (a float literal)
#   cnn_average_inferences -> PICOML_ALARM_AVERAGE_INFERENCES
#   ensemble_gate          -> PICOML_ALARM_ENSEMBLE_GATE (a float literal, the
#                             gate of an ensemble the threshold was tuned with)
# examples/alarm/alarm_config.h reads them. When the file or a field is
# missing, alarm_config.h's defaults apply. Editing the file re-runs CMake.

# Defines <macro>=<value of key><suffix> on <target> when <json> has <key>;
# the optional last argument is the literal's suffix ("f" for a float).
function(_picoml_define_from_json target json key macro)
  string(JSON value ERROR_VARIABLE error GET "${json}" ${key})
  if(NOT error)
    target_compile_definitions(${target} PRIVATE ${macro}=${value}${ARGN})
  endif()
endfunction()

function(picoml_alarm_decision target json_path)
  if(NOT EXISTS ${json_path})
    return()
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${json_path})
  file(READ ${json_path} json)
  _picoml_define_from_json(${target} "${json}" cnn_threshold PICOML_ALARM_THRESHOLD f)
  _picoml_define_from_json(${target} "${json}" cnn_average_inferences
                           PICOML_ALARM_AVERAGE_INFERENCES)
  _picoml_define_from_json(${target} "${json}" ensemble_gate PICOML_ALARM_ENSEMBLE_GATE f)
endfunction()

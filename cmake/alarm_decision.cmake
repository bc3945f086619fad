# picoml_alarm_decision(<target> <thresholds.json>): compiles <target> with
# the decision settings `picoml-alarm tune` chose for the alarm model, as
# PICOML_ALARM_THRESHOLD (a float literal), PICOML_ALARM_AVERAGE_INFERENCES
# and, for an ensemble, PICOML_ALARM_ENSEMBLE_GATE (a float literal; the gate
# the threshold was tuned with). examples/alarm/alarm_config.h reads them. When the file or a field is
# missing, alarm_config.h's defaults apply. Editing the file re-runs CMake.
function(picoml_alarm_decision target json_path)
  if(NOT EXISTS ${json_path})
    return()
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${json_path})
  file(READ ${json_path} json)
  string(JSON threshold ERROR_VARIABLE error GET "${json}" cnn_threshold)
  if(NOT error)
    target_compile_definitions(${target} PRIVATE PICOML_ALARM_THRESHOLD=${threshold}f)
  endif()
  string(JSON average ERROR_VARIABLE error GET "${json}" cnn_average_inferences)
  if(NOT error)
    target_compile_definitions(${target} PRIVATE PICOML_ALARM_AVERAGE_INFERENCES=${average})
  endif()
  string(JSON gate ERROR_VARIABLE error GET "${json}" ensemble_gate)
  if(NOT error)
    target_compile_definitions(${target} PRIVATE PICOML_ALARM_ENSEMBLE_GATE=${gate}f)
  endif()
endfunction()

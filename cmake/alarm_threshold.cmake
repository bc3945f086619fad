# picoml_alarm_threshold(<thresholds.json> <out-var>): the CNN threshold that
# `picoml-alarm tune` chose, as a C float literal for PICOML_ALARM_THRESHOLD
# (empty when the file is missing, so alarm_config.h's default applies).
function(picoml_alarm_threshold json_path out_var)
  set(${out_var} "" PARENT_SCOPE)
  if(EXISTS ${json_path})
    file(READ ${json_path} json)
    string(JSON threshold ERROR_VARIABLE error GET "${json}" cnn_threshold)
    if(NOT error)
      set(${out_var} "${threshold}f" PARENT_SCOPE)
    endif()
  endif()
endfunction()

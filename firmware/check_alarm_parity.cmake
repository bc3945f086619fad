# The alarm detector on the host and on an emulated core must agree: the
# same events at the same times over the same clip.
#   cmake -DEXAMPLE=<alarm_example> -DCLIP=<wav> -DLOG=<firmware output> \
#         -P check_alarm_parity.cmake
# LOG is what firmware_alarm printed under QEMU (run_qemu.cmake -DLOG=...).
# The firmware plays the first part of CLIP (it says how many ms); events of
# the host example after that are not compared. Times must match exactly (to
# the host's 10 ms print), scores to within one point (the firmware prints a
# truncated percentage, the host a rounded fraction).
foreach(var EXAMPLE CLIP LOG)
  if(NOT ${var})
    message(FATAL_ERROR "check_alarm_parity.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT EXISTS ${LOG})
  message(FATAL_ERROR "no firmware output at ${LOG}: run the firmware_*_alarm test first")
endif()
file(READ ${LOG} device)
if(NOT device MATCHES "alarm detector, ([0-9]+) ms clip in flash")
  message(FATAL_ERROR "${LOG} is not the alarm firmware's output:\n${device}")
endif()
set(clip_ms ${CMAKE_MATCH_1})
math(EXPR clip_cs "${clip_ms} / 10")

# Device events as "<centiseconds>:<percent>".
set(device_events "")
string(REGEX MATCHALL "ALARM at [0-9]+ ms \\(score [0-9]+ %\\)" lines "${device}")
foreach(line ${lines})
  string(REGEX MATCH "at ([0-9]+) ms \\(score ([0-9]+)" _ "${line}")
  math(EXPR cs "(${CMAKE_MATCH_1} + 5) / 10")
  list(APPEND device_events "${cs}:${CMAKE_MATCH_2}")
endforeach()

execute_process(COMMAND ${EXAMPLE} ${CLIP} RESULT_VARIABLE status OUTPUT_VARIABLE host
                ERROR_VARIABLE host)
message("${host}")
if(NOT status STREQUAL "0")
  message(FATAL_ERROR "alarm_example exit status: ${status}")
endif()
# Host events ("  8.01 s  ALARM (score 0.87)") up to the firmware's clip end.
set(host_events "")
string(REGEX MATCHALL "[0-9]+\\.[0-9][0-9] s  ALARM \\(score [0-9]\\.[0-9][0-9]\\)" lines
       "${host}")
foreach(line ${lines})
  string(REGEX MATCH "^([0-9]+)\\.([0-9][0-9]) s .*score ([0-9])\\.([0-9][0-9])" _ "${line}")
  math(EXPR cs "${CMAKE_MATCH_1} * 100 + ${CMAKE_MATCH_2}")
  math(EXPR points "${CMAKE_MATCH_3} * 100 + ${CMAKE_MATCH_4}")
  if(cs LESS_EQUAL clip_cs)
    list(APPEND host_events "${cs}:${points}")
  endif()
endforeach()

message("device events (cs:percent): ${device_events}")
message("host events in the first ${clip_ms} ms (cs:percent): ${host_events}")
list(LENGTH device_events device_count)
list(LENGTH host_events host_count)
if(device_count EQUAL 0)
  message(FATAL_ERROR "the firmware reported no alarm in its clip")
endif()
if(NOT device_count EQUAL host_count)
  message(FATAL_ERROR "host and device disagree: ${host_count} event(s) against ${device_count}")
endif()
math(EXPR last "${device_count} - 1")
foreach(i RANGE ${last})
  list(GET device_events ${i} d)
  list(GET host_events ${i} h)
  string(REPLACE ":" ";" d "${d}")
  string(REPLACE ":" ";" h "${h}")
  list(GET d 0 d_cs)
  list(GET d 1 d_points)
  list(GET h 0 h_cs)
  list(GET h 1 h_points)
  math(EXPR gap "${h_points} - ${d_points}")
  if(NOT d_cs EQUAL h_cs OR gap LESS 0 OR gap GREATER 1)
    message(FATAL_ERROR "event ${i}: host at ${h_cs} cs (score ${h_points}), "
                        "device at ${d_cs} cs (score ${d_points} %)")
  endif()
endforeach()
message("host and device agree: ${device_count} event(s)")

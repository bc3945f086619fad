# A folder of trained files must hold the ones its README describes (the
# shipped detector, models/alarm, and the other seeds, models/alarm-candidates):
#   cmake -DDIR=<folder> -P check_alarm_manifest.cmake
# Every table row of DIR/README.md that names a file in backquotes and ends
# with an md5 in backquotes is checked against that file, so a model or
# thresholds file replaced without its provenance (and the figures measured
# on it) fails here.
if(NOT DIR OR NOT EXISTS ${DIR}/README.md)
  message(FATAL_ERROR "check_alarm_manifest.cmake: -DDIR=<folder with README.md> is required")
endif()
# Lines as a CMake list: semicolons in the prose would split them.
file(READ ${DIR}/README.md text)
string(REPLACE ";" "," text "${text}")
string(REPLACE "\n" ";" lines "${text}")
set(rows "")
foreach(line ${lines})
  if(line MATCHES "^\\| `[^`]+` \\|.*\\| `[0-9a-f]+` \\|$")
    list(APPEND rows "${line}")
  endif()
endforeach()
set(checked 0)
foreach(row ${rows})
  string(REGEX MATCH "^\\| `([^`]+)` \\|" _ "${row}")
  set(name ${CMAKE_MATCH_1})
  string(REGEX MATCH "`([0-9a-f]+)` \\|$" _ "${row}")
  set(expected ${CMAKE_MATCH_1})
  if(NOT EXISTS ${DIR}/${name})
    message(FATAL_ERROR "${DIR}/README.md lists ${name}, which is not there")
  endif()
  file(MD5 ${DIR}/${name} actual)
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "${DIR}/${name}: md5 ${actual}, README.md says ${expected}: a replaced "
                        "file needs its README row (how it was made) and the figures measured on it")
  endif()
  message("${name}: ${actual}")
  math(EXPR checked "${checked} + 1")
endforeach()
if(checked EQUAL 0)
  message(FATAL_ERROR "${DIR}/README.md lists no file with an md5")
endif()
message("${checked} files match ${DIR}/README.md")

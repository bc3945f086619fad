# Runs one firmware image under QEMU for ctest and summarises it:
#   cmake -DBOARD=cortex-m4|xtensa-lx106 -DELF=<image> -DNM=<nm> [-DPLUGIN=<insn_count .so>]
#         [-DTIMEOUT=<s>] [-DLOG=<file>] -P run_qemu.cmake
# Passes when the firmware's exit status is 0 (every case byte-exact). With
# the plugin, prints the exact instructions per inference beside each case.
# LOG: also write the firmware's output there (for checks that compare it).
if(NOT TIMEOUT)
  set(TIMEOUT 120)
endif()
if(BOARD STREQUAL "cortex-m4")
  set(qemu qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native
      -kernel ${ELF})
elseif(BOARD STREQUAL "xtensa-lx106")
  execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE symbols)
  string(REGEX MATCH "([0-9a-f]+) T _start" _ "${symbols}")
  set(qemu qemu-system-xtensa -M sim -cpu lx106 -nographic -monitor none -semihosting
      -device loader,file=${ELF},cpu-num=0 -device loader,addr=0x${CMAKE_MATCH_1},cpu-num=0)
else()
  message(FATAL_ERROR "run_qemu.cmake: BOARD must be cortex-m4 or xtensa-lx106")
endif()
# The emulated clock counts instructions: timer figures become exact.
list(APPEND qemu -icount shift=0)

if(PLUGIN)
  execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE symbols)
  string(REGEX MATCH "([0-9a-f]+) T picoml_count_begin" _ "${symbols}")
  set(begin ${CMAKE_MATCH_1})
  string(REGEX MATCH "([0-9a-f]+) T picoml_count_end" _ "${symbols}")
  set(end ${CMAKE_MATCH_1})
  if(begin AND end)
    list(APPEND qemu -plugin ${PLUGIN},begin=0x${begin},end=0x${end})
  endif()
endif()

list(JOIN qemu " " command_line)
message("${command_line}")
execute_process(COMMAND ${qemu} RESULT_VARIABLE status OUTPUT_VARIABLE output
                ERROR_VARIABLE output TIMEOUT ${TIMEOUT})
message("${output}")
if(LOG)
  file(WRITE ${LOG} "${output}")
endif()

# Cases and plugin windows come in the same order: pair them up.
string(REGEX MATCHALL "(case|Digit:) [^\n]*" runs "${output}")
string(REGEX MATCHALL "window [0-9]+: [0-9]+ instructions" windows "${output}")
list(LENGTH windows window_count)
if(window_count GREATER 0)
  message("Instructions per inference (exact, QEMU plugin), ${BOARD}:")
  # A profiled inference prints one "profile: node N OP" line per node: those
  # name the last windows, one each.
  string(REGEX MATCHALL "profile: node [^\n]*" nodes "${output}")
  list(LENGTH nodes node_count)
  math(EXPR first_node "${window_count} - ${node_count}")
  set(i 0)
  foreach(window ${windows})
    string(REGEX REPLACE "window [0-9]+: " "" count "${window}")
    list(LENGTH runs run_count)
    set(label "inference ${i}")
    if(i LESS run_count)
      list(GET runs ${i} label)
    endif()
    if(node_count GREATER 0 AND NOT i LESS first_node)
      math(EXPR n "${i} - ${first_node}")
      list(GET nodes ${n} label)
      string(REPLACE "profile: " "" label "${label}")
    endif()
    message("  ${label}: ${count}")
    math(EXPR i "${i} + 1")
  endforeach()
endif()

if(NOT status STREQUAL "0")
  message(FATAL_ERROR "firmware exit status: ${status}")
endif()

# The no-heap proof for a firmware image:
#   cmake -DELF=<image> -DNM=<nm> -P check_no_heap.cmake
# The images link without nosys/rdimon and without libstdc++, so a heap user
# would already fail to link; this check keeps it so: no allocator, no
# operator new/delete, no C++ runtime support (exceptions, guards, atexit)
# and no system-call stubs may appear in the symbol table.
execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE symbols RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${NM} ${ELF} failed")
endif()
set(forbidden "")
string(REPLACE "\n" ";" lines "${symbols}")
foreach(line ${lines})
  string(REGEX REPLACE ".* " "" symbol "${line}")
  if(symbol MATCHES "^(malloc|free|calloc|realloc|aligned_alloc|memalign|posix_memalign|_sbrk|sbrk|_malloc_r|_free_r|_Znwj|_Znaj|_ZdlPv|_ZdaPv|_ZdlPvj|_ZdaPvj|_Znw.*|_Zna.*|_Zdl.*|_Zda.*|__cxa_.*|__gxx_personality.*|_Unwind_.*|atexit|__aeabi_atexit|_write|_read|_open|_close|_exit)$")
    list(APPEND forbidden ${symbol})
  endif()
endforeach()
if(forbidden)
  message(FATAL_ERROR "${ELF} links heap or C++ runtime symbols: ${forbidden}")
endif()
message("${ELF}: no malloc/free/new/delete/__cxa_*/system-call symbols")

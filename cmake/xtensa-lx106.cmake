# Cross toolchain for the Xtensa lx106 firmware (firmware/cross): Debian's
# gcc-xtensa-lx106 with picolibc. Its GCC has no C++ library and its libgcc
# lacks the ESP8266 ROM's arithmetic helpers: firmware/xtensa-lx106 supplies
# them. No start files, no system calls, so a hidden heap user fails the link.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR xtensa)
set(CMAKE_C_COMPILER xtensa-lx106-elf-gcc)
set(CMAKE_CXX_COMPILER xtensa-lx106-elf-g++)
set(CMAKE_ASM_COMPILER xtensa-lx106-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# picolibc's spec file sits beside the compiler's prefix, not where this GCC
# looks for spec files.
find_program(PICOML_XTENSA_GCC_PATH xtensa-lx106-elf-gcc REQUIRED)
get_filename_component(picoml_xtensa_bin ${PICOML_XTENSA_GCC_PATH} DIRECTORY)
find_file(PICOML_XTENSA_PICOLIBC_SPECS picolibc.specs
          HINTS ${picoml_xtensa_bin}/../lib/xtensa-lx106-elf NO_CMAKE_FIND_ROOT_PATH REQUIRED)

set(PICOML_TARGET_FLAGS "-mtext-section-literals -mlongcalls")
set(CMAKE_C_FLAGS_INIT "${PICOML_TARGET_FLAGS} --specs=${PICOML_XTENSA_PICOLIBC_SPECS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${CMAKE_C_FLAGS_INIT} -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "${PICOML_TARGET_FLAGS}")
# CMake passes the C flags (with the spec file) to the link as well.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -Wl,--gc-sections")
set(CMAKE_C_FLAGS_RELEASE_INIT "-O2")
set(CMAKE_CXX_FLAGS_RELEASE_INIT "-O2")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

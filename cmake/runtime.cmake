# picoml::runtime: model view, planner, interpreter and every kernel, as one
# static library. Kernels live one per object file, so a firmware image links
# only those its op resolver names.
file(GLOB PICOML_RUNTIME_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/../src/runtime/*.cc
     ${CMAKE_CURRENT_LIST_DIR}/../src/kernels/*.cc
     ${CMAKE_CURRENT_LIST_DIR}/../src/audio/*.cc)
add_library(picoml_runtime STATIC ${PICOML_RUNTIME_SOURCES})
add_library(picoml::runtime ALIAS picoml_runtime)
target_include_directories(picoml_runtime
  PUBLIC ${CMAKE_CURRENT_LIST_DIR}/../include
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../src)
# The core's promises: no exceptions, no RTTI, no C++ standard library.
set(PICOML_CORE_FLAGS -fno-exceptions -fno-rtti -Wall -Wextra -Wshadow -Wcast-align)
target_compile_options(picoml_runtime PRIVATE ${PICOML_CORE_FLAGS} -nostdinc++)
target_compile_features(picoml_runtime PUBLIC cxx_std_17)

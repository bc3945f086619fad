// The lx106 arithmetic helpers under host-safe names (picoml_test__addsf3,
// ...), so the test can call them beside the host's own operations.
#define PICOML_LIBGCC_NAME(name) picoml_test##name
#include "xtensa-lx106/libgcc_extra.c"

#include "instruction_count.h"

__attribute__((noinline)) void picoml_count_begin(void) { __asm__ volatile("" ::: "memory"); }

__attribute__((noinline)) void picoml_count_end(void) { __asm__ volatile("" ::: "memory"); }

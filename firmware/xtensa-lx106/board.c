// Board port for QEMU's Xtensa `sim` machine with the lx106 core: the
// simulator call (`simcall`, a2 = call number, arguments in a3..a5) for
// output and exit status, the CCOUNT register for the clock.
#include "board.h"

#include <stdint.h>
#include <string.h>

extern uint8_t __bss_start[], __bss_end[];
extern uint8_t __stack_bottom[];
typedef void (*InitFunction)(void);
extern InitFunction __init_array_start[], __init_array_end[];

// Call numbers of the Xtensa simulator (and QEMU's xtensa semihosting).
enum { kSimExit = 1, kSimWrite = 4 };

static int simcall(int call, int a, int b, int c) {
  register int a2 __asm__("a2") = call;
  register int a3 __asm__("a3") = a;
  register int a4 __asm__("a4") = b;
  register int a5 __asm__("a5") = c;
  __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
  return a2;
}

void board_write(const char* text, size_t length) {
  simcall(kSimWrite, 1, (int)(uintptr_t)text, (int)length);
}

void board_exit(int code) {
  simcall(kSimExit, code, 0, 0);
  for (;;) {
  }
}

// CCOUNT counts clock cycles; under -icount shift=0 QEMU's lx106 advances it
// once per 25 instructions.
uint32_t board_ticks(void) {
  uint32_t count;
  __asm__ volatile("rsr.ccount %0" : "=a"(count));
  return count;
}

uint32_t board_instructions_per_tick(void) { return 25; }

const char* board_name(void) { return "Xtensa lx106 (QEMU sim)"; }

// Called by entry.S with the stack set. QEMU loads .data in place, so only
// .bss needs clearing.
void board_start(void) __attribute__((noreturn));
void board_start(void) {
  memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
  uint8_t here;
  memset(__stack_bottom, 0xa5, (size_t)(&here - __stack_bottom) - 64);
  for (InitFunction* f = __init_array_start; f < __init_array_end; ++f) (*f)();
  board_exit(firmware_main());
}

// Board port for QEMU mps2-an386 (Cortex-M4): Arm semihosting for output and
// exit status, the CMSDK timer 0 for the clock.
#include "board.h"

#include <stdint.h>
#include <string.h>

// Arm semihosting operations (Arm's "Semihosting for AArch32 and AArch64").
enum {
  kSysWrite0 = 0x04,
  kSysExitExtended = 0x20,
  kApplicationExit = 0x20026,  // ADP_Stopped_ApplicationExit
};

static uintptr_t semihost(uintptr_t operation, const void* argument) {
  register uintptr_t r0 __asm__("r0") = operation;
  register const void* r1 __asm__("r1") = argument;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void board_write(const char* text, size_t length) {
  // SYS_WRITE0 takes a terminated string: send it in terminated pieces.
  char piece[64];
  while (length > 0) {
    const size_t n = length < sizeof(piece) - 1 ? length : sizeof(piece) - 1;
    memcpy(piece, text, n);
    piece[n] = '\0';
    semihost(kSysWrite0, piece);
    text += n;
    length -= n;
  }
}

void board_exit(int code) {
  const uintptr_t block[2] = {kApplicationExit, (uintptr_t)code};
  semihost(kSysExitExtended, block);
  for (;;) {
  }
}

// CMSDK APB timer 0: a 32-bit down-counter at 25 MHz. Under -icount
// shift=0 an instruction takes 1 ns, so the timer moves once per 40.
typedef struct {
  volatile uint32_t control;
  volatile uint32_t value;
  volatile uint32_t reload;
} CmsdkTimer;
#define TIMER0 ((CmsdkTimer*)0x40000000u)

uint32_t board_ticks(void) {
  if ((TIMER0->control & 1u) == 0) {
    TIMER0->reload = 0xffffffffu;
    TIMER0->value = 0xffffffffu;
    TIMER0->control = 1u;  // enable
  }
  return 0xffffffffu - TIMER0->value;
}

uint32_t board_instructions_per_tick(void) { return 40; }

const char* board_name(void) { return "Cortex-M4 (QEMU mps2-an386)"; }

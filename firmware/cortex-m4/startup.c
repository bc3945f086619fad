// Start-up for the Cortex-M4 of QEMU's mps2-an386: the vector table, and a
// reset handler that sets up memory the way C expects (copy .data from
// flash, zero .bss), turns on the FPU and runs firmware_main().
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint8_t __data_start[], __data_end[], __data_load[];
extern uint8_t __bss_start[], __bss_end[];
extern uint8_t __stack_bottom[], __stack_top[];
typedef void (*InitFunction)(void);
extern InitFunction __init_array_start[], __init_array_end[];

void reset_handler(void) __attribute__((noreturn));
static void fault_handler(void) __attribute__((noreturn));

// Coprocessor Access Control Register: CP10 and CP11 are the FPU.
#define CPACR (*(volatile uint32_t*)0xE000ED88u)

// Entries 0 and 1 are the initial stack pointer and the reset handler; the
// core's exceptions follow. No interrupt is enabled, so one fault handler
// serves them all.
__attribute__((section(".vectors"), used)) static void* const vector_table[16] = {
    __stack_top,
    (void*)reset_handler,
    (void*)fault_handler,
    (void*)fault_handler,
    (void*)fault_handler,
    (void*)fault_handler,
    (void*)fault_handler,
    0,
    0,
    0,
    0,
    (void*)fault_handler,
    (void*)fault_handler,
    0,
    (void*)fault_handler,
    (void*)fault_handler,
};

void reset_handler(void) {
  memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
  memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
  // Paint the stack below this frame so the harness can measure its depth.
  uint8_t here;
  memset(__stack_bottom, 0xa5, (size_t)(&here - __stack_bottom) - 64);
  CPACR |= 0xfu << 20;
  __asm__ volatile("dsb\n isb" ::: "memory");
  for (InitFunction* f = __init_array_start; f < __init_array_end; ++f) (*f)();
  board_exit(firmware_main());
}

static void fault_handler(void) {
  static const char message[] = "FAIL: CPU fault (HardFault or similar)\n";
  board_write(message, sizeof(message) - 1);
  board_exit(99);
}

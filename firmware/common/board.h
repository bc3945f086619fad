// What the shared firmware code needs from a board port (cortex-m4/,
// xtensa-lx106/): a way out for text, a way to stop with an exit status the
// emulator passes on, and the emulator's deterministic clock.
#ifndef PICOML_FIRMWARE_BOARD_H_
#define PICOML_FIRMWARE_BOARD_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Writes `length` bytes to the host's console (semihosting or simcall).
void board_write(const char* text, size_t length);

// Stops the emulator; `code` becomes its exit status.
void board_exit(int code) __attribute__((noreturn));

// A free-running counter of the board's clock, counting up. Under QEMU's
// `-icount shift=0` each tick stands for board_instructions_per_tick()
// instructions, exactly and repeatably.
uint32_t board_ticks(void);
uint32_t board_instructions_per_tick(void);

// The board's name, printed in the report ("Cortex-M4 (QEMU mps2-an386)").
const char* board_name(void);

// The application, called by the board's start-up code once memory is set
// up; its return value is the exit status.
int firmware_main(void);

#ifdef __cplusplus
}
#endif

#endif  // PICOML_FIRMWARE_BOARD_H_

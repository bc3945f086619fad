// Console output for the firmware without printf: printf-family functions
// pull in the C library's stdio, and with it a heap on several embedded C
// libraries. Print() understands %s %c %d %u %x and %% with the length
// modifiers l, ll and z; that is all the firmware prints.
#ifndef PICOML_FIRMWARE_CONSOLE_H_
#define PICOML_FIRMWARE_CONSOLE_H_

#include <stdarg.h>
#include <stddef.h>

namespace picoml_firmware {

// Formats into `buffer` (always terminated when size > 0); returns the
// length written, cut at size - 1.
size_t FormatV(char* buffer, size_t size, const char* format, va_list args);
size_t Format(char* buffer, size_t size, const char* format, ...)
    __attribute__((format(printf, 3, 4)));

// Formats and writes through board_write(). Lines longer than 200 bytes are
// cut.
void Print(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace picoml_firmware

#endif  // PICOML_FIRMWARE_CONSOLE_H_

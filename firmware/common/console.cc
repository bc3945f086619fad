#include "console.h"

#include <stdint.h>

#include "board.h"

namespace picoml_firmware {
namespace {

// Appends to a bounded buffer, keeping room for the terminator.
struct Output {
  char* buffer;
  size_t size;
  size_t length;

  void Put(char c) {
    if (length + 1 < size) buffer[length++] = c;
  }
  void PutString(const char* text) {
    while (*text != '\0') Put(*text++);
  }
  void PutUnsigned(unsigned long long value, unsigned base) {
    char digits[24];
    int count = 0;
    do {
      const unsigned digit = static_cast<unsigned>(value % base);
      digits[count++] = static_cast<char>(digit < 10 ? '0' + digit : 'a' + digit - 10);
      value /= base;
    } while (value != 0);
    while (count > 0) Put(digits[--count]);
  }
};

}  // namespace

size_t FormatV(char* buffer, size_t size, const char* format, va_list args) {
  Output out{buffer, size, 0};
  for (const char* p = format; *p != '\0'; ++p) {
    if (*p != '%') {
      out.Put(*p);
      continue;
    }
    ++p;
    int longs = 0;
    bool size_t_modifier = false;
    while (*p == 'l' || *p == 'z') {
      if (*p == 'l') ++longs;
      if (*p == 'z') size_t_modifier = true;
      ++p;
    }
    switch (*p) {
      case 's': {
        const char* text = va_arg(args, const char*);
        out.PutString(text != nullptr ? text : "(null)");
        break;
      }
      case 'c':
        out.Put(static_cast<char>(va_arg(args, int)));
        break;
      case 'd':
      case 'i': {
        long long value;
        if (size_t_modifier) {
          value = static_cast<long long>(va_arg(args, size_t));
        } else if (longs >= 2) {
          value = va_arg(args, long long);
        } else if (longs == 1) {
          value = va_arg(args, long);
        } else {
          value = va_arg(args, int);
        }
        if (value < 0) {
          out.Put('-');
          out.PutUnsigned(0ull - static_cast<unsigned long long>(value), 10);
        } else {
          out.PutUnsigned(static_cast<unsigned long long>(value), 10);
        }
        break;
      }
      case 'u':
      case 'x': {
        unsigned long long value;
        if (size_t_modifier) {
          value = va_arg(args, size_t);
        } else if (longs >= 2) {
          value = va_arg(args, unsigned long long);
        } else if (longs == 1) {
          value = va_arg(args, unsigned long);
        } else {
          value = va_arg(args, unsigned);
        }
        out.PutUnsigned(value, *p == 'x' ? 16 : 10);
        break;
      }
      case '%':
        out.Put('%');
        break;
      case '\0':
        --p;  // a lone '%' at the end: stop at the terminator
        break;
      default:
        out.Put('%');
        out.Put(*p);
        break;
    }
  }
  if (size > 0) buffer[out.length] = '\0';
  return out.length;
}

size_t Format(char* buffer, size_t size, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const size_t length = FormatV(buffer, size, format, args);
  va_end(args);
  return length;
}

void Print(const char* format, ...) {
  char line[200];
  va_list args;
  va_start(args, format);
  const size_t length = FormatV(line, sizeof(line), format, args);
  va_end(args);
  board_write(line, length);
}

}  // namespace picoml_firmware

#include "picoml/status.h"

#include <stdarg.h>
#include <string.h>

namespace picoml {
namespace {

// A bounded writer: keeps the terminating NUL inside `capacity`.
struct Writer {
  char* out;
  size_t capacity;
  size_t length;

  void Put(char c) {
    if (length + 1 < capacity) out[length++] = c;
  }
  void PutString(const char* s) {
    if (s == nullptr) s = "(null)";
    while (*s) Put(*s++);
  }
  void PutUnsigned(unsigned long long value, unsigned base) {
    char digits[24];
    int n = 0;
    do {
      const unsigned d = static_cast<unsigned>(value % base);
      digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
      value /= base;
    } while (value != 0);
    while (n > 0) Put(digits[--n]);
  }
  void PutSigned(long long value) {
    if (value < 0) {
      Put('-');
      // Negate in unsigned arithmetic so LLONG_MIN does not overflow.
      PutUnsigned(0ull - static_cast<unsigned long long>(value), 10);
    } else {
      PutUnsigned(static_cast<unsigned long long>(value), 10);
    }
  }
  void Finish() {
    if (capacity > 0) out[length] = '\0';
  }
};

void Format(Writer* w, const char* format, va_list args) {
  for (const char* p = format; *p; ++p) {
    if (*p != '%') {
      w->Put(*p);
      continue;
    }
    ++p;
    if (*p == '\0') break;
    int longs = 0;
    bool size = false;
    while (*p == 'l') {
      ++longs;
      ++p;
    }
    if (*p == 'z') {
      size = true;
      ++p;
    }
    switch (*p) {
      case 'd':
      case 'i':
        if (size)
          w->PutSigned(static_cast<long long>(va_arg(args, ptrdiff_t)));
        else if (longs >= 2)
          w->PutSigned(va_arg(args, long long));
        else if (longs == 1)
          w->PutSigned(va_arg(args, long));
        else
          w->PutSigned(va_arg(args, int));
        break;
      case 'u':
      case 'x': {
        const unsigned base = (*p == 'x') ? 16 : 10;
        if (size)
          w->PutUnsigned(va_arg(args, size_t), base);
        else if (longs >= 2)
          w->PutUnsigned(va_arg(args, unsigned long long), base);
        else if (longs == 1)
          w->PutUnsigned(va_arg(args, unsigned long), base);
        else
          w->PutUnsigned(va_arg(args, unsigned), base);
        break;
      }
      case 's':
        w->PutString(va_arg(args, const char*));
        break;
      case 'c':
        w->Put(static_cast<char>(va_arg(args, int)));
        break;
      case '%':
        w->Put('%');
        break;
      default:  // Unknown conversion: show it rather than guess.
        w->Put('%');
        w->Put(*p);
        break;
    }
  }
  w->Finish();
}

}  // namespace

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kInvalidModel:
      return "invalid model";
    case StatusCode::kUnsupported:
      return "unsupported";
    case StatusCode::kArenaTooSmall:
      return "arena too small";
    case StatusCode::kFailedPrecondition:
      return "failed precondition";
  }
  return "unknown";
}

Status Status::ErrorV(StatusCode code, const char* format, va_list args) {
  Status status;
  status.code_ = code;
#if PICOML_STATUS_MESSAGE_BYTES > 0
  Writer w{status.message_, sizeof(status.message_), 0};
  Format(&w, format, args);
#else
  (void)format;
  (void)args;
#endif
  return status;
}

Status Status::Error(StatusCode code, const char* format, ...) {
  va_list args;
  va_start(args, format);
  Status status = ErrorV(code, format, args);
  va_end(args);
  return status;
}

const char* Status::message() const {
#if PICOML_STATUS_MESSAGE_BYTES > 0
  if (code_ != StatusCode::kOk && message_[0] == '\0')
    return StatusCodeName(code_);
  return code_ == StatusCode::kOk ? "" : message_;
#else
  return StatusCodeName(code_);
#endif
}

Status& Status::Prefix(const char* format, ...) {
#if PICOML_STATUS_MESSAGE_BYTES > 0
  char old[PICOML_STATUS_MESSAGE_BYTES];
  memcpy(old, message_, sizeof(old));
  Writer w{message_, sizeof(message_), 0};
  va_list args;
  va_start(args, format);
  Format(&w, format, args);
  va_end(args);
  w.PutString(old);
  w.Finish();
#else
  (void)format;
#endif
  return *this;
}

}  // namespace picoml

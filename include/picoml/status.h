// Status: the result of every fallible call in the picoml core.
//
// The core has no exceptions and no heap, so a failure is a value: a code the
// program can branch on and a message a person can act on ("arena has 40960
// bytes, this model needs 52480"). The message lives inside the Status (no
// allocation); define PICOML_STATUS_MESSAGE_BYTES=0 to compile the strings out
// on the smallest targets: the codes stay.
#ifndef PICOML_STATUS_H_
#define PICOML_STATUS_H_

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PICOML_STATUS_MESSAGE_BYTES
#define PICOML_STATUS_MESSAGE_BYTES 160
#endif

namespace picoml {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // the caller passed something unusable
  kInvalidModel,     // the model bytes are malformed or inconsistent
  kUnsupported,      // valid model, but an operator or type picoml lacks
  kArenaTooSmall,    // the arena cannot hold the plan
  kFailedPrecondition,  // calls made in the wrong order
};

// Short stable name of a code ("invalid model"), for logs.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() : code_(StatusCode::kOk) { message_[0] = '\0'; }

  static Status Ok() { return Status(); }

  // Builds an error with a printf-like message. Supported conversions: %s,
  // %d, %i, %u, %x, with the l, ll and z length modifiers (%ld, %lld, %llu,
  // %zu, %lx, ...), %c and %% (the core cannot pull in
  // printf, which drags the heap along on several embedded C libraries).
  static Status Error(StatusCode code, const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
      ;

  static Status ErrorV(StatusCode code, const char* format, va_list args);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Never null. Empty for kOk; the code's name when strings are compiled out.
  const char* message() const;

  // Prefixes the message with context ("node 3 (CONV_2D): ..."), keeping the
  // code. Used when an error travels up through a layer that knows more.
  Status& Prefix(const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
      ;

 private:
  StatusCode code_;
#if PICOML_STATUS_MESSAGE_BYTES > 0
  char message_[PICOML_STATUS_MESSAGE_BYTES];
#else
  char message_[1];
#endif
};

}  // namespace picoml

// Returns early from the enclosing function when `expr` yields an error.
#define PICOML_RETURN_IF_ERROR(expr)           \
  do {                                         \
    ::picoml::Status picoml_status_ = (expr);  \
    if (!picoml_status_.ok()) return picoml_status_; \
  } while (0)

#endif  // PICOML_STATUS_H_

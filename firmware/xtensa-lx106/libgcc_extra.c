// The arithmetic helpers GCC calls on the lx106 that Debian's
// gcc-xtensa-lx106 libgcc leaves out (on an ESP8266 the mask ROM has them):
// 32- and 64-bit integer division, 64-bit multiplication, and IEEE-754
// binary32/binary64 addition, subtraction, multiplication, division and
// conversions, all rounding to nearest, ties to even.
//
// Written from the IEEE-754 rules, using only 32-bit multiplies, shifts and
// adds (this file must not call the helpers it defines). The same file is
// compiled on the host under other names (PICOML_LIBGCC_NAME) and compared
// with the host's own arithmetic: tests/firmware/libgcc_extra_test.cc.
//
// NaN results are the default quiet NaN with the sign of the first NaN
// operand; payloads are not carried (IEEE-754 only recommends it).
#include <stdint.h>

#ifndef PICOML_LIBGCC_NAME
#define PICOML_LIBGCC_NAME(name) name
#endif

// ---------------------------------------------------------------------------
// Integers.

static uint64_t DivideUnsigned64(uint64_t n, uint64_t d, uint64_t* remainder) {
  // Shift-and-subtract long division. Division by zero gives all ones, as
  // the hardware dividers of several cores do (C leaves it undefined).
  if (d == 0) {
    if (remainder) *remainder = n;
    return ~(uint64_t)0;
  }
  uint64_t q = 0;
  uint64_t r = 0;
  for (int bit = 63; bit >= 0; --bit) {
    r = (r << 1) | ((n >> bit) & 1);
    if (r >= d) {
      r -= d;
      q |= (uint64_t)1 << bit;
    }
  }
  if (remainder) *remainder = r;
  return q;
}

static uint32_t DivideUnsigned32(uint32_t n, uint32_t d, uint32_t* remainder) {
  if (d == 0) {
    if (remainder) *remainder = n;
    return ~(uint32_t)0;
  }
  uint32_t q = 0;
  uint32_t r = 0;
  for (int bit = 31; bit >= 0; --bit) {
    r = (r << 1) | ((n >> bit) & 1);
    if (r >= d) {
      r -= d;
      q |= (uint32_t)1 << bit;
    }
  }
  if (remainder) *remainder = r;
  return q;
}

uint32_t PICOML_LIBGCC_NAME(__udivsi3)(uint32_t n, uint32_t d) { return DivideUnsigned32(n, d, 0); }

uint32_t PICOML_LIBGCC_NAME(__umodsi3)(uint32_t n, uint32_t d) {
  uint32_t r;
  DivideUnsigned32(n, d, &r);
  return r;
}

// Signed division truncates toward zero; the remainder takes the sign of
// the dividend (C99 6.5.5).
int32_t PICOML_LIBGCC_NAME(__divsi3)(int32_t n, int32_t d) {
  const uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  const uint32_t ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
  const uint32_t q = DivideUnsigned32(un, ud, 0);
  return (int32_t)((n < 0) != (d < 0) ? 0u - q : q);
}

uint64_t PICOML_LIBGCC_NAME(__udivdi3)(uint64_t n, uint64_t d) { return DivideUnsigned64(n, d, 0); }

uint64_t PICOML_LIBGCC_NAME(__umoddi3)(uint64_t n, uint64_t d) {
  uint64_t r;
  DivideUnsigned64(n, d, &r);
  return r;
}

int64_t PICOML_LIBGCC_NAME(__divdi3)(int64_t n, int64_t d) {
  const uint64_t un = n < 0 ? 0u - (uint64_t)n : (uint64_t)n;
  const uint64_t ud = d < 0 ? 0u - (uint64_t)d : (uint64_t)d;
  const uint64_t q = DivideUnsigned64(un, ud, 0);
  return (int64_t)((n < 0) != (d < 0) ? 0u - q : q);
}

// 32 x 32 -> 64 bits from four 16 x 16 products: the lx106 multiplies only
// to 32 bits, and GCC would turn a 64-bit product back into a helper call.
static uint64_t MultiplyWide32(uint32_t a, uint32_t b) {
  const uint32_t a_low = a & 0xffff, a_high = a >> 16;
  const uint32_t b_low = b & 0xffff, b_high = b >> 16;
  const uint32_t low = a_low * b_low;
  const uint32_t middle1 = a_high * b_low;
  const uint32_t middle2 = a_low * b_high;
  const uint32_t high = a_high * b_high;
  const uint64_t middle = (uint64_t)middle1 + middle2;
  return ((uint64_t)high << 32) + (middle << 16) + low;
}

uint64_t PICOML_LIBGCC_NAME(__umulsidi3)(uint32_t a, uint32_t b) { return MultiplyWide32(a, b); }

int64_t PICOML_LIBGCC_NAME(__mulsidi3)(int32_t a, int32_t b) {
  // (a + 2^32 sa)(b + 2^32 sb) taken mod 2^64, where sa, sb are the sign
  // corrections of reading a, b as unsigned.
  uint64_t product = MultiplyWide32((uint32_t)a, (uint32_t)b);
  if (a < 0) product -= (uint64_t)(uint32_t)b << 32;
  if (b < 0) product -= (uint64_t)(uint32_t)a << 32;
  return (int64_t)product;
}

uint64_t PICOML_LIBGCC_NAME(__muldi3)(uint64_t a, uint64_t b) {
  // The low 64 bits of the product are the same for signed and unsigned.
  const uint32_t a_low = (uint32_t)a, a_high = (uint32_t)(a >> 32);
  const uint32_t b_low = (uint32_t)b, b_high = (uint32_t)(b >> 32);
  const uint32_t cross = a_low * b_high + a_high * b_low;  // wraps, as wanted
  return MultiplyWide32(a_low, b_low) + ((uint64_t)cross << 32);
}

// 64 x 64 -> 128 bits as (high, low).
static void MultiplyWide64(uint64_t a, uint64_t b, uint64_t* high, uint64_t* low) {
  const uint32_t a0 = (uint32_t)a, a1 = (uint32_t)(a >> 32);
  const uint32_t b0 = (uint32_t)b, b1 = (uint32_t)(b >> 32);
  const uint64_t p00 = MultiplyWide32(a0, b0);
  const uint64_t p01 = MultiplyWide32(a0, b1);
  const uint64_t p10 = MultiplyWide32(a1, b0);
  const uint64_t p11 = MultiplyWide32(a1, b1);
  const uint64_t middle = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;  // < 3 * 2^32
  *low = (middle << 32) | (uint32_t)p00;
  *high = p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32);
}

// ---------------------------------------------------------------------------
// IEEE-754 binary formats, handled through one description: `fraction_bits`
// (23 or 52) and `exponent_bits` (8 or 11). Values travel as bit patterns in
// a uint64_t.
//
// Inside, a finite nonzero value is (sign, exponent, significand) with
// value = significand * 2^(exponent - bias - fraction_bits - 3): the
// significand carries three extra low bits (guard, round, sticky) so a single
// rounding at the end gives the correctly rounded result.

typedef struct {
  int fraction_bits;
  int exponent_bits;
} Format;

static const Format kSingle = {23, 8};
static const Format kDouble = {52, 11};

static int Bias(const Format* f) { return (1 << (f->exponent_bits - 1)) - 1; }
static int MaxExponent(const Format* f) { return (1 << f->exponent_bits) - 1; }
static uint64_t SignBit(const Format* f) {
  return (uint64_t)1 << (f->fraction_bits + f->exponent_bits);
}
static uint64_t FractionMask(const Format* f) { return ((uint64_t)1 << f->fraction_bits) - 1; }
static uint64_t Infinity(const Format* f, int sign) {
  return (sign ? SignBit(f) : 0) | ((uint64_t)MaxExponent(f) << f->fraction_bits);
}
static uint64_t QuietNaN(const Format* f, int sign) {
  return Infinity(f, sign) | ((uint64_t)1 << (f->fraction_bits - 1));
}

typedef struct {
  int sign;
  int exponent;          // biased; 1 for subnormals
  uint64_t significand;  // hidden bit included for normal numbers
  int is_nan, is_infinity, is_zero;
} Unpacked;

static Unpacked Unpack(const Format* f, uint64_t bits) {
  Unpacked u;
  u.sign = (bits & SignBit(f)) != 0;
  const int exponent = (int)((bits >> f->fraction_bits) & (uint64_t)MaxExponent(f));
  const uint64_t fraction = bits & FractionMask(f);
  u.is_nan = exponent == MaxExponent(f) && fraction != 0;
  u.is_infinity = exponent == MaxExponent(f) && fraction == 0;
  u.is_zero = exponent == 0 && fraction == 0;
  u.exponent = exponent == 0 ? 1 : exponent;
  u.significand = exponent == 0 ? fraction : fraction | ((uint64_t)1 << f->fraction_bits);
  return u;
}

// Moves a subnormal's leading bit up to the hidden-bit place (exponent may
// go below 1).
static void Normalize(const Format* f, Unpacked* u) {
  while (u->significand != 0 && (u->significand >> f->fraction_bits) == 0) {
    u->significand <<= 1;
    --u->exponent;
  }
}

// Shifts right by `count`, folding every bit shifted out into bit 0.
static uint64_t ShiftRightSticky(uint64_t value, int count) {
  if (count <= 0) return value;
  if (count >= 64) return value != 0;
  return (value >> count) | ((value & (((uint64_t)1 << count) - 1)) != 0);
}

// Rounds (to nearest, ties to even) and packs. `significand` has its
// leading one at bit fraction_bits + 3, or is smaller for results that are
// subnormal (then `exponent` is at most 1).
static uint64_t RoundAndPack(const Format* f, int sign, int exponent, uint64_t significand) {
  const uint64_t sign_bit = sign ? SignBit(f) : 0;
  if (exponent >= MaxExponent(f)) return Infinity(f, sign);
  if (exponent <= 0) {
    // Subnormal: the stored fraction counts in units of 2^(1 - bias - p).
    significand = ShiftRightSticky(significand, 1 - exponent);
    exponent = 0;
  }
  const uint64_t low = significand & 7;
  significand >>= 3;
  if (low > 4 || (low == 4 && (significand & 1))) ++significand;
  // A normal significand holds the hidden bit, which adds one to the
  // exponent field: hence exponent - 1. A carry out of rounding moves into
  // the exponent field by itself, up to infinity.
  const uint64_t magnitude =
      (exponent > 0 ? (uint64_t)(exponent - 1) << f->fraction_bits : 0) + significand;
  if (magnitude >= ((uint64_t)MaxExponent(f) << f->fraction_bits)) return Infinity(f, sign);
  return sign_bit | magnitude;
}

static uint64_t Add(const Format* f, uint64_t a_bits, uint64_t b_bits) {
  Unpacked a = Unpack(f, a_bits);
  Unpacked b = Unpack(f, b_bits);
  if (a.is_nan) return QuietNaN(f, a.sign);
  if (b.is_nan) return QuietNaN(f, b.sign);
  if (a.is_infinity) {
    if (b.is_infinity && a.sign != b.sign) return QuietNaN(f, 1);  // inf - inf
    return a_bits;
  }
  if (b.is_infinity) return b_bits;
  if (a.is_zero && b.is_zero) return (a.sign && b.sign) ? SignBit(f) : 0;
  if (a.is_zero) return b_bits;
  if (b.is_zero) return a_bits;

  a.significand <<= 3;
  b.significand <<= 3;
  // Make `a` the larger in magnitude.
  if (b.exponent > a.exponent || (b.exponent == a.exponent && b.significand > a.significand)) {
    const Unpacked t = a;
    a = b;
    b = t;
  }
  b.significand = ShiftRightSticky(b.significand, a.exponent - b.exponent);
  int exponent = a.exponent;
  uint64_t significand;
  if (a.sign == b.sign) {
    significand = a.significand + b.significand;
    if (significand >> (f->fraction_bits + 4)) {
      significand = ShiftRightSticky(significand, 1);
      ++exponent;
    }
  } else {
    significand = a.significand - b.significand;
    if (significand == 0) return 0;  // x - x is +0 when rounding to nearest
    while ((significand >> (f->fraction_bits + 3)) == 0) {
      significand <<= 1;
      --exponent;
    }
  }
  return RoundAndPack(f, a.sign, exponent, significand);
}

static uint64_t Multiply(const Format* f, uint64_t a_bits, uint64_t b_bits) {
  Unpacked a = Unpack(f, a_bits);
  Unpacked b = Unpack(f, b_bits);
  const int sign = a.sign ^ b.sign;
  if (a.is_nan) return QuietNaN(f, a.sign);
  if (b.is_nan) return QuietNaN(f, b.sign);
  if (a.is_infinity || b.is_infinity) {
    if (a.is_zero || b.is_zero) return QuietNaN(f, 1);  // inf * 0
    return Infinity(f, sign);
  }
  if (a.is_zero || b.is_zero) return sign ? SignBit(f) : 0;
  Normalize(f, &a);
  Normalize(f, &b);
  // The product of two (p+1)-bit significands has 2p+1 or 2p+2 bits; keep
  // p+4 or p+5 of them, the rest as sticky.
  uint64_t high, low;
  MultiplyWide64(a.significand, b.significand, &high, &low);
  const int shift = f->fraction_bits - 3;
  uint64_t significand =
      (high << (64 - shift)) | (low >> shift) | ((low & (((uint64_t)1 << shift) - 1)) != 0);
  int exponent = a.exponent + b.exponent - Bias(f);
  if (significand >> (f->fraction_bits + 4)) {
    significand = ShiftRightSticky(significand, 1);
    ++exponent;
  }
  return RoundAndPack(f, sign, exponent, significand);
}

static uint64_t Divide(const Format* f, uint64_t a_bits, uint64_t b_bits) {
  Unpacked a = Unpack(f, a_bits);
  Unpacked b = Unpack(f, b_bits);
  const int sign = a.sign ^ b.sign;
  if (a.is_nan) return QuietNaN(f, a.sign);
  if (b.is_nan) return QuietNaN(f, b.sign);
  if (a.is_infinity) return b.is_infinity ? QuietNaN(f, 1) : Infinity(f, sign);
  if (b.is_infinity) return sign ? SignBit(f) : 0;
  if (b.is_zero) return a.is_zero ? QuietNaN(f, 1) : Infinity(f, sign);
  if (a.is_zero) return sign ? SignBit(f) : 0;
  Normalize(f, &a);
  Normalize(f, &b);
  // Long division for p+5 quotient bits: q = floor(a * 2^(p+4) / b), which
  // lies in (2^(p+3), 2^(p+5)); the remainder becomes the sticky bit.
  uint64_t remainder = a.significand;
  uint64_t quotient = 0;
  for (int i = 0; i < f->fraction_bits + 5; ++i) {
    quotient <<= 1;
    if (remainder >= b.significand) {
      remainder -= b.significand;
      quotient |= 1;
    }
    remainder <<= 1;
  }
  quotient |= remainder != 0;
  int exponent = a.exponent - b.exponent + Bias(f) - 1;
  if (quotient >> (f->fraction_bits + 4)) {
    quotient = ShiftRightSticky(quotient, 1);
    ++exponent;
  }
  return RoundAndPack(f, sign, exponent, quotient);
}

// An integer's magnitude as a rounded value of format `f`.
static uint64_t FromInteger(const Format* f, int sign, uint64_t magnitude) {
  if (magnitude == 0) return 0;
  int leading = 63;
  while ((magnitude >> leading) == 0) --leading;
  const int target = f->fraction_bits + 3;
  const uint64_t significand = leading > target ? ShiftRightSticky(magnitude, leading - target)
                                                : magnitude << (target - leading);
  return RoundAndPack(f, sign, Bias(f) + leading, significand);
}

// Truncates toward zero; values out of range saturate, NaN gives 0 (C
// leaves both undefined).
static uint64_t ToUnsignedMagnitude(const Format* f, const Unpacked* u, uint64_t limit) {
  if (u->is_nan) return 0;
  if (u->is_infinity) return limit;
  const int shift = u->exponent - Bias(f) - f->fraction_bits;  // value = significand * 2^shift
  if (shift >= 0) {
    if (shift > 40 || (u->significand << shift) >> shift != u->significand) return limit;
    const uint64_t value = u->significand << shift;
    return value > limit ? limit : value;
  }
  const uint64_t value = -shift >= 64 ? 0 : u->significand >> -shift;
  return value > limit ? limit : value;
}

static int32_t ToInt32(const Format* f, uint64_t bits) {
  const Unpacked u = Unpack(f, bits);
  if (u.is_nan) return 0;
  if (u.sign) {
    const uint64_t magnitude = ToUnsignedMagnitude(f, &u, (uint64_t)1 << 31);
    return (int32_t)(0u - (uint32_t)magnitude);
  }
  return (int32_t)ToUnsignedMagnitude(f, &u, 0x7fffffff);
}

static uint32_t ToUint32(const Format* f, uint64_t bits) {
  const Unpacked u = Unpack(f, bits);
  if (u.sign) return 0;
  return (uint32_t)ToUnsignedMagnitude(f, &u, 0xffffffffu);
}

// Between formats: exact when widening, one rounding when narrowing.
static uint64_t Convert(const Format* from, const Format* to, uint64_t bits) {
  Unpacked u = Unpack(from, bits);
  if (u.is_nan) return QuietNaN(to, u.sign);
  if (u.is_infinity) return Infinity(to, u.sign);
  if (u.is_zero) return u.sign ? SignBit(to) : 0;
  Normalize(from, &u);
  const int exponent = u.exponent - Bias(from) + Bias(to);
  const int shift = (to->fraction_bits + 3) - from->fraction_bits;
  const uint64_t significand =
      shift >= 0 ? u.significand << shift : ShiftRightSticky(u.significand, -shift);
  return RoundAndPack(to, u.sign, exponent, significand);
}

// ---------------------------------------------------------------------------
// The libgcc entry points. Values cross as float/double; the bits are
// reinterpreted through unions (well defined in C).

typedef union {
  float value;
  uint32_t bits;
} SingleBits;
typedef union {
  double value;
  uint64_t bits;
} DoubleBits;

static uint64_t SingleToBits(float x) {
  SingleBits u;
  u.value = x;
  return u.bits;
}
static float BitsToSingle(uint64_t bits) {
  SingleBits u;
  u.bits = (uint32_t)bits;
  return u.value;
}
static uint64_t DoubleToBits(double x) {
  DoubleBits u;
  u.value = x;
  return u.bits;
}
static double BitsToDouble(uint64_t bits) {
  DoubleBits u;
  u.bits = bits;
  return u.value;
}

float PICOML_LIBGCC_NAME(__addsf3)(float a, float b) {
  return BitsToSingle(Add(&kSingle, SingleToBits(a), SingleToBits(b)));
}
float PICOML_LIBGCC_NAME(__subsf3)(float a, float b) {
  return BitsToSingle(Add(&kSingle, SingleToBits(a), SingleToBits(b) ^ SignBit(&kSingle)));
}
float PICOML_LIBGCC_NAME(__mulsf3)(float a, float b) {
  return BitsToSingle(Multiply(&kSingle, SingleToBits(a), SingleToBits(b)));
}
float PICOML_LIBGCC_NAME(__divsf3)(float a, float b) {
  return BitsToSingle(Divide(&kSingle, SingleToBits(a), SingleToBits(b)));
}
float PICOML_LIBGCC_NAME(__floatsisf)(int32_t i) {
  return BitsToSingle(FromInteger(&kSingle, i < 0, i < 0 ? 0u - (uint32_t)i : (uint32_t)i));
}
float PICOML_LIBGCC_NAME(__floatunsisf)(uint32_t i) {
  return BitsToSingle(FromInteger(&kSingle, 0, i));
}
int32_t PICOML_LIBGCC_NAME(__fixsfsi)(float a) { return ToInt32(&kSingle, SingleToBits(a)); }
uint32_t PICOML_LIBGCC_NAME(__fixunssfsi)(float a) { return ToUint32(&kSingle, SingleToBits(a)); }
double PICOML_LIBGCC_NAME(__extendsfdf2)(float a) {
  return BitsToDouble(Convert(&kSingle, &kDouble, SingleToBits(a)));
}
float PICOML_LIBGCC_NAME(__truncdfsf2)(double a) {
  return BitsToSingle(Convert(&kDouble, &kSingle, DoubleToBits(a)));
}

double PICOML_LIBGCC_NAME(__adddf3)(double a, double b) {
  return BitsToDouble(Add(&kDouble, DoubleToBits(a), DoubleToBits(b)));
}
double PICOML_LIBGCC_NAME(__subdf3)(double a, double b) {
  return BitsToDouble(Add(&kDouble, DoubleToBits(a), DoubleToBits(b) ^ SignBit(&kDouble)));
}
double PICOML_LIBGCC_NAME(__muldf3)(double a, double b) {
  return BitsToDouble(Multiply(&kDouble, DoubleToBits(a), DoubleToBits(b)));
}
double PICOML_LIBGCC_NAME(__divdf3)(double a, double b) {
  return BitsToDouble(Divide(&kDouble, DoubleToBits(a), DoubleToBits(b)));
}
double PICOML_LIBGCC_NAME(__floatsidf)(int32_t i) {
  return BitsToDouble(FromInteger(&kDouble, i < 0, i < 0 ? 0u - (uint32_t)i : (uint32_t)i));
}
double PICOML_LIBGCC_NAME(__floatunsidf)(uint32_t i) {
  return BitsToDouble(FromInteger(&kDouble, 0, i));
}
int32_t PICOML_LIBGCC_NAME(__fixdfsi)(double a) { return ToInt32(&kDouble, DoubleToBits(a)); }
uint32_t PICOML_LIBGCC_NAME(__fixunsdfsi)(double a) { return ToUint32(&kDouble, DoubleToBits(a)); }

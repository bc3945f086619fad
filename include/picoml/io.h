// Moving real numbers in and out of int8 tensors: the steps every
// application does around Invoke() — quantize the input with the input
// tensor's scale and zero point, dequantize the output.
#ifndef PICOML_IO_H_
#define PICOML_IO_H_

#include <stddef.h>
#include <stdint.h>

#include "picoml/model.h"
#include "picoml/status.h"

namespace picoml {

// The per-tensor quantization of an int8 (or uint8/int16) tensor. An error,
// not a crash, when the tensor is not quantized, is quantized per channel,
// or has a scale that is not positive.
Status PerTensorQuantization(const Tensor& tensor, QuantizationParams* params);

// Writes `count` real values into `tensor` (which must hold exactly `count`
// elements): q = round(x / scale) + zero_point, rounded half away from zero
// and saturated, for int8; copied as they are for float32.
Status QuantizeInto(const Tensor& tensor, const float* values, size_t count);

// Reads `count` real values out of `tensor`: x = scale * (q - zero_point) for
// int8; copied for float32.
Status DequantizeFrom(const Tensor& tensor, float* values, size_t count);

// Index of the largest of `count` values (the first on ties); -1 if count is 0.
int ArgMax(const float* values, size_t count);

}  // namespace picoml

#endif  // PICOML_IO_H_

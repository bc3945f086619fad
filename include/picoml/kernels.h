// The kernels picoml ships, one registration per operator. Each is defined in
// its own source file (src/kernels/), so a program links only the kernels it
// names, usually through MutableOpResolver's Add* methods.
//
// Each registration handles every type the operator supports here (int8 with
// LiteRT's integer arithmetic, and float32).
#ifndef PICOML_KERNELS_H_
#define PICOML_KERNELS_H_

#include "picoml/kernel.h"

namespace picoml {
namespace kernels {

const KernelRegistration& Add();
const KernelRegistration& AveragePool2D();
const KernelRegistration& Concatenation();
const KernelRegistration& Conv2D();
const KernelRegistration& DepthwiseConv2D();
const KernelRegistration& Dequantize();
const KernelRegistration& FullyConnected();
const KernelRegistration& Logistic();
const KernelRegistration& MaxPool2D();
const KernelRegistration& Mean();
const KernelRegistration& Mul();
const KernelRegistration& Pad();
const KernelRegistration& Quantize();
const KernelRegistration& Relu();
const KernelRegistration& Relu6();
const KernelRegistration& Reshape();
const KernelRegistration& Softmax();
const KernelRegistration& Squeeze();
const KernelRegistration& Transpose();

}  // namespace kernels
}  // namespace picoml

#endif  // PICOML_KERNELS_H_

// OpResolver: which kernels a program links, and the lookup the interpreter
// uses. MutableOpResolver<N> holds up to N registrations in place (no heap):
//
//   picoml::MutableOpResolver<6> resolver;
//   resolver.AddConv2D();  // links src/kernels/conv2d.cc, nothing else
//
// Ownership: registrations are static objects; the resolver only points at
// them. It must outlive every Interpreter created with it.
#ifndef PICOML_OP_RESOLVER_H_
#define PICOML_OP_RESOLVER_H_

#include <stdint.h>

#include "picoml/kernel.h"
#include "picoml/kernels.h"

namespace picoml {

class OpResolver {
 public:
  int size() const { return count_; }
  const KernelRegistration* at(int i) const { return registrations_[i]; }
  // Index of the registration for `op`, or -1.
  int Find(BuiltinOperator op) const {
    for (int i = 0; i < count_; ++i)
      if (registrations_[i]->op == op) return i;
    return -1;
  }

 protected:
  OpResolver(const KernelRegistration** storage, int capacity)
      : registrations_(storage), capacity_(capacity) {}
  ~OpResolver() = default;
  OpResolver(const OpResolver&) = delete;
  OpResolver& operator=(const OpResolver&) = delete;

  Status AddRegistration(const KernelRegistration& registration) {
    if (Find(registration.op) >= 0)
      return Status::Error(StatusCode::kInvalidArgument, "%s is already registered",
                           BuiltinOperatorName(registration.op));
    if (count_ >= capacity_)
      return Status::Error(StatusCode::kInvalidArgument,
                           "op resolver is full (%d kernels): cannot add %s; raise the capacity "
                           "in MutableOpResolver<N>",
                           capacity_, BuiltinOperatorName(registration.op));
    registrations_[count_++] = &registration;
    return Status::Ok();
  }

 private:
  const KernelRegistration** registrations_;
  int capacity_;
  int count_ = 0;
};

template <int kCapacity>
class MutableOpResolver : public OpResolver {
 public:
  MutableOpResolver() : OpResolver(storage_, kCapacity) {}

  // For a kernel of the application's own.
  Status Add(const KernelRegistration& registration) { return AddRegistration(registration); }

  Status AddAdd() { return Add(kernels::Add()); }
  Status AddAveragePool2D() { return Add(kernels::AveragePool2D()); }
  Status AddConcatenation() { return Add(kernels::Concatenation()); }
  Status AddConv2D() { return Add(kernels::Conv2D()); }
  Status AddDepthwiseConv2D() { return Add(kernels::DepthwiseConv2D()); }
  Status AddDequantize() { return Add(kernels::Dequantize()); }
  Status AddFullyConnected() { return Add(kernels::FullyConnected()); }
  Status AddLogistic() { return Add(kernels::Logistic()); }
  Status AddMaxPool2D() { return Add(kernels::MaxPool2D()); }
  Status AddMean() { return Add(kernels::Mean()); }
  Status AddMul() { return Add(kernels::Mul()); }
  Status AddPad() { return Add(kernels::Pad()); }
  Status AddQuantize() { return Add(kernels::Quantize()); }
  Status AddRelu() { return Add(kernels::Relu()); }
  Status AddRelu6() { return Add(kernels::Relu6()); }
  Status AddReshape() { return Add(kernels::Reshape()); }
  Status AddSoftmax() { return Add(kernels::Softmax()); }
  Status AddSqueeze() { return Add(kernels::Squeeze()); }
  Status AddTranspose() { return Add(kernels::Transpose()); }

 private:
  const KernelRegistration* storage_[kCapacity];
};

// Every kernel picoml has: for host tools, where flash is no concern.
class AllOpsResolver : public MutableOpResolver<24> {
 public:
  AllOpsResolver() {
    // Adding distinct kernels to an empty resolver of this size cannot fail.
    (void)AddAdd();
    (void)AddAveragePool2D();
    (void)AddConcatenation();
    (void)AddConv2D();
    (void)AddDepthwiseConv2D();
    (void)AddDequantize();
    (void)AddFullyConnected();
    (void)AddLogistic();
    (void)AddMaxPool2D();
    (void)AddMean();
    (void)AddMul();
    (void)AddPad();
    (void)AddQuantize();
    (void)AddRelu();
    (void)AddRelu6();
    (void)AddReshape();
    (void)AddSoftmax();
    (void)AddSqueeze();
    (void)AddTranspose();
  }
};

}  // namespace picoml

#endif  // PICOML_OP_RESOLVER_H_

// The contract between the interpreter and an operator's kernel.
//
// A kernel is three plain functions (TFLM's prepare/eval split, with the
// memory question asked first, as CMSIS-NN's *_get_buffer_size does):
//   plan     checks the node (types, shapes, options) and says how much memory
//            it needs: node data kept from prepare to eval, and scratch used
//            during eval only. Pure: it writes nothing, so a host tool can ask
//            it what a device will need.
//   prepare  runs once, with tensors placed: fills the node data (fixed-point
//            multipliers, options, padding) from the model.
//   eval     computes the outputs, every inference. No checks left to do.
//
// Node data is copied byte for byte between targets in spirit: it must hold
// fixed-width integers and floats only, never pointers, so that the arena a
// model needs is the same on a 64-bit host and a 32-bit microcontroller.
#ifndef PICOML_KERNEL_H_
#define PICOML_KERNEL_H_

#include <stddef.h>
#include <stdint.h>

#include "picoml/model.h"
#include "picoml/status.h"
#include "picoml/types.h"

namespace picoml {

// The tensor offset the interpreter gives a tensor with no place in the
// arena: a constant, or an activation that no node reads or writes.
constexpr uint32_t kUnplacedTensor = 0xffffffffu;

struct KernelMemory {
  uint32_t node_data_bytes = 0;  // kept from prepare to eval (aligned to 8)
  uint32_t scratch_bytes = 0;    // valid during this node's eval only
};

// One node as its kernel sees it. Cheap to copy; valid during the call only.
class NodeContext {
 public:
  NodeContext(const Model* model, uint32_t index, const Operator& op, uint8_t* activations,
              const uint32_t* tensor_offsets, Rounding rounding)
      : model_(model),
        index_(index),
        op_(op),
        activations_(activations),
        tensor_offsets_(tensor_offsets),
        rounding_(rounding) {}

  uint32_t index() const { return index_; }
  const Operator& op() const { return op_; }
  const FlatTable& options() const { return op_.options; }
  Rounding rounding() const { return rounding_; }

  int input_count() const { return op_.input_count(); }
  int output_count() const { return op_.output_count(); }
  // False for an omitted optional input (index -1) or past the end.
  bool has_input(int i) const { return i < op_.input_count() && op_.input(i) >= 0; }

  // The tensor with its data pointer: constant data in the model, or its
  // place in the arena (null during plan, when nothing is placed yet). An
  // omitted optional input (or an index past the count) gives an empty
  // Tensor: data null, bytes 0; check has_input first.
  Tensor input(int i) const { return TensorAt(op_.input(i)); }
  Tensor output(int i) const { return TensorAt(op_.output(i)); }

  // Builds an error about this node; the interpreter adds "node N (OP): ".
  static Status Unsupported(const char* what) {
    return Status::Error(StatusCode::kUnsupported, "%s", what);
  }

 private:
  Tensor TensorAt(int32_t index) const {
    if (index < 0) return Tensor();
    Tensor t = model_->tensor(static_cast<uint32_t>(index));
    if (!t.is_constant)
      t.data = tensor_offsets_ == nullptr || tensor_offsets_[index] == kUnplacedTensor
                   ? nullptr
                   : activations_ + tensor_offsets_[index];
    return t;
  }

  const Model* model_;
  uint32_t index_;
  Operator op_;
  uint8_t* activations_;
  const uint32_t* tensor_offsets_;
  Rounding rounding_;
};

struct KernelRegistration {
  BuiltinOperator op;
  Status (*plan)(const NodeContext& node, KernelMemory* memory);
  Status (*prepare)(const NodeContext& node, void* node_data);
  Status (*eval)(const NodeContext& node, const void* node_data, void* scratch);
  // True when output 0 may share input 0's memory (RESHAPE, SQUEEZE): the
  // planner then gives both one buffer whenever input 0 dies at this node.
  // The kernel must cope with input and output data being the same bytes.
  bool output_may_alias_input;
};

}  // namespace picoml

#endif  // PICOML_KERNEL_H_

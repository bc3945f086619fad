// Model: a verified, read-only view of a .tflite flatbuffer, never copied.
//
// Ownership: the Model borrows the bytes it was created from (an array in
// flash, or a file read into memory). They must stay unchanged and alive for
// as long as the Model and every Interpreter built on it. The Model itself is a
// few pointers: copy it freely.
//
// Alignment: the bytes must start on an 8-byte boundary (kModelAlignment):
// kernels read int32 and float constants in place through typed pointers.
// Declare an embedded array `alignas(16) const uint8_t model[] = {...}` (as
// `picoml embed` writes it); malloc, new[] and std::vector storage qualify.
// Model::Create refuses other addresses with kInvalidArgument.
#ifndef PICOML_MODEL_H_
#define PICOML_MODEL_H_

#include <stddef.h>
#include <stdint.h>

#include "picoml/flatbuffer.h"
#include "picoml/status.h"
#include "picoml/types.h"

namespace picoml {

// Limits that keep every count and byte size in 32-bit arithmetic, so the
// same plan comes out on 32- and 64-bit targets.
constexpr uint32_t kMaxTensors = 65535;
constexpr uint32_t kMaxOperators = 65535;
constexpr int64_t kMaxTensorBytes = 0x7fffffff;
// The address alignment Model::Create requires of the model bytes.
constexpr uint32_t kModelAlignment = 8;

struct Shape {
  int rank = 0;
  int32_t dims[kMaxRank] = {};

  int64_t ElementCount() const {
    int64_t count = 1;
    for (int i = 0; i < rank; ++i) count *= dims[i];
    return count;
  }
  // Dimension `i`, counting from the end when negative (-1 = last).
  int32_t Dim(int i) const { return dims[i < 0 ? rank + i : i]; }
  bool Equals(const Shape& other) const {
    if (rank != other.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[i] != other.dims[i]) return false;
    return true;
  }
};

// Affine quantization: real = scale * (q - zero_point).
struct QuantizationParams {
  float scale = 0.0f;
  int32_t zero_point = 0;
};

// A tensor's quantization as stored in the model: none (count 0), per-tensor
// (count 1) or per-channel along `quantized_dimension`. The arrays are read
// in place from the flatbuffer.
class Quantization {
 public:
  Quantization() = default;
  Quantization(FlatVector scales, FlatVector zero_points, int32_t quantized_dimension)
      : scales_(scales), zero_points_(zero_points), quantized_dimension_(quantized_dimension) {}

  uint32_t count() const { return scales_.size(); }
  float scale(uint32_t i) const { return scales_.Scalar<float>(i); }
  // Zero points are int64 in the file; verified to fit int32 at load.
  int32_t zero_point(uint32_t i) const {
    return static_cast<int32_t>(zero_points_.Scalar<int64_t>(i));
  }
  int32_t quantized_dimension() const { return quantized_dimension_; }
  QuantizationParams PerTensor() const { return {scale(0), zero_point(0)}; }

 private:
  FlatVector scales_;
  FlatVector zero_points_;
  int32_t quantized_dimension_ = 0;
};

// Everything a kernel or a caller needs to know about one tensor. `data` is
// the constant data in the model, or the tensor's place in the arena once an
// Interpreter has planned it; null for an activation of a bare Model.
struct Tensor {
  TensorType type = TensorType::kFloat32;
  Shape shape;
  void* data = nullptr;
  size_t bytes = 0;
  bool is_constant = false;
  bool is_variable = false;
  Quantization quantization;
  FlatString name;

  template <typename T>
  T* data_as() const {
    return static_cast<T*>(data);
  }
  int64_t ElementCount() const { return shape.ElementCount(); }
};

// One operator (node) of the graph, as stored in the model.
struct Operator {
  BuiltinOperator code = BuiltinOperator::kAdd;
  FlatString custom_code;  // for CUSTOM operators
  int32_t version = 1;
  FlatVector inputs;   // int32 tensor indices; -1 marks an omitted optional input
  FlatVector outputs;  // int32 tensor indices
  uint8_t options_type = 0;
  FlatTable options;         // the BuiltinOptions table, absent if none
  FlatVector custom_options;  // raw bytes for CUSTOM operators

  int input_count() const { return static_cast<int>(inputs.size()); }
  int output_count() const { return static_cast<int>(outputs.size()); }
  int32_t input(int i) const { return inputs.Scalar<int32_t>(static_cast<uint32_t>(i), -1); }
  int32_t output(int i) const { return outputs.Scalar<int32_t>(static_cast<uint32_t>(i), -1); }
};

class Model {
 public:
  Model() = default;

  // Verifies `data` — its structure (every offset, vtable, vector, string and
  // union in bounds, as the flatbuffers library's verifier would) and its
  // meaning (indices in range, buffer sizes matching shapes and types,
  // quantization arrays the right length, nodes writing only activations) —
  // and makes `model` a view of it. Subgraph 0 is the graph that runs. The
  // order of writes and reads is checked when an Interpreter plans memory.
  static Status Create(const uint8_t* data, size_t size, Model* model);

  // The structural half of Create alone: the verdict the flatbuffers
  // library's Verifier gives on picoml's schema subset. Exposed for tests.
  static Status VerifyStructure(const uint8_t* data, size_t size);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  uint32_t version() const { return root_.Scalar<uint32_t>(0); }
  FlatString description() const { return root_.String(3); }

  uint32_t tensor_count() const { return tensors_.size(); }
  uint32_t operator_count() const { return operators_.size(); }
  uint32_t buffer_count() const { return buffers_.size(); }
  uint32_t subgraph_count() const { return subgraph_count_; }

  // Tensor `index` of the main graph; `index` must be < tensor_count().
  Tensor tensor(uint32_t index) const;
  Operator op(uint32_t index) const;

  int input_count() const { return static_cast<int>(inputs_.size()); }
  int output_count() const { return static_cast<int>(outputs_.size()); }
  int32_t input_tensor(int i) const { return inputs_.Scalar<int32_t>(static_cast<uint32_t>(i)); }
  int32_t output_tensor(int i) const { return outputs_.Scalar<int32_t>(static_cast<uint32_t>(i)); }

 private:
  Status CheckSemantics() const;
  Status CheckTensor(uint32_t index) const;
  Status CheckOperator(uint32_t index) const;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  FlatTable root_;
  FlatVector operator_codes_;
  FlatVector buffers_;
  FlatVector tensors_;
  FlatVector operators_;
  FlatVector inputs_;
  FlatVector outputs_;
  uint32_t subgraph_count_ = 0;
};

}  // namespace picoml

#endif  // PICOML_MODEL_H_

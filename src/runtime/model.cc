// Model: the semantic half of loading (the structural half is in
// model_verifier.cc) and the accessors kernels and tools read through.
#include "picoml/model.h"

#include <math.h>

#include "picoml/schema.h"

namespace picoml {
namespace {

Status Invalid(const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

Status Invalid(const char* format, ...) {
  va_list args;
  va_start(args, format);
  Status status = Status::ErrorV(StatusCode::kInvalidModel, format, args);
  va_end(args);
  return status;
}

// Bytes of a tensor's data, or -1 if the type has no fixed size or the size
// does not fit the limits.
int64_t TensorBytes(TensorType type, const Shape& shape) {
  const size_t element = TensorTypeSize(type);
  if (element == 0) return -1;
  // The limit holds for the shape with every 0 counted as 1: kernels multiply
  // subsets of the dimensions (rows x columns of an empty batch) in 32 bits.
  int64_t bytes = static_cast<int64_t>(element);
  int64_t bound = bytes;
  for (int i = 0; i < shape.rank; ++i) {
    bytes *= shape.dims[i];
    bound *= shape.dims[i] > 1 ? shape.dims[i] : 1;
    if (bound > kMaxTensorBytes) return -1;
  }
  return bytes;
}

}  // namespace

Status Model::Create(const uint8_t* data, size_t size, Model* model) {
  if (model == nullptr) return Status::Error(StatusCode::kInvalidArgument, "model output is null");
  *model = Model();
  // Kernels read int32 and float constants in place through typed pointers.
  if (reinterpret_cast<uintptr_t>(data) % kModelAlignment != 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "model data at address 0x%lx is not aligned to %u bytes: declare the "
                         "array alignas(16) (as `picoml embed` does) or copy it into aligned "
                         "memory",
                         static_cast<unsigned long>(reinterpret_cast<uintptr_t>(data)),
                         static_cast<unsigned>(kModelAlignment));
  PICOML_RETURN_IF_ERROR(VerifyStructure(data, size));

  Model m;
  m.data_ = data;
  m.size_ = size;
  m.root_ = FlatTable::Root(data, size);
  const uint32_t version = m.root_.Scalar<uint32_t>(schema::model::kVersion);
  if (version != schema::kSchemaVersion)
    return Invalid(
        "model has schema version %u; picoml reads version %u (re-export it with a "
        "current LiteRT converter)",
        static_cast<unsigned>(version), static_cast<unsigned>(schema::kSchemaVersion));
  const FlatVector subgraphs = m.root_.Vector(schema::model::kSubgraphs);
  if (subgraphs.size() == 0) return Invalid("model has no subgraph: nothing to run");
  m.subgraph_count_ = subgraphs.size();
  const FlatTable main = subgraphs.Table(0);
  m.operator_codes_ = m.root_.Vector(schema::model::kOperatorCodes);
  m.buffers_ = m.root_.Vector(schema::model::kBuffers);
  m.tensors_ = main.Vector(schema::subgraph::kTensors);
  m.operators_ = main.Vector(schema::subgraph::kOperators);
  m.inputs_ = main.Vector(schema::subgraph::kInputs);
  m.outputs_ = main.Vector(schema::subgraph::kOutputs);
  PICOML_RETURN_IF_ERROR(m.CheckSemantics());
  *model = m;
  return Status::Ok();
}

Tensor Model::tensor(uint32_t index) const {
  Tensor t;
  const FlatTable table = tensors_.Table(index);
  t.type = static_cast<TensorType>(table.Scalar<int8_t>(schema::tensor::kType));
  const FlatVector shape = table.Vector(schema::tensor::kShape);
  t.shape.rank = static_cast<int>(shape.size() > kMaxRank ? kMaxRank : shape.size());
  for (int i = 0; i < t.shape.rank; ++i)
    t.shape.dims[i] = shape.Scalar<int32_t>(static_cast<uint32_t>(i));
  const int64_t bytes = TensorBytes(t.type, t.shape);
  t.bytes = bytes < 0 ? 0 : static_cast<size_t>(bytes);
  t.is_variable = table.Scalar<uint8_t>(schema::tensor::kIsVariable) != 0;
  t.name = table.String(schema::tensor::kName);

  const FlatTable quantization = table.Table(schema::tensor::kQuantization);
  if (quantization.present()) {
    t.quantization =
        Quantization(quantization.Vector(schema::quantization::kScale),
                     quantization.Vector(schema::quantization::kZeroPoint),
                     quantization.Scalar<int32_t>(schema::quantization::kQuantizedDimension));
  }

  const uint32_t buffer_index = table.Scalar<uint32_t>(schema::tensor::kBuffer);
  const FlatTable buffer = buffers_.Table(buffer_index);
  const FlatVector bytes_vector = buffer.Vector(schema::buffer::kData);
  const uint64_t offset = buffer.Scalar<uint64_t>(schema::buffer::kOffset);
  if (bytes_vector.present() && bytes_vector.size() > 0) {
    t.data = const_cast<uint8_t*>(bytes_vector.data());
    t.is_constant = true;
  } else if (offset > 1) {
    // Data stored after the flatbuffer (schema 3c), located from its start.
    // CheckTensor refuses offsets past the end; the pointer is formed only
    // inside the file (a pointer past it is undefined behaviour).
    t.data = offset <= size_ ? const_cast<uint8_t*>(data_ + offset) : nullptr;
    t.is_constant = true;
  }
  return t;
}

Operator Model::op(uint32_t index) const {
  Operator o;
  const FlatTable table = operators_.Table(index);
  const uint32_t code_index = table.Scalar<uint32_t>(schema::op::kOpcodeIndex);
  const FlatTable code = operator_codes_.Table(code_index);
  // The code is the larger of the two fields: files older than the int32
  // field set only the byte, newer ones set both (the byte capped at 127).
  const int32_t deprecated = code.Scalar<int8_t>(schema::operator_code::kDeprecatedBuiltinCode);
  const int32_t builtin = code.Scalar<int32_t>(schema::operator_code::kBuiltinCode);
  o.code = static_cast<BuiltinOperator>(deprecated > builtin ? deprecated : builtin);
  o.custom_code = code.String(schema::operator_code::kCustomCode);
  o.version = code.Scalar<int32_t>(schema::operator_code::kVersion, 1);
  o.inputs = table.Vector(schema::op::kInputs);
  o.outputs = table.Vector(schema::op::kOutputs);
  o.options_type = table.Scalar<uint8_t>(schema::op::kBuiltinOptionsType);
  o.options = table.Table(schema::op::kBuiltinOptions);
  o.custom_options = table.Vector(schema::op::kCustomOptions);
  return o;
}

Status Model::CheckSemantics() const {
  if (tensors_.size() > kMaxTensors)
    return Invalid("model has %u tensors; picoml handles at most %u",
                   static_cast<unsigned>(tensors_.size()), static_cast<unsigned>(kMaxTensors));
  if (operators_.size() > kMaxOperators)
    return Invalid("model has %u operators; picoml handles at most %u",
                   static_cast<unsigned>(operators_.size()), static_cast<unsigned>(kMaxOperators));
  if (inputs_.size() == 0) return Invalid("the main graph has no inputs");
  if (outputs_.size() == 0) return Invalid("the main graph has no outputs");
  for (uint32_t i = 0; i < tensors_.size(); ++i) PICOML_RETURN_IF_ERROR(CheckTensor(i));

  // Graph inputs and outputs: in range, and inputs are not constants.
  for (uint32_t i = 0; i < inputs_.size(); ++i) {
    const int32_t t = inputs_.Scalar<int32_t>(i);
    if (t < 0 || static_cast<uint32_t>(t) >= tensors_.size())
      return Invalid("graph input %u names tensor %d; the model has %u tensors",
                     static_cast<unsigned>(i), static_cast<int>(t),
                     static_cast<unsigned>(tensors_.size()));
    if (tensor(static_cast<uint32_t>(t)).is_constant)
      return Invalid("graph input %u (tensor %d) has constant data; inputs must be activations",
                     static_cast<unsigned>(i), static_cast<int>(t));
  }
  for (uint32_t i = 0; i < outputs_.size(); ++i) {
    const int32_t t = outputs_.Scalar<int32_t>(i);
    if (t < 0 || static_cast<uint32_t>(t) >= tensors_.size())
      return Invalid("graph output %u names tensor %d; the model has %u tensors",
                     static_cast<unsigned>(i), static_cast<int>(t),
                     static_cast<unsigned>(tensors_.size()));
  }
  for (uint32_t i = 0; i < operators_.size(); ++i) PICOML_RETURN_IF_ERROR(CheckOperator(i));

  // Data flow (each activation written once, before it is read) is checked
  // by the planner, which has the arena for per-tensor tables.
  return Status::Ok();
}

Status Model::CheckTensor(uint32_t index) const {
  const FlatTable table = tensors_.Table(index);
  const int8_t type = table.Scalar<int8_t>(schema::tensor::kType);
  if (type < 0 || type > kLastTensorTypeCode)
    return Status::Error(StatusCode::kUnsupported,
                         "tensor %u has type code %d, which picoml does not know",
                         static_cast<unsigned>(index), type);
  if (table.Has(schema::tensor::kSparsity))
    return Status::Error(StatusCode::kUnsupported,
                         "tensor %u is sparse; picoml runs dense tensors only (convert the model "
                         "without sparsity)",
                         static_cast<unsigned>(index));
  const FlatVector shape = table.Vector(schema::tensor::kShape);
  if (shape.size() > static_cast<uint32_t>(kMaxRank))
    return Status::Error(
        StatusCode::kUnsupported, "tensor %u has rank %u; picoml supports up to %d",
        static_cast<unsigned>(index), static_cast<unsigned>(shape.size()), kMaxRank);
  for (uint32_t d = 0; d < shape.size(); ++d) {
    const int32_t dim = shape.Scalar<int32_t>(d);
    if (dim < 0)
      return Invalid("tensor %u has dimension %u of %d; shapes must be fixed and non-negative",
                     static_cast<unsigned>(index), static_cast<unsigned>(d), static_cast<int>(dim));
  }
  const Tensor t = tensor(index);
  if (TensorTypeSize(t.type) == 0)
    return Status::Error(StatusCode::kUnsupported,
                         "tensor %u has type %s, which picoml cannot hold (no fixed element size)",
                         static_cast<unsigned>(index), TensorTypeName(t.type));
  const int64_t bytes = TensorBytes(t.type, t.shape);
  if (bytes < 0)
    return Invalid(
        "tensor %u (%s, rank %d) needs more than %lld bytes; picoml tensors are limited "
        "to 2 GiB (corrupted shape?)",
        static_cast<unsigned>(index), TensorTypeName(t.type), t.shape.rank,
        static_cast<long long>(kMaxTensorBytes));
  // A variable's bytes change at run time, so they cannot live in the model
  // (which may sit in flash); picoml starts variables at zero instead.
  if (t.is_variable && t.is_constant)
    return Status::Error(StatusCode::kUnsupported,
                         "tensor %u is a variable with initial data in the model; picoml starts "
                         "variables at zero and cannot use the stored values",
                         static_cast<unsigned>(index));

  const uint32_t buffer_index = table.Scalar<uint32_t>(schema::tensor::kBuffer);
  if (buffer_index >= buffers_.size())
    return Invalid("tensor %u refers to buffer %u; the model has %u buffers",
                   static_cast<unsigned>(index), static_cast<unsigned>(buffer_index),
                   static_cast<unsigned>(buffers_.size()));
  const FlatTable buffer = buffers_.Table(buffer_index);
  const FlatVector data = buffer.Vector(schema::buffer::kData);
  const uint64_t offset = buffer.Scalar<uint64_t>(schema::buffer::kOffset);
  const uint64_t size = buffer.Scalar<uint64_t>(schema::buffer::kSize);
  // tensor() makes the tensor constant in both cases below, with t.bytes of
  // data: the buffer must hold exactly that many, whatever its size says.
  bool has_data = false;
  uint64_t stored = 0;
  if (data.present() && data.size() > 0) {
    has_data = true;
    stored = data.size();
  } else if (offset > 1) {
    has_data = true;
    if (offset > size_ || size > size_ - offset)
      return Invalid(
          "buffer %u (tensor %u) claims %llu bytes at offset %llu, past the end of the "
          "%zu-byte file",
          static_cast<unsigned>(buffer_index), static_cast<unsigned>(index),
          static_cast<unsigned long long>(size), static_cast<unsigned long long>(offset), size_);
    stored = size;
  }
  if (has_data) {
    if (stored != static_cast<uint64_t>(bytes))
      return Invalid("tensor %u (%s, %lld elements) needs %lld bytes but its buffer %u holds %llu",
                     static_cast<unsigned>(index), TensorTypeName(t.type),
                     static_cast<long long>(t.ElementCount()), static_cast<long long>(bytes),
                     static_cast<unsigned>(buffer_index), static_cast<unsigned long long>(stored));
    const size_t element = TensorTypeSize(t.type);
    const size_t position = static_cast<size_t>(static_cast<const uint8_t*>(t.data) - data_);
    if (position % element != 0)
      return Invalid("constant data of tensor %u is not aligned to its %zu-byte elements",
                     static_cast<unsigned>(index), element);
  }

  const FlatTable quantization = table.Table(schema::tensor::kQuantization);
  if (quantization.present()) {
    const FlatVector scales = quantization.Vector(schema::quantization::kScale);
    const FlatVector zero_points = quantization.Vector(schema::quantization::kZeroPoint);
    if (scales.size() != zero_points.size() && scales.size() > 0)
      return Invalid("tensor %u has %u quantization scales but %u zero points",
                     static_cast<unsigned>(index), static_cast<unsigned>(scales.size()),
                     static_cast<unsigned>(zero_points.size()));
    if (scales.size() > 1) {
      int32_t dim = quantization.Scalar<int32_t>(schema::quantization::kQuantizedDimension);
      // The converter gives a depthwise convolution's bias (rank 1) its
      // filter's quantized dimension, 3 (person_detect.tflite has such
      // biases). TFLM does not look at it; for a vector the channels can
      // only be along its one dimension.
      if (t.shape.rank == 1 && dim > 0) dim = 0;
      if (dim < 0 || dim >= t.shape.rank)
        return Invalid("tensor %u is quantized along dimension %d but has rank %d",
                       static_cast<unsigned>(index), static_cast<int>(dim), t.shape.rank);
      if (static_cast<int64_t>(scales.size()) != t.shape.dims[dim])
        return Invalid("tensor %u has %u per-channel scales but dimension %d has %d channels",
                       static_cast<unsigned>(index), static_cast<unsigned>(scales.size()),
                       static_cast<int>(dim), static_cast<int>(t.shape.dims[dim]));
    }
    for (uint32_t i = 0; i < scales.size(); ++i) {
      const float s = scales.Scalar<float>(i);
      if (!(s > 0.0f) || !isfinite(s))
        return Invalid("tensor %u: quantization scale %u is %s; scales must be positive and finite",
                       static_cast<unsigned>(index), static_cast<unsigned>(i),
                       isnan(s)    ? "not a number"
                       : s == 0.0f ? "zero"
                       : s < 0.0f  ? "negative"
                                   : "infinite");
      const int64_t z = zero_points.Scalar<int64_t>(i);
      if (z < -2147483647ll - 1 || z > 2147483647ll)
        return Invalid("tensor %u has zero point %u of %lld, outside the int32 range",
                       static_cast<unsigned>(index), static_cast<unsigned>(i),
                       static_cast<long long>(z));
    }
  }
  return Status::Ok();
}

Status Model::CheckOperator(uint32_t index) const {
  const FlatTable table = operators_.Table(index);
  const uint32_t code_index = table.Scalar<uint32_t>(schema::op::kOpcodeIndex);
  if (code_index >= operator_codes_.size())
    return Invalid("node %u uses operator code %u; the model lists %u",
                   static_cast<unsigned>(index), static_cast<unsigned>(code_index),
                   static_cast<unsigned>(operator_codes_.size()));
  const Operator o = op(index);
  if (static_cast<int32_t>(o.code) < 0)
    return Invalid("node %u has a negative operator code", static_cast<unsigned>(index));
  for (int k = 0; k < o.input_count(); ++k) {
    const int32_t t = o.input(k);
    if (t < -1 || t >= static_cast<int32_t>(tensors_.size()))
      return Invalid("node %u (%s) input %d names tensor %d; the model has %u tensors",
                     static_cast<unsigned>(index), BuiltinOperatorName(o.code), k,
                     static_cast<int>(t), static_cast<unsigned>(tensors_.size()));
  }
  for (int k = 0; k < o.output_count(); ++k) {
    const int32_t t = o.output(k);
    if (t < 0 || t >= static_cast<int32_t>(tensors_.size()))
      return Invalid("node %u (%s) output %d names tensor %d; the model has %u tensors",
                     static_cast<unsigned>(index), BuiltinOperatorName(o.code), k,
                     static_cast<int>(t), static_cast<unsigned>(tensors_.size()));
    if (tensor(static_cast<uint32_t>(t)).is_constant)
      return Invalid("node %u (%s) writes tensor %d, which holds constant data",
                     static_cast<unsigned>(index), BuiltinOperatorName(o.code),
                     static_cast<int>(t));
  }
  return Status::Ok();
}

}  // namespace picoml

// TfliteBuilder: writes .tflite (LiteRT flatbuffer, schema version 3) files
// with the official flatbuffers library. Used by the exporter (`picoml
// quantize`) and by tests that need small models with chosen operators.
//
// Field ids and union values come from include/picoml/schema.h, the same
// table the runtime reads with.
#ifndef PICOML_TOOLS_HOST_TFLITE_BUILDER_H_
#define PICOML_TOOLS_HOST_TFLITE_BUILDER_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "picoml/schema.h"
#include "picoml/types.h"

namespace picoml::host {

// One field of an options table (BuiltinOptions member), by schema field id.
struct OptionField {
  enum class Kind { kInt8, kInt32, kFloat, kBool, kInt32Vector };
  int id = 0;
  Kind kind = Kind::kInt32;
  int64_t integer = 0;
  float real = 0.0f;
  std::vector<int32_t> vector;

  static OptionField Int8(int id, int v) { return {id, Kind::kInt8, v, 0.0f, {}}; }
  static OptionField Int32(int id, int32_t v) { return {id, Kind::kInt32, v, 0.0f, {}}; }
  static OptionField Float(int id, float v) { return {id, Kind::kFloat, 0, v, {}}; }
  static OptionField Bool(int id, bool v) { return {id, Kind::kBool, v ? 1 : 0, 0.0f, {}}; }
  static OptionField Int32Vector(int id, std::vector<int32_t> v) {
    return {id, Kind::kInt32Vector, 0, 0.0f, std::move(v)};
  }
};

struct TensorSpec {
  TensorType type = TensorType::kInt8;
  std::vector<int32_t> shape;
  std::string name;
  // Quantization: empty = none; one entry = per tensor; more = per channel.
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
  std::vector<float> min, max;  // optional calibration ranges, kept for tools
  std::vector<uint8_t> data;    // constant data; empty = activation
  bool is_variable = false;
};

struct OperatorSpec {
  BuiltinOperator code = BuiltinOperator::kAdd;
  int32_t version = 1;
  std::vector<int32_t> inputs, outputs;
  schema::BuiltinOptionsType options_type = schema::BuiltinOptionsType::kNone;
  std::vector<OptionField> options;  // written when options_type is not kNone
  std::string custom_code;           // for CUSTOM
  std::vector<uint8_t> custom_options;
};

class TfliteBuilder {
 public:
  // Returns the new tensor's index.
  int AddTensor(TensorSpec tensor);
  int AddOperator(OperatorSpec op);
  void SetInputs(std::vector<int32_t> inputs) { inputs_ = std::move(inputs); }
  void SetOutputs(std::vector<int32_t> outputs) { outputs_ = std::move(outputs); }
  // Serializes the model (identifier "TFL3", version 3, one subgraph; buffer 0
  // is the empty sentinel; constant data aligned to 16 bytes).
  std::vector<uint8_t> Build(const std::string& description = "picoml") const;

  const std::vector<TensorSpec>& tensors() const { return tensors_; }

 private:
  std::vector<TensorSpec> tensors_;
  std::vector<OperatorSpec> operators_;
  std::vector<int32_t> inputs_, outputs_;
};

// Raw little-endian bytes of a typed array, for TensorSpec::data.
template <typename T>
std::vector<uint8_t> ToBytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_TFLITE_BUILDER_H_

// Test support for the pooling, MEAN, SOFTMAX, LOGISTIC, QUANTIZE and
// DEQUANTIZE tests: tensor specs and a one-operator model.
#ifndef PICOML_TESTS_KERNELS_SINGLE_OP_MODEL_H_
#define PICOML_TESTS_KERNELS_SINGLE_OP_MODEL_H_

#include <cstdint>
#include <vector>

#include "host/tflite_builder.h"
#include "picoml/types.h"

namespace picoml::test {

inline host::TensorSpec Int8Tensor(std::vector<int32_t> shape, float scale, int64_t zero_point) {
  host::TensorSpec t;
  t.type = TensorType::kInt8;
  t.shape = std::move(shape);
  t.scales = {scale};
  t.zero_points = {zero_point};
  return t;
}

inline host::TensorSpec FloatTensor(std::vector<int32_t> shape) {
  host::TensorSpec t;
  t.type = TensorType::kFloat32;
  t.shape = std::move(shape);
  return t;
}

inline host::TensorSpec Int32Constant(std::vector<int32_t> shape, std::vector<int32_t> values) {
  host::TensorSpec t;
  t.type = TensorType::kInt32;
  t.shape = std::move(shape);
  t.data = host::ToBytes(values);
  return t;
}

// input -> OP -> output, with optional extra constant inputs after input 0.
inline std::vector<uint8_t> SingleOpModel(BuiltinOperator code, host::TensorSpec input,
                                          host::TensorSpec output,
                                          schema::BuiltinOptionsType options_type,
                                          std::vector<host::OptionField> options,
                                          std::vector<host::TensorSpec> constants = {}) {
  host::TfliteBuilder b;
  const int in = b.AddTensor(std::move(input));
  std::vector<int32_t> inputs = {in};
  for (auto& c : constants) inputs.push_back(b.AddTensor(std::move(c)));
  const int out = b.AddTensor(std::move(output));
  host::OperatorSpec op;
  op.code = code;
  op.inputs = inputs;
  op.outputs = {out};
  op.options_type = options_type;
  op.options = std::move(options);
  b.AddOperator(std::move(op));
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

}  // namespace picoml::test

#endif  // PICOML_TESTS_KERNELS_SINGLE_OP_MODEL_H_

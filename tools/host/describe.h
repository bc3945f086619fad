// Descriptions of models and tensors for people (text) and programs (JSON):
// shared by `picoml inspect`, `picoml run --json` and the tests.
#ifndef PICOML_TOOLS_HOST_DESCRIBE_H_
#define PICOML_TOOLS_HOST_DESCRIBE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "picoml/interpreter.h"
#include "picoml/model.h"

namespace picoml::host {

// "[1, 96, 96, 1]"
std::string ShapeString(const Shape& shape);
// Multiply-accumulates of one node (convolutions and fully connected
// layers; 0 for the rest, as the conformance manifest counts them).
int64_t NodeMacs(const Model& model, uint32_t node);
int64_t TotalMacs(const Model& model);
// Bytes of constant data (weights, biases, constant parameters).
int64_t ParameterBytes(const Model& model);

// {"index", "name", "type", "shape", "bytes", "scale", "zero_point"} (scale
// and zero point for per-tensor quantization; "scales" when per channel).
nlohmann::json TensorJson(const Tensor& tensor, int index);
// Tensor values as numbers (int8 as integers, float32 as floats).
nlohmann::json TensorValuesJson(const Tensor& tensor);

// The whole model: nodes with operator, inputs, outputs and MACs; tensors;
// parameter bytes; total MACs; and the arena plan when `plan` is given.
nlohmann::json ModelJson(const Model& model, const ArenaPlan* plan);
std::string ModelText(const Model& model, const ArenaPlan* plan, const std::string& plan_error);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_DESCRIBE_H_

// DEQUANTIZE: int8 -> float32, any shape.
//
// LiteRT's reference Dequantize: x = float(scale * (q - zero_point)) with the
// scale widened to double and the product rounded to float once. (The exact
// double product of a float and a 9-bit integer rounds to the same float as
// a float multiply would; double keeps the recipe literal.)
#include <stdint.h>

#include "kernels/tensor_checks.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

struct DequantizeData {
  int32_t count;
  int32_t zero_point;
  float scale;
};

Status Check(const NodeContext& node, DequantizeData* data) {
  PICOML_RETURN_IF_ERROR(checks::CheckArity(node, 1, 1));
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.type != TensorType::kInt8 || output.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported, "%s -> %s is not supported (INT8 -> FLOAT32 is)",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  PICOML_RETURN_IF_ERROR(checks::CheckSameShape(input, output));
  PICOML_RETURN_IF_ERROR(checks::CheckElementCount(input, "input"));
  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(input, "input"));
  const QuantizationParams q = input.quantization.PerTensor();
  data->count = static_cast<int32_t>(input.ElementCount());
  data->zero_point = q.zero_point;
  data->scale = q.scale;
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  DequantizeData data;
  PICOML_RETURN_IF_ERROR(Check(node, &data));
  memory->node_data_bytes = sizeof(DequantizeData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  return Check(node, static_cast<DequantizeData*>(node_data));
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const DequantizeData& d = *static_cast<const DequantizeData*>(node_data);
  const int8_t* input = node.input(0).data_as<const int8_t>();
  float* output = node.output(0).data_as<float>();
  const double scale = static_cast<double>(d.scale);
  for (int32_t i = 0; i < d.count; ++i)
    output[i] = static_cast<float>(scale * static_cast<double>(input[i] - d.zero_point));
  return Status::Ok();
}

}  // namespace

const KernelRegistration& Dequantize() {
  static const KernelRegistration registration = {BuiltinOperator::kDequantize, Plan, Prepare, Eval,
                                                  false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml

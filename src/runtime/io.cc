#include "picoml/io.h"

#include <math.h>
#include <string.h>

#include "kernels/fixed_point.h"

namespace picoml {
namespace {

Status CheckCount(const Tensor& tensor, size_t count, const char* what) {
  if (tensor.data == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "tensor has no data: take it from a created Interpreter");
  if (static_cast<int64_t>(count) != tensor.ElementCount())
    return Status::Error(StatusCode::kInvalidArgument, "%s %zu values but the tensor holds %lld",
                         what, count, static_cast<long long>(tensor.ElementCount()));
  return Status::Ok();
}

}  // namespace

Status PerTensorQuantization(const Tensor& tensor, QuantizationParams* params) {
  const uint32_t count = tensor.quantization.count();
  if (count == 0)
    return Status::Error(StatusCode::kInvalidModel,
                         "%s tensor has no quantization parameters; a full-int8 model needs them "
                         "on its inputs and outputs (convert with int8 input/output)",
                         TensorTypeName(tensor.type));
  if (count != 1)
    return Status::Error(StatusCode::kInvalidModel,
                         "tensor is quantized per channel (%u scales); inputs and outputs must "
                         "be quantized per tensor",
                         static_cast<unsigned>(count));
  params->scale = tensor.quantization.scale(0);
  params->zero_point = tensor.quantization.zero_point(0);
  if (!(params->scale > 0.0f))
    return Status::Error(StatusCode::kInvalidModel, "tensor has a non-positive scale");
  return Status::Ok();
}

Status QuantizeInto(const Tensor& tensor, const float* values, size_t count) {
  PICOML_RETURN_IF_ERROR(CheckCount(tensor, count, "got"));
  if (tensor.type == TensorType::kFloat32) {
    memcpy(tensor.data, values, count * sizeof(float));
    return Status::Ok();
  }
  if (tensor.type != TensorType::kInt8)
    return Status::Error(StatusCode::kUnsupported,
                         "cannot quantize into a %s tensor: int8 and float32 are supported",
                         TensorTypeName(tensor.type));
  QuantizationParams q;
  PICOML_RETURN_IF_ERROR(PerTensorQuantization(tensor, &q));
  int8_t* out = static_cast<int8_t*>(tensor.data);
  // The QUANTIZE kernel's rounding: half away from zero, saturated, NaN -> zero point.
  for (size_t i = 0; i < count; ++i)
    out[i] = fixed_point::QuantizeFloatToInt8(values[i], q.scale, q.zero_point);
  return Status::Ok();
}

Status DequantizeFrom(const Tensor& tensor, float* values, size_t count) {
  PICOML_RETURN_IF_ERROR(CheckCount(tensor, count, "asked for"));
  if (tensor.type == TensorType::kFloat32) {
    memcpy(values, tensor.data, count * sizeof(float));
    return Status::Ok();
  }
  if (tensor.type != TensorType::kInt8)
    return Status::Error(StatusCode::kUnsupported,
                         "cannot dequantize a %s tensor: int8 and float32 are supported",
                         TensorTypeName(tensor.type));
  QuantizationParams q;
  PICOML_RETURN_IF_ERROR(PerTensorQuantization(tensor, &q));
  const int8_t* in = static_cast<const int8_t*>(tensor.data);
  for (size_t i = 0; i < count; ++i)
    values[i] = q.scale * static_cast<float>(static_cast<int32_t>(in[i]) - q.zero_point);
  return Status::Ok();
}

int ArgMax(const float* values, size_t count) {
  if (count == 0) return -1;
  size_t best = 0;
  for (size_t i = 1; i < count; ++i)
    if (values[i] > values[best]) best = i;
  return static_cast<int>(best);
}

}  // namespace picoml

// TRANSPOSE: output dimension i is input dimension perm[i], as LiteRT's
// TRANSPOSE (reference transpose.h). Input 1, the permutation, must be a
// constant int32 (or int64) tensor here. Elements are moved, never changed,
// so one routine serves every element size (1, 2, 4 or 8 bytes): int8 and
// float32 are the types picoml ships models with. Up to kMaxRank (6)
// dimensions.
#include <string.h>

#include "picoml/kernel.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

struct TransposeData {
  int32_t rank;
  int32_t element_bytes;
  int32_t output_dims[kMaxRank];
  // Input element stride of each output dimension: stride of input dim perm[i].
  int32_t input_strides[kMaxRank];
};

int64_t PermutationAt(const Tensor& perm, int i) {
  if (perm.type == TensorType::kInt64) {
    int64_t v;
    memcpy(&v, static_cast<const uint8_t*>(perm.data) + 8 * i, 8);
    return v;
  }
  int32_t v;
  memcpy(&v, static_cast<const uint8_t*>(perm.data) + 4 * i, 4);
  return v;
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  if (node.input_count() != 2 || node.output_count() != 1 || !node.has_input(0) ||
      !node.has_input(1))
    return Status::Error(StatusCode::kInvalidModel,
                         "TRANSPOSE takes 2 inputs (data, permutation) and 1 output, has %d and %d",
                         node.input_count(), node.output_count());
  const Tensor input = node.input(0);
  const Tensor perm = node.input(1);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kInvalidModel, "input is %s, output is %s; they must match",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  const size_t element_bytes = TensorTypeSize(input.type);
  if (element_bytes != 1 && element_bytes != 2 && element_bytes != 4 && element_bytes != 8)
    return Status::Error(StatusCode::kUnsupported, "type %s is not supported; use INT8 or FLOAT32",
                         TensorTypeName(input.type));
  if (!perm.is_constant)
    return Status::Error(StatusCode::kUnsupported,
                         "the permutation (input 1) is computed at run time; picoml needs it as a "
                         "constant tensor in the model");
  if (perm.type != TensorType::kInt32 && perm.type != TensorType::kInt64)
    return Status::Error(StatusCode::kInvalidModel, "permutation is %s; it must be INT32 or INT64",
                         TensorTypeName(perm.type));
  const int rank = input.shape.rank;
  if (perm.shape.rank != 1 || perm.shape.dims[0] != rank || output.shape.rank != rank)
    return Status::Error(StatusCode::kInvalidModel,
                         "input has rank %d: the permutation must have %d entries and the output "
                         "rank %d",
                         rank, rank, rank);
  bool seen[kMaxRank] = {};
  for (int i = 0; i < rank; ++i) {
    const int64_t p = PermutationAt(perm, i);
    if (p < 0 || p >= rank || seen[p])
      return Status::Error(StatusCode::kInvalidModel,
                           "permutation entry %d is %ld; entries must be 0..%d, each once", i,
                           static_cast<long>(p), rank - 1);
    seen[p] = true;
    if (output.shape.dims[i] != input.shape.dims[p])
      return Status::Error(StatusCode::kInvalidModel,
                           "output dimension %d is %d, input dimension %ld is %d; they must match",
                           i, static_cast<int>(output.shape.dims[i]), static_cast<long>(p),
                           static_cast<int>(input.shape.dims[p]));
  }
  memory->node_data_bytes = sizeof(TransposeData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  const Tensor input = node.input(0);
  const Tensor perm = node.input(1);
  TransposeData* data = static_cast<TransposeData*>(node_data);
  *data = TransposeData();
  data->rank = input.shape.rank;
  data->element_bytes = static_cast<int32_t>(TensorTypeSize(input.type));
  int32_t strides[kMaxRank];
  int32_t stride = 1;
  for (int i = data->rank - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= input.shape.dims[i];
  }
  for (int i = 0; i < data->rank; ++i) {
    const int p = static_cast<int>(PermutationAt(perm, i));
    data->output_dims[i] = input.shape.dims[p];
    data->input_strides[i] = strides[p];
  }
  return Status::Ok();
}

// Walks the output in order; `in_index` follows in the input.
template <typename Element>
void Permute(const TransposeData& d, const Element* in, Element* out, int64_t count) {
  if (count == 0) return;
  if (d.rank == 0) {
    out[0] = in[0];
    return;
  }
  const int last = d.rank - 1;
  const int32_t inner = d.output_dims[last];
  const int32_t inner_stride = d.input_strides[last];
  int32_t position[kMaxRank] = {};
  int64_t in_index = 0;
  for (;;) {
    for (int32_t c = 0; c < inner; ++c) *out++ = in[in_index + c * inner_stride];
    int i = last - 1;
    for (; i >= 0; --i) {
      in_index += d.input_strides[i];
      if (++position[i] < d.output_dims[i]) break;
      in_index -= static_cast<int64_t>(d.input_strides[i]) * d.output_dims[i];
      position[i] = 0;
    }
    if (i < 0) return;
  }
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const TransposeData& d = *static_cast<const TransposeData*>(node_data);
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  const int64_t count = output.ElementCount();
  switch (d.element_bytes) {
    case 1:
      Permute(d, input.data_as<const uint8_t>(), output.data_as<uint8_t>(), count);
      break;
    case 2:
      Permute(d, input.data_as<const uint16_t>(), output.data_as<uint16_t>(), count);
      break;
    case 4:
      Permute(d, input.data_as<const uint32_t>(), output.data_as<uint32_t>(), count);
      break;
    default:
      Permute(d, input.data_as<const uint64_t>(), output.data_as<uint64_t>(), count);
      break;
  }
  return Status::Ok();
}

const KernelRegistration kTranspose = {BuiltinOperator::kTranspose, Plan, Prepare, Eval, false};

}  // namespace

const KernelRegistration& Transpose() { return kTranspose; }

}  // namespace kernels
}  // namespace picoml

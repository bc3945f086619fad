// SQUEEZE: drops dimensions of extent 1 — those listed in
// SqueezeOptions.squeeze_dims (negative counts from the end), or every one
// when the list is empty, as LiteRT's SQUEEZE. The bytes are unchanged; the
// output tensor must have exactly the squeezed shape. Quantization is not
// compared (LiteRT does not).
//
// The planner may give input and output one buffer (output_may_alias_input),
// in which case there is nothing to do.
#include <string.h>

#include "picoml/kernel.h"
#include "picoml/kernels.h"
#include "picoml/schema.h"

namespace picoml {
namespace kernels {
namespace {

Status Plan(const NodeContext& node, KernelMemory*) {
  if (node.input_count() != 1 || node.output_count() != 1 || !node.has_input(0))
    return Status::Error(StatusCode::kInvalidModel,
                         "SQUEEZE takes 1 input and 1 output, has %d and %d", node.input_count(),
                         node.output_count());
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kInvalidModel, "input is %s, output is %s; they must match",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  const uint8_t type = node.op().options_type;
  if (type != static_cast<uint8_t>(schema::BuiltinOptionsType::kNone) &&
      type != static_cast<uint8_t>(schema::BuiltinOptionsType::kSqueezeOptions))
    return Status::Error(StatusCode::kInvalidModel,
                         "options are of union type %u, SQUEEZE expects SqueezeOptions", type);
  const int rank = input.shape.rank;
  bool squeeze[kMaxRank] = {};
  const FlatVector dims = node.options().Vector(schema::squeeze_options::kSqueezeDims);
  if (dims.size() == 0) {
    for (int d = 0; d < rank; ++d) squeeze[d] = input.shape.dims[d] == 1;
  } else {
    for (uint32_t i = 0; i < dims.size(); ++i) {
      const int32_t value = dims.Scalar<int32_t>(i);
      const int32_t d = value < 0 ? value + rank : value;
      if (d < 0 || d >= rank || input.shape.dims[d] != 1)
        return Status::Error(StatusCode::kInvalidModel,
                             "squeeze_dims entry %d names dimension %d, which is not a dimension "
                             "of extent 1 of the rank-%d input",
                             static_cast<int>(i), static_cast<int>(value), rank);
      squeeze[d] = true;
    }
  }
  Shape expected;
  for (int d = 0; d < rank; ++d)
    if (!squeeze[d]) expected.dims[expected.rank++] = input.shape.dims[d];
  if (!expected.Equals(output.shape))
    return Status::Error(StatusCode::kInvalidModel,
                         "output has rank %d, squeezing the input gives rank %d with the "
                         "dimensions of extent 1 removed; the output must have that shape",
                         output.shape.rank, expected.rank);
  return Status::Ok();
}

Status Prepare(const NodeContext&, void*) { return Status::Ok(); }

Status Eval(const NodeContext& node, const void*, void*) {
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.data != output.data && input.bytes != 0) memmove(output.data, input.data, input.bytes);
  return Status::Ok();
}

const KernelRegistration kSqueeze = {BuiltinOperator::kSqueeze, Plan, Prepare, Eval, true};

}  // namespace

const KernelRegistration& Squeeze() { return kSqueeze; }

}  // namespace kernels
}  // namespace picoml

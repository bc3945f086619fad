// FULLY_CONNECTED: int8 (per-tensor or per-channel weights, LiteRT's integer
// requantization) and float32; optional bias; keep_num_dims.
//
// Semantics (LiteRT's reference kernels and kernel_util.cc):
//  - the input is read as [batches, input_depth], input_depth = weights
//    dimension 1, whatever its shape;
//  - per-tensor int8: acc = sum((w - w_zero_point) * (x - x_zero_point)) +
//    bias, multiplier = double(float(input_scale * weights_scale)) /
//    double(output_scale) (the scale product is a float product there);
//    with a bias, |input_scale * weights_scale - bias_scale| / output_scale
//    must be <= 0.02, as LiteRT checks;
//  - per-channel int8 (weights quantized along dimension 0): symmetric
//    weights, multiplier per unit computed in double as for CONV_2D.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels/conv_common.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

using conv::FullyConnectedInt8Params;
using conv::OutputStage;

// Node data: this header, then int32 multipliers[P] and int8 shifts[P]
// (int8 only; P = units when per channel, else 1). Nothing else is kept per
// unit: rather than folding the input offset into a per-unit bias, the
// optimized path adds it to a scratch copy of the input (or, for a few
// units, term by term; see conv::kMinUnitsForShiftedInput).
struct FullyConnectedData {
  int32_t batches, input_depth, units;
  int32_t is_float, has_bias, per_channel, use_optimized;
  int32_t filter_offset;
  OutputStage stage;
};

static_assert(sizeof(FullyConnectedData) % 4 == 0,
              "the multipliers after the header must be aligned");

struct FullyConnectedSetup {
  int32_t batches, input_depth, units;
  bool is_float, has_bias, per_channel;
  // int8 with a zero filter zero point: the optimized loop's sum is then
  // LiteRT's, term for term. Depends on the model alone.
  bool use_optimized;
  Activation activation;
};

Status CheckOutputShape(const Shape& input, const Shape& output, bool keep_num_dims,
                        int32_t batches, int32_t units) {
  if (keep_num_dims) {
    bool ok = output.rank == input.rank && output.Dim(-1) == units;
    for (int i = 0; ok && i + 1 < input.rank; ++i) ok = output.dims[i] == input.dims[i];
    if (!ok)
      return Status::Error(StatusCode::kInvalidModel,
                           "with keep_num_dims the output shape must be the input's (rank %d) "
                           "with the last dimension %d; the model's output has rank %d and last "
                           "dimension %d",
                           input.rank, static_cast<int>(units), output.rank,
                           static_cast<int>(output.rank > 0 ? output.Dim(-1) : 0));
    return Status::Ok();
  }
  if (output.rank != 2 || output.dims[0] != batches || output.dims[1] != units)
    return Status::Error(StatusCode::kInvalidModel,
                         "output shape must be [%d, %d] (batches, units), but the model says "
                         "rank %d [%d, %d, ...]",
                         static_cast<int>(batches), static_cast<int>(units), output.rank,
                         static_cast<int>(output.dims[0]), static_cast<int>(output.dims[1]));
  return Status::Ok();
}

// LiteRT's GetQuantizedConvolutionMultipler: the scale product in float.
double PerTensorMultiplier(float input_scale, float weights_scale, float output_scale) {
  return static_cast<double>(input_scale * weights_scale) / static_cast<double>(output_scale);
}

Status Check(const NodeContext& node, FullyConnectedSetup* setup) {
  if (node.input_count() < 2 || node.input_count() > 3 || node.output_count() != 1 ||
      !node.has_input(0) || !node.has_input(1))
    return Status::Error(StatusCode::kInvalidModel,
                         "needs inputs (input, weights[, bias]) and one output; it has %d inputs "
                         "and %d outputs",
                         node.input_count(), node.output_count());
  PICOML_RETURN_IF_ERROR(conv::CheckOptionsType(
      node, schema::BuiltinOptionsType::kFullyConnectedOptions, "FullyConnectedOptions"));
  namespace o = schema::fully_connected_options;
  const FlatTable& options = node.options();
  PICOML_RETURN_IF_ERROR(
      conv::ReadActivation(options.Scalar<int8_t>(o::kFusedActivation, 0), &setup->activation));
  const int8_t weights_format = options.Scalar<int8_t>(o::kWeightsFormat, 0);
  if (weights_format != 0)
    return Status::Error(StatusCode::kUnsupported,
                         "weights_format %d (shuffled) is not supported; export with the "
                         "DEFAULT weights format",
                         static_cast<int>(weights_format));
  const bool keep_num_dims = options.Scalar<uint8_t>(o::kKeepNumDims, 0) != 0;

  const Tensor input = node.input(0);
  const Tensor weights = node.input(1);
  const Tensor output = node.output(0);
  if (input.type != TensorType::kInt8 && input.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported,
                         "input type %s is not supported; use INT8 or FLOAT32",
                         TensorTypeName(input.type));
  if (weights.type != input.type)
    return Status::Error(StatusCode::kUnsupported,
                         "weights are %s but input is %s; hybrid or mixed-type fully connected "
                         "layers are not supported: quantize weights and input alike",
                         TensorTypeName(weights.type), TensorTypeName(input.type));
  if (output.type != input.type)
    return Status::Error(StatusCode::kUnsupported, "output is %s but input is %s; they must match",
                         TensorTypeName(output.type), TensorTypeName(input.type));
  if (weights.shape.rank != 2)
    return Status::Error(StatusCode::kInvalidModel,
                         "weights must be rank 2 [units, input_depth]; they are rank %d",
                         weights.shape.rank);
  setup->units = weights.shape.dims[0];
  setup->input_depth = weights.shape.dims[1];
  if (setup->units < 1 || setup->input_depth < 1)
    return Status::Error(StatusCode::kInvalidModel, "weights shape [%d, %d] is empty",
                         static_cast<int>(setup->units), static_cast<int>(setup->input_depth));
  const int64_t elements = input.ElementCount();
  if (elements < 1 || elements % setup->input_depth != 0)
    return Status::Error(StatusCode::kInvalidModel,
                         "input has %ld elements, not a multiple of the weights' input depth %d",
                         static_cast<long>(elements), static_cast<int>(setup->input_depth));
  setup->batches = static_cast<int32_t>(elements / setup->input_depth);
  if (keep_num_dims && (input.shape.rank < 1 || input.shape.Dim(-1) != setup->input_depth))
    return Status::Error(StatusCode::kInvalidModel,
                         "keep_num_dims needs the input's last dimension to equal the weights' "
                         "input depth %d",
                         static_cast<int>(setup->input_depth));
  PICOML_RETURN_IF_ERROR(
      CheckOutputShape(input.shape, output.shape, keep_num_dims, setup->batches, setup->units));

  setup->is_float = input.type == TensorType::kFloat32;
  setup->has_bias = node.has_input(2);
  setup->per_channel = false;
  setup->use_optimized = false;
  if (setup->has_bias)
    PICOML_RETURN_IF_ERROR(conv::CheckBias(
        node.input(2), setup->is_float ? TensorType::kFloat32 : TensorType::kInt32, setup->units));
  if (!setup->is_float) {
    PICOML_RETURN_IF_ERROR(conv::CheckPerTensorInt8(input, "input"));
    PICOML_RETURN_IF_ERROR(conv::CheckPerTensorInt8(output, "output"));
    PICOML_RETURN_IF_ERROR(
        conv::CheckActivationBounds(setup->activation, output.quantization.scale(0)));
    PICOML_RETURN_IF_ERROR(conv::CheckFilterQuantization(weights, 0, setup->units, true));
    PICOML_RETURN_IF_ERROR(conv::CheckAccumulatorTerms(
        setup->input_depth, conv::kMaxFullyConnectedTerms, "FULLY_CONNECTED (input depth)"));
    setup->per_channel = weights.quantization.count() > 1;
    if (setup->per_channel)
      PICOML_RETURN_IF_ERROR(conv::CheckPerChannelScales(
          input.quantization.scale(0), weights.quantization, output.quantization.scale(0)));
    else
      PICOML_RETURN_IF_ERROR(conv::CheckEffectiveScale(
          PerTensorMultiplier(input.quantization.scale(0), weights.quantization.scale(0),
                              output.quantization.scale(0))));
    if (!setup->per_channel && setup->has_bias) {
      const Tensor bias = node.input(2);
      const double product = static_cast<double>(input.quantization.scale(0)) *
                             static_cast<double>(weights.quantization.scale(0));
      const double bias_scale =
          bias.quantization.count() > 0 ? static_cast<double>(bias.quantization.scale(0)) : 0.0;
      if (fabs(product - bias_scale) / static_cast<double>(output.quantization.scale(0)) > 0.02)
        return Status::Error(StatusCode::kInvalidModel,
                             "bias scale is not input scale x weights scale (LiteRT allows a "
                             "difference of 2%% of the output scale); re-quantize the bias");
    }
    setup->use_optimized =
        weights.quantization.zero_point(0) == 0 && setup->input_depth <= conv::kMaxFoldedTerms;
  }
  return Status::Ok();
}

uint32_t MultiplierCount(const FullyConnectedSetup& setup) {
  return setup.per_channel ? static_cast<uint32_t>(setup.units) : 1u;
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  FullyConnectedSetup setup;
  PICOML_RETURN_IF_ERROR(Check(node, &setup));
  memory->node_data_bytes = setup.is_float
                                ? conv::NodeDataBytes(sizeof(FullyConnectedData), 0)
                                : conv::NodeDataBytes(sizeof(FullyConnectedData),
                                                      static_cast<int32_t>(MultiplierCount(setup)));
  memory->scratch_bytes = setup.use_optimized
                              ? conv::FullyConnectedInt8ScratchBytes(setup.input_depth, setup.units)
                              : 0;
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  FullyConnectedSetup setup;
  PICOML_RETURN_IF_ERROR(Check(node, &setup));
  FullyConnectedData data = {};
  data.batches = setup.batches;
  data.input_depth = setup.input_depth;
  data.units = setup.units;
  data.is_float = setup.is_float ? 1 : 0;
  data.has_bias = setup.has_bias ? 1 : 0;
  data.per_channel = setup.per_channel ? 1 : 0;
  if (setup.is_float) {
    data.stage = conv::MakeFloatOutputStage(setup.activation);
    memcpy(node_data, &data, sizeof(data));
    return Status::Ok();
  }
  const Tensor input = node.input(0);
  const Tensor weights = node.input(1);
  const Tensor output = node.output(0);
  data.stage = conv::MakeInt8OutputStage(input, output, setup.activation);
  data.filter_offset = setup.per_channel ? 0 : -weights.quantization.zero_point(0);
  data.use_optimized = setup.use_optimized ? 1 : 0;
  const int32_t count = static_cast<int32_t>(MultiplierCount(setup));
  int32_t* multipliers = conv::MultiplierArray(node_data, sizeof(FullyConnectedData));
  int8_t* shifts = conv::ShiftArray(node_data, sizeof(FullyConnectedData), count);
  if (setup.per_channel) {
    conv::PopulatePerChannelMultipliers(input.quantization.scale(0), weights.quantization,
                                        output.quantization.scale(0), setup.units, node.rounding(),
                                        multipliers, shifts);
  } else {
    int shift = 0;
    fixed_point::QuantizeMultiplier(
        PerTensorMultiplier(input.quantization.scale(0), weights.quantization.scale(0),
                            output.quantization.scale(0)),
        &multipliers[0], &shift, node.rounding());
    shifts[0] = static_cast<int8_t>(shift);
  }
  memcpy(node_data, &data, sizeof(data));
  return Status::Ok();
}

void FullyConnectedFloat(const FullyConnectedData& data, const float* input, const float* weights,
                         const float* bias, float* output) {
  for (int32_t b = 0; b < data.batches; ++b, input += data.input_depth) {
    const float* w = weights;
    for (int32_t u = 0; u < data.units; ++u, w += data.input_depth) {
      float total = 0.0f;
      for (int32_t d = 0; d < data.input_depth; ++d) total += input[d] * w[d];
      const float bias_value = bias ? bias[u] : 0.0f;
      *output++ = conv::ClampFloat(total + bias_value, data.stage.float_min, data.stage.float_max);
    }
  }
}

Status Eval(const NodeContext& node, const void* node_data, void* scratch) {
  FullyConnectedData data;
  memcpy(&data, node_data, sizeof(data));
  const Tensor input = node.input(0);
  const Tensor weights = node.input(1);
  const Tensor output = node.output(0);
  if (data.is_float) {
    FullyConnectedFloat(data, input.data_as<const float>(), weights.data_as<const float>(),
                        data.has_bias ? node.input(2).data_as<const float>() : nullptr,
                        output.data_as<float>());
    return Status::Ok();
  }
  const int32_t count = data.per_channel ? data.units : 1;
  FullyConnectedInt8Params params;
  params.batches = data.batches;
  params.input_depth = data.input_depth;
  params.units = data.units;
  params.filter_offset = data.filter_offset;
  params.per_channel = data.per_channel;
  params.stage = data.stage;
  params.rounding = node.rounding();
  params.multipliers = conv::MultiplierArray(node_data, sizeof(FullyConnectedData));
  params.shifts = conv::ShiftArray(node_data, sizeof(FullyConnectedData), count);
  const bool shifted =
      data.use_optimized && conv::FullyConnectedInt8ScratchBytes(data.input_depth, data.units) > 0;
  params.shifted_input = shifted ? static_cast<int16_t*>(scratch) : nullptr;
  const int32_t* bias = data.has_bias ? node.input(2).data_as<const int32_t>() : nullptr;
  if (data.use_optimized)
    conv::FullyConnectedInt8Optimized(params, input.data_as<const int8_t>(),
                                      weights.data_as<const int8_t>(), bias,
                                      output.data_as<int8_t>());
  else
    conv::FullyConnectedInt8Reference(params, input.data_as<const int8_t>(),
                                      weights.data_as<const int8_t>(), bias,
                                      output.data_as<int8_t>());
  return Status::Ok();
}

}  // namespace

namespace conv {

void FullyConnectedInt8Reference(const FullyConnectedInt8Params& p, const int8_t* input,
                                 const int8_t* weights, const int32_t* bias, int8_t* output) {
  const int32_t input_offset = p.stage.input_offset;
  const int32_t filter_offset = p.filter_offset;
  for (int32_t b = 0; b < p.batches; ++b, input += p.input_depth) {
    const int8_t* w = weights;
    for (int32_t u = 0; u < p.units; ++u, w += p.input_depth) {
      int32_t acc = 0;
      for (int32_t d = 0; d < p.input_depth; ++d)
        acc += (w[d] + filter_offset) * (input[d] + input_offset);
      if (bias) acc = fixed_point::WrappingAdd(acc, bias[u]);
      const int32_t c = p.per_channel ? u : 0;
      *output++ = RequantizeToInt8(acc, p.multipliers[c], p.shifts[c], p.stage, p.rounding);
    }
  }
}

void FullyConnectedInt8Optimized(const FullyConnectedInt8Params& p, const int8_t* input,
                                 const int8_t* weights, const int32_t* bias, int8_t* output) {
  const int32_t step = p.per_channel ? 1 : 0;
  const int32_t offset = p.stage.input_offset;
  int16_t* shifted = p.shifted_input;
  for (int32_t b = 0; b < p.batches; ++b, input += p.input_depth) {
    if (shifted)
      for (int32_t d = 0; d < p.input_depth; ++d)
        shifted[d] = static_cast<int16_t>(input[d] + offset);
    const int8_t* w = weights;
    const int32_t* multiplier = p.multipliers;
    const int8_t* shift = p.shifts;
    for (int32_t u = 0; u < p.units; ++u, w += p.input_depth, multiplier += step, shift += step) {
      int32_t acc = 0;
      if (shifted)
        for (int32_t d = 0; d < p.input_depth; ++d) acc += w[d] * shifted[d];
      else
        for (int32_t d = 0; d < p.input_depth; ++d) acc += w[d] * (input[d] + offset);
      if (bias) acc = fixed_point::WrappingAdd(acc, bias[u]);
      *output++ = RequantizeToInt8(acc, *multiplier, *shift, p.stage, p.rounding);
    }
  }
}

}  // namespace conv

const KernelRegistration& FullyConnected() {
  static const KernelRegistration registration = {BuiltinOperator::kFullyConnected, Plan, Prepare,
                                                  Eval, false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml

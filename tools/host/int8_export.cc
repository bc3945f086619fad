#include "host/int8_export.h"

#include <cstring>
#include <stdexcept>

#include "host/model_file.h"
#include "host/quantization.h"
#include "host/tflite_builder.h"

namespace picoml::host {
namespace {

using Kind = Int8ExportLayer::Kind;
namespace fields = schema;

// Op versions from LiteRT's op_version rules for int8 inputs and weights.
constexpr int32_t kConv2DVersion = 3;
constexpr int32_t kMaxPool2DVersion = 2;
constexpr int32_t kMeanVersion = 2;
constexpr int32_t kFullyConnectedVersion = 4;
constexpr int32_t kSoftmaxVersion = 2;

// The graph's current activation tensor while layers are appended.
struct GraphValue {
  int tensor = -1;
  std::vector<int32_t> shape;  // NHWC or [1, C]
  AffineQuantization quantization;
};

std::invalid_argument LayerError(const Int8ExportLayer& layer, const std::string& what) {
  return std::invalid_argument("layer '" + layer.name + "': " + what);
}

TensorSpec Int8Activation(std::vector<int32_t> shape, std::string name,
                          const AffineQuantization& q) {
  TensorSpec t;
  t.type = TensorType::kInt8;
  t.shape = std::move(shape);
  t.name = std::move(name);
  t.scales = {q.scale};
  t.zero_points = {q.zero_point};
  return t;
}

int32_t ConvOutputSize(int32_t in, int kernel, int stride, bool same) {
  return same ? (in + stride - 1) / stride : (in - kernel) / stride + 1;
}

std::string OutputName(const Int8ExportLayer& layer, bool last) {
  if (last) return "StatefulPartitionedCall:0";
  const std::string scope = "sequential/" + layer.name + "/";
  switch (layer.kind) {
    case Kind::kConv2D:
      return scope + (layer.relu ? "Relu;" : "") + scope + "BiasAdd;" + scope + "Conv2D";
    case Kind::kMaxPool2D:
      return scope + "MaxPool";
    case Kind::kMean:
      return scope + "Mean";
    case Kind::kFullyConnected:
      return scope + (layer.relu ? "Relu;" : "") + scope + "MatMul;" + scope + "BiasAdd";
    case Kind::kSoftmax:
      return scope + "Softmax";
  }
  return scope;
}

// Weights (symmetric, per channel or per tensor) and int32 bias tensors.
void AddWeightsAndBias(TfliteBuilder& builder, const Int8ExportLayer& layer,
                       std::vector<int32_t> weight_shape, bool per_channel, const GraphValue& input,
                       int* weights_tensor, int* bias_tensor) {
  const int channels = weight_shape[0];
  if (layer.bias.size() != static_cast<size_t>(channels))
    throw LayerError(layer, "has " + std::to_string(layer.bias.size()) + " biases for " +
                                std::to_string(channels) + " output channels");
  const QuantizedWeights w = per_channel ? QuantizeWeightsPerChannel(layer.weights, channels)
                                         : QuantizeWeightsPerTensor(layer.weights);
  const QuantizedBias b = QuantizeBias(layer.bias, input.quantization.scale, w.scales);
  const std::string scope = "sequential/" + layer.name + "/";

  TensorSpec weights;
  weights.type = TensorType::kInt8;
  weights.shape = std::move(weight_shape);
  weights.name = scope + (layer.kind == Kind::kConv2D ? "Conv2D" : "MatMul");
  weights.scales = w.scales;
  weights.zero_points.assign(w.scales.size(), 0);
  weights.quantized_dimension = 0;
  weights.data = ToBytes(w.values);
  *weights_tensor = builder.AddTensor(std::move(weights));

  TensorSpec bias;
  bias.type = TensorType::kInt32;
  bias.shape = {channels};
  bias.name = scope + "BiasAdd/ReadVariableOp";
  bias.scales = b.scales;
  bias.zero_points.assign(b.scales.size(), 0);
  bias.quantized_dimension = 0;
  bias.data = ToBytes(b.values);
  *bias_tensor = builder.AddTensor(std::move(bias));
}

GraphValue AddConv2D(TfliteBuilder& builder, const Int8ExportLayer& layer, const GraphValue& in,
                     bool last) {
  if (in.shape.size() != 4) throw LayerError(layer, "CONV_2D needs a 4-D (NHWC) input");
  if (layer.filters <= 0 || layer.kernel_h <= 0 || layer.kernel_w <= 0 || layer.stride_h <= 0 ||
      layer.stride_w <= 0)
    throw LayerError(layer, "filters, kernel size and stride must be positive");
  const int32_t in_channels = in.shape[3];
  const size_t expected =
      static_cast<size_t>(layer.filters) * layer.kernel_h * layer.kernel_w * in_channels;
  if (layer.weights.size() != expected)
    throw LayerError(layer, "has " + std::to_string(layer.weights.size()) + " weights, expected " +
                                std::to_string(expected) + " (OHWI)");
  const int32_t out_h =
      ConvOutputSize(in.shape[1], layer.kernel_h, layer.stride_h, layer.same_padding);
  const int32_t out_w =
      ConvOutputSize(in.shape[2], layer.kernel_w, layer.stride_w, layer.same_padding);
  if (out_h <= 0 || out_w <= 0) throw LayerError(layer, "the kernel is larger than its input");

  int weights, bias;
  AddWeightsAndBias(builder, layer, {layer.filters, layer.kernel_h, layer.kernel_w, in_channels},
                    /*per_channel=*/true, in, &weights, &bias);
  GraphValue out;
  out.shape = {1, out_h, out_w, layer.filters};
  out.quantization = Int8ActivationQuantization(layer.output_min, layer.output_max);
  out.tensor =
      builder.AddTensor(Int8Activation(out.shape, OutputName(layer, last), out.quantization));

  OperatorSpec op;
  op.code = BuiltinOperator::kConv2D;
  op.version = kConv2DVersion;
  op.inputs = {in.tensor, weights, bias};
  op.outputs = {out.tensor};
  op.options_type = fields::BuiltinOptionsType::kConv2DOptions;
  const Padding padding = layer.same_padding ? Padding::kSame : Padding::kValid;
  op.options = {
      OptionField::Int8(fields::conv2d_options::kPadding, static_cast<int>(padding)),
      OptionField::Int32(fields::conv2d_options::kStrideW, layer.stride_w),
      OptionField::Int32(fields::conv2d_options::kStrideH, layer.stride_h),
      OptionField::Int8(fields::conv2d_options::kFusedActivation,
                        static_cast<int>(layer.relu ? Activation::kRelu : Activation::kNone)),
      OptionField::Int32(fields::conv2d_options::kDilationW, 1),
      OptionField::Int32(fields::conv2d_options::kDilationH, 1),
  };
  builder.AddOperator(std::move(op));
  return out;
}

GraphValue AddMaxPool2D(TfliteBuilder& builder, const Int8ExportLayer& layer, const GraphValue& in,
                        bool last) {
  if (in.shape.size() != 4) throw LayerError(layer, "MAX_POOL_2D needs a 4-D (NHWC) input");
  if (layer.pool_h <= 0 || layer.pool_w <= 0) throw LayerError(layer, "pool size must be positive");
  GraphValue out;
  out.shape = {1, in.shape[1] / layer.pool_h, in.shape[2] / layer.pool_w, in.shape[3]};
  if (out.shape[1] <= 0 || out.shape[2] <= 0) throw LayerError(layer, "pool larger than input");
  // Max pooling keeps its input's scale and zero point (same-scale operator).
  out.quantization = in.quantization;
  out.tensor =
      builder.AddTensor(Int8Activation(out.shape, OutputName(layer, last), out.quantization));
  OperatorSpec op;
  op.code = BuiltinOperator::kMaxPool2D;
  op.version = kMaxPool2DVersion;
  op.inputs = {in.tensor};
  op.outputs = {out.tensor};
  op.options_type = fields::BuiltinOptionsType::kPool2DOptions;
  op.options = {
      OptionField::Int8(fields::pool2d_options::kPadding, static_cast<int>(Padding::kValid)),
      OptionField::Int32(fields::pool2d_options::kStrideW, layer.pool_w),
      OptionField::Int32(fields::pool2d_options::kStrideH, layer.pool_h),
      OptionField::Int32(fields::pool2d_options::kFilterWidth, layer.pool_w),
      OptionField::Int32(fields::pool2d_options::kFilterHeight, layer.pool_h),
      OptionField::Int8(fields::pool2d_options::kFusedActivation,
                        static_cast<int>(Activation::kNone)),
  };
  builder.AddOperator(std::move(op));
  return out;
}

GraphValue AddMean(TfliteBuilder& builder, const Int8ExportLayer& layer, const GraphValue& in,
                   bool last) {
  if (in.shape.size() != 4) throw LayerError(layer, "global average pooling needs a 4-D input");
  TensorSpec axes;
  axes.type = TensorType::kInt32;
  axes.shape = {2};
  axes.name = "sequential/" + layer.name + "/Mean/reduction_indices";
  axes.data = ToBytes(std::vector<int32_t>{1, 2});
  const int axes_tensor = builder.AddTensor(std::move(axes));
  GraphValue out;
  out.shape = {1, in.shape[3]};
  out.quantization = Int8ActivationQuantization(layer.output_min, layer.output_max);
  out.tensor =
      builder.AddTensor(Int8Activation(out.shape, OutputName(layer, last), out.quantization));
  OperatorSpec op;
  op.code = BuiltinOperator::kMean;
  op.version = kMeanVersion;
  op.inputs = {in.tensor, axes_tensor};
  op.outputs = {out.tensor};
  op.options_type = fields::BuiltinOptionsType::kReducerOptions;
  op.options = {OptionField::Bool(fields::reducer_options::kKeepDims, false)};
  builder.AddOperator(std::move(op));
  return out;
}

GraphValue AddFullyConnected(TfliteBuilder& builder, const Int8ExportLayer& layer,
                             const GraphValue& in, bool per_channel, bool last) {
  if (in.shape.size() != 2)
    throw LayerError(layer,
                     "FULLY_CONNECTED is exported on a [1, C] input only: put global "
                     "average pooling before the dense layer");
  const int32_t inputs = in.shape[1];
  if (layer.filters <= 0 ||
      layer.weights.size() != static_cast<size_t>(layer.filters) * static_cast<size_t>(inputs))
    throw LayerError(layer, "has " + std::to_string(layer.weights.size()) +
                                " weights, expected units x inputs = " +
                                std::to_string(layer.filters) + " x " + std::to_string(inputs));
  int weights, bias;
  AddWeightsAndBias(builder, layer, {layer.filters, inputs}, per_channel, in, &weights, &bias);
  GraphValue out;
  out.shape = {1, layer.filters};
  out.quantization = Int8ActivationQuantization(layer.output_min, layer.output_max);
  out.tensor =
      builder.AddTensor(Int8Activation(out.shape, OutputName(layer, last), out.quantization));
  OperatorSpec op;
  op.code = BuiltinOperator::kFullyConnected;
  op.version = kFullyConnectedVersion;
  op.inputs = {in.tensor, weights, bias};
  op.outputs = {out.tensor};
  op.options_type = fields::BuiltinOptionsType::kFullyConnectedOptions;
  op.options = {
      OptionField::Int8(fields::fully_connected_options::kFusedActivation,
                        static_cast<int>(layer.relu ? Activation::kRelu : Activation::kNone)),
      OptionField::Int8(fields::fully_connected_options::kWeightsFormat, 0),  // DEFAULT
      OptionField::Bool(fields::fully_connected_options::kKeepNumDims, false),
      OptionField::Bool(fields::fully_connected_options::kAsymmetricQuantizeInputs, false),
  };
  builder.AddOperator(std::move(op));
  return out;
}

GraphValue AddSoftmax(TfliteBuilder& builder, const Int8ExportLayer& layer, const GraphValue& in,
                      bool last) {
  GraphValue out;
  out.shape = in.shape;
  // The converter fixes int8 softmax outputs to [0, 1): scale 1/256, -128.
  out.quantization = {1.0f / 256.0f, -128};
  out.tensor =
      builder.AddTensor(Int8Activation(out.shape, OutputName(layer, last), out.quantization));
  OperatorSpec op;
  op.code = BuiltinOperator::kSoftmax;
  op.version = kSoftmaxVersion;
  op.inputs = {in.tensor};
  op.outputs = {out.tensor};
  op.options_type = fields::BuiltinOptionsType::kSoftmaxOptions;
  op.options = {OptionField::Float(fields::softmax_options::kBeta, layer.beta)};
  builder.AddOperator(std::move(op));
  return out;
}

}  // namespace

std::vector<uint8_t> ExportInt8Model(const Int8ExportGraph& graph) {
  if (graph.height <= 0 || graph.width <= 0 || graph.channels <= 0)
    throw std::invalid_argument("input height, width and channels must be positive");
  if (graph.layers.empty()) throw std::invalid_argument("the network has no layers");
  TfliteBuilder builder;
  GraphValue current;
  current.shape = {1, graph.height, graph.width, graph.channels};
  current.quantization = Int8ActivationQuantization(graph.input_min, graph.input_max);
  current.tensor = builder.AddTensor(
      Int8Activation(current.shape, "serving_default_input:0", current.quantization));
  builder.SetInputs({current.tensor});

  for (size_t i = 0; i < graph.layers.size(); ++i) {
    const Int8ExportLayer& layer = graph.layers[i];
    const bool last = i + 1 == graph.layers.size();
    switch (layer.kind) {
      case Kind::kConv2D:
        current = AddConv2D(builder, layer, current, last);
        break;
      case Kind::kMaxPool2D:
        current = AddMaxPool2D(builder, layer, current, last);
        break;
      case Kind::kMean:
        current = AddMean(builder, layer, current, last);
        break;
      case Kind::kFullyConnected:
        current = AddFullyConnected(builder, layer, current, graph.dense_per_channel, last);
        break;
      case Kind::kSoftmax:
        current = AddSoftmax(builder, layer, current, last);
        break;
    }
  }
  builder.SetOutputs({current.tensor});
  return builder.Build(graph.description);
}

std::vector<uint8_t> WithSoftmaxBeta(const std::vector<uint8_t>& model, float beta) {
  if (!(beta > 0.0f)) throw std::invalid_argument("softmax beta must be positive");
  AlignedBuffer aligned(model.size());
  if (!model.empty()) std::memcpy(aligned.data(), model.data(), model.size());
  Model view;
  const Status status = Model::Create(aligned.data(), aligned.size(), &view);
  if (!status.ok())
    throw std::invalid_argument(std::string("not a valid model: ") + status.message());
  size_t at = 0;
  int softmaxes = 0;
  for (uint32_t i = 0; i < view.operator_count(); ++i) {
    const Operator op = view.op(i);
    if (op.code != BuiltinOperator::kSoftmax) continue;
    ++softmaxes;
    at = op.options.FieldPosition(fields::softmax_options::kBeta);
  }
  if (softmaxes != 1)
    throw std::invalid_argument("the model has " + std::to_string(softmaxes) +
                                " SOFTMAX operators; setting beta needs exactly one");
  if (at == 0)
    throw std::invalid_argument(
        "the SOFTMAX does not store its beta (the writer left the default out): export the "
        "model again with the beta wanted");
  std::vector<uint8_t> out = model;
  std::memcpy(out.data() + at, &beta, sizeof(beta));  // little-endian hosts, as the file
  return out;
}

}  // namespace picoml::host

#include "train/quantizer.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <stdexcept>

namespace picoml::train {
namespace {

std::vector<float> ToVector(const torch::Tensor& tensor) {
  const torch::Tensor flat = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous().view(-1);
  return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

void Track(host::RangeTracker& tracker, const torch::Tensor& values) {
  const auto [min, max] = torch::aminmax(values);
  tracker.Update(min.item<float>(), max.item<float>());
}

// Keras's automatic layer names: conv2d, conv2d_1, ...
std::string KerasName(const std::string& base, std::map<std::string, int>& counts) {
  const int n = counts[base]++;
  return n == 0 ? base : fmt::format("{}_{}", base, n);
}

}  // namespace

Calibration Calibrate(Network& network, const torch::Tensor& images, int64_t batch_size) {
  if (images.dim() != 4 || images.size(0) == 0)
    throw std::invalid_argument("calibration needs at least one image ([N, C, H, W])");
  Calibration calibration;
  calibration.layers.resize(network->spec().layers.size());
  for (int64_t begin = 0; begin < images.size(0); begin += batch_size) {
    const torch::Tensor batch =
        images.slice(0, begin, std::min(begin + batch_size, images.size(0)));
    Track(calibration.input, batch);
    const std::vector<torch::Tensor> outputs = network->ForwardCollect(batch);
    for (size_t i = 0; i < outputs.size(); ++i) Track(calibration.layers[i], outputs[i]);
  }
  calibration.samples = images.size(0);
  for (const host::RangeTracker& range : calibration.layers)
    if (!std::isfinite(range.min()) || !std::isfinite(range.max()))
      throw std::runtime_error(
          "calibration saw NaN or infinite activations: the checkpoint is "
          "broken (did training diverge?)");
  return calibration;
}

host::Int8ExportGraph ToExportGraph(Network& network, const Calibration& calibration,
                                    bool dense_per_channel) {
  const NetworkSpec& spec = network->spec();
  if (calibration.layers.size() != spec.layers.size())
    throw std::invalid_argument("calibration and network disagree in layer count");
  host::Int8ExportGraph graph;
  graph.height = spec.height;
  graph.width = spec.width;
  graph.channels = spec.channels;
  graph.input_min = calibration.input.min();
  graph.input_max = calibration.input.max();
  graph.dense_per_channel = dense_per_channel;
  graph.description = "picoml " + spec.name + " (full int8, post-training quantized)";
  std::map<std::string, int> names;
  using Kind = host::Int8ExportLayer::Kind;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& layer = spec.layers[i];
    host::Int8ExportLayer out;
    out.output_min = calibration.layers[i].min();
    out.output_max = calibration.layers[i].max();
    switch (layer.kind) {
      case LayerKind::kConv2D:
        out.kind = Kind::kConv2D;
        out.name = KerasName("conv2d", names);
        out.filters = layer.filters;
        out.kernel_h = layer.kernel_h;
        out.kernel_w = layer.kernel_w;
        out.stride_h = layer.StrideH();
        out.stride_w = layer.StrideW();
        out.same_padding = layer.same_padding;
        out.relu = layer.relu;
        // LibTorch [O, I, kh, kw] -> LiteRT OHWI.
        out.weights = ToVector(network->weight(i).permute({0, 2, 3, 1}));
        out.bias = ToVector(network->bias(i));
        break;
      case LayerKind::kMaxPool2D:
        out.kind = Kind::kMaxPool2D;
        out.name = KerasName("max_pooling2d", names);
        out.pool_h = layer.PoolH();
        out.pool_w = layer.PoolW();
        break;
      case LayerKind::kGlobalAveragePool:
        out.kind = Kind::kMean;
        out.name = KerasName("global_average_pooling2d", names);
        break;
      case LayerKind::kDropout:
        continue;  // identity at inference: not exported
      case LayerKind::kDense:
        out.kind = Kind::kFullyConnected;
        out.name = KerasName("dense", names);
        out.filters = layer.filters;
        out.relu = layer.relu;
        out.weights = ToVector(network->weight(i));
        out.bias = ToVector(network->bias(i));
        break;
      case LayerKind::kSoftmax:
        out.kind = Kind::kSoftmax;
        out.name = KerasName("softmax", names);
        break;
    }
    graph.layers.push_back(std::move(out));
  }
  return graph;
}

torch::Tensor ImagesToTensor(const host::IdxImages& images, int64_t count) {
  if (count <= 0 || count > images.count) count = images.count;
  const torch::Tensor bytes = torch::from_blob(const_cast<uint8_t*>(images.pixels.data()),
                                               {count, 1, images.rows, images.cols}, torch::kUInt8);
  return bytes.to(torch::kFloat32).div_(255.0f);
}

}  // namespace picoml::train

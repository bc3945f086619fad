#include "train/network.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace picoml::train {
namespace {

// Checkpoint keys. The format version lets a later change of the spec's
// JSON be detected instead of silently misread.
constexpr const char* kSpecKey = "picoml_spec";
constexpr const char* kWeightsKey = "picoml_weights";
constexpr int kCheckpointVersion = 1;

const char* KindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv2D:
      return "conv2d";
    case LayerKind::kMaxPool2D:
      return "max_pool2d";
    case LayerKind::kGlobalAveragePool:
      return "global_average_pool";
    case LayerKind::kDropout:
      return "dropout";
    case LayerKind::kDense:
      return "dense";
    case LayerKind::kSoftmax:
      return "softmax";
  }
  return "?";
}

LayerKind KindFromName(const std::string& name) {
  for (LayerKind kind : {LayerKind::kConv2D, LayerKind::kMaxPool2D, LayerKind::kGlobalAveragePool,
                         LayerKind::kDropout, LayerKind::kDense, LayerKind::kSoftmax})
    if (name == KindName(kind)) return kind;
  throw std::runtime_error("unknown layer kind '" + name + "' in the network description");
}

// Keras's glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)),
// where a conv kernel's fans count the receptive field: kh * kw * in and
// kh * kw * out (keras.initializers, _compute_fans).
void GlorotUniform(torch::Tensor weight, int64_t fan_in, int64_t fan_out) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  torch::NoGradGuard no_grad;
  weight.uniform_(-limit, limit);
}

// TensorFlow's SAME padding for one dimension: the output has ceil(in /
// stride) elements and the extra padding, if odd, goes after (bottom/right).
std::pair<int64_t, int64_t> SamePadding(int64_t in, int kernel, int stride) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
  return {total / 2, total - total / 2};
}

}  // namespace

NetworkSpec ReferenceMnistSpec() {
  NetworkSpec spec;
  spec.name = "mnist_cnn";
  spec.height = 28;
  spec.width = 28;
  spec.channels = 1;
  auto conv = [](int filters) {
    LayerSpec layer;
    layer.kind = LayerKind::kConv2D;
    layer.filters = filters;
    layer.relu = true;
    return layer;
  };
  LayerSpec pool;
  pool.kind = LayerKind::kMaxPool2D;
  pool.pool = 2;
  LayerSpec average;
  average.kind = LayerKind::kGlobalAveragePool;
  LayerSpec dropout;
  dropout.kind = LayerKind::kDropout;
  dropout.rate = 0.5f;
  LayerSpec dense;
  dense.kind = LayerKind::kDense;
  dense.filters = 10;
  LayerSpec softmax;
  softmax.kind = LayerKind::kSoftmax;
  spec.layers = {conv(64), conv(64), pool, conv(128), conv(128), average, dropout, dense, softmax};
  return spec;
}

std::string SpecToJson(const NetworkSpec& spec) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerSpec& layer : spec.layers) {
    layers.push_back({{"kind", KindName(layer.kind)},
                      {"filters", layer.filters},
                      {"kernel_h", layer.kernel_h},
                      {"kernel_w", layer.kernel_w},
                      {"stride", layer.stride},
                      {"stride_w", layer.stride_w},
                      {"same_padding", layer.same_padding},
                      {"relu", layer.relu},
                      {"pool", layer.pool},
                      {"pool_w", layer.pool_w},
                      {"rate", layer.rate}});
  }
  const nlohmann::json json = {{"name", spec.name},
                               {"height", spec.height},
                               {"width", spec.width},
                               {"channels", spec.channels},
                               {"layers", std::move(layers)}};
  return json.dump();
}

NetworkSpec SpecFromJson(const std::string& text) {
  const nlohmann::json json = nlohmann::json::parse(text);
  NetworkSpec spec;
  spec.name = json.at("name").get<std::string>();
  spec.height = json.at("height").get<int>();
  spec.width = json.at("width").get<int>();
  spec.channels = json.at("channels").get<int>();
  for (const nlohmann::json& item : json.at("layers")) {
    LayerSpec layer;
    layer.kind = KindFromName(item.at("kind").get<std::string>());
    layer.filters = item.at("filters").get<int>();
    layer.kernel_h = item.at("kernel_h").get<int>();
    layer.kernel_w = item.at("kernel_w").get<int>();
    layer.stride = item.at("stride").get<int>();
    layer.stride_w = item.value("stride_w", 0);  // absent in older checkpoints: square
    layer.same_padding = item.at("same_padding").get<bool>();
    layer.relu = item.at("relu").get<bool>();
    layer.pool = item.at("pool").get<int>();
    layer.pool_w = item.value("pool_w", 0);
    layer.rate = item.at("rate").get<float>();
    spec.layers.push_back(layer);
  }
  return spec;
}

NetworkImpl::NetworkImpl(NetworkSpec spec) : spec_(std::move(spec)) {
  // Walk the shapes so each layer knows its input channels / features.
  int64_t channels = spec_.channels, height = spec_.height, width = spec_.width;
  bool flat = false;  // after global pooling or dense: [N, features]
  convs_.resize(spec_.layers.size(), nullptr);
  denses_.resize(spec_.layers.size(), nullptr);
  pad_in_forward_.resize(spec_.layers.size(), false);
  for (size_t i = 0; i < spec_.layers.size(); ++i) {
    const LayerSpec& layer = spec_.layers[i];
    const std::string name = "layer" + std::to_string(i);
    switch (layer.kind) {
      case LayerKind::kConv2D: {
        if (flat) throw std::invalid_argument(name + ": Conv2D after a flattening layer");
        if (layer.filters <= 0 || layer.kernel_h <= 0 || layer.kernel_w <= 0 ||
            layer.StrideH() <= 0 || layer.StrideW() <= 0)
          throw std::invalid_argument(name + ": Conv2D needs positive filters, kernel and stride");
        auto options =
            torch::nn::Conv2dOptions(channels, layer.filters, {layer.kernel_h, layer.kernel_w})
                .stride(torch::ExpandingArray<2>({layer.StrideH(), layer.StrideW()}))
                .bias(true);
        // Stride-1 SAME with odd kernels pads symmetrically: let the
        // convolution do it; other SAME cases pad explicitly in forward().
        if (layer.same_padding && layer.StrideH() == 1 && layer.StrideW() == 1 &&
            layer.kernel_h % 2 && layer.kernel_w % 2)
          options.padding(torch::ExpandingArray<2>({layer.kernel_h / 2, layer.kernel_w / 2}));
        else
          pad_in_forward_[i] = layer.same_padding;
        convs_[i] = register_module(name, torch::nn::Conv2d(options));
        const int64_t field = int64_t{layer.kernel_h} * layer.kernel_w;
        GlorotUniform(convs_[i]->weight, field * channels, field * layer.filters);
        torch::NoGradGuard no_grad;
        convs_[i]->bias.zero_();
        if (layer.same_padding) {
          height = (height + layer.StrideH() - 1) / layer.StrideH();
          width = (width + layer.StrideW() - 1) / layer.StrideW();
        } else {
          height = (height - layer.kernel_h) / layer.StrideH() + 1;
          width = (width - layer.kernel_w) / layer.StrideW() + 1;
        }
        if (height <= 0 || width <= 0)
          throw std::invalid_argument(name + ": Conv2D kernel is larger than its input");
        channels = layer.filters;
        break;
      }
      case LayerKind::kMaxPool2D:
        if (flat || layer.PoolH() <= 0 || layer.PoolW() <= 0)
          throw std::invalid_argument(name + ": bad MaxPool2D");
        height /= layer.PoolH();
        width /= layer.PoolW();
        if (height <= 0 || width <= 0)
          throw std::invalid_argument(name + ": MaxPool2D window is larger than its input");
        break;
      case LayerKind::kGlobalAveragePool:
        if (flat) throw std::invalid_argument(name + ": GlobalAveragePool of a flat input");
        flat = true;
        break;
      case LayerKind::kDropout:
        if (layer.rate < 0.0f || layer.rate >= 1.0f)
          throw std::invalid_argument(name + ": Dropout rate must be in [0, 1)");
        break;
      case LayerKind::kDense:
        // No Flatten layer: a Dense layer takes [N, features] only, so the
        // exporter never has to reorder NCHW features into NHWC.
        if (!flat) throw std::invalid_argument(name + ": Dense needs a flat input (pool first)");
        if (layer.filters <= 0) throw std::invalid_argument(name + ": Dense needs units > 0");
        denses_[i] = register_module(name, torch::nn::Linear(channels, layer.filters));
        GlorotUniform(denses_[i]->weight, channels, layer.filters);
        {
          torch::NoGradGuard no_grad;
          denses_[i]->bias.zero_();
        }
        channels = layer.filters;
        break;
      case LayerKind::kSoftmax:
        break;
    }
  }
}

torch::Tensor NetworkImpl::forward(torch::Tensor x, bool logits) {
  for (size_t i = 0; i < spec_.layers.size(); ++i) x = ForwardLayer(i, x, logits);
  return x;
}

torch::Tensor NetworkImpl::ForwardLayer(size_t i, torch::Tensor x, bool logits) {
  const LayerSpec& layer = spec_.layers[i];
  switch (layer.kind) {
    case LayerKind::kConv2D:
      if (pad_in_forward_[i]) {
        const auto [top, bottom] = SamePadding(x.size(2), layer.kernel_h, layer.StrideH());
        const auto [left, right] = SamePadding(x.size(3), layer.kernel_w, layer.StrideW());
        x = torch::constant_pad_nd(x, {left, right, top, bottom}, 0.0);
      }
      x = convs_[i]->forward(x);
      return layer.relu ? torch::relu_(x) : x;
    case LayerKind::kMaxPool2D:
      return torch::max_pool2d(x, {layer.PoolH(), layer.PoolW()}, {layer.PoolH(), layer.PoolW()});
    case LayerKind::kGlobalAveragePool:
      return x.mean({2, 3});
    case LayerKind::kDropout:
      return torch::dropout(x, layer.rate, is_training());
    case LayerKind::kDense:
      x = denses_[i]->forward(x);
      return layer.relu ? torch::relu_(x) : x;
    case LayerKind::kSoftmax:
      return logits ? x : torch::softmax(x, -1);
  }
  return x;
}

std::vector<torch::Tensor> NetworkImpl::ForwardCollect(torch::Tensor x) {
  const bool was_training = is_training();
  eval();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> outputs;
  outputs.reserve(spec_.layers.size());
  for (size_t i = 0; i < spec_.layers.size(); ++i) {
    x = ForwardLayer(i, x, /*logits=*/false);
    outputs.push_back(x);
  }
  if (was_training) train();
  return outputs;
}

torch::Tensor NetworkImpl::weight(size_t layer) const {
  if (layer < convs_.size() && convs_[layer]) return convs_[layer]->weight;
  if (layer < denses_.size() && denses_[layer]) return denses_[layer]->weight;
  throw std::out_of_range(fmt::format("layer {} has no weights", layer));
}

torch::Tensor NetworkImpl::bias(size_t layer) const {
  if (layer < convs_.size() && convs_[layer]) return convs_[layer]->bias;
  if (layer < denses_.size() && denses_[layer]) return denses_[layer]->bias;
  throw std::out_of_range(fmt::format("layer {} has no bias", layer));
}

int64_t NetworkImpl::ParameterCount() const {
  int64_t count = 0;
  for (const torch::Tensor& p : parameters()) count += p.numel();
  return count;
}

void SaveCheckpoint(Network& network, const std::string& path) {
  torch::serialize::OutputArchive archive;
  archive.write(kSpecKey, c10::IValue(SpecToJson(network->spec())));
  archive.write("picoml_checkpoint_version", c10::IValue(int64_t{kCheckpointVersion}));
  torch::serialize::OutputArchive weights;
  for (const auto& item : network->named_parameters())
    weights.write(item.key(), item.value().detach().contiguous());
  archive.write(kWeightsKey, weights);
  // Write beside the target and rename, so an interrupted save never leaves
  // a half-written checkpoint where a good one is expected.
  const std::string temporary = path + ".tmp";
  try {
    archive.save_to(temporary);
  } catch (const c10::Error& e) {
    std::remove(temporary.c_str());
    throw std::runtime_error(path + ": cannot write the checkpoint (" + e.what_without_backtrace() +
                             ")");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::remove(temporary.c_str());
    throw std::runtime_error(path + ": cannot write the checkpoint (" + error.message() + ")");
  }
}

Network LoadCheckpoint(const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": not a picoml checkpoint, or unreadable (" +
                             std::string(e.what_without_backtrace()) +
                             "); write one with `picoml train --out DIR`");
  }
  c10::IValue version, spec_json;
  if (!archive.try_read("picoml_checkpoint_version", version) ||
      !archive.try_read(kSpecKey, spec_json) || !spec_json.isString())
    throw std::runtime_error(path + ": not a picoml checkpoint (no network description in it)");
  if (version.toInt() != kCheckpointVersion)
    throw std::runtime_error(fmt::format("{}: checkpoint version {}, this picoml reads version {}",
                                         path, version.toInt(), kCheckpointVersion));
  Network network(SpecFromJson(spec_json.toStringRef()));
  torch::serialize::InputArchive weights;
  archive.read(kWeightsKey, weights);
  torch::NoGradGuard no_grad;
  for (auto& item : network->named_parameters()) {
    torch::Tensor stored;
    if (!weights.try_read(item.key(), stored))
      throw std::runtime_error(path + ": the checkpoint lacks " + item.key());
    if (!stored.sizes().equals(item.value().sizes()))
      throw std::runtime_error(path + ": " + item.key() + " has the wrong shape");
    item.value().copy_(stored);
  }
  return network;
}

}  // namespace picoml::train

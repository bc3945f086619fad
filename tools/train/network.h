// Network: a feed-forward CNN described as data (NetworkSpec), built as a
// LibTorch module for training and walked layer by layer by the quantizer
// and exporter. The same description serves MNIST and the audio models.
//
// Layout conventions: LibTorch tensors are NCHW; the exported .tflite is NHWC
// (conv weights OHWI, depthwise [1, H, W, C], dense [units, inputs]).
#ifndef PICOML_TOOLS_TRAIN_NETWORK_H_
#define PICOML_TOOLS_TRAIN_NETWORK_H_

#include <torch/torch.h>

#include <string>
#include <vector>

namespace picoml::train {

enum class LayerKind {
  kConv2D,             // filters, kernel_h x kernel_w, stride(s), padding, relu
  kMaxPool2D,          // pool_h x pool_w window, stride = window
  kGlobalAveragePool,  // mean over H and W -> [N, C] (exported as MEAN)
  kDropout,            // rate; identity at inference, dropped on export
  kDense,              // units, relu
  kSoftmax,            // over the last dimension
};

struct LayerSpec {
  LayerKind kind = LayerKind::kConv2D;
  int filters = 0;  // kConv2D: output channels; kDense: units
  int kernel_h = 3, kernel_w = 3;
  // Strides and pool windows are square unless the width's is given: the
  // audio models keep more resolution along time (height) than along
  // frequency (width).
  int stride = 1;
  int stride_w = 0;           // 0: as `stride`
  bool same_padding = false;  // false = VALID (Keras's default)
  bool relu = false;          // fused ReLU (kConv2D, kDense)
  int pool = 2;               // kMaxPool2D window and stride (height)
  int pool_w = 0;             // 0: as `pool`
  int StrideH() const { return stride; }
  int StrideW() const { return stride_w > 0 ? stride_w : stride; }
  int PoolH() const { return pool; }
  int PoolW() const { return pool_w > 0 ? pool_w : pool; }
  float rate = 0.5f;  // kDropout
};

struct NetworkSpec {
  std::string name = "net";
  int height = 28, width = 28, channels = 1;  // input, NHWC order of the export
  std::vector<LayerSpec> layers;
};

// The reference MNIST recipe: Conv 64 3x3 ReLU, Conv 64 3x3 ReLU, MaxPool 2,
// Conv 128 3x3 ReLU, Conv 128 3x3 ReLU, global average pool, Dropout 0.5,
// Dense 10, Softmax; VALID padding; 260,298 parameters.
NetworkSpec ReferenceMnistSpec();

// The spec as JSON (stored in checkpoints) and back; throws on bad JSON.
std::string SpecToJson(const NetworkSpec& spec);
NetworkSpec SpecFromJson(const std::string& json);

// The LibTorch module for a NetworkSpec. Weights initialised as Keras does
// (Glorot-uniform kernels, zero biases) from the global torch seed.
class NetworkImpl : public torch::nn::Module {
 public:
  explicit NetworkImpl(NetworkSpec spec);

  // Input [N, C, H, W] float in [0, 1]. Returns probabilities (softmax
  // applied) when the spec ends in kSoftmax and `logits` is false; with
  // `logits` true, the softmax layer is skipped (for the loss).
  torch::Tensor forward(torch::Tensor x, bool logits = false);

  // Runs inference (dropout off, softmax applied) and returns the output of
  // every layer, in order: outputs[i] is layer i's output (NCHW for 4-D
  // activations). Used to calibrate activation ranges.
  std::vector<torch::Tensor> ForwardCollect(torch::Tensor x);

  const NetworkSpec& spec() const { return spec_; }
  // Weight and bias of layer i (kConv2D: [O, I, kh, kw]; kDense: [units, in]).
  torch::Tensor weight(size_t layer) const;
  torch::Tensor bias(size_t layer) const;
  int64_t ParameterCount() const;

 private:
  torch::Tensor ForwardLayer(size_t i, torch::Tensor x, bool logits);

  NetworkSpec spec_;
  std::vector<torch::nn::Conv2d> convs_;   // one entry per layer (empty if not conv)
  std::vector<torch::nn::Linear> denses_;  // one entry per layer (empty if not dense)
  std::vector<bool> pad_in_forward_;       // SAME padding the convolution cannot do itself
};
TORCH_MODULE(Network);

// Checkpoint: the spec (as JSON) and the weights, in one file.
void SaveCheckpoint(Network& network, const std::string& path);
Network LoadCheckpoint(const std::string& path);

}  // namespace picoml::train

#endif  // PICOML_TOOLS_TRAIN_NETWORK_H_

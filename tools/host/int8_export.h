// Writes a float feed-forward CNN, with calibrated activation ranges, as a
// full-int8 .tflite file laid out as the LiteRT converter lays it out for
// Optimize.DEFAULT + representative dataset + TFLITE_BUILTINS_INT8 with int8
// input and output:
//
//   input int8 -> CONV_2D (fused RELU) ... MAX_POOL_2D ... MEAN (axes {1, 2},
//   keep_dims false) -> FULLY_CONNECTED -> SOFTMAX -> output int8
//
// No QUANTIZE/DEQUANTIZE at the ends (the input and output are int8), dropout
// gone. Operator versions are those the converter's op_version rules give for
// int8: CONV_2D 3, MAX_POOL_2D 2, MEAN 2, FULLY_CONNECTED 4, SOFTMAX 2. The
// quantization arithmetic is host/quantization.h. Kept free of LibTorch: the
// trainer fills an Int8ExportGraph from its network, tests from hand-set
// numbers.
#ifndef PICOML_TOOLS_HOST_INT8_EXPORT_H_
#define PICOML_TOOLS_HOST_INT8_EXPORT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace picoml::host {

struct Int8ExportLayer {
  enum class Kind { kConv2D, kMaxPool2D, kMean, kFullyConnected, kSoftmax };
  Kind kind = Kind::kConv2D;
  // Keras-style layer name ("conv2d_1"), used in tensor names as the
  // converter uses the TensorFlow op names.
  std::string name;
  int filters = 0;  // kConv2D: output channels; kFullyConnected: units
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1;
  bool same_padding = false;
  bool relu = false;           // fused into kConv2D / kFullyConnected
  int pool_h = 2, pool_w = 2;  // kMaxPool2D: window and stride
  // kConv2D: OHWI [filters, kernel_h, kernel_w, in_channels];
  // kFullyConnected: [units, inputs].
  std::vector<float> weights;
  std::vector<float> bias;
  // Calibrated range of this layer's output (after its fused ReLU). Not used
  // by kMaxPool2D (it keeps its input's parameters) or kSoftmax (fixed
  // 1/256, -128).
  float output_min = 0.0f, output_max = 0.0f;
  // kSoftmax: SoftmaxOptions.beta, softmax(beta * logits). Below 1 it is a
  // temperature: the int8 output (steps of 1/256) saturates at 255/256 only
  // for logit margins 1/beta times larger, so thresholds near 1 still
  // separate confident from very confident.
  float beta = 1.0f;
};

struct Int8ExportGraph {
  int height = 28, width = 28, channels = 1;  // NHWC input, batch 1
  float input_min = 0.0f, input_max = 1.0f;   // calibrated input range
  std::vector<Int8ExportLayer> layers;
  // FULLY_CONNECTED weights per output channel (newer converters) instead of
  // per tensor (what LiteRT for Microcontrollers has always accepted).
  bool dense_per_channel = false;
  std::string description = "picoml int8 export";
};

// The .tflite bytes. Throws std::invalid_argument naming the layer when the
// graph is inconsistent (weight counts, shapes, a dense layer on a 4-D input).
std::vector<uint8_t> ExportInt8Model(const Int8ExportGraph& graph);

// The same model with its SOFTMAX's beta set to `beta`: the only bytes that
// change are the stored float's, so the file equals an export of the same
// network and calibration with that beta (Int8ExportLayer::beta). For
// choosing a temperature after training. Throws std::invalid_argument when
// the model is invalid, has no SOFTMAX or several, or does not store beta
// (a converter may omit a default-valued field: re-export instead).
std::vector<uint8_t> WithSoftmaxBeta(const std::vector<uint8_t>& model, float beta);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_INT8_EXPORT_H_

// Full-integer post-training quantization of a trained Network, as the LiteRT
// converter does it with Optimize.DEFAULT, a representative dataset,
// TFLITE_BUILTINS_INT8 and int8 input/output. This file is the LibTorch half:
// calibration (running min/max of every layer's output over the calibration
// images) and reading the weights out in the export layout (OHWI). The
// arithmetic is host/quantization.h, the file layout host/int8_export.h.
#ifndef PICOML_TOOLS_TRAIN_QUANTIZER_H_
#define PICOML_TOOLS_TRAIN_QUANTIZER_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "host/idx.h"
#include "host/int8_export.h"
#include "host/quantization.h"
#include "train/network.h"

namespace picoml::train {

// Calibrated ranges: of the input, and of each layer's output (index = layer
// index in the spec; after the layer's fused ReLU, as the converter observes
// the fused operator's output).
struct Calibration {
  host::RangeTracker input;
  std::vector<host::RangeTracker> layers;
  int64_t samples = 0;
};

// Runs `images` ([N, C, H, W] float, as the network was trained on) through
// the network in batches (dropout off) and keeps the running min and max of
// every tensor. The result is the same for any batch size: min and max over
// all samples, as the converter's calibrator keeps them.
Calibration Calibrate(Network& network, const torch::Tensor& images, int64_t batch_size = 500);

// The export description of the network: dropout dropped, global average
// pooling as MEAN, ReLU fused, weights in OHWI / [units, inputs]. Dense
// weights are per tensor by default, as in every converter-written model of
// the conformance corpus (per output channel when `dense_per_channel`).
host::Int8ExportGraph ToExportGraph(Network& network, const Calibration& calibration,
                                    bool dense_per_channel = false);

// Images [N, 1, H, W] float in [0, 1] from 8-bit pixels, first `count` (all
// when count <= 0 or larger than the set).
torch::Tensor ImagesToTensor(const host::IdxImages& images, int64_t count = 0);

}  // namespace picoml::train

#endif  // PICOML_TOOLS_TRAIN_QUANTIZER_H_

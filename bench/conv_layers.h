// The int8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED layers of a model,
// set up so that the reference and the optimized variant of each kernel
// (src/kernels/conv_common.h) can be run on the same data. The interpreter
// picks the optimized variant whenever it applies and has no switch to force
// the reference one, so this benchmark-only setup calls both directly.
//
// The parameters are derived here from the model with the kernels' own
// helpers (window geometry, multipliers, output stage). Only layers for
// which the kernels would choose the optimized variant are listed; the
// optimized variants compute their folded bias (or shifted input) into the
// working memory held here, as they do into node scratch in the interpreter.
#ifndef PICOML_BENCH_CONV_LAYERS_H_
#define PICOML_BENCH_CONV_LAYERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/conv_common.h"
#include "picoml/model.h"

namespace picoml::bench {

struct ConvLayer {
  BuiltinOperator op = BuiltinOperator::kConv2D;
  uint32_t node = 0;
  int64_t macs = 0;
  kernels::conv::WindowInt8Params window = {};         // CONV_2D, DEPTHWISE_CONV_2D
  kernels::conv::FullyConnectedInt8Params dense = {};  // FULLY_CONNECTED
  std::vector<int32_t> multipliers;
  std::vector<int8_t> shifts;
  std::vector<int32_t> folded_bias;      // DEPTHWISE_CONV_2D working memory
  std::vector<int16_t> gathered_window;  // CONV_2D working memory
  std::vector<int32_t> clamped_below;    // CONV_2D, where the kernel keeps them
  std::vector<int16_t> shifted_input;    // FULLY_CONNECTED working memory
  const int8_t* filter = nullptr;        // in the model's bytes
  const int32_t* bias = nullptr;         // in the model's bytes, or null
  std::vector<int8_t> input;             // xorshift32 bytes, seed 1
  std::vector<int8_t> output;
};

// Throws picoml::host::Error when a node that should be supported is not.
std::vector<ConvLayer> ConvLayers(const Model& model, Rounding rounding);

// Runs one layer with the reference or the optimized kernel into
// layer.output.
void RunLayer(ConvLayer& layer, bool optimized);

}  // namespace picoml::bench

#endif  // PICOML_BENCH_CONV_LAYERS_H_

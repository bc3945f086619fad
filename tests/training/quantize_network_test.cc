// The LibTorch half of the quantizer: calibration (running min/max over all
// batches), the export layout (OHWI, dropout gone, Keras names) and an export
// of a trained-looking network run by picoml against LibTorch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "host/int8_export.h"
#include "host/model_file.h"
#include "picoml/io.h"
#include "picoml/op_resolver.h"
#include "train/network.h"
#include "train/quantizer.h"

namespace picoml::train {
namespace {

// 8x8x1 -> conv 2 3x3 ReLU -> conv 2 2x2 ReLU -> max pool 2 -> GAP -> dropout
// -> dense 3 -> softmax.
NetworkSpec SmallSpec() {
  NetworkSpec spec;
  spec.name = "small";
  spec.height = spec.width = 8;
  spec.channels = 1;
  LayerSpec conv;
  conv.kind = LayerKind::kConv2D;
  conv.filters = 2;
  conv.relu = true;
  LayerSpec conv2 = conv;
  conv2.kernel_h = conv2.kernel_w = 2;
  LayerSpec pool;
  pool.kind = LayerKind::kMaxPool2D;
  LayerSpec gap;
  gap.kind = LayerKind::kGlobalAveragePool;
  LayerSpec dropout;
  dropout.kind = LayerKind::kDropout;
  LayerSpec dense;
  dense.kind = LayerKind::kDense;
  dense.filters = 3;
  LayerSpec softmax;
  softmax.kind = LayerKind::kSoftmax;
  spec.layers = {conv, conv2, pool, gap, dropout, dense, softmax};
  return spec;
}

// Time (height) and frequency (width) treated apart, as the alarm network
// does: 16x12x1 -> conv 3 3x4 /(1, 2) -> max pool (2, 1) -> conv 2 3x2 /(2, 1)
// -> GAP -> dense 3 -> softmax. A height/width mix-up in the export changes
// the shapes or the sums.
NetworkSpec AsymmetricSpec() {
  NetworkSpec spec = SmallSpec();
  spec.name = "asymmetric";
  spec.height = 16;
  spec.width = 12;
  spec.layers[0].filters = 3;
  spec.layers[0].kernel_w = 4;
  spec.layers[0].stride = 1;
  spec.layers[0].stride_w = 2;  // -> 14 x 5
  spec.layers[1].kind = LayerKind::kMaxPool2D;
  spec.layers[1].pool = 2;
  spec.layers[1].pool_w = 1;  // -> 7 x 5
  spec.layers[2] = spec.layers[0];
  spec.layers[2].filters = 2;
  spec.layers[2].kernel_h = 3;
  spec.layers[2].kernel_w = 2;
  spec.layers[2].stride = 2;
  spec.layers[2].stride_w = 1;  // -> 3 x 4
  return spec;
}

TEST(QuantizeNetwork, ExportLayoutIsOhwiWithoutDropout) {
  torch::manual_seed(3);
  Network network(SmallSpec());
  {
    torch::NoGradGuard no_grad;
    // Second conv: weight[o][i][ky][kx] = o*1000 + i*100 + ky*10 + kx.
    torch::Tensor w = network->weight(1);
    for (int o = 0; o < 2; ++o)
      for (int i = 0; i < 2; ++i)
        for (int ky = 0; ky < 2; ++ky)
          for (int kx = 0; kx < 2; ++kx) w[o][i][ky][kx] = o * 1000 + i * 100 + ky * 10 + kx;
  }
  const Calibration calibration = Calibrate(network, torch::rand({4, 1, 8, 8}));
  const host::Int8ExportGraph graph = ToExportGraph(network, calibration);
  ASSERT_EQ(graph.layers.size(), 6u);  // dropout dropped
  using Kind = host::Int8ExportLayer::Kind;
  EXPECT_EQ(graph.layers[0].name, "conv2d");
  EXPECT_EQ(graph.layers[1].name, "conv2d_1");
  EXPECT_EQ(graph.layers[3].kind, Kind::kMean);
  EXPECT_EQ(graph.layers[4].kind, Kind::kFullyConnected);
  EXPECT_EQ(graph.layers[5].kind, Kind::kSoftmax);
  // Dense weights per tensor, as the converter wrote every FULLY_CONNECTED of
  // the conformance corpus.
  EXPECT_FALSE(graph.dense_per_channel);
  const std::vector<float>& ohwi = graph.layers[1].weights;
  ASSERT_EQ(ohwi.size(), 16u);
  for (int o = 0; o < 2; ++o)
    for (int ky = 0; ky < 2; ++ky)
      for (int kx = 0; kx < 2; ++kx)
        for (int i = 0; i < 2; ++i)
          EXPECT_EQ(ohwi[((o * 2 + ky) * 2 + kx) * 2 + i], o * 1000 + i * 100 + ky * 10 + kx);
}

TEST(QuantizeNetwork, CalibrationKeepsMinAndMaxOverAllBatches) {
  torch::manual_seed(4);
  Network network(SmallSpec());
  torch::Tensor images = torch::rand({9, 1, 8, 8});
  images[0][0][0][0] = 0.0f;
  images[8][0][7][7] = 1.0f;
  const Calibration one = Calibrate(network, images, 1);
  const Calibration four = Calibrate(network, images, 4);
  const Calibration all = Calibrate(network, images, 9);
  EXPECT_EQ(one.samples, 9);
  EXPECT_EQ(one.input.min(), 0.0f);
  EXPECT_EQ(one.input.max(), 1.0f);
  for (size_t i = 0; i < all.layers.size(); ++i) {
    // Equal up to LibTorch's batch-size-dependent float summation order.
    EXPECT_FLOAT_EQ(one.layers[i].min(), all.layers[i].min()) << "layer " << i;
    EXPECT_FLOAT_EQ(one.layers[i].max(), all.layers[i].max()) << "layer " << i;
    EXPECT_FLOAT_EQ(four.layers[i].max(), all.layers[i].max()) << "layer " << i;
  }
  EXPECT_GE(all.layers[0].min(), 0.0f);  // observed after the fused ReLU
  EXPECT_GE(all.layers[6].min(), 0.0f);  // softmax
  EXPECT_LE(all.layers[6].max(), 1.0f);
}

// Random weights, calibrated and exported; picoml's int8 run of the file must
// follow LibTorch's float forward pass within a few output steps.
void ExpectPicomlRunsTheExportLikeLibTorch(const NetworkSpec& spec) {
  torch::manual_seed(5);
  Network network(spec);
  {
    torch::NoGradGuard no_grad;
    for (const torch::Tensor& p : network->parameters()) p.normal_(0.0, 0.6);
  }
  network->eval();
  const int64_t pixels = int64_t{spec.height} * spec.width;
  const torch::Tensor images = torch::rand({32, 1, spec.height, spec.width});
  const host::Int8ExportGraph graph = ToExportGraph(network, Calibrate(network, images));
  const std::vector<uint8_t> bytes = host::ExportInt8Model(graph);
  host::AlignedBuffer aligned(bytes.size());
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  Model model;
  ASSERT_TRUE(Model::Create(aligned.data(), aligned.size(), &model).ok());
  const AllOpsResolver resolver;
  host::HostInterpreter host(model, resolver);
  const torch::Tensor expected = network->forward(images).contiguous();
  for (int n = 0; n < 32; ++n) {
    const torch::Tensor image = images[n].contiguous();  // [1, H, W] = NHWC for one channel
    ASSERT_TRUE(QuantizeInto(host.interpreter().input(0), image.data_ptr<float>(), pixels).ok());
    const Status status = host.interpreter().Invoke();
    ASSERT_TRUE(status.ok()) << status.message();
    float got[3];
    ASSERT_TRUE(DequantizeFrom(host.interpreter().output(0), got, 3).ok());
    for (int c = 0; c < 3; ++c)
      EXPECT_NEAR(got[c], expected[n][c].item<float>(), 5.0 / 256.0) << "image " << n;
  }
}

TEST(QuantizeNetwork, PicomlRunsTheExportLikeLibTorch) {
  ExpectPicomlRunsTheExportLikeLibTorch(SmallSpec());
}

TEST(QuantizeNetwork, PicomlRunsAnExportWithUnequalStridesAndPoolsLikeLibTorch) {
  const NetworkSpec spec = AsymmetricSpec();
  Network network(spec);
  const host::Int8ExportGraph graph =
      ToExportGraph(network, Calibrate(network, torch::rand({2, 1, 16, 12})));
  EXPECT_EQ(graph.layers[0].stride_h, 1);
  EXPECT_EQ(graph.layers[0].stride_w, 2);
  EXPECT_EQ(graph.layers[1].pool_h, 2);
  EXPECT_EQ(graph.layers[1].pool_w, 1);
  ExpectPicomlRunsTheExportLikeLibTorch(spec);
}

}  // namespace
}  // namespace picoml::train
